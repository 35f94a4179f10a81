"""Q3 -- Elementary functions sin, cos, exp, log, sqrt, tanh: the chain rule on Duals, math on reals."""
import math

import numpy as np
from otter.test_files import test_case

from autograder.checking import Mismatch, Raised, check, close, fmt, labelled, raises, seeded
from autograder.suites.forward_mode.shared import dual_close, dual_parts

OK_FORMAT = False
name = "q3_functions"

# Tolerance of the chain-rule checks: g(u) and g'(u) u' are one or two library calls and a product,
# correct to a few ulps (~1e-15) however they are written (1 - tanh^2 or 1/cosh^2 with |u| <= 2,
# 0.5/sqrt(u) or 0.5*u**-0.5, ...); 1e-13 leaves a 100x margin, and a wrong rule is off by O(1).
RTOL = 1e-13


# -- probe side ----------------------------------------------------------------------------------------

def _apply(m, fname, u, du):
    return dual_parts(getattr(m, fname)(m.Dual(u, du)))


# -- judge side: each function with its hand-derived derivative --------------------------------------

def sech2(u):
    """1 / cosh(u)^2 without overflow: 4 e^(-2|u|) / (1 + e^(-2|u|))^2 (0.0 once it underflows, |u| > ~372)."""
    e = math.exp(-2.0 * abs(u))
    return 4.0 * e / (1.0 + e) ** 2


_RULES = {
    "sin": (math.sin, math.cos),
    "cos": (math.cos, lambda u: -math.sin(u)),
    "exp": (math.exp, math.exp),
    "log": (math.log, lambda u: 1.0 / u),
    "sqrt": (math.sqrt, lambda u: 0.5 / math.sqrt(u)),
    "tanh": (math.tanh, sech2),
}


def chain_rule(fname, u, du):
    """(g(u), g'(u) u'[, scale]) for g = fname.

    tanh's scale is the size of the terms of (1 - tanh^2 u) u', i.e. (1 + tanh^2 u) |u'|: written
    that way (the handout's formula) the derivative is exact to a few ulps of 1, not of sech^2 u,
    which for |u| >= 19 is below the rounding of 1 - tanh^2 (exactly 0 there) -- both are right.
    """
    g, g_prime = _RULES[fname]
    if fname == "tanh":
        return g(u), g_prime(u) * du, (1.0 + math.tanh(u) ** 2) * abs(du)
    return g(u), g_prime(u) * du


def _describe(fname, u, du):
    return f"{fname}(Dual({fmt(u)}, {fmt(du)}))"


def _cases(seed, fname, low, high, k=8, edges=()):
    """k seeded points u in [low, high] with seeds u' in [-2, 2], then the edge points ``edges``
    (u, u') of the function's domain (EDGES.md)."""
    rng = seeded(seed)
    return [(fname, round(float(rng.uniform(low, high)), 4), round(float(rng.uniform(-2.0, 2.0)), 4))
            for _ in range(k)] + [(fname, u, du) for u, du in edges]


# Edges of each rule where the handout says it holds: u = 0 (sin 0 = 0, cos' 0 = 0, e^0 = 1); log at
# u = 1 (value 0) and near 0 (u' / u large); sqrt near 0; tanh saturated: |u| = 20 (1 - tanh^2 rounds
# to 0), 400 and 800 (e^(2u) and cosh u overflow: tanh is defined for every u, its derivative is 0.0
# there), and large |u| for sin and cos (1000).
_EDGES = {
    "cos": [(0.0, 1.5), (1000.0, 0.5)],
    "exp": [(0.0, -1.5), (-30.0, 2.0), (30.0, 0.5)],
    "log": [(1.0, 1.5), (1e-6, 0.5), (1e6, 2.0)],
    "sqrt": [(1e-8, 1.0), (1e6, -2.0)],
    "tanh": [(0.0, 1.5), (20.0, 1.0), (-20.0, 2.0), (400.0, 1.0), (-400.0, -1.5), (800.0, 0.5), (-1000.0, 1.0)],
}


# -- chain rule on Duals ---------------------------------------------------------------------------------

@test_case(name="sin on a Dual: (sin u)' = cos(u) u'", points=1, hidden=False)
@check(cases=[("sin", 0.5, 1.0), ("sin", 2.0, -0.5), ("sin", -1.25, 3.0), ("sin", 0.0, 2.0)],
       expect=chain_rule, judge=dual_close(RTOL), describe=_describe)
def sin_rule(m, fname, u, du):
    return _apply(m, fname, u, du)


# One function per case at a simple point, public: a student sees which rule is off before the
# hidden checks' random points.
@test_case(name="each function alone at u = 0.5 with u' = 1: cos, exp, log, sqrt, tanh on a Dual",
           points=1, hidden=False)
@check(cases=[(fname, 0.5, 1.0) for fname in ("cos", "exp", "log", "sqrt", "tanh")],
       expect=chain_rule, judge=dual_close(RTOL), describe=_describe)
def one_function_each(m, fname, u, du):
    return _apply(m, fname, u, du)


@test_case(name="cos on a Dual: (cos u)' = -sin(u) u'", points=1, hidden=True)
@check(cases=_cases(1301, "cos", -4.0, 4.0, edges=_EDGES["cos"]), expect=chain_rule, judge=dual_close(RTOL), describe=_describe)
def cos_rule(m, fname, u, du):
    return _apply(m, fname, u, du)


