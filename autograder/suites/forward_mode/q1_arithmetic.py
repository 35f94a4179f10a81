"""Q1 -- Dual arithmetic: the sum, product and quotient rules, with real numbers on either side."""
import math
import operator
import re

import numpy as np
from otter.test_files import test_case

from autograder.checking import REFERENCE, Mismatch, check, fmt, is_real, seeded
from autograder.suites.forward_mode.shared import build_operand, dual_close, dual_parts, show_operand, split_operand

OK_FORMAT = False
name = "q1_arithmetic"

# Tolerance of every rule check: one rule is a handful of flops, so a correct Dual matches the
# hand-derived formula up to a few ulps (~1e-15) of the largest term of the derivative (``scale``),
# however the student orders the terms; 1e-13 leaves a 100x margin, and a wrong rule is off by O(1).
RTOL = 1e-13

_OPS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}


# -- judge side: the hand-derived rules ------------------------------------------------------------

def rule(op, a, b):
    """(value, derivative, scale) of a <op> b; scale = sum of |terms| of the derivative."""
    (u, du), (v, dv) = split_operand(a), split_operand(b)
    if op == "+":
        return u + v, du + dv, abs(du) + abs(dv)
    if op == "-":
        return u - v, du - dv, abs(du) + abs(dv)
    if op == "*":
        return u * v, du * v + u * dv, abs(du * v) + abs(u * dv)
    if op == "/":
        return u / v, (du * v - u * dv) / v**2, (abs(du * v) + abs(u * dv)) / v**2
    raise ValueError(op)


def _describe(op, a, b):
    return f"{show_operand(a)} {op} {show_operand(b)}"


# -- inputs ----------------------------------------------------------------------------------------

def _dual(rng):
    """A random Dual operand (value, deriv); 0.5 <= |value| <= 3 so that it can divide."""
    value = float(rng.uniform(0.5, 3.0)) * float(rng.choice([-1.0, 1.0]))
    return (round(value, 4), round(float(rng.uniform(-2.0, 2.0)), 4))


def _real_number(rng):
    """A random real operand, |c| >= 0.5: a float (60 % of the time) or an int."""
    c = round(float(rng.uniform(0.5, 4.0)) * float(rng.choice([-1.0, 1.0])), 3)
    return c if rng.random() < 0.6 else int(np.sign(c) * max(1, round(abs(c))))


def _numpy_cases(seed):
    """Each operator with an np.float64 and an np.int64 on the left and on the right."""
    rng = seeded(seed)
    cases = []
    for op in "+-*/":
        for kind in (np.float64, np.int64):
            c = np.float64(round(float(rng.uniform(1.0, 4.0)), 3)) if kind is np.float64 else np.int64(rng.integers(1, 6))
            cases += [(op, c, _dual(rng)), (op, _dual(rng), c)]
    return cases


_rng = seeded(1101)
_DUAL_DUAL = {op: [(op, _dual(_rng), _dual(_rng)) for _ in range(6)] for op in "+-*/"}

# Edges (EDGES.md): an operand whose value is 0 (0 * v, 0 / v: a quotient rule written through
# u'/u, or a product through logarithms, divides by 0 there although the rule holds), a zero
# derivative part, a real 0 on either side.  Hand-picked.
_DUAL_DUAL["+"] += [("+", (0.0, 1.5), (2.5, -1.0))]
_DUAL_DUAL["-"] += [("-", (0.0, 0.0), (-1.25, 0.5))]
_DUAL_DUAL["*"] += [("*", (0.0, 1.5), (2.5, -1.0)), ("*", (-1.25, 0.5), (0.0, 2.0)), ("*", (0.0, 0.0), (3.0, 1.0))]
_DUAL_DUAL["/"] += [("/", (0.0, 1.5), (2.0, 0.5)), ("/", (0.0, -2.0), (-0.5, 4.0)), ("/", (3.0, 0.0), (2.0, 1.0))]
# large and small magnitudes in one product or quotient (no overflow: |values| <= 1e8)
_DUAL_DUAL["*"] += [("*", (1e8, 3.0), (-2e-6, 1e3))]
_DUAL_DUAL["/"] += [("/", (1e8, 1.0), (1e4, 2.0))]

