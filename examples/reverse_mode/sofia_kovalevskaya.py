"""Example submission: hangs in ONE function -- sqrt computes the root by Newton's method and stops
only when r * r == a exactly, which rounding makes false for most a: an infinite loop.

Everything else is right, so only the checks that call sqrt time out (the sqrt/tanh and "on real
numbers" checks of q3, and the random graphs of q5, which use sqrt); status "timeout".
"""
import math

import numpy as np


def _newton_sqrt(a):
    if a < 0:
        raise ValueError("math domain error: sqrt of a negative number")
    if a == 0:
        return 0.0
    r = max(a, 1.0)
    while r * r != a:  # BUG: exact equality is almost never reached in floating point
        r = 0.5 * (r + a / r)
    return r


class Var:
    def __init__(self, value, parents=(), partials=()):
        self.value = float(value)
        self.grad = 0.0
        self.parents = parents
        self.partials = partials

    def __repr__(self):
        return f"Var(value={self.value!r}, grad={self.grad!r})"

    def _bin(self, other, value, d_self, d_other):
        if isinstance(other, Var):
            return Var(value, (self, other), (d_self, d_other))
        return Var(value, (self,), (d_self,))

    @staticmethod
    def _v(x):
        return x.value if isinstance(x, Var) else x

    def __add__(self, o):
        return self._bin(o, self.value + Var._v(o), 1.0, 1.0)

    def __radd__(self, o):
        return self + o

    def __sub__(self, o):
        return self._bin(o, self.value - Var._v(o), 1.0, -1.0)

    def __rsub__(self, o):
        return Var(o - self.value, (self,), (-1.0,))

    def __mul__(self, o):
        return self._bin(o, self.value * Var._v(o), Var._v(o), self.value)

    def __rmul__(self, o):
        return self * o

    def __truediv__(self, o):
        b = Var._v(o)
        return self._bin(o, self.value / b, 1 / b, -self.value / b ** 2)

    def __rtruediv__(self, o):
        return Var(o / self.value, (self,), (-o / self.value ** 2,))

    def __pow__(self, o):
        b = Var._v(o)
        p = self.value ** b
        d_self = b * self.value ** (b - 1) if b != 0 else 0.0
        d_other = p * math.log(self.value) if isinstance(o, Var) else 0.0
        return self._bin(o, p, d_self, d_other)

    def __rpow__(self, o):
        p = o ** self.value
        return Var(p, (self,), (p * math.log(o),))

    def __neg__(self):
        return Var(-self.value, (self,), (-1.0,))

    def __pos__(self):
        return Var(self.value, (self,), (1.0,))

    def backward(self):
        topo, visited = [], {self}
        stack = [(self, 0)]
        while stack:
            node, k = stack.pop()
            if k < len(node.parents):
                stack.append((node, k + 1))
                p = node.parents[k]
                if p not in visited:
                    visited.add(p)
                    stack.append((p, 0))
            else:
                topo.append(node)
        for node in topo:
            node.grad = 0.0
        self.grad = 1.0
        for node in reversed(topo):
            for p, d in zip(node.parents, node.partials):
                p.grad += node.grad * d


def _fn(x, f, df):
    if isinstance(x, Var):
        return Var(f(x.value), (x,), (df(x.value),))
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
    return _fn(x, _newton_sqrt, lambda u: 0.5 / _newton_sqrt(u))


def tanh(x):
    return _fn(x, math.tanh, lambda u: 1 - math.tanh(u) ** 2)


def grad(f, point):
    xs = [Var(p) for p in point]
    F = f(*xs)
    if not isinstance(F, Var):
        return float(F), np.zeros(len(xs))
    F.backward()
    return F.value, np.array([x.grad for x in xs])
