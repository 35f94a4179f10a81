"""Q4 -- derivative(f, x): compositions of every rule, exact up to rounding (where finite differences fail)."""
import math
import operator

import numpy as np
from otter.test_files import test_case

from autograder.checking import REFERENCE, Mismatch, check, fmt, is_real, seeded

OK_FORMAT = False
name = "q4_compositions"

# Tolerance of the composition checks, relative to the derivative's *scale* (the derivative with
# every term of every chain-rule step taken in absolute value, so cancellation cannot make it tiny).
# Correct forward mode only rounds: over 2000 random trees, three differently written correct
# submissions stay below 1.5e-14 of the scale, so 1e-11 leaves a margin of 700.  Difference quotients
# cannot get there: their truncation error (h^2/6 f''') and cancellation error (eps |f| / h) are
# ~3e-11 at best on plain trees (median, best h), far more once a constant 1e4..1e7 is added (every
# other random tree), and at least 6.5e-10 for every h on the stiff trees below (a fast oscillation
# sin(w x), w ~ 1000, and an offset up to 1e9).  Central, one-sided and Richardson-extrapolated
# quotients fail both checks for every h from 1e-3 to 1e-9 (tests/test_forward_mode.py).
RTOL = 1e-11

# -- expression trees: nested tuples, plain data ------------------------------------------------------
#   ("x",)                      the variable
#   ("c", 2.5)                  a real constant
#   ("+" | "-" | "*" | "/" | "**", left, right)
#   ("neg" | "pos", arg)        unary - and +
#   ("sin" | ... | "tanh", arg) an elementary function

_BINARY = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "**": operator.pow}
_FUNCTIONS = ("sin", "cos", "exp", "log", "sqrt", "tanh")


def _evaluate(m, tree, x):
    """Probe side: evaluate the tree on x with the student's operators and functions."""
    kind = tree[0]
    if kind == "x":
        return x
    if kind == "c":
        return tree[1]
    if kind in _BINARY:
        return _BINARY[kind](_evaluate(m, tree[1], x), _evaluate(m, tree[2], x))
    if kind == "neg":
        return -_evaluate(m, tree[1], x)
    if kind == "pos":
        return +_evaluate(m, tree[1], x)
    return getattr(m, kind)(_evaluate(m, tree[1], x))


class _Reject(Exception):
    """The tree leaves the region where every rule is well defined and well conditioned."""


def exact(tree, x, comfortable=True):
    """Judge side: (f(x), f'(x), scale) by the hand-derived rules, node by node.

    ``scale`` is the derivative with every term in absolute value.  ``comfortable`` (while the cases
    are generated): _Reject outside a comfortable, well-conditioned domain.  The judge calls it with
    ``comfortable=False`` (``judged``): every case, the hand-picked edges included, is then derived
    by the same rules; tanh's scale is then that of the handout's (1 - tanh^2 u) u', whose terms are
    1 and tanh^2 u (exact to a few ulps of 1; for |u| >= 19 it is 0 where sech^2 u is not, both right).
    """
    kind = tree[0]
    if kind == "x":
        return x, 1.0, 1.0
    if kind == "c":
        return float(tree[1]), 0.0, 0.0
    if kind in ("neg", "pos"):
        a, da, sa = exact(tree[1], x, comfortable)
        return (-a, -da, sa) if kind == "neg" else (a, da, sa)
    if kind in _BINARY:
        a, da, sa = exact(tree[1], x, comfortable)
        b, db, sb = exact(tree[2], x, comfortable)
        if kind == "+":
            return a + b, da + db, sa + sb
        if kind == "-":
            return a - b, da - db, sa + sb
        if kind == "*":
            return a * b, da * b + a * db, sa * abs(b) + abs(a) * sb
        if kind == "/":
            if comfortable and abs(b) < 0.3:
                raise _Reject
            return a / b, (da * b - a * db) / b**2, (sa * abs(b) + abs(a) * sb) / b**2
        if tree[2][0] == "c":  # a ** c with a constant exponent: c a^(c-1) a'
            if comfortable and (abs(a) < 0.2 or (a < 0 and b != int(b))):
                raise _Reject
            return a**b, b * a ** (b - 1) * da, abs(b * a ** (b - 1)) * sa
        if comfortable and (a < 0.2 or abs(b * math.log(a)) > 8):  # a ** b = exp(b ln a)
            raise _Reject
        p = a**b
        return p, p * (db * math.log(a) + b * da / a), abs(p) * (sb * abs(math.log(a)) + abs(b) * sa / a)
    a, da, sa = exact(tree[1], x, comfortable)
    if kind == "sin":
        return math.sin(a), math.cos(a) * da, abs(math.cos(a)) * sa
    if kind == "cos":
        return math.cos(a), -math.sin(a) * da, abs(math.sin(a)) * sa
    if kind == "exp":
        if comfortable and a > 6:
            raise _Reject
        e = math.exp(a)
        return e, e * da, e * sa
    if kind == "log":
        if comfortable and a < 0.2:
            raise _Reject
        return math.log(a), da / a, sa / a
    if kind == "sqrt":
        if comfortable and a < 0.2:
            raise _Reject
        r = math.sqrt(a)
        return r, da / (2 * r), sa / (2 * r)
    if kind == "tanh":
        if comfortable:
            if abs(a) > 3:
                raise _Reject
            sech2 = 1.0 / math.cosh(a) ** 2
            return math.tanh(a), sech2 * da, sech2 * sa
        t, e = math.tanh(a), math.exp(-2.0 * abs(a))
        return t, 4.0 * e / (1.0 + e) ** 2 * da, (1.0 + t * t) * sa  # sech^2 without overflow
    raise ValueError(f"unknown node {kind!r}")


