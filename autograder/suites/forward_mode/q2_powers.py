"""Q2 -- Powers: d ** c (power rule), c ** d (exponential rule) and d ** e (both vary)."""
import math

import numpy as np
from otter.test_files import test_case

from autograder.checking import check, seeded
from autograder.suites.forward_mode.shared import build_operand, dual_close, dual_parts, show_operand, split_operand

OK_FORMAT = False
name = "q2_powers"

# Tolerance: a power rule is a handful of flops plus one pow/log from the C library (correct to an
# ulp or two, ~1e-16); a student who writes u**c as exp(c*log(u)) loses |c log u| ulps (<= ~10 here).
# 1e-13 relative to the largest term leaves a 10x margin over that, and a wrong rule is off by O(1).
RTOL = 1e-13


# -- judge side: the hand-derived rules ----------------------------------------------------------------

def power_rule(a, b):
    """(value, derivative, scale) of a ** b; scale = the sum of |terms| of the derivative."""
    (u, du), (v, dv) = split_operand(a), split_operand(b)
    if not isinstance(b, tuple):  # constant exponent c: (u^c)' = c u^(c-1) u'
        if v == 0:
            return 1.0, 0.0, 0.0
        term = v * u ** (v - 1) * du
        return u**v, term, abs(term)
    # u^v = exp(v ln u): (u^v)' = u^v (v' ln u + v u'/u); a real base c has u' = 0
    p = u**v
    log_term, power_term = p * math.log(u) * dv, p * v * du / u
    return p, log_term + power_term, abs(log_term) + abs(power_term)


def _describe(a, b):
    return f"{show_operand(a)} ** {show_operand(b)}"


# -- inputs --------------------------------------------------------------------------------------------

def _r(x, digits=4):
    return round(float(x), digits)


def _real_exponents(seed):
    """Positive values u with real exponents c in [-3, 3]; every third c an np.float64."""
    rng = seeded(seed)
    cases = []
    for k in range(10):
        c = _r(rng.uniform(-3.0, 3.0), 3)
        cases.append(((_r(rng.uniform(0.2, 4.0)), _r(rng.uniform(-2.0, 2.0))), np.float64(c) if k % 3 == 2 else c))
    return cases


def _integer_exponents(seed):
    """Integer exponents (two of them np.int64), every other value u negative."""
    rng = seeded(seed)
    cases = []
    for k, n in enumerate([2, 3, 4, -1, -2, 3, 1, 0, 5, -3]):
        u = _r(rng.uniform(0.3, 3.0)) * (-1.0 if k % 2 == 0 else 1.0)
        cases.append(((u, _r(rng.uniform(-2.0, 2.0))), np.int64(n) if k in (5, 8) else n))
    return cases


def _real_bases(seed):
    """Bases c > 0 as float, np.float64, int and np.int64, in turn."""
    rng = seeded(seed)
    cases = []
    for k in range(10):
        c = _r(rng.uniform(0.2, 5.0), 3)
        c = [c, np.float64(c), int(round(c)) or 2, np.int64(round(c) or 2)][k % 4]
        cases.append((c, (_r(rng.uniform(-2.5, 2.5)), _r(rng.uniform(-2.0, 2.0)))))
    return cases


def _dual_exponents(seed):
    rng = seeded(seed)
    return [((_r(rng.uniform(0.3, 3.0)), _r(rng.uniform(-2.0, 2.0))),
             (_r(rng.uniform(-2.5, 2.5)), _r(rng.uniform(-2.0, 2.0)))) for _ in range(10)]


_REAL_EXPONENT = _real_exponents(1201)
_INTEGER_EXPONENT = _integer_exponents(1202)
_REAL_BASE = _real_bases(1203)
_DUAL_DUAL = _dual_exponents(1204)

# Edges (EDGES.md), where the handout says the rule holds and a formula may break:
# * a zero base u = 0 with c = 0 (u^0 = 1, derivative 0) or c >= 1 (0^c = 0, derivative c 0^(c-1) u':
#   u' for c = 1, else 0): u^c c / u, exp(c log u) and c u^(c-1) at c = 0 divide by 0 there;
# * c = 0 with a negative u; a large exponent (|u|^c up to ~1e12, no overflow);
# * c ** d with c = 1 (ln 1 = 0) and with u = 0 (c^0 = 1); d ** e with v = 0 and with u = 1.
_REAL_EXPONENT += [((0.0, 1.5), 1.0), ((0.0, -2.0), 2.0), ((0.0, 0.75), np.float64(2.5)), ((0.0, 1.0), 0.0),
                   ((3.5, 0.25), 22.0)]
_INTEGER_EXPONENT += [((0.0, 1.5), 1), ((0.0, -2.0), 2), ((0.0, 0.5), 3), ((0.0, 1.25), np.int64(2)),
                      ((0.0, 3.0), 0), ((-1.75, 0.5), 0), ((-2.0, 1.0), 25)]
_REAL_BASE += [(1, (0.75, 2.0)), (1.0, (-1.5, 0.5)), (2.5, (0.0, 1.5)), (np.int64(3), (0.0, -1.0))]
_DUAL_DUAL += [((1.75, 0.5), (0.0, 1.5)), ((1.0, 2.0), (2.5, -0.5)), ((1.0, 0.0), (0.0, 1.0))]


# -- checks --------------------------------------------------------------------------------------------

@test_case(name="power rule d ** c: (u^c)' = c u^(c-1) u' (e.g. the lecture's (x^3)' = 3x^2)",
           points=1, hidden=False)
@check(cases=[((2.0, 1.0), 3), ((4.0, 1.0), 0.5), ((1.5, -2.0), -1), ((3.0, 0.5), 2.0)],
       expect=power_rule, judge=dual_close(RTOL), describe=_describe)
def power_rule_public(m, a, b):
    return dual_parts(build_operand(m, a) ** build_operand(m, b))


@test_case(name="d ** c with any real exponent c (float, np.float64; u > 0, and u = 0 with c = 0 or c >= 1)",
           points=1, hidden=True)
@check(cases=_REAL_EXPONENT, expect=power_rule, judge=dual_close(RTOL), describe=_describe)
def real_exponent(m, a, b):
    return dual_parts(build_operand(m, a) ** build_operand(m, b))


@test_case(name="d ** n with an integer n (int, np.int64), also for negative values u "
                "(u^n has no logarithm there) and at u = 0 (d ** 0 is Dual(1, 0))", points=1, hidden=True)
@check(cases=_INTEGER_EXPONENT, expect=power_rule, judge=dual_close(RTOL), describe=_describe)
def integer_exponent(m, a, b):
    return dual_parts(build_operand(m, a) ** build_operand(m, b))


@test_case(name="c ** d with a real base c > 0: (c^u)' = c^u ln(c) u' (__rpow__), also c = 1 and u = 0",
           points=1, hidden=True)
@check(cases=_REAL_BASE, expect=power_rule, judge=dual_close(RTOL), describe=_describe)
def real_base(m, a, b):
    return dual_parts(build_operand(m, a) ** build_operand(m, b))


@test_case(name="d ** e with two Duals (u > 0): (u^v)' = u^v (v' ln u + v u'/u), both terms (also v = 0, u = 1)",
           points=1, hidden=True)
@check(cases=_DUAL_DUAL, expect=power_rule, judge=dual_close(RTOL), describe=_describe)
def dual_exponent(m, a, b):
    return dual_parts(build_operand(m, a) ** build_operand(m, b))
