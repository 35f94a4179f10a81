"""Bug: forgets constant functions.  The drivers read ``.deriv`` of whatever f returns, so when f
returns a real number (a constant, or a real output of jacobian) they raise AttributeError instead
of giving 0.0.  Everything else is right.

Sam Okafor
"""
import math

import numpy as np

REAL_TYPES = (int, float, np.integer, np.floating)


def _lift(x):
    """Turn a constant into a dual number with zero derivative."""
    return x if isinstance(x, Dual) else Dual(x, 0.0)


class Dual:
    """Dual number a + b eps, eps^2 = 0."""

    def __init__(self, value, deriv=0.0):
        self.value = value
        self.deriv = deriv

    def __repr__(self):
        return "Dual(value={}, deriv={})".format(self.value, self.deriv)

    def __add__(self, other):
        other = _lift(other)
        return Dual(self.value + other.value, self.deriv + other.deriv)

    __radd__ = __add__

    def __sub__(self, other):
        other = _lift(other)
        return Dual(self.value - other.value, self.deriv - other.deriv)

    def __rsub__(self, other):
        return _lift(other) - self

    def __mul__(self, other):
        other = _lift(other)
        return Dual(self.value * other.value,
                    self.deriv * other.value + self.value * other.deriv)

    __rmul__ = __mul__

    def __truediv__(self, other):
        other = _lift(other)
        return Dual(self.value / other.value,
                    (self.deriv * other.value - self.value * other.deriv) / other.value ** 2)

    def __rtruediv__(self, other):
        return _lift(other) / self

    def __pow__(self, other):
        if isinstance(other, Dual):
            # d/dx u^v = u^v (v' ln u + v u'/u)
            p = self.value ** other.value
            return Dual(p, p * (other.deriv * math.log(self.value)
                                + other.value * self.deriv / self.value))
        if other == 0:
            return Dual(1.0, 0.0)
        return Dual(self.value ** other, other * self.value ** (other - 1) * self.deriv)

    def __rpow__(self, other):
        return _lift(other) ** self

    def __neg__(self):
        return Dual(-self.value, -self.deriv)

    def __pos__(self):
        return self


def _unary(x, f, df):
    if isinstance(x, Dual):
        return Dual(f(x.value), df(x.value) * x.deriv)
    return f(x)


def sin(x):
    return _unary(x, math.sin, math.cos)


def cos(x):
    return _unary(x, math.cos, lambda t: -math.sin(t))


def exp(x):
    return _unary(x, math.exp, math.exp)


def log(x):
    return _unary(x, math.log, lambda t: 1 / t)


def sqrt(x):
    return _unary(x, math.sqrt, lambda t: 0.5 / math.sqrt(t))


def tanh(x):
    return _unary(x, math.tanh, lambda t: 1 - math.tanh(t) ** 2)


def _eps(y):
    return float(y.deriv)


def derivative(f, x):
    return _eps(f(Dual(x, 1.0)))


def directional_derivative(f, point, direction):
    return _eps(f(*[Dual(p, d) for p, d in zip(point, direction)]))


def partial(f, point, i):
    e = [0.0] * len(point)
    e[i] = 1.0
    return directional_derivative(f, point, e)


def gradient(f, point):
    return np.array([partial(f, point, i) for i in range(len(point))])


def jacobian(f, point):
    n = len(point)
    J = None
    for j in range(n):
        e = [0.0] * n
        e[j] = 1.0
        out = f(*[Dual(p, d) for p, d in zip(point, e)])
        if isinstance(out, Dual):
            out = [out]
        if J is None:
            J = np.zeros((len(out), n))
        J[:, j] = [_eps(y) for y in out]
    return J