def show(tree):
    """The tree as Python source, for feedback."""
    kind = tree[0]
    if kind == "x":
        return "x"
    if kind == "c":
        return repr(tree[1])
    if kind in _BINARY:
        return f"({show(tree[1])} {kind} {show(tree[2])})"
    if kind in ("neg", "pos"):
        return ("-" if kind == "neg" else "+") + show(tree[1])
    return f"{kind}({show(tree[1])})"


def _has_x(tree):
    return tree[0] == "x" or any(isinstance(t, tuple) and _has_x(t) for t in tree[1:])


def kinds(tree, found=None):
    """The rules a tree exercises: '*DD' is Dual * Dual, '-rD' is real - Dual, 'sin' is sin(Dual)..."""
    found = set() if found is None else found
    kind = tree[0]
    if kind in _BINARY:
        left, right = _has_x(tree[1]), _has_x(tree[2])
        if left or right:
            found.add(kind + ("D" if left else "r") + ("D" if right else "r"))
    elif kind not in ("x", "c") and _has_x(tree):
        found.add(kind)
    for t in tree[1:]:
        if isinstance(t, tuple):
            kinds(t, found)
    return found


ALL_KINDS = {op + form for op in _BINARY for form in ("DD", "Dr", "rD")} | {"neg", "pos"} | set(_FUNCTIONS)


def _random_tree(rng, depth):
    if depth == 0:
        return ("x",) if rng.random() < 0.6 else ("c", round(float(rng.uniform(-3, 3)), 3))
    r = rng.random()
    if r < 0.55:
        op = "+-*/"[rng.integers(4)] if rng.random() < 0.85 else "**"
        form = rng.integers(3)  # Dual-Dual, Dual-real, real-Dual
        sub = _random_tree(rng, depth - 1)
        if form == 0:
            return (op, sub, _random_tree(rng, depth - 1))
        if op == "**" and form == 1:
            c = float(rng.choice([2, 3, -1, 0.5, 1.5, -2.5]))
        else:
            c = round(float(rng.uniform(0.3, 3) if op == "**" else rng.uniform(-3, 3)), 3)
        return (op, sub, ("c", c)) if form == 1 else (op, ("c", c), sub)
    if r < 0.65:
        return ("neg" if rng.random() < 0.5 else "pos", _random_tree(rng, depth - 1))
    return (_FUNCTIONS[rng.integers(6)], _random_tree(rng, depth - 1))


def _well_behaved(tree, x):
    try:
        value, deriv, scale = exact(tree, x)
    except (_Reject, OverflowError, ValueError, ZeroDivisionError):
        return False
    return abs(value) < 1e4 and 1e-3 < scale < 1e6


def _sample(rng):
    while True:
        tree = _random_tree(rng, int(rng.integers(2, 5)))
        x = round(float(rng.uniform(0.3, 2.0)), 6)
        if _has_x(tree) and _well_behaved(tree, x):
            return tree, x