@test_case(name="exp on a Dual: (e^u)' = e^u u'", points=1, hidden=True)
@check(cases=_cases(1302, "exp", -3.0, 3.0, edges=_EDGES["exp"]), expect=chain_rule, judge=dual_close(RTOL), describe=_describe)
def exp_rule(m, fname, u, du):
    return _apply(m, fname, u, du)


@test_case(name="log on a Dual: (ln u)' = u'/u", points=1, hidden=True)
@check(cases=_cases(1303, "log", 0.1, 5.0, edges=_EDGES["log"]), expect=chain_rule, judge=dual_close(RTOL), describe=_describe)
def log_rule(m, fname, u, du):
    return _apply(m, fname, u, du)


@test_case(name="sqrt on a Dual: (sqrt u)' = u' / (2 sqrt u)", points=1, hidden=True)
@check(cases=_cases(1304, "sqrt", 0.1, 5.0, edges=_EDGES["sqrt"]), expect=chain_rule, judge=dual_close(RTOL), describe=_describe)
def sqrt_rule(m, fname, u, du):
    return _apply(m, fname, u, du)


@test_case(name="tanh on a Dual: (tanh u)' = (1 - tanh(u)^2) u', for every u (also |u| in the hundreds, "
                "where e^(2u) and cosh u overflow)", points=1, hidden=True)
@check(cases=_cases(1305, "tanh", -2.0, 2.0, edges=_EDGES["tanh"]), expect=chain_rule, judge=dual_close(RTOL), describe=_describe)
def tanh_rule(m, fname, u, du):
    return _apply(m, fname, u, du)


# -- real numbers: behave like math ----------------------------------------------------------------------

def _real_cases(seed):
    """Each function on a float, an np.float64, an int and an np.int64 inside its domain; then the
    edges: the int 0 (sin, cos, exp, tanh; sqrt(0) is in the domain check), a negative int, log(1),
    and tanh saturated (|x| in the hundreds: 1.0 or -1.0, as math.tanh, never an overflow)."""
    rng = seeded(seed)
    cases = []
    for fname in _RULES:
        low = 0.1 if fname in ("log", "sqrt") else -3.0
        x = round(float(rng.uniform(low, 3.0)), 4)
        cases += [(fname, x), (fname, np.float64(round(float(rng.uniform(low, 3.0)), 4))),
                  (fname, int(rng.integers(1, 4))), (fname, np.int64(rng.integers(1, 4)))]
    cases += [(fname, 0) for fname in ("sin", "cos", "exp", "tanh")] + [("exp", -2), ("log", 1), ("cos", np.int64(-3))]
    cases += [("tanh", 800.0), ("tanh", -1000), ("tanh", np.float64(400.0)), ("tanh", np.int64(-750))]
    return cases


_REALS = _real_cases(1306)

# Tolerance: math and numpy may use different C libraries, which agree to an ulp or two.
_like_math_value = close(rtol=1e-14)


def like_math(got, expected, fname, x):
    """A real argument gives a real float (Python float or np.float64), as math does: "wrong type"
    or "wrong value" says which property failed."""
    kind = got.dtype.name if isinstance(got, np.generic) else type(got).__name__
    if kind not in ("float", "float64"):
        raise Mismatch(f"wrong type: {fname} of a real number should return a float (as math.{fname} does), "
                       f"got {kind} {fmt(got)}")
    labelled("wrong value", _like_math_value)(got, expected)


@test_case(name="on a real number (int, float, np.float64, np.int64; 0, negative, tanh of hundreds) each "
                "function returns a float, like math", points=1, hidden=True)
@check(cases=_REALS, expect=lambda fname, x: getattr(math, fname)(x), judge=like_math,
       describe=lambda fname, x: f"{fname}({x!r})")
def on_reals(m, fname, x):
    return getattr(m, fname)(x)


_DOMAIN = [("log", 0.0, False), ("log", -1.5, False), ("sqrt", -0.25, False),
           ("log", 0.0, True), ("log", -2.0, True), ("sqrt", -1.0, True),
           # just inside the domain: a function that raises ValueError everywhere must not earn the point
           ("log", 0.5, False), ("sqrt", 0.25, False), ("sqrt", 0.0, False)]  # sqrt(0) = 0: on the boundary


def inside_value(fname, x, dual):
    """math's value inside the domain, None where ValueError is expected (judge side)."""
    return getattr(math, fname)(x) if x > 0 or (fname == "sqrt" and x == 0) else None


def domain_judge(got, expected, fname, x, dual):
    if expected is None:
        raises(ValueError)(got, expected)
    elif isinstance(got, Raised):
        raise Mismatch(f"{fname}({fmt(x)}) is inside the domain: expected {fmt(expected)}, but it raised {got}")
    else:
        close(RTOL)(got, expected)  # sqrt(0) must be exactly 0: the bound is rtol * 0


domain_judge.accepts_raised = True


@test_case(name="outside the domain, log(u <= 0) and sqrt(u < 0) raise ValueError (Duals and reals); "
                "inside it they return math's value", points=1, hidden=True)
@check(cases=_DOMAIN, expect=inside_value, judge=domain_judge,
       describe=lambda fname, x, dual: f"{fname}(Dual({fmt(x)}, 1.0))" if dual else f"{fname}({fmt(x)})")
def domain_errors(m, fname, x, dual):
    result = getattr(m, fname)(m.Dual(x, 1.0) if dual else x)
    return dual_parts(result) if dual else result
