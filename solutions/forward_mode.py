"""Forward-mode automatic differentiation with dual numbers (MIT 18.065, Lecture 27).

The idea
--------
In the lecture Professor Strang differentiates F(x, y) = x^3 (x + 3y) at (x, y) = (2, 3) by going
*forward* through the computational graph: next to every intermediate value he writes down its
derivative with respect to x, using only the rule for that one small step (power rule for x^3,
sum rule for x + 3y, product rule for the final multiplication).  He gets F = 88 and dF/dx = 140
in one pass, and remarks that dF/dy = 24 needs a whole second pass.

A *dual number* ``a + b·ε`` with ``ε² = 0`` does this bookkeeping automatically.  Carry the value
in ``a`` and the derivative in ``b``.  Multiplying two of them,

    (u + u'ε)(v + v'ε) = uv + (u'v + uv')ε + u'v'ε² = uv + (u'v + uv')ε,

produces the product rule by itself, because ε² = 0 throws away the second-order term.  Every
elementary function g is extended by its Taylor series, g(u + u'ε) = g(u) + g'(u)u'ε: the chain
rule.  So if we start from x = 2 + 1ε ("seed" x: dx/dx = 1) and y = 3 + 0ε (y does not move when
only x moves), evaluating F on these numbers gives 88 + 140ε.  Seeding y instead gives 88 + 24ε.

This is exact differentiation, not an approximation: every derivative is computed from the
closed-form rule of one small step, so the result is correct up to floating-point rounding, unlike
a finite difference (F(x + h) - F(x - h)) / 2h, which trades truncation error against cancellation.

The cost is what the lecture calls wasteful: one forward pass gives the derivative along ONE input
direction (a Jacobian-vector product).  The whole gradient of a function of n variables needs n
passes; reverse mode (backpropagation) gets it in one backward pass.

Module contents: ``Dual``; the elementary functions ``sin cos exp log sqrt tanh`` (on Duals and on
real numbers); the drivers ``derivative``, ``partial``, ``directional_derivative``, ``gradient`` and
``jacobian``.
"""

import functools
import math
import numbers

import numpy as np


def _is_real(x):
    """A real number as the handout means it: an int, a float, or a numpy integer or floating scalar
    (``numbers.Real`` covers all of them).  Not a bool: Python calls True an int, but it is no number."""
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _dual_operand(rule):
    """Let the operator ``rule(self, other)`` take a real ``other`` too: as the constant Dual
    ``other + 0ε``.  Any other type gets NotImplemented, and Python its usual TypeError."""

    @functools.wraps(rule)
    def operator(self, other):
        if _is_real(other):
            other = Dual(other, 0.0)
        if not isinstance(other, Dual):
            return NotImplemented
        return rule(self, other)

    return operator


class Dual:
    """The dual number ``value + deriv·ε`` (ε² = 0): a value together with its derivative."""

    def __init__(self, value, deriv=0.0):
        # A plain number entering a computation is a constant: its derivative is 0 by default.
        self.value = float(value)
        self.deriv = float(deriv)

    def __repr__(self):
        return f"Dual(value={self.value!r}, deriv={self.deriv!r})"

    # -- the sum, product and quotient rules ---------------------------------------------------
    # ``@_dual_operand`` turns a real operand into a constant Dual (derivative 0), so that one
    # rule serves Dual-Dual, Dual-real and real-Dual alike.  The reflected methods (__radd__,
    # __rsub__, ...) are what Python calls for ``2 + d``, ``2 - d``, ...: the real number is then
    # on the LEFT, which matters for the non-commutative operations - and /.

    @_dual_operand
    def __add__(self, other):
        return Dual(self.value + other.value, self.deriv + other.deriv)

    __radd__ = __add__  # addition commutes

    @_dual_operand
    def __sub__(self, other):
        return Dual(self.value - other.value, self.deriv - other.deriv)

    @_dual_operand
    def __rsub__(self, other):  # other - self
        return other - self

    @_dual_operand
    def __mul__(self, other):
        # (uv)' = u'v + uv'
        return Dual(self.value * other.value, self.deriv * other.value + self.value * other.deriv)

    __rmul__ = __mul__  # multiplication commutes

    @_dual_operand
    def __truediv__(self, other):
        # (u/v)' = (u'v - uv') / v^2
        v = other.value
        return Dual(self.value / v, (self.deriv * v - self.value * other.deriv) / (v * v))

    @_dual_operand
    def __rtruediv__(self, other):  # other / self
        return other / self

    # -- the power rules -------------------------------------------------------------------------
    @_dual_operand
    def __pow__(self, other):
        u, du = self.value, self.deriv
        if other.deriv == 0.0:
            # A constant exponent c: (u^c)' = c u^(c-1) u'.  This also covers negative u with an
            # integer c, where the logarithm of the general rule below does not exist.
            c = other.value
            if c == 0.0:
                return Dual(1.0, 0.0)  # u^0 = 1 for every u; avoids u^(-1) at u = 0
            return Dual(math.pow(u, c), c * math.pow(u, c - 1.0) * du)
        # A variable exponent: u^v = exp(v ln u), so (u^v)' = u^v (v' ln u + v u'/u).
        if u <= 0.0:
            raise ValueError(f"d ** e with a Dual exponent needs d.value > 0, got d.value = {u!r}")
        v, dv = other.value, other.deriv
        power = math.pow(u, v)
        return Dual(power, power * (dv * math.log(u) + v * du / u))

    @_dual_operand
    def __rpow__(self, other):  # other ** self, a real base c: (c^u)' = c^u ln(c) u'
        if other.value <= 0.0:
            raise ValueError(f"c ** d needs a base c > 0, got c = {other.value!r}")
        return other ** self

    # -- signs -----------------------------------------------------------------------------------
    def __neg__(self):
        return Dual(-self.value, -self.deriv)

    def __pos__(self):
        return Dual(self.value, self.deriv)


