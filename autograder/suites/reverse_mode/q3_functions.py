"""Q3 -- Elementary functions sin, cos, exp, log, sqrt, tanh: on Vars (local partials) and on real numbers."""

import math

import numpy as np
from otter.test_files import test_case

from autograder.checking import Mismatch, Raised, check, close, componentwise, fmt, labelled, raises, returns_type, seeded

OK_FORMAT = False
name = "q3_functions"

# One function alone, then two composed: in "sin(cos(x))" the node cos(x) receives the adjoint
# cos(cos x), not 1, so a rule that forgets to multiply by the adjoint it receives is caught.
_FORMS = {
    "sin(x)": lambda m, x: m.sin(x),
    "cos(x)": lambda m, x: m.cos(x),
    "sin(cos(x))": lambda m, x: m.sin(m.cos(x)),
    "cos(sin(x))": lambda m, x: m.cos(m.sin(x)),
    "exp(x)": lambda m, x: m.exp(x),
    "log(x)": lambda m, x: m.log(x),
    "exp(log(x))": lambda m, x: m.exp(m.log(x)),
    "log(exp(x))": lambda m, x: m.log(m.exp(x)),
    "sqrt(x)": lambda m, x: m.sqrt(x),
    "tanh(x)": lambda m, x: m.tanh(x),
    "sqrt(tanh(x))": lambda m, x: m.sqrt(m.tanh(x)),
    "tanh(sqrt(x))": lambda m, x: m.tanh(m.sqrt(x)),
}


def sech2(u):
    """tanh' = 1 / cosh(u)^2, written with e^(-2|u|) so that it cannot overflow (0.0 far out)."""
    e = math.exp(-2.0 * abs(u))
    return 4.0 * e / (1.0 + e) ** 2


_EXACT = {
    "sin(x)": lambda x: (math.sin(x), math.cos(x)),
    "cos(x)": lambda x: (math.cos(x), -math.sin(x)),
    "sin(cos(x))": lambda x: (math.sin(math.cos(x)), -math.cos(math.cos(x)) * math.sin(x)),
    "cos(sin(x))": lambda x: (math.cos(math.sin(x)), -math.sin(math.sin(x)) * math.cos(x)),
    "exp(x)": lambda x: (math.exp(x), math.exp(x)),
    "log(x)": lambda x: (math.log(x), 1.0 / x),
    "exp(log(x))": lambda x: (x, 1.0),
    "log(exp(x))": lambda x: (x, 1.0),
    "sqrt(x)": lambda x: (math.sqrt(x), 0.5 / math.sqrt(x)),
    "tanh(x)": lambda x: (math.tanh(x), sech2(x)),
    "sqrt(tanh(x))": lambda x: (math.sqrt(math.tanh(x)), 0.5 / math.sqrt(math.tanh(x)) * sech2(x)),
    "tanh(sqrt(x))": lambda x: (math.tanh(math.sqrt(x)), sech2(math.sqrt(x)) * 0.5 / math.sqrt(x)),
}


def _exact(form, x):
    """(F, dF/dx) by the chain rule, derived by hand (judge side only)."""
    return _EXACT[form](x)


# Tolerance: at most two library calls; tanh' written as 1 - tanh^2 instead of sech^2, or
# exp(log x) rounding once more, is a few ulps off (1e-15 relative, here x is in [0.3, 2.8] so no
# cancellation), so rtol = 1e-12 leaves a margin of 1000; a wrong rule is off by O(1).  atol = 1e-14
# (1e-14 of the adjoint 1 it multiplies): 1 - tanh^2 u is exact to a few ulps of 1, not of its value,
# which far out (the saturated edges, |x| >= 10) is below that rounding -- both formulas are right.
_JUDGE = componentwise(("F.value", "x.grad (dF/dx)"), close(rtol=1e-12, atol=1e-14))


def _sweep(m, form, x0):
    x = m.Var(x0)
    F = _FORMS[form](m, x)
    F.backward()
    return (F.value, x.grad)


_rng = seeded(2703)
_xs = [float(v) for v in _rng.uniform(0.3, 2.8, 5)]  # > 0: in the domain of log and sqrt


def _cases(forms):
    return [(form, x) for form in forms for x in _xs] + [(f, x) for f, x in _EDGES if f in forms]


# Edges (EDGES.md) where the handout says each rule holds: 0 (sin 0 = 0, cos' 0 = 0, e^0 = 1, tanh 0 = 0),
# log at 1 (value 0) and near 0, sqrt near 0, and tanh saturated: |x| = 20 (1 - tanh^2 rounds to 0),
# 400 and 800 (e^(2x) and cosh x overflow there; tanh is defined for every x, its derivative is 0.0),
# also inside sqrt (tanh(sqrt(x)) at x = 250000).
_EDGES = [("sin(x)", 0.0), ("cos(x)", 0.0), ("sin(cos(x))", 1000.0), ("exp(x)", 0.0), ("exp(x)", -30.0),
          ("log(x)", 1.0), ("log(x)", 1e-6), ("exp(log(x))", 1e6), ("sqrt(x)", 1e-8), ("tanh(x)", 0.0),
          ("tanh(x)", 20.0), ("tanh(x)", -20.0), ("tanh(x)", 400.0), ("tanh(x)", -800.0),
          ("tanh(sqrt(x))", 250000.0)]


