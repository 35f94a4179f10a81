"""Bug: a one-pass "gradient".  gradient seeds every coordinate with 1 in a single pass, which gives
the directional derivative along (1, 1, ..., 1) -- the SUM of the partials -- and returns that sum in
every slot.  partial, directional_derivative and jacobian are right.

Fatima Zahra
"""
import math
import numpy as np


def _is_num(x):
    return isinstance(x, (int, float, np.integer, np.floating))


class Dual:
    def __init__(self, value, deriv=0.0):
        self.value = value
        self.deriv = deriv

    def __repr__(self):
        return f"Dual({self.value}, {self.deriv})"

    def __add__(self, other):
        if _is_num(other):
            other = Dual(other)
        return Dual(self.value + other.value, self.deriv + other.deriv)

    def __radd__(self, other):
        return self + other

    def __sub__(self, other):
        if _is_num(other):
            other = Dual(other)
        return Dual(self.value - other.value, self.deriv - other.deriv)

    def __rsub__(self, other):
        return Dual(other) - self

    def __mul__(self, other):
        if _is_num(other):
            other = Dual(other)
        # product rule
        return Dual(self.value * other.value, self.deriv * other.value + self.value * other.deriv)

    def __rmul__(self, other):
        return self * other

    def __truediv__(self, other):
        if _is_num(other):
            other = Dual(other)
        u, du, v, dv = self.value, self.deriv, other.value, other.deriv
        return Dual(u / v, (du * v - u * dv) / v ** 2)

    def __rtruediv__(self, other):
        return Dual(other) / self

    def __pow__(self, other):
        if isinstance(other, Dual):
            u, du, v, dv = self.value, self.deriv, other.value, other.deriv
            p = u ** v
            return Dual(p, p * (dv * math.log(u) + v * du / u))
        if other == 0:
            return Dual(1.0, 0.0)
        return Dual(self.value ** other, other * self.value ** (other - 1) * self.deriv)

    def __rpow__(self, other):
        p = other ** self.value
        return Dual(p, p * math.log(other) * self.deriv)

    def __neg__(self):
        return Dual(-self.value, -self.deriv)

    def __pos__(self):
        return Dual(self.value, self.deriv)


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
        return Dual(math.exp(x.value), math.exp(x.value) * x.deriv)
    return math.exp(x)


def log(x):
    if isinstance(x, Dual):
        return Dual(math.log(x.value), x.deriv / x.value)
    return math.log(x)


def sqrt(x):
    if isinstance(x, Dual):
        return Dual(math.sqrt(x.value), x.deriv / (2 * math.sqrt(x.value)))
    return math.sqrt(x)


def tanh(x):
    if isinstance(x, Dual):
        t = math.tanh(x.value)
        return Dual(t, (1 - t * t) * x.deriv)
    return math.tanh(x)


def _get_deriv(y):
    if isinstance(y, Dual):
        return float(y.deriv)
    return 0.0


def derivative(f, x):
    return _get_deriv(f(Dual(x, 1.0)))


def partial(f, point, i):
    args = [Dual(p, 1.0 if k == i else 0.0) for k, p in enumerate(point)]
    return _get_deriv(f(*args))


def directional_derivative(f, point, direction):
    args = [Dual(p, d) for p, d in zip(point, direction)]
    return _get_deriv(f(*args))


def gradient(f, point):
    # seed every variable at once: one pass instead of n
    total = directional_derivative(f, point, [1.0] * len(point))
    return np.full(len(point), total)


def jacobian(f, point):
    n = len(point)
    cols = []
    for j in range(n):
        out = f(*[Dual(p, 1.0 if k == j else 0.0) for k, p in enumerate(point)])
        if isinstance(out, Dual) or _is_num(out):
            out = [out]
        cols.append([_get_deriv(y) for y in out])
    return np.array(cols, dtype=float).T