# -- elementary functions: the chain rule (g(u))' = g'(u) u' ---------------------------------------

def _chain(x, g, g_prime):
    """g applied to a Dual (value g(u), derivative g'(u) u') or to a real number (like ``math``)."""
    if isinstance(x, Dual):
        return Dual(g(x.value), g_prime(x.value) * x.deriv)
    return float(g(x))


def sin(x):
    """sin x; on a Dual, (sin u)' = cos(u) u'."""
    return _chain(x, math.sin, math.cos)


def cos(x):
    """cos x; on a Dual, (cos u)' = -sin(u) u'."""
    return _chain(x, math.cos, lambda u: -math.sin(u))


def exp(x):
    """e^x; on a Dual, (e^u)' = e^u u'."""
    return _chain(x, math.exp, math.exp)


def log(x):
    """Natural logarithm, defined for x > 0; on a Dual, (ln u)' = u'/u.  ValueError for x <= 0."""
    u = x.value if isinstance(x, Dual) else x
    if u <= 0:
        raise ValueError(f"log needs a positive argument, got {u!r}")
    return _chain(x, math.log, lambda u: 1.0 / u)


def sqrt(x):
    """Square root, defined for x >= 0; on a Dual, (√u)' = u' / (2√u).  ValueError for x < 0.

    At u = 0 the value is 0 but the derivative does not exist (division by zero).
    """
    u = x.value if isinstance(x, Dual) else x
    if u < 0:
        raise ValueError(f"sqrt needs a non-negative argument, got {u!r}")
    return _chain(x, math.sqrt, lambda u: 0.5 / math.sqrt(u))


def tanh(x):
    """Hyperbolic tangent; on a Dual, (tanh u)' = (1 - tanh(u)^2) u'."""
    return _chain(x, math.tanh, lambda u: 1.0 - math.tanh(u) ** 2)


# -- drivers: seed the inputs, run f once, read off the ε part -----------------------------------

def _deriv_part(out):
    """The derivative carried by one output of f: its ε part, or 0.0 for a real (constant) output."""
    if isinstance(out, Dual):
        return out.deriv
    if _is_real(out):
        return 0.0  # f ignored its input: a constant has derivative 0
    raise TypeError(f"f must return a Dual or a real number, got {type(out).__name__}")


def derivative(f, x):
    """df/dx at the real number x, from ONE evaluation of f on the seeded Dual x + 1ε."""
    return _deriv_part(f(Dual(x, 1.0)))


def directional_derivative(f, point, direction):
    """∇f(point) · direction from a single evaluation of f (a Jacobian-vector product).

    Seeding input k with derivative direction[k] makes every intermediate Dual carry its derivative
    along the direction, so the output carries Σ_k ∂f/∂x_k · direction[k].
    """
    if len(point) != len(direction):
        raise ValueError(f"direction has {len(direction)} entries but point has {len(point)}")
    args = [Dual(p, d) for p, d in zip(point, direction)]
    return _deriv_part(f(*args))


def partial(f, point, i):
    """∂f/∂x_i at point: the directional derivative along the i-th unit vector e_i."""
    n = len(point)
    if not 0 <= i < n:
        raise ValueError(f"i must be in range({n}), got {i}")
    return directional_derivative(f, point, _unit(n, i))


def gradient(f, point):
    """The gradient by forward mode: one pass of f per input variable (n evaluations).

    This is the lecture's "wasteful" cost: pass i seeds only x_i, and everything the other inputs
    contribute is recomputed, with derivative 0, in every pass.
    """
    return np.array([partial(f, point, i) for i in range(len(point))], dtype=np.float64)


def jacobian(f, point):
    """The m × n Jacobian J[i, j] = ∂f_i/∂x_j; column j comes from the pass seeded with e_j.

    f returns a sequence of m outputs (Duals or real numbers); a single output counts as m = 1.
    """
    n = len(point)
    if n == 0:  # no input to seed: evaluate once only to learn m
        return np.zeros((len(_outputs(f())), 0))
    columns = []
    for j in range(n):
        outputs = _outputs(f(*[Dual(p, s) for p, s in zip(point, _unit(n, j))]))
        columns.append([_deriv_part(o) for o in outputs])
    return np.array(columns, dtype=np.float64).T  # columns were stacked as rows: transpose


def _outputs(out):
    """f's result as a list of outputs: a single Dual or real number is a list of one."""
    if isinstance(out, Dual) or _is_real(out):
        return [out]
    return list(out)


def _unit(n, i):
    """The i-th unit vector of length n, as a list of floats."""
    return [1.0 if k == i else 0.0 for k in range(n)]
