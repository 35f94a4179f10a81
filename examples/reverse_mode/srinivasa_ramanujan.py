"""Example submission: crashes at import -- NameError: numpy is used at the top level but never
imported (`import numpy as np` is missing).  Every question gets zero, status "error".
"""
import math

TINY = np.finfo(float).tiny  # for the sqrt at 0


class Var:
    def __init__(self, value, parents=()):
        self.value = float(value)
        self.grad = 0.0
        self.parents = parents

    def __repr__(self):
        return f"Var({self.value}, grad={self.grad})"

    def __add__(self, other):
        if isinstance(other, Var):
            return Var(self.value + other.value, ((self, 1.0), (other, 1.0)))
        return Var(self.value + other, ((self, 1.0),))

    __radd__ = __add__

    def __mul__(self, other):
        if isinstance(other, Var):
            return Var(self.value * other.value, ((self, other.value), (other, self.value)))
        return Var(self.value * other, ((self, other),))

    __rmul__ = __mul__

    def __neg__(self):
        return self * -1.0

    def __pos__(self):
        return self * 1.0

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return -self + other

    def __truediv__(self, other):
        return self * other ** -1 if isinstance(other, Var) else self * (1 / other)

    def __rtruediv__(self, other):
        return other * self ** -1

    def __pow__(self, other):
        if isinstance(other, Var):
            return exp(other * log(self))
        return Var(self.value ** other, ((self, other * self.value ** (other - 1)),))

    def __rpow__(self, other):
        return exp(self * math.log(other))

    def backward(self):
        order, seen, stack = [], set(), [(self, False)]
        while stack:
            v, ready = stack.pop()
            if ready:
                order.append(v)
                continue
            if v in seen:
                continue
            seen.add(v)
            stack.append((v, True))
            for p, _ in v.parents:
                if p not in seen:
                    stack.append((p, False))
        for v in order:
            v.grad = 0.0
        self.grad = 1.0
        for v in reversed(order):
            for p, d in v.parents:
                p.grad += v.grad * d


def _f(x, f, df):
    return Var(f(x.value), ((x, df(x.value)),)) if isinstance(x, Var) else f(x)


def sin(x):
    return _f(x, math.sin, math.cos)


def cos(x):
    return _f(x, math.cos, lambda u: -math.sin(u))


def exp(x):
    return _f(x, math.exp, math.exp)


def log(x):
    return _f(x, math.log, lambda u: 1 / u)


def sqrt(x):
    return _f(x, math.sqrt, lambda u: 0.5 / max(math.sqrt(u), TINY))


def tanh(x):
    return _f(x, math.tanh, lambda u: 1 - math.tanh(u) ** 2)


def grad(f, point):
    xs = [Var(p) for p in point]
    F = f(*xs)
    if not isinstance(F, Var):
        return float(F), np.zeros(len(xs))
    F.backward()
    return F.value, np.array([x.grad for x in xs])
