"""Q5 -- partial, directional_derivative and gradient: one forward pass per seed, and what it costs."""
import math

import numpy as np
from otter.test_files import test_case

from autograder.checking import REFERENCE, Mismatch, check, fmt, is_real, seeded
from autograder.suites.forward_mode.shared import approximation_hint, arrays_if_visible

OK_FORMAT = False
name = "q5_gradients"

# Tolerance, relative to each derivative's scale (the sum of the absolute values of its terms): a
# partial derivative of these functions is at most three chain-rule terms of a few flops each, so
# correct forward mode agrees with the hand-derived formula to a few ulps (~1e-15) of the scale;
# 1e-13 leaves a 100x margin.  A wrong seed is off by O(1); a finite difference by 1e-11 or more.
RTOL = 1e-13

# -- the test functions (probe side) and their hand-derived gradients (judge side) ----------------------
# They use only the sum rule, real multiples and the chain rule through sin, cos, exp, log, sqrt, tanh:
# no product or quotient of two Duals, no power, no real on the left of - or /, so that a bug in those
# rules (questions 1-2) does not cost points here too.  f4 ignores its last input on purpose.

_FUNCTIONS = {
    "f1": (1, "sin(x) + 0.5*x", lambda m, x: m.sin(x) + 0.5 * x),
    "f2": (2, "exp(0.3*x - y) + cos(x + 2*y)", lambda m, x, y: m.exp(0.3 * x - y) + m.cos(x + 2 * y)),
    "f3": (3, "sin(x - 2*z) + 3*y + tanh(0.5*y + z)",
           lambda m, x, y, z: m.sin(x - 2 * z) + 3 * y + m.tanh(0.5 * y + z)),
    "f4": (4, "log(sin(a) - 0.5*b + 3) + sqrt(cos(c) + 2)   (d unused)",
           lambda m, a, b, c, d: m.log(m.sin(a) - 0.5 * b + 3.0) + m.sqrt(m.cos(c) + 2.0)),
}


def _terms(fname, xs):
    """For each input, the list of chain-rule terms of ∂f/∂x_i (derived by hand)."""
    if fname == "f1":
        (x,) = xs
        return [[math.cos(x), 0.5]]
    if fname == "f2":
        x, y = xs
        e, s = math.exp(0.3 * x - y), math.sin(x + 2 * y)
        return [[0.3 * e, -s], [-e, -2 * s]]
    if fname == "f3":
        x, y, z = xs
        c, sech2 = math.cos(x - 2 * z), 1.0 / math.cosh(0.5 * y + z) ** 2
        return [[c], [3.0, 0.5 * sech2], [-2 * c, sech2]]
    if fname == "f4":
        a, b, c, d = xs
        inner = math.sin(a) - 0.5 * b + 3.0
        return [[math.cos(a) / inner], [-0.5 / inner], [-math.sin(c) / (2 * math.sqrt(math.cos(c) + 2.0))], []]
    if fname.startswith("sum"):  # sum_k (k+1) sin(x_k) + exp(0.1 (x_0 - x_{n-1}))
        e = math.exp(0.1 * (xs[0] - xs[-1]))
        terms = [[(k + 1) * math.cos(x)] for k, x in enumerate(xs)]
        terms[0].append(0.1 * e)
        terms[-1].append(-0.1 * e)
        return terms
    raise ValueError(fname)


def _sum_function(m, *xs):
    total = 0.1 * (xs[0] - xs[-1])
    result = m.exp(total)
    for k, x in enumerate(xs):
        result = result + (k + 1) * m.sin(x)
    return result


def _function(m, fname):
    return (lambda *xs: _sum_function(m, *xs)) if fname.startswith("sum") else (
        lambda *xs: _FUNCTIONS[fname][2](m, *xs))


def _counted(m, fname):
    """The test function, wrapped to count how many times it is evaluated."""
    calls = [0]
    f = _function(m, fname)

    def counted(*xs):
        calls[0] += 1
        return f(*xs)

    return counted, calls


def _as_point(point, kind):
    """The point as a list, tuple or array; "int list" and "int array" hold ints (np.int64 in the array)."""
    if kind.startswith("int"):
        point = [int(v) for v in point]
    return {"list": list, "tuple": tuple, "array": np.array, "int list": list, "int array": np.array}[kind](point)


def gradient_formula(fname, point, *rest):
    """(∇f, scale) with scale_i = sum of |terms| of ∂f/∂x_i."""
    terms = _terms(fname, point)
    return (np.array([sum(t) for t in terms], dtype=float), np.array([sum(map(abs, t)) for t in terms]))


# -- judges ------------------------------------------------------------------------------------------------

# Messages of a check that judges several properties start with the one that failed: "wrong type:",
# "wrong value:" or "too many evaluations:" (hidden checks: staff read them, students see the name).

