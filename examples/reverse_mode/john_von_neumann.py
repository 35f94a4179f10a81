"""Example submission: bug -- recursive topological sort (micrograd's build_topo).

Correct on every graph of moderate depth, but build_topo recurses once per level of the graph:
the chain of 100,000 operations raises RecursionError (Python's limit is about 1,000 frames).
Everything else is right.
"""
import math

import numpy as np


class Var:
    def __init__(self, value, _prev=(), _partials=()):
        self.value = float(value)
        self.grad = 0.0
        self._prev = _prev
        self._partials = _partials

    def __repr__(self):
        return f"Var(value={self.value}, grad={self.grad})"

    def __add__(self, other):
        if isinstance(other, Var):
            return Var(self.value + other.value, (self, other), (1.0, 1.0))
        return Var(self.value + other, (self,), (1.0,))

    def __radd__(self, other):
        return self + other

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return (-self) + other

    def __mul__(self, other):
        if isinstance(other, Var):
            return Var(self.value * other.value, (self, other), (other.value, self.value))
        return Var(self.value * other, (self,), (other,))

    def __rmul__(self, other):
        return self * other

    def __truediv__(self, other):
        if isinstance(other, Var):
            return self * other ** -1
        return self * (1.0 / other)

    def __rtruediv__(self, other):
        return other * self ** -1

    def __pow__(self, other):
        if isinstance(other, Var):
            return exp(other * log(self))
        slope = other * self.value ** (other - 1) if other != 0 else 0.0
        return Var(self.value ** other, (self,), (slope,))

    def __rpow__(self, other):
        return exp(self * math.log(other))

    def __neg__(self):
        return self * -1

    def __pos__(self):
        return self * 1

    def backward(self):
        topo = []
        visited = set()

        def build_topo(v):
            if v not in visited:
                visited.add(v)
                for child in v._prev:
                    build_topo(child)
                topo.append(v)

        build_topo(self)
        for v in topo:
            v.grad = 0.0
        self.grad = 1.0
        for v in reversed(topo):
            for child, d in zip(v._prev, v._partials):
                child.grad += d * v.grad


def _unary(x, value, slope):
    if isinstance(x, Var):
        return Var(value, (x,), (slope,))
    return value


def sin(x):
    v = x.value if isinstance(x, Var) else x
    return _unary(x, math.sin(v), math.cos(v))


def cos(x):
    v = x.value if isinstance(x, Var) else x
    return _unary(x, math.cos(v), -math.sin(v))


def exp(x):
    v = x.value if isinstance(x, Var) else x
    return _unary(x, math.exp(v), math.exp(v))


def log(x):
    v = x.value if isinstance(x, Var) else x
    return _unary(x, math.log(v), 1 / v)


def sqrt(x):
    v = x.value if isinstance(x, Var) else x
    r = math.sqrt(v)
    return _unary(x, r, 0.5 / r if r > 0 else math.inf)


def tanh(x):
    v = x.value if isinstance(x, Var) else x
    t = math.tanh(v)
    return _unary(x, t, 1 - t * t)


def grad(f, point):
    xs = [Var(p) for p in point]
    F = f(*xs)
    if isinstance(F, Var):
        F.backward()
        return F.value, np.array([x.grad for x in xs])
    return float(F), np.zeros(len(point))
