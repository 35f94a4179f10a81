"""Correct, written differently from the reference: Dual is an immutable namedtuple (with comparisons
by value), division multiplies by the reciprocal, d ** e is computed as exp(e * log(d)) with the
module's own Dual functions, and the drivers build the seed vectors with numpy.  A tuple-based Dual
needs __array_ufunc__ = None, or numpy would treat it as an array in np.float64(2) * d.

Grace Hopper
"""
import math
from collections import namedtuple

import numpy as np


class Dual(namedtuple("DualBase", ["value", "deriv"])):
    """value + deriv*eps with eps**2 = 0 (compares by value, like the number it stands for)."""

    __slots__ = ()
    __array_ufunc__ = None   # numpy scalars on the left must call my __radd__ etc.

    def __new__(cls, value, deriv=0.0):
        return super().__new__(cls, value, deriv)

    @staticmethod
    def lift(x):
        if isinstance(x, Dual):
            return x
        if isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool):
            return Dual(x, 0.0)
        raise TypeError("not a number: %r" % (x,))

    # tuple already defines + and * (concatenation, repetition): override all of them
    def __add__(self, o):
        o = Dual.lift(o)
        return Dual(self.value + o.value, self.deriv + o.deriv)

    def __radd__(self, o):
        return self + o

    def __sub__(self, o):
        return self + (-Dual.lift(o))

    def __rsub__(self, o):
        return Dual.lift(o) + (-self)

    def __mul__(self, o):
        o = Dual.lift(o)
        return Dual(self.value * o.value, self.value * o.deriv + self.deriv * o.value)

    def __rmul__(self, o):
        return self * o

    def __truediv__(self, o):
        o = Dual.lift(o)
        inv = Dual(1.0 / o.value, -o.deriv / o.value ** 2)    # (1/v)' = -v'/v^2
        return self * inv

    def __rtruediv__(self, o):
        return Dual.lift(o) / self

    def __pow__(self, o):
        if isinstance(o, Dual):
            return exp(o * log(self))
        if o == 0:
            return Dual(1.0, 0.0)
        return Dual(self.value ** o, o * self.value ** (o - 1) * self.deriv)

    def __rpow__(self, c):
        return exp(self * math.log(c))

    def __neg__(self):
        return Dual(-self.value, -self.deriv)

    def __pos__(self):
        return self

    # tuple compares (value, deriv) lexicographically and refuses numbers: compare values instead
    def __eq__(self, o):
        return self.value == Dual.lift(o).value

    def __lt__(self, o):
        return self.value < Dual.lift(o).value

    def __le__(self, o):
        return self.value <= Dual.lift(o).value

    def __gt__(self, o):
        return self.value > Dual.lift(o).value

    def __ge__(self, o):
        return self.value >= Dual.lift(o).value

    __hash__ = None


def sin(x):
    if isinstance(x, Dual):
        return Dual(math.sin(x.value), math.cos(x.value) * x.deriv)
    return math.sin(x)


def cos(x):
    if isinstance(x, Dual):
        return Dual(math.cos(x.value), -math.sin(x.value) * x.deriv)
    return math.cos(x)


def exp(x):
    if isinstance(x, Dual):
        e = math.exp(x.value)
        return Dual(e, e * x.deriv)
    return math.exp(x)


def log(x):
    if isinstance(x, Dual):
        return Dual(math.log(x.value), x.deriv / x.value)
    return math.log(x)


def sqrt(x):
    if isinstance(x, Dual):
        r = math.sqrt(x.value)
        return Dual(r, x.deriv * 0.5 * x.value ** -0.5)
    return math.sqrt(x)


def tanh(x):
    if isinstance(x, Dual):
        t = math.tanh(x.value)
        return Dual(t, (1 - t) * (1 + t) * x.deriv)
    return math.tanh(x)


def _d(y):
    return y.deriv if isinstance(y, Dual) else 0.0


def derivative(f, x):
    return float(_d(f(Dual(x, 1.0))))


def directional_derivative(f, point, direction):
    xs = [Dual(float(p), float(v)) for p, v in zip(point, direction)]
    return float(_d(f(*xs)))


def partial(f, point, i):
    return directional_derivative(f, point, np.eye(len(point))[i])


def gradient(f, point):
    n = len(point)
    g = np.zeros(n)
    for i in range(n):
        g[i] = partial(f, point, i)
    return g


def jacobian(f, point):
    n = len(point)
    columns = []
    for i in range(n):
        seed = np.eye(n)[i]
        out = f(*[Dual(float(p), s) for p, s in zip(point, seed)])
        if isinstance(out, Dual) or not isinstance(out, (list, tuple, np.ndarray)):
            out = [out]   # a Dual is a tuple too: test for it first
        columns.append([_d(y) for y in out])
    J = np.array(columns, dtype=float).T
    return J.reshape(len(columns[0]) if columns else 0, n)
