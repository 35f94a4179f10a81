"""Q2 -- Arithmetic on Vars: + - * / ** and unary - +, with a real number on either side (local partials)."""

import math

import numpy as np
from otter.test_files import test_case

from autograder.checking import check, close, componentwise, seeded

OK_FORMAT = False
name = "q2_operators"

# Every form below is built from two Vars x, y and a real number c.  A form with an operation on top
# of another one ("-(x - y)", "(x * y) * c") makes the inner node's adjoint differ from 1, so a rule
# that forgets to multiply its local partial by the adjoint it receives is caught too.
_FORMS = {
    "x + y": lambda x, y, c: x + y,
    "x + c": lambda x, y, c: x + c,
    "c + x": lambda x, y, c: c + x,
    "x - y": lambda x, y, c: x - y,
    "x - c": lambda x, y, c: x - c,
    "c - x": lambda x, y, c: c - x,
    "-x": lambda x, y, c: -x,
    "+x": lambda x, y, c: +x,
    "-(x - y)": lambda x, y, c: -(x - y),
    "c - (x + y)": lambda x, y, c: c - (x + y),
    "x * y": lambda x, y, c: x * y,
    "x * c": lambda x, y, c: x * c,
    "c * x": lambda x, y, c: c * x,
    "(x * y) * c": lambda x, y, c: (x * y) * c,
    "c * (x * y)": lambda x, y, c: c * (x * y),
    "x / y": lambda x, y, c: x / y,
    "x / c": lambda x, y, c: x / c,
    "c / x": lambda x, y, c: c / x,
    "(x / y) / c": lambda x, y, c: (x / y) / c,
    "c / (x / y)": lambda x, y, c: c / (x / y),
    "x ** c": lambda x, y, c: x ** c,
    "c ** x": lambda x, y, c: c ** x,
    "x ** y": lambda x, y, c: x ** y,
    "(x ** c) ** y": lambda x, y, c: (x ** c) ** y,
}


def _exact(form, x, y, c):
    """(F, dF/dx, dF/dy), derived by hand (judge side only)."""
    if form in ("x + y", "x + c", "c + x", "x - y", "x - c", "c - x", "-x", "+x", "-(x - y)", "c - (x + y)"):
        return {
            "x + y": (x + y, 1.0, 1.0),
            "x + c": (x + c, 1.0, 0.0),
            "c + x": (c + x, 1.0, 0.0),
            "x - y": (x - y, 1.0, -1.0),
            "x - c": (x - c, 1.0, 0.0),
            "c - x": (c - x, -1.0, 0.0),
            "-x": (-x, -1.0, 0.0),
            "+x": (x, 1.0, 0.0),
            "-(x - y)": (y - x, -1.0, 1.0),
            "c - (x + y)": (c - (x + y), -1.0, -1.0),
        }[form]
    if form == "x * y":
        return (x * y, y, x)
    if form in ("x * c", "c * x"):
        return (x * c, c, 0.0)
    if form in ("(x * y) * c", "c * (x * y)"):
        return (x * y * c, y * c, x * c)
    if form == "x / y":  # quotient rule: d(x/y)/dy = -x / y^2
        return (x / y, 1.0 / y, -x / y ** 2)
    if form == "x / c":
        return (x / c, 1.0 / c, 0.0)
    if form == "c / x":
        return (c / x, -c / x ** 2, 0.0)
    if form == "(x / y) / c":
        return (x / y / c, 1.0 / (y * c), -x / (y ** 2 * c))
    if form == "c / (x / y)":  # = c y / x
        return (c * y / x, -c * y / x ** 2, c / x)
    if form == "x ** c":  # power rule; x^0 = 1 for every x (0 included): derivative 0
        return (x ** c, c * x ** (c - 1) if c != 0 else 0.0, 0.0)
    if form == "c ** x":  # c^x = e^(x log c)
        return (c ** x, c ** x * math.log(c), 0.0)
    if form == "x ** y":  # x^y = e^(y log x): both exponent and base move
        return (x ** y, y * x ** (y - 1), x ** y * math.log(x))
    if form == "(x ** c) ** y":  # = x^(c y)
        return (x ** (c * y), c * y * x ** (c * y - 1), x ** (c * y) * c * math.log(x))
    raise KeyError(form)


