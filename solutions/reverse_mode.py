"""Reverse-mode automatic differentiation (backpropagation) -- reference solution.

MIT 18.065, Lecture 27: "the great point is that backward is better."

Evaluating F(x, y) = x^3 (x + 3y) at (2, 3) builds a *computational graph*: every elementary step
(c = x^3, s = x + 3y, F = c s) is a node that knows its inputs (its *parents*).  Forward mode (the
previous assignment) carries dx/dx = 1 through that graph and gets dF/dx = 140; it needs a whole
new pass to get dF/dy = 24, so n inputs cost n passes.

Reverse mode runs the chain rule the other way.  Each node records, at the moment it is computed,
the *local partial derivatives* of its value with respect to its parents (for F = c s they are
dF/dc = s and dF/ds = c, exactly the lecture's first backward step).  Then one backward sweep,
starting from dF/dF = 1 and visiting the nodes in reverse topological order (every node after all
the nodes that use it), computes the *adjoint* v.grad = dF/dv of every node v:

    for each node v, once all the nodes that use v are done:
        for each parent p of v:   p.grad += v.grad * (dv/dp)

The sweep touches every edge of the graph once, so the whole gradient costs a small constant
multiple of the cost of F itself, whatever the number of inputs: the "cheap gradient principle"
(Griewank & Walther, *Evaluating Derivatives*, 2008: at most about 4-5 times the cost of F).

Three details make it correct on every graph, not just on the lecture's:

* ``+=``, not ``=``: a node used several times (fan-out, x in both x^3 and x + 3y) receives the sum
  of the contributions along every use: that sum IS the multivariable chain rule.
* A true topological order: a node may pass its adjoint on only when it is complete, i.e. after
  every node that uses it has been visited.  Breadth-first order ("nearest to F first") is wrong as
  soon as two paths from a node to F differ in length.
* No recursion: the order is found with an explicit stack, so a chain of 100,000 operations (deeper
  than Python's recursion limit of about 1,000) works.

Implementation in the spirit of Karpathy's micrograd: a node stores ``(parent, local partial)``
pairs, computed eagerly on the way forward (they are plain floats, cheap to compute then).
"""

import math
import numbers

import numpy as np


def _is_real(x) -> bool:
    """A real number as the handout means it: an int, a float, or a numpy integer or floating scalar
    (``numbers.Real`` covers all of them).  Not a bool: Python calls True an int, but it is no number."""
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


class Var:
    """A node of the computational graph: a value, its adjoint ``grad``, and how it was made.

    ``_parents`` is a tuple of ``(parent, local partial)`` pairs: this node's value v was computed
    from those parents, and ``local partial`` is dv/d(parent) evaluated at the current values.
    Leaves (the inputs) have no parents.
    """

    __slots__ = ("value", "grad", "_parents")

    def __init__(self, value, _parents=()):
        self.value = float(value)
        self.grad = 0.0
        self._parents = _parents

    def __repr__(self) -> str:
        return f"Var(value={self.value!r}, grad={self.grad!r})"

    # -- arithmetic: each operation returns a new node with its local partials ------------------
    # The reflected methods (__radd__, ...) handle a real number on the left: 3 * x calls
    # x.__rmul__(3).  Returning NotImplemented for anything else lets Python raise its usual
    # TypeError.

    def __add__(self, other):
        if isinstance(other, Var):
            return Var(self.value + other.value, ((self, 1.0), (other, 1.0)))
        if _is_real(other):
            return Var(self.value + other, ((self, 1.0),))
        return NotImplemented

    __radd__ = __add__  # c + x = x + c

    def __sub__(self, other):
        if isinstance(other, Var):
            return Var(self.value - other.value, ((self, 1.0), (other, -1.0)))
        if _is_real(other):
            return Var(self.value - other, ((self, 1.0),))
        return NotImplemented

    def __rsub__(self, other):  # other - self, other real
        if _is_real(other):
            return Var(other - self.value, ((self, -1.0),))
        return NotImplemented

    def __mul__(self, other):
        if isinstance(other, Var):  # product rule: d(uv)/du = v, d(uv)/dv = u
            return Var(self.value * other.value, ((self, other.value), (other, self.value)))
        if _is_real(other):
            return Var(self.value * other, ((self, float(other)),))
        return NotImplemented

    __rmul__ = __mul__  # c * x = x * c

    def __truediv__(self, other):
        if isinstance(other, Var):  # d(u/v)/du = 1/v, d(u/v)/dv = -u/v^2
            quotient = self.value / other.value
            return Var(quotient, ((self, 1.0 / other.value), (other, -quotient / other.value)))
        if _is_real(other):
            return Var(self.value / other, ((self, 1.0 / other),))
        return NotImplemented

    def __rtruediv__(self, other):  # c / x: d/dx = -c / x^2
        if _is_real(other):
            quotient = other / self.value
            return Var(quotient, ((self, -quotient / self.value),))
        return NotImplemented

    def __pow__(self, other):
        if isinstance(other, Var):  # u^v = exp(v log u), defined for u > 0
            if self.value <= 0:
                raise ValueError(f"Var ** Var needs a positive base, got base value {self.value}")
            power = self.value ** other.value
            return Var(power, ((self, other.value * self.value ** (other.value - 1)),
                               (other, power * math.log(self.value))))
        if _is_real(other):  # power rule: d(u^c)/du = c u^(c-1)
            slope = other * self.value ** (other - 1) if other != 0 else 0.0
            return Var(self.value ** other, ((self, slope),))
        return NotImplemented

    def __rpow__(self, other):  # c^x = exp(x log c), defined for c > 0: d/dx = c^x log c
        if _is_real(other):
            if other <= 0:
                raise ValueError(f"c ** Var needs a positive base c, got {other}")
            power = other ** self.value
            return Var(power, ((self, power * math.log(other)),))
        return NotImplemented

    def __neg__(self):
        return Var(-self.value, ((self, -1.0),))

    def __pos__(self):
        return Var(self.value, ((self, 1.0),))

    # -- the backward sweep ------------------------------------------------------------------------
    def backward(self) -> None:
        """Set every node v that this output F depends on to v.grad = dF/dv, in one sweep."""
        order = _topological_order(self)
        for node in order:  # reset first: a second sweep must not add to the first one's adjoints
            node.grad = 0.0
        self.grad = 1.0  # dF/dF = 1
        for node in reversed(order):  # every node comes after all the nodes that use it
            for parent, local in node._parents:
                parent.grad += node.grad * local  # += : contributions from every use add up


