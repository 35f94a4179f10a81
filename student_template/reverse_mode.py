"""Reverse-mode automatic differentiation (backpropagation).

MIT 18.065, Lecture 27: "the great point is that backward is better."

Your task: make ``Var`` record the computational graph on the way forward, so that ONE backward
sweep from an output F gives dF/dv for every node v at once.  Read the handout (handout.md) first:
it states the exact rules the autograder follows.  Replace every ``raise NotImplementedError``.

You may import only the standard library and numpy.  Run the public tests with

    python check.py reverse_mode.py
"""

import math

import numpy as np


class Var:
    """A node of the computational graph.

    Attributes
    ----------
    value : the number this node computed (a real number).
    grad  : the adjoint dF/d(this node); 0.0 until a backward sweep reaches the node.

    Store, privately, whatever the backward sweep will need: the node's parents (the Vars it was
    computed from) and the local partial derivative d(this node)/d(parent) for each of them, e.g. a
    tuple of (parent, local partial) pairs.  Leaves (the inputs) have no parents.
    """

    def __init__(self, value):
        raise NotImplementedError("TODO: store value, set grad = 0.0, and record that a new Var has no parents")

    def __repr__(self):
        """A string showing both the value and the grad, e.g. Var(value=2.0, grad=140.0)."""
        raise NotImplementedError("TODO: show the value and the grad")

    # -- arithmetic ------------------------------------------------------------------------------------
    # Each operation returns a NEW Var that remembers its parents and the local partials, evaluated
    # now, at the current values.  `other` is a Var or a real number (int, float, numpy scalar); a
    # real number is a constant: it is not a node, and nothing flows back to it.  The reflected
    # methods (__radd__, __rsub__, ...) are what Python calls when the real number is on the LEFT,
    # e.g. 3 * x calls x.__rmul__(3); for - / ** the order matters.

    def __add__(self, other):
        """self + other: d/dself = 1, d/dother = 1."""
        raise NotImplementedError("TODO: sum rule")

    def __radd__(self, other):
        """other + self, other a real number."""
        raise NotImplementedError("TODO: sum rule, real number on the left")

    def __sub__(self, other):
        """self - other: d/dself = 1, d/dother = -1."""
        raise NotImplementedError("TODO: difference rule")

    def __rsub__(self, other):
        """other - self, other a real number."""
        raise NotImplementedError("TODO: difference rule, real number on the left")

    def __mul__(self, other):
        """self * other: the product rule gives each factor's partial."""
        raise NotImplementedError("TODO: product rule")

    def __rmul__(self, other):
        """other * self, other a real number."""
        raise NotImplementedError("TODO: product rule, real number on the left")

    def __truediv__(self, other):
        """self / other: the quotient rule gives both partials (mind the sign of the second)."""
        raise NotImplementedError("TODO: quotient rule")

    def __rtruediv__(self, other):
        """other / self, other a real number."""
        raise NotImplementedError("TODO: quotient rule, real number on the left")

    def __pow__(self, other):
        """self ** other: a real exponent (power rule; also for a negative u with an integer exponent,
        and at u = 0 for an exponent 0 or >= 1: x ** 0 is 1 with derivative 0 for every u), or a Var
        exponent (u^v = e^(v log u), u > 0)."""
        raise NotImplementedError("TODO: power rule; and both base and exponent moving")

    def __rpow__(self, other):
        """other ** self, other a real number > 0: (c^u)' = c^u log c."""
        raise NotImplementedError("TODO: exponential with a real base")

    def __neg__(self):
        """-self."""
        raise NotImplementedError("TODO: unary minus")

    def __pos__(self):
        """+self: a new node with the same value, local partial 1."""
        raise NotImplementedError("TODO: unary plus")

    # -- the backward sweep -----------------------------------------------------------------------------
    def backward(self):
        """Called on an output F: afterwards every node v that F depends on holds v.grad = dF/dv.

        1. Find the nodes F depends on, in topological order (each node after its parents), WITHOUT
           recursion: a chain of 100,000 operations must work.  Use a loop with an explicit stack
           and a set of visited nodes, so that each node is handled once (a graph may have 2^30
           paths, but only a few dozen nodes).
        2. Reset their grads to 0.0 (a second call must give the same grads, not twice as much);
           leave every other node alone.  Then set F.grad = 1.0 (dF/dF = 1).
        3. Visit the nodes in REVERSE topological order: each node, once all the nodes that use it
           are done, adds grad * (local partial) into each parent's grad.  Add (+=), never assign:
           a node used several times receives the sum of its contributions.
        Returns None.
        """
        raise NotImplementedError("TODO: topological order (no recursion), reset, reverse sweep")


# -- elementary functions ------------------------------------------------------------------------------
# Each accepts a Var (returns a new Var with the right local partial) or a real number (returns a
# float, as math does).  Outside the domain (log of a value <= 0, sqrt of a value < 0) raise
# ValueError, as math does.

def sin(x):
    """sin x; (sin u)' = cos u."""
    raise NotImplementedError("TODO: sin on a Var or a real number")


def cos(x):
    """cos x; (cos u)' = -sin u."""
    raise NotImplementedError("TODO: cos on a Var or a real number")


def exp(x):
    """e^x; (e^u)' = e^u."""
    raise NotImplementedError("TODO: exp on a Var or a real number")


def log(x):
    """Natural logarithm; ValueError for x <= 0; (log u)' = 1/u."""
    raise NotImplementedError("TODO: log on a Var or a real number")


def sqrt(x):
    """Square root; ValueError for x < 0; (sqrt u)' = 1 / (2 sqrt u)."""
    raise NotImplementedError("TODO: sqrt on a Var or a real number")


def tanh(x):
    """tanh x; (tanh u)' = 1 - tanh^2 u.  Defined for every u: tanh(800.0) is 1.0 and its derivative
    0.0 there, with no overflow (e^(2u) and cosh u overflow)."""
    raise NotImplementedError("TODO: tanh on a Var or a real number")


# -- the whole gradient ----------------------------------------------------------------------------------

def grad(f, point):
    """(F, gradient) for F = f(*point): a float and a numpy float64 array of shape (n,), also when
    the point holds ints (grad(lambda x, y: 3, (1, 2)) is (3.0, array([0., 0.]))).

    Wrap each coordinate of ``point`` in a Var, evaluate f ONCE on those Vars, run ONE backward
    sweep and read the inputs' grads.  If f returns a real number instead of a Var (a constant
    function), the gradient is all zeros.  Cost: a small constant multiple of one evaluation of f,
    whatever n is -- never one pass per input.
    """
    raise NotImplementedError("TODO: one evaluation of f on Vars, one backward sweep")
