"""Example submission: bug -- adjoints are OVERWRITTEN (=) instead of accumulated (+=).

Otherwise a careful solution (local partials stored as (parent, partial) pairs, iterative
topological sort).  A node used more than once (fan-out: x in both x^3 and x + 3y) keeps only the
contribution of the last edge processed, so the lecture's dF/dx, fan-out, shared nodes, random
graphs and the 2^30-path graph are wrong.  Single-use graphs (one operator or one function at a
time, the long chain, the cost test) are right.
"""
import math
import numbers

import numpy as np


def is_real(c):
    return isinstance(c, numbers.Real)


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
        if is_real(other):
            return Var(self.value + other, ((self, 1.0),))
        return NotImplemented

    def __radd__(self, other):
        return self.__add__(other)

    def __sub__(self, other):
        if isinstance(other, Var):
            return Var(self.value - other.value, ((self, 1.0), (other, -1.0)))
        if is_real(other):
            return Var(self.value - other, ((self, 1.0),))
        return NotImplemented

    def __rsub__(self, other):
        return Var(other - self.value, ((self, -1.0),))

    def __mul__(self, other):
        if isinstance(other, Var):
            return Var(self.value * other.value, ((self, other.value), (other, self.value)))
        if is_real(other):
            return Var(self.value * other, ((self, other),))
        return NotImplemented

    def __rmul__(self, other):
        return self.__mul__(other)

    def __truediv__(self, other):
        if isinstance(other, Var):
            return Var(self.value / other.value,
                       ((self, 1 / other.value), (other, -self.value / other.value ** 2)))
        if is_real(other):
            return Var(self.value / other, ((self, 1 / other),))
        return NotImplemented

    def __rtruediv__(self, other):
        return Var(other / self.value, ((self, -other / self.value ** 2),))

    def __pow__(self, other):
        if isinstance(other, Var):
            p = self.value ** other.value
            return Var(p, ((self, other.value * self.value ** (other.value - 1)),
                           (other, p * math.log(self.value))))
        if other == 0:
            return Var(1.0, ((self, 0.0),))
        return Var(self.value ** other, ((self, other * self.value ** (other - 1)),))

    def __rpow__(self, other):
        p = other ** self.value
        return Var(p, ((self, p * math.log(other)),))

    def __neg__(self):
        return Var(-self.value, ((self, -1.0),))

    def __pos__(self):
        return Var(self.value, ((self, 1.0),))

    def backward(self):
        # post-order DFS with an explicit stack
        order, visited = [], set()
        stack = [(self, False)]
        while stack:
            v, expanded = stack.pop()
            if expanded:
                order.append(v)
                continue
            if v in visited:
                continue
            visited.add(v)
            stack.append((v, True))
            for p, _ in v.parents:
                if p not in visited:
                    stack.append((p, False))
        for v in order:
            v.grad = 0.0
        self.grad = 1.0
        for v in reversed(order):
            for p, d in v.parents:
                p.grad = v.grad * d   # BUG: should be +=


def _f(x, f, df):
    if isinstance(x, Var):
        return Var(f(x.value), ((x, df(x.value)),))
    return f(x)


def sin(x):
    return _f(x, math.sin, math.cos)


def cos(x):
    return _f(x, math.cos, lambda u: -math.sin(u))


def exp(x):
    return _f(x, math.exp, math.exp)


def log(x):
    return _f(x, math.log, lambda u: 1 / u)


def sqrt(x):
    return _f(x, math.sqrt, lambda u: 0.5 / math.sqrt(u))


def tanh(x):
    return _f(x, math.tanh, lambda u: 1 - math.tanh(u) ** 2)


def grad(f, point):
    xs = [Var(v) for v in point]
    F = f(*xs)
    if not isinstance(F, Var):
        return float(F), np.zeros(len(xs))
    F.backward()
    return F.value, np.array([x.grad for x in xs])
