"""Finite differences posing as AD: the Dual class and the elementary functions are right, but
derivative, partial, directional_derivative, gradient and jacobian ignore it and use central
differences (f(x + h) - f(x - h)) / 2h with h = 1e-6.  Close to the true derivative (~1e-10
relative on tame functions), but not exact: it must lose every question that calls the drivers
(compositions, gradients, jacobian), and keep the Dual questions.

Alan Turing
"""
import math

import numpy as np

H = 1e-6


class Dual:
    def __init__(self, value, deriv=0.0):
        self.value = value
        self.deriv = deriv

    def __repr__(self):
        return "Dual(%g, %g)" % (self.value, self.deriv)

    def _other(self, o):
        return o if isinstance(o, Dual) else Dual(o, 0.0)

    def __add__(self, o):
        o = self._other(o)
        return Dual(self.value + o.value, self.deriv + o.deriv)

    def __radd__(self, o):
        return self + o

    def __sub__(self, o):
        o = self._other(o)
        return Dual(self.value - o.value, self.deriv - o.deriv)

    def __rsub__(self, o):
        return self._other(o) - self

    def __mul__(self, o):
        o = self._other(o)
        return Dual(self.value * o.value, self.deriv * o.value + self.value * o.deriv)

    def __rmul__(self, o):
        return self * o

    def __truediv__(self, o):
        o = self._other(o)
        return Dual(self.value / o.value, (self.deriv * o.value - self.value * o.deriv) / o.value ** 2)

    def __rtruediv__(self, o):
        return self._other(o) / self

    def __pow__(self, o):
        if isinstance(o, Dual):
            p = self.value ** o.value
            return Dual(p, p * (o.deriv * math.log(self.value) + o.value * self.deriv / self.value))
        if o == 0:
            return Dual(1.0, 0.0)
        return Dual(self.value ** o, o * self.value ** (o - 1) * self.deriv)

    def __rpow__(self, c):
        p = c ** self.value
        return Dual(p, p * math.log(c) * self.deriv)

    def __neg__(self):
        return Dual(-self.value, -self.deriv)

    def __pos__(self):
        return self


def _make(f, df):
    def g(x):
        if isinstance(x, Dual):
            return Dual(f(x.value), df(x.value) * x.deriv)
        return f(x)
    return g


sin = _make(math.sin, math.cos)
cos = _make(math.cos, lambda t: -math.sin(t))
exp = _make(math.exp, math.exp)
log = _make(math.log, lambda t: 1.0 / t)
sqrt = _make(math.sqrt, lambda t: 0.5 / math.sqrt(t))
tanh = _make(math.tanh, lambda t: 1.0 - math.tanh(t) ** 2)


# The drivers: numerical derivatives (simpler than seeding Duals).

def _value(y):
    return y.value if isinstance(y, Dual) else y


def derivative(f, x):
    return (_value(f(x + H)) - _value(f(x - H))) / (2 * H)


def directional_derivative(f, point, direction):
    p = np.asarray(point, dtype=float)
    v = np.asarray(direction, dtype=float)
    return float((_value(f(*(p + H * v))) - _value(f(*(p - H * v)))) / (2 * H))


def partial(f, point, i):
    return directional_derivative(f, point, np.eye(len(point))[i])


def gradient(f, point):
    return np.array([partial(f, point, i) for i in range(len(point))])


def jacobian(f, point):
    p = np.asarray(point, dtype=float)
    cols = []
    for e in np.eye(len(p)):
        plus, minus = f(*(p + H * e)), f(*(p - H * e))
        if not isinstance(plus, (list, tuple)):
            plus, minus = [plus], [minus]
        cols.append([(_value(a) - _value(b)) / (2 * H) for a, b in zip(plus, minus)])
    return np.array(cols).T
