"""Example submission: bug -- no topological order at all: the adjoint is pushed down EVERY PATH
recursively (each call forwards g * local partial to each parent).

The values are right (the chain rule summed over paths), but the work is proportional to the
number of paths from F, not to the number of nodes and edges: the layered graph with 2^30 paths
never finishes, and the 100,000-operation chain hits RecursionError.  Loses q6 only.
"""
import math

import numpy as np


class Var:
    def __init__(self, value, parents=()):
        self.value = float(value)
        self.grad = 0.0
        self.parents = parents  # ((parent, local partial), ...)

    def __repr__(self):
        return f"Var(value={self.value}, grad={self.grad})"

    def __add__(self, other):
        if isinstance(other, Var):
            return Var(self.value + other.value, ((self, 1.0), (other, 1.0)))
        return Var(self.value + other, ((self, 1.0),))

    def __radd__(self, other):
        return self + other

    def __sub__(self, other):
        if isinstance(other, Var):
            return Var(self.value - other.value, ((self, 1.0), (other, -1.0)))
        return Var(self.value - other, ((self, 1.0),))

    def __rsub__(self, other):
        return Var(other - self.value, ((self, -1.0),))

    def __mul__(self, other):
        if isinstance(other, Var):
            return Var(self.value * other.value, ((self, other.value), (other, self.value)))
        return Var(self.value * other, ((self, other),))

    def __rmul__(self, other):
        return self * other

    def __truediv__(self, other):
        if isinstance(other, Var):
            return Var(self.value / other.value,
                       ((self, 1 / other.value), (other, -self.value / other.value ** 2)))
        return Var(self.value / other, ((self, 1 / other),))

    def __rtruediv__(self, other):
        return Var(other / self.value, ((self, -other / self.value ** 2),))

    def __pow__(self, other):
        if isinstance(other, Var):
            p = self.value ** other.value
            return Var(p, ((self, other.value * self.value ** (other.value - 1)),
                           (other, p * math.log(self.value))))
        d = other * self.value ** (other - 1) if other != 0 else 0.0
        return Var(self.value ** other, ((self, d),))

    def __rpow__(self, other):
        p = other ** self.value
        return Var(p, ((self, p * math.log(other)),))

    def __neg__(self):
        return Var(-self.value, ((self, -1.0),))

    def __pos__(self):
        return Var(self.value, ((self, 1.0),))

    def _zero(self):
        self.grad = 0.0
        for p, _ in self.parents:
            p._zero()

    def _send(self, g):
        self.grad += g
        for p, d in self.parents:
            p._send(g * d)  # BUG: one call per PATH, and recursive

    def backward(self):
        self._zero()
        self._send(1.0)


def _fn(x, f, df):
    if isinstance(x, Var):
        return Var(f(x.value), ((x, df(x.value)),))
    return f(x)


def sin(x):
    return _fn(x, math.sin, math.cos)


def cos(x):
    return _fn(x, math.cos, lambda u: -math.sin(u))


def exp(x):
    return _fn(x, math.exp, math.exp)


def log(x):
    return _fn(x, math.log, lambda u: 1 / u)


def sqrt(x):
    return _fn(x, math.sqrt, lambda u: 0.5 / math.sqrt(u))


def tanh(x):
    return _fn(x, math.tanh, lambda u: 1 - math.tanh(u) ** 2)


def grad(f, point):
    xs = [Var(p) for p in point]
    F = f(*xs)
    if not isinstance(F, Var):
        return float(F), np.zeros(len(xs))
    F.backward()
    return F.value, np.array([x.grad for x in xs])
