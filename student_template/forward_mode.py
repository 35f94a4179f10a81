"""Forward-mode automatic differentiation with dual numbers (MIT 18.065, Lecture 27).

Your name:
Collaborators (and what you discussed):

Fill in every function below; replace each ``raise NotImplementedError(...)`` by your code.  Keep the
names, arguments and return types exactly as they are: the autograder calls them.  You may add
helper functions and classes of your own.  Allowed imports: the standard library and numpy only
(no jax, torch, autograd, sympy, ...).

A dual number ``value + deriv·ε`` with ``ε² = 0`` carries a value together with its derivative.
Start a computation from ``x = Dual(2.0, 1.0)`` ("x moves at rate 1") and ``y = Dual(3.0, 0.0)``
("y does not move"); if every operation applies its own derivative rule, the result of
``x**3 * (x + 3*y)`` is ``Dual(88.0, 140.0)``: F and dF/dx from one forward pass, as in the lecture.
See the handout for the rules and for the tasks.
"""

import math  # noqa: F401  (you will want math.sin, math.log, ...)

import numpy as np  # noqa: F401


class Dual:
    """The dual number ``value + deriv·ε`` with ε² = 0.

    Attributes ``value`` and ``deriv`` (real numbers).  ``Dual(3.0)`` is the constant 3: its
    derivative is 0.0.

    Every operator returns a NEW Dual whose ``deriv`` follows the derivative rule of that operation.
    Each one must work between two Duals and between a Dual and a real number (int, float, or a
    numpy scalar such as np.float64 / np.int64) on EITHER side: for ``2.0 - d`` Python calls
    ``d.__rsub__(2.0)``, and the real number is then the left operand.
    """

    def __init__(self, value, deriv=0.0):
        """Store the two parts in the attributes ``value`` and ``deriv``."""
        raise NotImplementedError("TODO: store value and deriv")

    def __repr__(self):
        """A string that shows both parts, e.g. for debugging."""
        raise NotImplementedError("TODO: show value and deriv")

    def __add__(self, other):
        """self + other.  Sum rule: (u + v)' = u' + v'."""
        raise NotImplementedError("TODO: sum rule")

    def __radd__(self, other):
        """other + self, where other is a real number."""
        raise NotImplementedError("TODO: sum rule, real number on the left")

    def __sub__(self, other):
        """self - other.  (u - v)' = u' - v'."""
        raise NotImplementedError("TODO: difference rule")

    def __rsub__(self, other):
        """other - self, where other is a real number (careful with the order!)."""
        raise NotImplementedError("TODO: difference rule, real number on the left")

    def __mul__(self, other):
        """self * other.  Product rule: (uv)' = u'v + uv'."""
        raise NotImplementedError("TODO: product rule")

    def __rmul__(self, other):
        """other * self, where other is a real number."""
        raise NotImplementedError("TODO: product rule, real number on the left")

    def __truediv__(self, other):
        """self / other.  Quotient rule: (u/v)' = (u'v - uv') / v² (also when u = 0: do not divide by u)."""
        raise NotImplementedError("TODO: quotient rule")

    def __rtruediv__(self, other):
        """other / self, where other is a real number (careful with the order!)."""
        raise NotImplementedError("TODO: quotient rule, real number on the left")

    def __pow__(self, other):
        """self ** other, in two forms.

        - other a real number c (any real c): power rule (u^c)' = c·u^(c-1)·u'.  This must also
          work for a negative u when c is an integer, e.g. Dual(-2.0, 1.0) ** 3, and at u = 0 for
          c = 0 and c >= 1: Dual(0.0, 1.0) ** 2 is Dual(0, 0), d ** 0 is Dual(1, 0) for every u.
        - other a Dual (needs self.value > 0): write u^v = exp(v·ln u) and differentiate;
          both u and v vary, so the derivative has two terms.
        """
        raise NotImplementedError("TODO: power rules")

    def __rpow__(self, other):
        """other ** self for a real base c > 0: (c^u)' = c^u · ln(c) · u'."""
        raise NotImplementedError("TODO: exponential with a real base")

    def __neg__(self):
        """-self."""
        raise NotImplementedError("TODO: negation")

    def __pos__(self):
        """+self (the same number)."""
        raise NotImplementedError("TODO: unary plus")


# Elementary functions.  Each accepts a Dual (and returns a Dual, by the chain rule
# (g(u))' = g'(u)·u') or a real number (and returns a float, exactly as the math module does).

def sin(x):
    """sin x.  Chain rule: (sin u)' = cos(u)·u'."""
    raise NotImplementedError("TODO: sin")


def cos(x):
    """cos x.  Chain rule: (cos u)' = -sin(u)·u'."""
    raise NotImplementedError("TODO: cos")


def exp(x):
    """e^x.  Chain rule: (e^u)' = e^u·u'."""
    raise NotImplementedError("TODO: exp")


def log(x):
    """Natural logarithm.  (ln u)' = u'/u.  Raise ValueError if the value is <= 0 (as math.log)."""
    raise NotImplementedError("TODO: log")


def sqrt(x):
    """Square root.  (√u)' = u'/(2√u).  Raise ValueError if the value is < 0 (as math.sqrt)."""
    raise NotImplementedError("TODO: sqrt")


def tanh(x):
    """Hyperbolic tangent.  (tanh u)' = (1 - tanh²u)·u'.  Defined for every u: tanh(800.0) is 1.0 and
    tanh(Dual(800.0, 1.0)) is Dual(1.0, 0.0), with no overflow (e^(2u) and cosh u overflow there)."""
    raise NotImplementedError("TODO: tanh")


# Drivers.  Each one seeds the inputs with Duals, calls f ONCE per pass, and reads off the
# deriv part of the output.  If f returns a real number instead of a Dual (a constant function),
# the derivative is 0.0.  They return floats and float64 arrays, also when x or the point holds
# ints: derivative(lambda x: 3 * x, 2) is 3.0, not 3.

def derivative(f, x):
    """df/dx at the real number x (a float), from one evaluation of f on a seeded Dual."""
    raise NotImplementedError("TODO: derivative")


def partial(f, point, i):
    """∂f/∂x_i at point (a sequence of n real numbers), a float; f is called as f(*args) with n arguments.

    Seed input i with derivative 1 and every other input with derivative 0.
    """
    raise NotImplementedError("TODO: partial")


def directional_derivative(f, point, direction):
    """∇f(point) · direction (a float), from a SINGLE evaluation of f.

    Seed input k with derivative direction[k].
    """
    raise NotImplementedError("TODO: directional_derivative")


def gradient(f, point):
    """The gradient as a numpy float64 array of shape (n,): one forward pass per input variable.

    At most n + 1 evaluations of f in total; each pass seeds one coordinate.
    """
    raise NotImplementedError("TODO: gradient")


def jacobian(f, point):
    """The Jacobian as a numpy float64 array of shape (m, n): J[i, j] = ∂f_i/∂x_j.

    f returns a sequence of m outputs (each a Dual or a real number); a single output counts as
    m = 1.  Column j comes from the pass that seeds input j.
    """
    raise NotImplementedError("TODO: jacobian")