def _compositions(seed, count):
    """``count`` seeded (tree, x) cases that together exercise every rule in ALL_KINDS."""
    rng = seeded(seed)
    pool = [_sample(rng) for _ in range(400)]
    chosen, covered = [], set()
    while covered != ALL_KINDS:  # greedy cover, preferring small trees
        best = max(pool, key=lambda c: (len(kinds(c[0]) - covered), -len(show(c[0]))))
        if not kinds(best[0]) - covered:
            raise RuntimeError(f"the pool misses {sorted(ALL_KINDS - covered)}")
        chosen.append(best)
        covered |= kinds(best[0])
        pool.remove(best)
    chosen += pool[: max(0, count - len(chosen))]
    # Every other tree gets a large additive constant: it changes nothing in the derivative (nor in
    # forward mode's rounding), but costs a difference quotient eps * offset / h.
    offsets = [float(10 ** rng.integers(4, 8)) * float(rng.choice([1.0, -1.0])) for _ in chosen]
    return [(("+", tree, ("c", offsets[k])), x) if k % 2 else (tree, x) for k, (tree, x) in enumerate(chosen)]


def _stiff(seed, count):
    """offset + A(w x) * T(x): a large constant (1e6..1e9) and a fast oscillation (w ~ 500..2000)."""
    rng = seeded(seed)
    X = ("x",)
    cases = [(("+", ("sin", ("*", ("c", 1000.0), X)), ("c", 1e8)), 0.75)]  # sin(1000 x) + 1e8
    while len(cases) < count:
        T, _ = _sample(rng)
        x = round(float(rng.uniform(0.3, 2.0)), 6)
        w = float(rng.integers(500, 2001))
        offset = float(10 ** rng.integers(6, 10)) * float(rng.choice([1.0, -1.0]))
        wx = ("*", ("c", w), X)
        A = [("sin", wx), ("cos", wx), ("exp", ("*", ("c", 0.5), ("sin", wx))), ("tanh", ("cos", wx))][rng.integers(4)]
        form = rng.integers(3)
        if form == 0:
            tree = ("+", ("c", offset), ("*", A, T))
        elif form == 1:
            tree = ("-", ("c", offset), ("*", T, A))
        else:
            tree = ("/", ("+", ("*", A, T), ("c", offset)), ("c", 4.0))
        # keep sin(w x) and cos(w x) away from 0, so that rounding in w x (~1e-13) stays harmless
        if min(abs(math.cos(w * x)), abs(math.sin(w * x))) < 0.2 or not _well_behaved_stiff(tree, x):
            continue
        cases.append((tree, x))
    return cases


def _well_behaved_stiff(tree, x):
    try:
        value, deriv, scale = exact(tree, x)
    except (_Reject, OverflowError, ValueError, ZeroDivisionError):
        return False
    return scale > 1e-3 and abs(deriv) > 0.05 * scale


_COMPOSITIONS = _compositions(1401, 16)
_STIFF = _stiff(1402, 10)

# Edges (EDGES.md): tanh saturated inside a stiff composition.  The handout promises tanh (and its
# rule) for every u: tanh(1000 x) at x = 0.75 is 1.0 with derivative 0.0, where e^(2u) and cosh u
# overflow.  Hand-picked points where cos(1000 x) is far from 0.
_X = ("x",)
_STIFF += [
    (("+", ("c", 1e8), ("*", ("tanh", ("*", ("c", 1000.0), _X)), ("sin", ("*", ("c", 1000.0), _X)))), 0.75),
    (("*", _X, ("tanh", ("+", _X, ("c", 1000.0)))), 1.25),          # a large offset inside tanh
    (("-", ("c", 1e6), ("tanh", ("+", _X, ("c", -400.0)))), 1.1),    # tanh(x - 400) = -1, derivative 0
]


def judged(tree, x):
    """The judge's expectation: ``exact`` without the generator's comfort bounds."""
    return exact(tree, x, comfortable=False)


def ad_exact(rtol):
    """got = derivative(f, x); expected = exact(tree, x) = (f, f', scale), or f' alone (REFERENCE)."""

    def judge(got, expected, *args):
        deriv, scale = (expected[1], expected[2]) if isinstance(expected, tuple) else (expected, abs(expected))
        deriv = float(deriv)
        if not is_real(got):
            raise Mismatch(f"derivative should return a float, got {fmt(got)}")
        error = abs(float(got) - deriv)
        if not error <= rtol * scale:
            raise Mismatch(f"derivative(f, x) returned {float(got)!r}, expected {deriv!r} (error {error:.2g}, "
                           f"{error / scale:.1g} of the derivative's size; allowed {rtol:g}: forward mode is "
                           f"exact up to rounding, a finite-difference approximation is not)")

    return judge


def _describe(tree, x):
    return f"f(x) = {show(tree)} at x = {x!r}"


# -- checks --------------------------------------------------------------------------------------------