_rng = seeded(1102)
_REAL_RIGHT = [(op, _dual(_rng), _real_number(_rng)) for op in "+-*/" for _ in range(4)]
# a real 0 (int and float) on the right, and a Dual of value 0 divided by a real
_REAL_RIGHT += [("+", (1.5, -0.5), 0), ("-", (1.5, -0.5), 0.0), ("*", (1.5, -0.5), 0), ("/", (0.0, 2.5), 4)]

_rng = seeded(1103)
_REAL_LEFT = [(op, _real_number(_rng), _dual(_rng)) for op in "+-*/" for _ in range(4)]
# a real 0 on the left: 0 + d, 0 - d, 0 * d, 0 / d (value 0, derivative -0 v'/v^2 = 0)
_REAL_LEFT += [("+", 0, (2.0, 1.5)), ("-", 0.0, (2.0, 1.5)), ("*", 0, (-2.0, 1.5)), ("/", 0.0, (-2.0, 1.5))]

_NUMPY = _numpy_cases(1104)

_rng = seeded(1105)
_SIGNS = [(s, _dual(_rng)) for s in "-+" for _ in range(3)]


# -- checks ----------------------------------------------------------------------------------------

def _seeds(which):
    return f"x = Dual(2, {int(which == 'x')}), y = Dual(3, {int(which == 'y')})"


@test_case(name="lecture example: F = x*x*x*(x + 3*y) at (2, 3), seeded along x (F, dF/dx) "
                "and along y (F, dF/dy)", points=1, hidden=False)
@check(cases=[("x",), ("y",)], expect=REFERENCE, judge=dual_close(RTOL),
       describe=lambda which: f"seeding {which} ({_seeds(which)})")
def lecture_example(m, which):
    x = m.Dual(2.0, 1.0 if which == "x" else 0.0)
    y = m.Dual(3.0, 1.0 if which == "y" else 0.0)
    return dual_parts(x * x * x * (x + 3 * y))


# One rule per case, small numbers, public: a student sees which single rule is off (a sign in
# __rsub__, the order in __rtruediv__) before the random cases of the hidden checks.
_ONE_RULE_EACH = [("+", (2.0, 1.0), (3.0, 0.5)), ("-", (2.0, 1.0), (3.0, 0.5)), ("*", (2.0, 1.0), (3.0, 0.5)),
                  ("/", (2.0, 1.0), (4.0, 0.5)), ("-", (2.0, 1.0), 3.0), ("/", (2.0, 1.0), 4.0),
                  ("+", 3.0, (2.0, 1.0)), ("-", 3.0, (2.0, 1.0)), ("*", 3.0, (2.0, 1.0)), ("/", 3.0, (2.0, 1.0))]


@test_case(name="each rule alone on small numbers: d + e, d - e, d * e, d / e, d - c, d / c, c + d, c - d "
                "(__rsub__), c * d, c / d (__rtruediv__)", points=1, hidden=False)
@check(cases=_ONE_RULE_EACH, expect=rule, judge=dual_close(RTOL), describe=_describe)
def one_rule_each(m, op, a, b):
    return dual_parts(_OPS[op](build_operand(m, a), build_operand(m, b)))


@test_case(name="sum and difference rules: (u + v)' = u' + v', (u - v)' = u' - v' (two Duals)",
           points=1, hidden=True)
@check(cases=_DUAL_DUAL["+"] + _DUAL_DUAL["-"], expect=rule, judge=dual_close(RTOL), describe=_describe)
def sum_rule(m, op, a, b):
    return dual_parts(_OPS[op](build_operand(m, a), build_operand(m, b)))


@test_case(name="product rule: (uv)' = u'v + uv' (two Duals)", points=1, hidden=True)
@check(cases=_DUAL_DUAL["*"], expect=rule, judge=dual_close(RTOL), describe=_describe)
def product_rule(m, op, a, b):
    return dual_parts(_OPS[op](build_operand(m, a), build_operand(m, b)))