# Tolerance: one or two operations; a correct rule written in another order (-(x/y)/y for -x/y^2,
# exp(c log x) for x^c, x^c then ^y for x^(cy)) differs from the formula by a few ulps (1e-15
# relative), so rtol = 1e-12 leaves a margin of 1000; a wrong rule is off by O(1).  atol = 1e-14
# only matters for a value that is exactly 0.
_JUDGE = componentwise(("F.value", "x.grad (dF/dx)", "y.grad (dF/dy)"), close(rtol=1e-12, atol=1e-14))


def _sweep(m, form, x0, y0, c):
    """Build F = form(x, y, c) on fresh Vars, run one backward sweep, report F and both adjoints."""
    x, y = m.Var(x0), m.Var(y0)
    F = _FORMS[form](x, y, c)
    F.backward()
    return (F.value, x.grad, y.grad)


def _describe(form, x, y, c):
    shown = [f"{v} = {val:.6g}" for v, val in (("x", x), ("y", y), ("c", c)) if v in form]
    return f"F = {form} with {', '.join(shown)}"


def _cases(forms, points, edges=()):
    return [(form, x, y, c) for form in forms for (x, y, c) in points] + [e for e in edges if e[0] in forms]


# Edges (EDGES.md): a Var of value 0 multiplied, divided (0 / y), or 0 as the real number on either
# side (x * 0, 0 - x, 0 / x: value 0, derivative -0/x^2 = 0); a product rule written through logs,
# or a quotient rule through u'/u, divides by 0 there although the rule holds.
_ZERO_EDGES = [("x * y", 0.0, 1.5, 2.0), ("x * y", -1.25, 0.0, 2.0), ("(x * y) * c", 0.0, 2.0, 0.5),
               ("x * c", 1.5, 2.0, 0.0), ("c * x", 1.5, 2.0, 0.0), ("x / y", 0.0, 2.0, 1.0),
               ("(x / y) / c", 0.0, -0.5, 3.0), ("c / x", 1.5, 2.0, 0.0), ("x / c", 0.0, 1.0, 4.0),
               ("x + y", 0.0, 0.0, 1.0), ("c - x", 2.0, 1.0, 0.0), ("x - c", 0.0, 1.0, 0.0)]


# -- inputs: positive x, y (so that x^y and c / x are defined), c of either sign, away from 0 ------

_rng = seeded(2702)
_points = [(float(x), float(y), float(s * c)) for x, y, c, s in
           zip(_rng.uniform(0.5, 2.5, 4), _rng.uniform(0.5, 2.5, 4), _rng.uniform(0.5, 2.5, 4), (1, -1, 1, -1))]
# Exponents: integers, a square root, negative and fractional, and random ones; bases c > 0 for c ** x.
_exponents = [2.0, 3.0, -1.0, 0.5, -1.5] + [float(v) for v in _rng.uniform(-2.5, 2.5, 3)]
_pow_cases = [("x ** c", x, y, c) for (x, y, _), c in zip(_points * 2, _exponents)]
_pow_cases += [("c ** x", x, y, abs(c)) for x, y, c in _points]
_pow_cases += [("x ** y", x, y, c) for x, y, c in _points]
_pow_cases += [("(x ** c) ** y", x, y, c) for (x, y, _), c in zip(_points, _exponents[4:])]
# A negative base with an integer exponent is fine too: (-1.3) ** 3 is real, so is its derivative.
_pow_cases += [("x ** c", -x, y, c) for (x, y, _), c in zip(_points, (2.0, 3.0, -1.0, 4.0))]
# Edges (EDGES.md), where the handout says the rule holds and a formula may break: a zero base with
# c = 0 (x^0 = 1, derivative 0; also x < 0) and c >= 1 (c x^(c-1): 1 for c = 1, else 0), which
# c x^c / x or exp(c log x) divide by 0 at; c ** x with c = 1 (log 1 = 0) and x = 0; x ** y with
# y = 0 and x = 1.
_pow_cases += [("x ** c", 0.0, 1.0, 1.0), ("x ** c", 0.0, 1.0, 2.0), ("x ** c", 0.0, 1.0, 3.0),
               ("x ** c", 0.0, 1.0, 2.5), ("x ** c", 0.0, 1.0, 0.0), ("x ** c", -1.75, 1.0, 0.0),
               ("c ** x", 0.75, 1.0, 1.0), ("c ** x", 0.0, 1.0, 2.5), ("x ** y", 1.5, 0.0, 1.0),
               ("x ** y", 1.0, 2.5, 1.0)]