# The lecture's F(x, y) = x^3 (x + 3y) with y = 3 fixed, differentiated at x = 2.  Every step is exact
# in floating point here, so a right answer is exact; the tolerance only allows reordering.
@test_case(name="derivative(): the lecture's dF/dx at (2, 3), as the derivative of x**3 * (x + 3*3) at x = 2",
           points=1, hidden=False)
@check(cases=[(2.0,)], expect=REFERENCE, judge=ad_exact(1e-13),
       describe=lambda x: f"f(x) = x**3 * (x + 9) at x = {x}")
def lecture_derivative(m, x):
    return m.derivative(lambda t: t**3 * (t + 3 * 3), x)


@test_case(name="random compositions of every operator and function: exact up to rounding", points=1,
           hidden=True)
@check(cases=_COMPOSITIONS, expect=judged, judge=ad_exact(RTOL), describe=_describe)
def random_compositions(m, tree, x):
    return m.derivative(lambda t: _evaluate(m, tree, t), x)


@test_case(name="stiff compositions (offset ~1e8, oscillation sin(1000 x), tanh saturated at large |u|): exact up "
                "to rounding, where finite differences fail", points=1, hidden=True)
@check(cases=_STIFF, expect=judged, judge=ad_exact(RTOL), describe=_describe)
def stiff_compositions(m, tree, x):
    return m.derivative(lambda t: _evaluate(m, tree, t), x)


_FUNCTIONS_OF_X = {
    "3.0": lambda m, t: 3.0,
    "2 (an int)": lambda m, t: 2,
    "np.float64(1.5)": lambda m, t: np.float64(1.5),
    "sin(2.0) * 4.0 (your sin of a real)": lambda m, t: m.sin(2.0) * 4.0,
    "x": lambda m, t: t,
    "3*x - 2": lambda m, t: 3 * t - 2,
    "x + x": lambda m, t: t + t,
    "0.5*x": lambda m, t: 0.5 * t,
}
_SLOPES = {"x": 1.0, "3*x - 2": 3.0, "x + x": 2.0, "0.5*x": 0.5}  # the others are constants: 0.0

# Edges (EDGES.md): a constant f (a float, an int, a numpy float, the student's own sin of a real),
# f(x) = x, and x given as an int, a numpy int, 0 or a numpy float.  The handout promises a float
# (0.0, not the int 0) whatever x is: with x = 3, a Dual that keeps ints computes the derivative of
# x as the int 1.  Only sums and real multiples: a bug in the product rule costs Q1, not this check.
_CONSTANT_CASES = [("3.0", 1.25), ("2 (an int)", 2), ("np.float64(1.5)", 1.25),
                   ("sin(2.0) * 4.0 (your sin of a real)", 1.25), ("x", 1.25), ("x", 3), ("3*x - 2", np.int64(4)),
                   ("x + x", 0), ("0.5*x", np.float64(-2.0)), ("2 (an int)", np.int64(-1))]


def constant_or_identity(label, x):
    """The derivative: the slope of f(x) = x, 3x - 2, ...; 0.0 for the constants (judge side)."""
    return _SLOPES.get(label, 0.0)


def is_float(x) -> bool:
    """A float as the handout means it: a Python float or a numpy float64."""
    return type(x) is float or isinstance(x, np.float64)


def is_exactly(got, expected, label, x):
    """The derivative is exactly ``expected`` (no rounding in these: sums and multiples of 0.5, 1, 2, 3),
    and a float: "wrong type" or "wrong value" says which property failed."""
    if not is_real(got):
        raise Mismatch(f"wrong type: derivative should return a float, got {fmt(got)}")
    if got != expected:
        why = ("f returns a real number (it ignores x), so its derivative is 0.0" if label not in _SLOPES
               else f"f(x) = {label}, so its derivative is {fmt(expected)}")
        raise Mismatch(f"wrong value: {why}; got {fmt(got)}")
    if not is_float(got):
        raise Mismatch(f"wrong type: derivative should return a float (a Python float or numpy float64), also "
                       f"for x = {x!r}; got {type(got).__name__} {fmt(got)} (float(...) converts)")


# f(x) = x is in the same check: a derivative() that returns 0.0 for everything must not earn it.
@test_case(name="a constant function (f returns a real number, not a Dual) has derivative 0.0 and f(x) = x has "
                "1.0; derivative returns a float, also when x is an int or a numpy int", points=1, hidden=True)
@check(cases=_CONSTANT_CASES, expect=constant_or_identity, judge=is_exactly,
       describe=lambda label, x: f"f(x) = {label} at x = {x!r}")
def constant_functions(m, label, x):
    return m.derivative(lambda t: _FUNCTIONS_OF_X[label](m, t), x)
