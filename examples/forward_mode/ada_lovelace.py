"""Correct, written differently from the reference: every operation is an entry in a table of
local partial derivatives, and the Dual methods and elementary functions are generated from the
table with closures.  The quotient rule is used in the form u'/v - u v'/v^2 and tanh' = 1/cosh^2,
so the results differ from the reference by rounding only.

Ada Lovelace -- 18.065 forward-mode homework
"""

import math

import numpy as np

# Each binary operation: (value(u, v), (d/du, d/dv)).  The derivative of op(u, v) along the seed
# is  d/du * u' + d/dv * v'  -- the chain rule for a function of two variables.
BINARY_RULES = {
    "add": (lambda u, v: u + v, lambda u, v: (1.0, 1.0)),
    "sub": (lambda u, v: u - v, lambda u, v: (1.0, -1.0)),
    "mul": (lambda u, v: u * v, lambda u, v: (v, u)),
    "truediv": (lambda u, v: u / v, lambda u, v: (1.0 / v, -u / (v * v))),
}

# Each function: (f, f').
UNARY_RULES = {
    "sin": (math.sin, math.cos),
    "cos": (math.cos, lambda u: -math.sin(u)),
    "exp": (math.exp, math.exp),
    "log": (math.log, lambda u: 1.0 / u),
    "sqrt": (math.sqrt, lambda u: 1.0 / (2.0 * math.sqrt(u))),
    "tanh": (math.tanh, lambda u: 1.0 / math.cosh(u) ** 2),
}

REALS = (int, float, np.integer, np.floating)


class Dual:
    def __init__(self, value, deriv=0.0):
        self.value = value
        self.deriv = deriv

    def __repr__(self):
        return "Dual(%r, %r)" % (float(self.value), float(self.deriv))

    def __neg__(self):
        return Dual(-self.value, -self.deriv)

    def __pos__(self):
        return self

    def __pow__(self, other):
        if isinstance(other, REALS):
            if other == 0:
                return Dual(1.0, 0.0)
            return Dual(self.value ** other, other * self.value ** (other - 1) * self.deriv)
        if isinstance(other, Dual):
            u, v = self.value, other.value
            p = u ** v
            d = v * u ** (v - 1) * self.deriv
            if other.deriv != 0:
                d = d + p * math.log(u) * other.deriv
            return Dual(p, d)
        return NotImplemented

    def __rpow__(self, other):
        if isinstance(other, REALS):
            p = other ** self.value
            return Dual(p, p * math.log(other) * self.deriv)
        return NotImplemented


def _to_dual(x):
    if isinstance(x, Dual):
        return x
    if isinstance(x, REALS):
        return Dual(x, 0.0)
    return None


def _make_binary(value_fn, partials_fn, reflected):
    def method(self, other):
        other = _to_dual(other)
        if other is None:
            return NotImplemented
        a, b = (other, self) if reflected else (self, other)
        da, db = partials_fn(a.value, b.value)
        return Dual(value_fn(a.value, b.value), da * a.deriv + db * b.deriv)
    return method


for _name, (_value, _partials) in BINARY_RULES.items():
    setattr(Dual, "__%s__" % _name, _make_binary(_value, _partials, reflected=False))
    setattr(Dual, "__r%s__" % _name, _make_binary(_value, _partials, reflected=True))


def _make_unary(name, f, fprime):
    def function(x):
        if isinstance(x, Dual):
            if name in ("log", "sqrt") and (x.value < 0 or (name == "log" and x.value == 0)):
                raise ValueError("%s: value %r is outside the domain" % (name, x.value))
            return Dual(f(x.value), fprime(x.value) * x.deriv)
        return f(x)   # math raises ValueError outside the domain
    function.__name__ = name
    return function


sin = _make_unary("sin", *UNARY_RULES["sin"])
cos = _make_unary("cos", *UNARY_RULES["cos"])
exp = _make_unary("exp", *UNARY_RULES["exp"])
log = _make_unary("log", *UNARY_RULES["log"])
sqrt = _make_unary("sqrt", *UNARY_RULES["sqrt"])
tanh = _make_unary("tanh", *UNARY_RULES["tanh"])


def _eps_part(y):
    return float(y.deriv) if isinstance(y, Dual) else 0.0


def directional_derivative(f, point, direction):
    return _eps_part(f(*[Dual(p, d) for p, d in zip(point, direction)]))


def derivative(f, x):
    return directional_derivative(f, [x], [1.0])


def partial(f, point, i):
    seed = np.zeros(len(point))
    seed[i] = 1.0
    return directional_derivative(f, point, seed)


def gradient(f, point):
    return np.array([partial(f, point, i) for i in range(len(point))])


def jacobian(f, point):
    n = len(point)
    cols = []
    for e in np.eye(n):
        out = f(*[Dual(p, d) for p, d in zip(point, e)])
        if isinstance(out, (Dual,) + REALS):
            out = [out]
        cols.append([_eps_part(y) for y in out])
    return np.column_stack(cols).astype(float)
