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


def exact(tree, x):
    """Judge side: (f(x), f'(x), scale) by the hand-derived rules, node by node.

    ``scale`` is the derivative with every term in absolute value.  Raises _Reject outside a
    comfortable domain (used only while generating the cases).
    """
    kind = tree[0]
    if kind == "x":
        return x, 1.0, 1.0
    if kind == "c":
        return float(tree[1]), 0.0, 0.0
    if kind in ("neg", "pos"):
        a, da, sa = exact(tree[1], x)
        return (-a, -da, sa) if kind == "neg" else (a, da, sa)
    if kind in _BINARY:
        a, da, sa = exact(tree[1], x)
        b, db, sb = exact(tree[2], x)
        if kind == "+":
            return a + b, da + db, sa + sb
        if kind == "-":
            return a - b, da - db, sa + sb
        if kind == "*":
            return a * b, da * b + a * db, sa * abs(b) + abs(a) * sb
        if kind == "/":
            if abs(b) < 0.3:
                raise _Reject
            return a / b, (da * b - a * db) / b**2, (sa * abs(b) + abs(a) * sb) / b**2
        if tree[2][0] == "c":  # a ** c with a constant exponent: c a^(c-1) a'
            if abs(a) < 0.2 or (a < 0 and b != int(b)):
                raise _Reject
            return a**b, b * a ** (b - 1) * da, abs(b * a ** (b - 1)) * sa
        if a < 0.2 or abs(b * math.log(a)) > 8:  # a ** b = exp(b ln a)
            raise _Reject
        p = a**b
        return p, p * (db * math.log(a) + b * da / a), abs(p) * (sb * abs(math.log(a)) + abs(b) * sa / a)
    a, da, sa = exact(tree[1], x)
    if kind == "sin":
        return math.sin(a), math.cos(a) * da, abs(math.cos(a)) * sa
    if kind == "cos":
        return math.cos(a), -math.sin(a) * da, abs(math.sin(a)) * sa
    if kind == "exp":
        if a > 6:
            raise _Reject
        e = math.exp(a)
        return e, e * da, e * sa
    if kind == "log":
        if a < 0.2:
            raise _Reject
        return math.log(a), da / a, sa / a
    if kind == "sqrt":
        if a < 0.2:
            raise _Reject
        r = math.sqrt(a)
        return r, da / (2 * r), sa / (2 * r)
    if kind == "tanh":
        if abs(a) > 3:
            raise _Reject
        sech2 = 1.0 / math.cosh(a) ** 2
        return math.tanh(a), sech2 * da, sech2 * sa
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
@check(cases=_COMPOSITIONS, expect=exact, judge=ad_exact(RTOL), describe=_describe)
def random_compositions(m, tree, x):
    return m.derivative(lambda t: _evaluate(m, tree, t), x)


@test_case(name="stiff compositions (offset ~1e8, oscillation sin(1000 x)): exact up to rounding, where "
                "finite differences fail", points=1, hidden=True)
@check(cases=_STIFF, expect=exact, judge=ad_exact(RTOL), describe=_describe)
def stiff_compositions(m, tree, x):
    return m.derivative(lambda t: _evaluate(m, tree, t), x)


_CONSTANTS = {
    "3.0": lambda m, t: 3.0,
    "2 (an int)": lambda m, t: 2,
    "np.float64(1.5)": lambda m, t: np.float64(1.5),
    "sin(2.0) * 4.0 (your sin of a real)": lambda m, t: m.sin(2.0) * 4.0,
    "x": lambda m, t: t,
}


def constant_or_identity(label):
    """The derivative: 1.0 for f(x) = x, 0.0 for the constants (judge side)."""
    return 1.0 if label == "x" else 0.0


def is_exactly(got, expected, label):
    """A constant function has derivative 0 (a real number, not None and not an error); f(x) = x has 1."""
    if not is_real(got) or got != expected:
        why = "it is x itself" if expected else "f returns a real number (it ignores x)"
        raise Mismatch(f"{why}, so its derivative is {fmt(expected)}; got {fmt(got)}")


# f(x) = x is in the same check: a derivative() that returns 0.0 for everything must not earn it.
@test_case(name="a constant function (f returns a real number, not a Dual) has derivative 0.0, "
                "and f(x) = x has derivative 1.0", points=1, hidden=True)
@check(cases=[(label,) for label in _CONSTANTS], expect=constant_or_identity, judge=is_exactly,
       describe=lambda label: f"f(x) = {label}")
def constant_functions(m, label):
    return m.derivative(lambda t: _CONSTANTS[label](m, t), 1.25)