@test_case(name="quotient rule: (u/v)' = (u'v - uv')/v^2 (two Duals)", points=1, hidden=True)
@check(cases=_DUAL_DUAL["/"], expect=rule, judge=dual_close(RTOL), describe=_describe)
def quotient_rule(m, op, a, b):
    return dual_parts(_OPS[op](build_operand(m, a), build_operand(m, b)))


@test_case(name="a real number on the right: d + c, d - c, d * c, d / c (c has derivative 0)",
           points=1, hidden=True)
@check(cases=_REAL_RIGHT, expect=rule, judge=dual_close(RTOL), describe=_describe)
def real_on_the_right(m, op, a, b):
    return dual_parts(_OPS[op](build_operand(m, a), build_operand(m, b)))


@test_case(name="a real number on the left: c + d, c - d, c * d, c / d (__radd__, __rsub__, "
                "__rmul__, __rtruediv__)", points=1, hidden=True)
@check(cases=_REAL_LEFT, expect=rule, judge=dual_close(RTOL), describe=_describe)
def real_on_the_left(m, op, a, b):
    return dual_parts(_OPS[op](build_operand(m, a), build_operand(m, b)))


@test_case(name="numpy scalars (np.float64, np.int64) on either side of + - * /", points=1, hidden=True)
@check(cases=_NUMPY, expect=rule, judge=dual_close(RTOL), describe=_describe)
def numpy_scalars(m, op, a, b):
    return dual_parts(_OPS[op](build_operand(m, a), build_operand(m, b)))


@test_case(name="unary minus and plus: -d = Dual(-u, -u'), +d = Dual(u, u')", points=1, hidden=True)
@check(cases=_SIGNS,
       expect=lambda sign, a: ((-a[0], -a[1]) if sign == "-" else (a[0], a[1])),
       judge=dual_close(RTOL), describe=lambda sign, a: f"{sign}{show_operand(a)}")
def unary_signs(m, sign, a):
    d = build_operand(m, a)
    return dual_parts(-d if sign == "-" else +d)


# -- the two parts and repr ------------------------------------------------------------------------

_NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


def shows_both_parts(got, expected, value, deriv):
    """.value and .deriv hold the two parts (deriv 0.0 by default); repr() shows both numbers."""
    want_value, want_deriv = expected
    if not (isinstance(got, tuple) and len(got) == 3):
        raise Mismatch(f"expected (value, deriv, repr), got {fmt(got)}")
    got_value, got_deriv, text = got
    made = f"Dual({fmt(value)})" if deriv is None else f"Dual({fmt(value)}, {fmt(deriv)})"
    for part, g, w in (("value", got_value, want_value), ("deriv", got_deriv, want_deriv)):
        if not (is_real(g) and float(g) == w):
            raise Mismatch(f"{made}.{part} is {fmt(g)}, expected {fmt(w)}")
    if deriv is None:
        return  # repr of a constant: nothing more to check than for the other cases
    # Any reasonable format is accepted (2.5, 2.50, 2.5e+00, "2.5 - 0.5ε"): look for numbers in the
    # text whose magnitudes are those of the two parts (to 3 significant digits).
    numbers = [abs(float(t)) for t in _NUMBER.findall(str(text))]
    for part, w in (("value", want_value), ("derivative", want_deriv)):
        if not any(math.isclose(t, abs(w), rel_tol=1e-3) for t in numbers):
            raise Mismatch(f"repr({made}) is {str(text)[:80]!r}: it should show the {part} {fmt(w)}")


@test_case(name="Dual(value, deriv=0.0): the attributes .value and .deriv, and a repr() that shows both",
           points=1, hidden=True)
@check(cases=[(2.5, -0.5), (-1.5, 4.5), (0.5, 12.5), (7.5, None), (-3.0, None)],
       expect=lambda value, deriv: (value, 0.0 if deriv is None else deriv), judge=shows_both_parts,
       describe=lambda value, deriv: f"Dual({value})" if deriv is None else f"Dual({value}, {deriv})")
def parts_and_repr(m, value, deriv):
    d = m.Dual(value) if deriv is None else m.Dual(value, deriv)
    return (d.value, d.deriv, repr(d))