# One rule per case, small numbers, public: a student sees which single rule is off (a sign in
# __rsub__, the order in __rtruediv__) before the random cases of the hidden checks.
_ONE_RULE_EACH = ["x + y", "c + x", "x - y", "x - c", "c - x", "-x", "x * y", "c * x", "x / y", "c / x",
                  "x ** c", "c ** x", "x ** y"]


@test_case(name="Each rule alone on small numbers (x = 2, y = 0.5, c = 3): + - * / ** with Vars and with "
                "a real number on either side (c - x is __rsub__, c / x is __rtruediv__)", points=1, hidden=False)
@check(cases=[(form, 2.0, 0.5, 3.0) for form in _ONE_RULE_EACH], expect=_exact, judge=_JUDGE, describe=_describe)
def one_rule_each(m, form, x, y, c):
    return _sweep(m, form, x, y, c)


@test_case(name="Sum and difference rules: x + y, x - y, -x, +x, with a real number c on either side",
           points=1, hidden=True)
@check(cases=_cases(["x + y", "x + c", "c + x", "x - y", "x - c", "c - x", "-x", "+x", "-(x - y)",
                     "c - (x + y)"], _points, _ZERO_EDGES),
       expect=_exact, judge=_JUDGE, describe=_describe)
def add_sub(m, form, x, y, c):
    return _sweep(m, form, x, y, c)


@test_case(name="Product rule: d(xy)/dx = y and d(xy)/dy = x, also with a real factor on either side "
                "(and a factor of value 0)", points=1, hidden=False)
@check(cases=_cases(["x * y", "x * c", "c * x", "(x * y) * c", "c * (x * y)"], _points, _ZERO_EDGES),
       expect=_exact, judge=_JUDGE, describe=_describe)
def mul(m, form, x, y, c):
    return _sweep(m, form, x, y, c)


@test_case(name="Quotient rule: d(x/y)/dx = 1/y and d(x/y)/dy = -x/y^2, also with a real number on either side "
                "(and a numerator of value 0)", points=1, hidden=True)
@check(cases=_cases(["x / y", "x / c", "c / x", "(x / y) / c", "c / (x / y)"], _points, _ZERO_EDGES),
       expect=_exact, judge=_JUDGE, describe=_describe)
def div(m, form, x, y, c):
    return _sweep(m, form, x, y, c)


@test_case(name="Powers: x ** c (power rule, also x < 0 with an integer c, and x = 0 with c = 0 or c >= 1), "
                "c ** x (c^x log c, also c = 1), x ** y (both move)", points=1, hidden=True)
@check(cases=_pow_cases, expect=_exact, judge=_JUDGE, describe=_describe)
def power(m, form, x, y, c):
    return _sweep(m, form, x, y, c)


# -- every kind of real number: int, numpy.int64, numpy.float64 (ASSIGNMENTS.md, common rules) ----

_KINDS = {"int": int, "numpy.int64": np.int64, "numpy.float64": np.float64}
_real_forms = ["x + c", "c + x", "x - c", "c - x", "x * c", "c * x", "x / c", "c / x", "x ** c", "c ** x"]
_real_cases = [(form, kind, x, value) for form in _real_forms for kind in _KINDS
               for x, value in ((_points[0][0], 3), (_points[1][0], 2))]


@test_case(name="A real number may be an int or a numpy scalar (numpy.int64, numpy.float64), on either side",
           points=1, hidden=True)
@check(cases=_real_cases,
       expect=lambda form, kind, x, value: _exact(form, x, 0.5, float(value)), judge=_JUDGE,
       describe=lambda form, kind, x, value: f"F = {form} with c = {kind}({value}) and x = {x:.6g}")
def real_kinds(m, form, kind, x, value):
    return _sweep(m, form, x, 0.5, _KINDS[kind](value))