def _check_number(got, want, scale, what):
    if not is_real(got):
        raise Mismatch(f"wrong type: {what} should be a float, got {fmt(got)}")
    want = float(want)
    if not abs(float(got) - want) <= RTOL * max(float(scale), abs(want)):
        raise Mismatch(f"wrong value: {what} is {float(got)!r}, expected {want!r}"
                       f"{approximation_hint(float(got), want)}")
    if not (type(got) is float or isinstance(got, np.float64)):
        raise Mismatch(f"wrong type: {what} should be a float (a Python float or numpy float64), got "
                       f"{type(got).__name__} {fmt(got)} (float(...) converts)")


def _check_array(got, want, scale, what):
    if not isinstance(got, np.ndarray):
        raise Mismatch(f"wrong type: {what} should be a numpy array of shape {want.shape}, got {fmt(got)}")
    if got.shape != want.shape:
        raise Mismatch(f"wrong shape: {what} should have shape {want.shape} (one entry per input), got shape "
                       f"{got.shape}")
    if got.dtype.kind not in "iuf":
        raise Mismatch(f"wrong type: {what} should be an array of floats, got dtype {got.dtype}: {fmt(got)}")
    bad = ~(np.abs(got - want) <= RTOL * np.maximum(scale, np.abs(want)))
    if bad.any():
        i = int(np.argmax(bad))
        raise Mismatch(f"wrong value: entry {i} of {what} (∂f/∂x_{i}) is {float(got[i])!r}, expected "
                       f"{float(want[i])!r}{arrays_if_visible(got, want)}"
                       f"{approximation_hint(float(got[i]), float(want[i]))}")
    if got.dtype != np.float64:
        raise Mismatch(f"wrong type: {what} should be a numpy array of float64, got dtype {got.dtype} "
                       "(np.array(..., dtype=float) converts)")


def partial_judge(got, expected, fname, point, i, kind="list"):
    grad, scale = expected
    _check_number(got, grad[i], scale[i], f"partial(f, point, {i})")


def directional_judge(got, expected, fname, point, direction):
    grad, scale = expected
    calls, value = got
    v = np.asarray(direction, dtype=float)
    if calls != 1:
        raise Mismatch(f"too many evaluations: directional_derivative evaluated f {calls} times; one evaluation "
                       "on Duals seeded with the direction gives the whole directional derivative")
    _check_number(value, float(grad @ v), float(scale @ np.abs(v)), "directional_derivative(f, point, v)")


def gradient_judge(got, expected, *args):
    grad, scale = expected if isinstance(expected, tuple) else (np.asarray(expected, float), np.abs(expected))
    _check_array(got, grad, scale, "the gradient")


def cost_judge(got, expected, fname, point):
    calls, grad = got
    n = len(point)
    if calls > n + 1:
        raise Mismatch(f"too many evaluations: gradient evaluated f {calls} times for n = {n} inputs; forward "
                       f"mode needs one pass per input (at most n + 1 = {n + 1} evaluations)")
    gradient_judge(grad, expected)


# -- inputs --------------------------------------------------------------------------------------------------

_rng = seeded(1501)
_POINTS = {f: [[round(float(v), 4) for v in _rng.uniform(-1.0, 1.0, _FUNCTIONS[f][0])] for _ in range(3)]
           for f in _FUNCTIONS}
_KINDS = ("list", "tuple", "array")
# Edges (EDGES.md): points of ints (a list of ints, an np.int64 array) and the origin; the handout
# promises floats and float64 arrays whatever the point holds.
_INT_POINTS = {"f1": [[0], [-1]], "f2": [[1, 0], [0, -1]], "f3": [[0, 1, -1], [0, 0, 0]], "f4": [[1, 2, 0, 3], [0, 0, 0, 0]]}

_PARTIAL = [(f, p, i, "list") for f in _FUNCTIONS for p in _POINTS[f][:2] for i in range(_FUNCTIONS[f][0])]
_PARTIAL += [(f, p, i, "int " + ("list", "array")[k]) for f in _FUNCTIONS for k, p in enumerate(_INT_POINTS[f])
             for i in range(len(p))]

_rng = seeded(1502)
_DIRECTIONAL = [(f, p, [round(float(v), 4) for v in _rng.uniform(-2.0, 2.0, len(p))])
                for f in ("f1", "f2", "f3", "f4") for p in _POINTS[f][:2]]
_DIRECTIONAL += [(f, _INT_POINTS[f][0], [(-1) ** k * (k + 1) for k in range(len(_INT_POINTS[f][0]))])
                 for f in _FUNCTIONS]  # an int point, an int direction

_GRADIENT = [(f, p, _KINDS[k % 3]) for f in _FUNCTIONS for k, p in enumerate(_POINTS[f])]
_GRADIENT += [(f, p, ("int list", "int array")[k]) for f in _FUNCTIONS for k, p in enumerate(_INT_POINTS[f])]

_rng = seeded(1503)
_COST = [(f"sum{n}", [round(float(v), 4) for v in _rng.uniform(-1.0, 1.0, n)]) for n in (1, 2, 3, 5, 8)]


