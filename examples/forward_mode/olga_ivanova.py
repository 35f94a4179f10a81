"""Bug: the Jacobian comes out transposed, shape (n, m): each forward pass gives a column of J (the
derivatives of all outputs along one input), but the columns are stacked as rows and never
transposed.  Only jacobian is affected.

Olga Ivanova
"""
from math import cos as _cos, exp as _exp, log as _log, sin as _sin, sqrt as _sqrt, tanh as _tanh

import numpy as np


class Dual:
    def __init__(self, value, deriv=0.0):
        self.value, self.deriv = value, deriv

    def __repr__(self):
        return "Dual<%s, %s>" % (self.value, self.deriv)

    @staticmethod
    def _wrap(x):
        return x if isinstance(x, Dual) else Dual(x)

    def __add__(self, o):
        o = Dual._wrap(o)
        return Dual(self.value + o.value, self.deriv + o.deriv)

    def __radd__(self, o):
        return self.__add__(o)

    def __sub__(self, o):
        o = Dual._wrap(o)
        return Dual(self.value - o.value, self.deriv - o.deriv)

    def __rsub__(self, o):
        return Dual._wrap(o).__sub__(self)

    def __mul__(self, o):
        o = Dual._wrap(o)
        return Dual(self.value * o.value, self.deriv * o.value + self.value * o.deriv)

    def __rmul__(self, o):
        return self.__mul__(o)

    def __truediv__(self, o):
        o = Dual._wrap(o)
        return Dual(self.value / o.value, (self.deriv * o.value - self.value * o.deriv) / (o.value * o.value))

    def __rtruediv__(self, o):
        return Dual._wrap(o).__truediv__(self)

    def __pow__(self, o):
        if isinstance(o, Dual):
            p = self.value ** o.value
            return Dual(p, p * (o.deriv * _log(self.value) + o.value * self.deriv / self.value))
        if o == 0:
            return Dual(1.0, 0.0)
        return Dual(self.value ** o, o * self.value ** (o - 1) * self.deriv)

    def __rpow__(self, c):
        p = c ** self.value
        return Dual(p, p * _log(c) * self.deriv)

    def __neg__(self):
        return Dual(-self.value, -self.deriv)

    def __pos__(self):
        return Dual(self.value, self.deriv)


def sin(x):
    return Dual(_sin(x.value), _cos(x.value) * x.deriv) if isinstance(x, Dual) else _sin(x)


def cos(x):
    return Dual(_cos(x.value), -_sin(x.value) * x.deriv) if isinstance(x, Dual) else _cos(x)


def exp(x):
    return Dual(_exp(x.value), _exp(x.value) * x.deriv) if isinstance(x, Dual) else _exp(x)


def log(x):
    return Dual(_log(x.value), x.deriv / x.value) if isinstance(x, Dual) else _log(x)


def sqrt(x):
    return Dual(_sqrt(x.value), x.deriv / (2 * _sqrt(x.value))) if isinstance(x, Dual) else _sqrt(x)


def tanh(x):
    return Dual(_tanh(x.value), (1 - _tanh(x.value) ** 2) * x.deriv) if isinstance(x, Dual) else _tanh(x)


# J[i, j] = d f_i / d x_j, one pass per input variable
def _tangent(out):
    return out.deriv if isinstance(out, Dual) else 0.0


def derivative(f, x):
    return float(_tangent(f(Dual(x, 1.0))))


def directional_derivative(f, point, direction):
    return float(_tangent(f(*map(Dual, point, direction))))


def partial(f, point, i):
    return directional_derivative(f, point, np.eye(len(point))[i])


def gradient(f, point):
    n = len(point)
    return np.array([directional_derivative(f, point, e) for e in np.eye(n)])


def jacobian(f, point):
    n = len(point)
    columns = []
    for e in np.eye(n):
        out = f(*map(Dual, point, e))
        if not isinstance(out, (list, tuple)):
            out = [out]
        columns.append([float(_tangent(y)) for y in out])
    return np.array(columns)