def _describe(form, x):
    return f"F = {form} at x = {x:.6g}"


@test_case(name="sin and cos on Vars: (sin u)' = cos u, (cos u)' = -sin u, times the adjoint received",
           points=1, hidden=False)
@check(cases=_cases(["sin(x)", "cos(x)", "sin(cos(x))", "cos(sin(x))"]), expect=_exact, judge=_JUDGE,
       describe=_describe)
def sin_cos(m, form, x):
    return _sweep(m, form, x)


# One function per case at a simple point, public: a student sees which rule is off before the
# hidden checks' random points.
@test_case(name="Each function alone at x = 0.5: exp, log, sqrt, tanh on a Var", points=1, hidden=False)
@check(cases=[(form, 0.5) for form in ("exp(x)", "log(x)", "sqrt(x)", "tanh(x)")], expect=_exact, judge=_JUDGE,
       describe=_describe)
def one_function_each(m, form, x):
    return _sweep(m, form, x)


@test_case(name="exp and log on Vars: (e^u)' = e^u, (log u)' = 1/u", points=1, hidden=True)
@check(cases=_cases(["exp(x)", "log(x)", "exp(log(x))", "log(exp(x))"]), expect=_exact, judge=_JUDGE,
       describe=_describe)
def exp_log(m, form, x):
    return _sweep(m, form, x)


@test_case(name="sqrt and tanh on Vars: (sqrt u)' = 1/(2 sqrt u), (tanh u)' = 1 - tanh^2 u, for every u (also |u| "
                "in the hundreds, where e^(2u) and cosh u overflow)", points=1, hidden=True)
@check(cases=_cases(["sqrt(x)", "tanh(x)", "sqrt(tanh(x))", "tanh(sqrt(x))"]), expect=_exact, judge=_JUDGE,
       describe=_describe)
def sqrt_tanh(m, form, x):
    return _sweep(m, form, x)


# -- on real numbers: a float, as math returns it ---------------------------------------------------

_FUNCTIONS = ("sin", "cos", "exp", "log", "sqrt", "tanh")
_real_cases = [(f, kind, v) for f in _FUNCTIONS for kind, v in
               (("float", _xs[0]), ("int", 2), ("numpy.float64", _xs[1]))]
# edges: the int 0, a negative int, a numpy int, log(1), tanh saturated (1.0 or -1.0, as math.tanh)
_real_cases += [(f, "int", 0) for f in ("sin", "cos", "exp", "tanh")] + [("exp", "int", -3), ("log", "int", 1),
                ("cos", "numpy.int64", 3), ("tanh", "float", 800.0), ("tanh", "int", -1000),
                ("tanh", "numpy.float64", 400.0)]
_MAKE = {"float": float, "int": int, "numpy.float64": np.float64, "numpy.int64": np.int64}


def _like_math(got, expected, *args):
    """A float ("wrong type" otherwise) equal to math's value ("wrong value" otherwise).
    Tolerance: the same library value (math or numpy), at most an ulp apart."""
    labelled("wrong type", returns_type("float", "float64"))(got, expected)
    labelled("wrong value", close(rtol=1e-14))(got, expected)


@test_case(name="On a real number (int, float, numpy scalar; 0, negative, tanh of hundreds) each function returns "
                "a float, as math does", points=1, hidden=True)
@check(cases=_real_cases, expect=lambda f, kind, v: getattr(math, f)(v),
       judge=_like_math,
       describe=lambda f, kind, v: f"{f}({kind}({v:.6g}))")
def on_reals(m, f, kind, v):
    return getattr(m, f)(_MAKE[kind](v))


# -- outside the domain: ValueError, as math.log and math.sqrt raise --------------------------------

_domain_cases = [(f, on, v) for f, v in (("log", 0.0), ("log", -1.5), ("sqrt", -2.0)) for on in ("real", "Var")]
# just inside the domain: a function that raises ValueError everywhere must not earn the point
_domain_cases += [("log", "real", 0.5), ("sqrt", "Var", 0.25), ("sqrt", "real", 0.0)]  # sqrt(0) = 0: the boundary


def inside_value(f, on, v):
    """math's value inside the domain, None where ValueError is expected (judge side)."""
    return getattr(math, f)(v) if v > 0 or (f == "sqrt" and v == 0) else None


def domain_judge(got, expected, f, on, v):
    if expected is None:
        raises(ValueError)(got, expected)
    elif isinstance(got, Raised):
        raise Mismatch(f"{f}({v:g}) is inside the domain: expected {fmt(expected)}, but it raised {got}")
    else:
        close(1e-13)(got, expected)  # one library call: a few ulps; sqrt(0) must be exactly 0


domain_judge.accepts_raised = True


@test_case(name="Outside the domain (log of x <= 0, sqrt of x < 0) the functions raise ValueError, "
                "on a real number and on a Var; inside it they return math's value", points=1, hidden=True)
@check(cases=_domain_cases, expect=inside_value, judge=domain_judge,
       describe=lambda f, on, v: f"{f}({v:g})" if on == "real" else f"{f}(Var({v:g}))")
def domain_errors(m, f, on, v):
    result = getattr(m, f)(m.Var(v) if on == "Var" else v)
    return getattr(result, "value", result)  # plain data if it did not raise