def _name(fname):
    return f"f = {_FUNCTIONS[fname][1]}" if fname in _FUNCTIONS else "f = sum_k (k+1) sin(x_k) + exp(0.1 (x_0 - x_{n-1}))"


# -- checks --------------------------------------------------------------------------------------------------

@test_case(name="gradient of the lecture's F = x**3 * (x + 3*y) at (2, 3): two forward passes give "
                "(dF/dx, dF/dy)", points=1, hidden=False)
@check(cases=[([2.0, 3.0],)], expect=REFERENCE, judge=gradient_judge, describe=lambda p: f"point = {p}")
def lecture_gradient(m, point):
    return m.gradient(lambda x, y: x**3 * (x + 3 * y), point)


@test_case(name="partial(f, point, i): seed input i with 1, the others with 0; a float, also at a point of ints",
           points=1, hidden=True)
@check(cases=_PARTIAL, expect=gradient_formula, judge=partial_judge,
       describe=lambda f, p, i, kind: f"{_name(f)}, point = {kind} {p}, i = {i}")
def partial_derivatives(m, fname, point, i, kind):
    return m.partial(_function(m, fname), _as_point(point, kind), i)


@test_case(name="directional_derivative(f, point, v) = ∇f · v (a float, also for ints) from a single evaluation "
                "of f", points=1, hidden=True)
@check(cases=_DIRECTIONAL, expect=gradient_formula, judge=directional_judge,
       describe=lambda f, p, v: f"{_name(f)}, point = {p}, v = {v}")
def directional(m, fname, point, direction):
    f, calls = _counted(m, fname)
    value = m.directional_derivative(f, point, direction)
    return (calls[0], value)


@test_case(name="gradient(f, point): a numpy float64 array of shape (n,) holding every partial derivative "
                "(point a list, tuple or array, also of ints)", points=1, hidden=True)
@check(cases=_GRADIENT, expect=gradient_formula, judge=gradient_judge,
       describe=lambda f, p, kind: f"{_name(f)}, point = {kind} {p}")
def gradient_values(m, fname, point, kind):
    return m.gradient(_function(m, fname), _as_point(point, kind))


@test_case(name="gradient costs n forward passes: at most n + 1 evaluations of f, with the right result",
           points=1, hidden=True)
@check(cases=_COST, expect=gradient_formula, judge=cost_judge,
       describe=lambda f, p: f"{_name(f)} with n = {len(p)}, point = {p}")
def gradient_cost(m, fname, point):
    f, calls = _counted(m, fname)
    grad = m.gradient(f, point)
    return (calls[0], grad)


_CONSTANT = {"2.5": lambda m, xs: 2.5, "np.float64(-1.0)": lambda m, xs: np.float64(-1.0),
             "cos(0.3) (your cos of a real)": lambda m, xs: m.cos(0.3),
             "x_n (the last input itself)": lambda m, xs: xs[-1]}


def constant_or_last(what, label, n, ints=False):
    """The expected result: zeros for a constant; for f = x_n, the unit vector e_n (judge side)."""
    grad = np.zeros(n)
    if label.startswith("x_n"):
        grad[-1] = 1.0
    return grad if what == "gradient" else float(grad[-1])  # partial i = n-1; direction all ones


def zeros_judge(got, expected, what, label, n, ints=False):
    if what == "gradient":
        _check_array(got, expected, expected, f"the gradient of f = {label}")  # exact: 0 and 1 need no rounding
        return
    why = "f = x_n" if label.startswith("x_n") else "f returns a real number (it ignores its inputs)"
    if not (is_real(got) and got == expected):
        raise Mismatch(f"wrong value: {why}, so {what} is {fmt(expected)}; got {fmt(got)}")
    if not (type(got) is float or isinstance(got, np.float64)):
        raise Mismatch(f"wrong type: {why}, so {what} is the float {fmt(expected)}; got {type(got).__name__} "
                       f"{fmt(got)}")


# f = x_n is in the same check: drivers that return 0.0 / zeros for everything must not earn it.  The
# point holds floats, or ints (the edge where a driver that keeps ints returns the int 0 or an int array).
@test_case(name="a constant function (f returns a real number): partial and directional_derivative give 0.0, "
                "gradient gives float zeros, also at a point of ints; and f = x_n gives 1.0 and e_n", points=1,
           hidden=True)
@check(cases=[(what, label, n, ints) for what, n in (("partial", 2), ("directional_derivative", 3), ("gradient", 3))
              for label in _CONSTANT for ints in (False, True)],
       expect=constant_or_last, judge=zeros_judge,
       describe=lambda what, label, n, ints: f"{what} of f = {label}, n = {n}" + (", a point of ints" if ints else ""))
def constant_functions(m, what, label, n, ints):
    f = lambda *xs: _CONSTANT[label](m, xs)  # noqa: E731
    point = [k + 1 for k in range(n)] if ints else [0.5 * (k + 1) for k in range(n)]
    if what == "partial":
        return m.partial(f, point, n - 1)
    if what == "directional_derivative":
        return m.directional_derivative(f, point, [1.0] * n)
    return m.gradient(f, point)