def _topological_order(output: Var) -> list:
    """The nodes ``output`` depends on (itself included), each one after all of its parents.

    Depth-first search with an explicit stack instead of recursion (a chain of 100,000 operations
    is far deeper than Python's recursion limit).  Each node is on the stack twice: first to be
    expanded (push it back marked "parents done", then its parents above it), then, once everything
    above it has been popped (its parents are all in ``order``), to be appended.  ``seen`` expands
    each node once, so the cost is O(nodes + edges) even when the number of paths through the graph
    is exponential.
    """
    order = []
    seen = set()  # Var defines no __eq__, so a set of Vars compares them by identity
    stack = [(output, False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
        elif node not in seen:
            seen.add(node)
            stack.append((node, True))  # back to it after its parents
            for parent, _ in reversed(node._parents):  # reversed: the first parent is popped first
                if parent not in seen:
                    stack.append((parent, False))
    return order


# -- elementary functions: the value and the derivative of each, from freshman calculus ----------

def _apply(x, f, slope):
    """f(x) for a real x (a float, as math returns it); for a Var, a new node whose local partial
    is f'(u) = slope(u, f(u)) (passing f(u) lets exp, sqrt and tanh reuse the value)."""
    if isinstance(x, Var):
        fx = f(x.value)
        return Var(fx, ((x, slope(x.value, fx)),))
    return f(x)


def sin(x):
    """sin x; (sin u)' = cos u."""
    return _apply(x, math.sin, lambda u, s: math.cos(u))


def cos(x):
    """cos x; (cos u)' = -sin u."""
    return _apply(x, math.cos, lambda u, c: -math.sin(u))


def exp(x):
    """e^x; (e^u)' = e^u."""
    return _apply(x, math.exp, lambda u, e: e)


def log(x):
    """Natural logarithm, ValueError for x <= 0 (as math.log); (log u)' = 1/u."""
    return _apply(x, math.log, lambda u, l: 1.0 / u)


def sqrt(x):
    """Square root, ValueError for x < 0 (as math.sqrt); (sqrt u)' = 1 / (2 sqrt u).

    At u = 0 the derivative is infinite: the Var version raises ZeroDivisionError there.
    """
    return _apply(x, math.sqrt, lambda u, r: 0.5 / r)


def tanh(x):
    """tanh x; (tanh u)' = 1 - tanh^2 u."""
    return _apply(x, math.tanh, lambda u, t: 1.0 - t * t)


# -- the whole gradient ---------------------------------------------------------------------------

def grad(f, point):
    """(F, gradient) of F = f(*point): one evaluation of f on Vars, one backward sweep.

    If f returns a real number (F does not depend on the inputs at all), the gradient is zero.
    """
    inputs = [Var(v) for v in point]
    output = f(*inputs)
    if not isinstance(output, Var):
        return float(output), np.zeros(len(inputs))
    output.backward()
    return output.value, np.array([x.grad for x in inputs], dtype=np.float64)
