"""Q6 -- jacobian(f, point): the m x n matrix J[i, j] = ∂f_i/∂x_j, column j from the pass seeded with x_j."""
import math

import numpy as np
from otter.test_files import test_case

from autograder.checking import Mismatch, check, fmt, seeded
from autograder.suites.forward_mode.shared import approximation_hint, arrays_if_visible

OK_FORMAT = False
name = "q6_jacobian"

# Tolerance: every entry below is a single chain-rule term (one or two library calls and a product),
# so correct forward mode matches the hand-derived formula to an ulp or two; 1e-13 leaves a 100x
# margin.  Entries that are exactly 0 (an output that does not depend on an input) must be exactly 0:
# a seed of 0 propagates exactly.
RTOL = 1e-13

# The test functions use only sums, real multiples and sin, cos, exp, log, sqrt, tanh (no product,
# quotient or power of Duals), so that a bug in those rules does not cost points here too.
_FUNCTIONS = {
    # R^3 -> R^2: the orientation test (a transposed answer has shape (3, 2))
    "f32": ((3, 2), "(sin(x) + 2*y, exp(0.5*z - x))",
            lambda m, x, y, z: (m.sin(x) + 2.0 * y, m.exp(0.5 * z - x))),
    # R^2 -> R^4, returned as a list; the first output is the input x itself
    "f24": ((2, 4), "[x, y - 3*x, cos(x - y), tanh(y)]",
            lambda m, x, y: [x, y - 3.0 * x, m.cos(x - y), m.tanh(y)]),
    # R^4 -> R^3
    "f43": ((4, 3), "(log(a - b + 5), sqrt(c + 3) - d, sin(0.5*a + d))",
            lambda m, a, b, c, d: (m.log(a - b + 5.0), m.sqrt(c + 3.0) - d, m.sin(0.5 * a + d))),
    # a single (scalar) output: m = 1
    "s3": ((3, 1), "sin(x) - 2*y + exp(0.3*z)   (one output, not a sequence)",
           lambda m, x, y, z: m.sin(x) - 2.0 * y + m.exp(0.3 * z)),
    # real numbers among the outputs: their rows are zero
    "mixed": ((2, 3), "(sin(x), 2.0, y)   (2.0 is a real number)", lambda m, x, y: (m.sin(x), 2.0, y)),
    "const2": ((3, 2), "[1.0, 2.0]   (only real numbers)", lambda m, x, y, z: [1.0, 2.0]),
    "const1": ((2, 1), "5.0   (one real number)", lambda m, x, y: 5.0),
    # the public example: R^2 -> R^3
    "public": ((2, 3), "(x + y, sin(x), 3*y)", lambda m, x, y: (x + y, m.sin(x), 3.0 * y)),
    # length-1 edges: one input (R^1 -> R^2), one input and one output (R^1 -> R^1)
    "f12": ((1, 2), "(sin(x), 3*x)", lambda m, x: (m.sin(x), 3 * x)),
    "s1": ((1, 1), "exp(0.5*x)   (one input, one output)", lambda m, x: m.exp(0.5 * x)),
    # int arithmetic only: at a point of ints a driver that keeps ints would return an int array
    "ints": ((2, 2), "(2*x - y, x + 3)", lambda m, x, y: (2 * x - y, x + 3)),
}


def jacobian_formula(fname, point):
    """J[i, j] = ∂f_i/∂x_j, derived by hand."""
    if fname == "f32":
        x, y, z = point
        e = math.exp(0.5 * z - x)
        return [[math.cos(x), 2.0, 0.0], [-e, 0.0, 0.5 * e]]
    if fname == "f24":
        x, y = point
        s = math.sin(x - y)
        return [[1.0, 0.0], [-3.0, 1.0], [-s, s], [0.0, 1.0 / math.cosh(y) ** 2]]
    if fname == "f43":
        a, b, c, d = point
        g = 1.0 / (a - b + 5.0)
        k = math.cos(0.5 * a + d)
        return [[g, -g, 0.0, 0.0], [0.0, 0.0, 0.5 / math.sqrt(c + 3.0), -1.0], [0.5 * k, 0.0, 0.0, k]]
    if fname == "s3":
        x, y, z = point
        return [[math.cos(x), -2.0, 0.3 * math.exp(0.3 * z)]]
    if fname == "mixed":
        x, y = point
        return [[math.cos(x), 0.0], [0.0, 0.0], [0.0, 1.0]]
    if fname == "const2":
        return [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
    if fname == "const1":
        return [[0.0, 0.0]]
    if fname == "public":
        x, y = point
        return [[1.0, 1.0], [math.cos(x), 0.0], [0.0, 3.0]]
    if fname == "f12":
        (x,) = point
        return [[math.cos(x)], [3.0]]
    if fname == "s1":
        (x,) = point
        return [[0.5 * math.exp(0.5 * x)]]
    if fname == "ints":
        return [[2.0, -1.0], [1.0, 0.0]]
    raise ValueError(fname)


def jacobian_judge(got, expected, fname, point):
    want = np.array(expected, dtype=float)
    m, n = want.shape
    if not isinstance(got, np.ndarray):
        raise Mismatch(f"wrong type: jacobian should return a numpy array of shape ({m}, {n}), got {fmt(got)}")
    if got.shape != want.shape:
        hint = " (transposed? row i is output i, column j is input j)" if got.shape == (n, m) != (m, n) else ""
        raise Mismatch(f"wrong shape: expected shape ({m}, {n}) for m = {m} outputs and n = {n} inputs, "
                       f"got shape {got.shape}{hint}")
    if got.dtype.kind not in "iuf":
        raise Mismatch(f"wrong type: jacobian should hold floats, got dtype {got.dtype}: {fmt(got)}")
    bad = ~(np.abs(got - want) <= RTOL * np.abs(want))
    if bad.any():
        i, j = (int(k) for k in np.argwhere(bad)[0])
        raise Mismatch(f"wrong value: J[{i}, {j}] = ∂f_{i}/∂x_{j} is {float(got[i, j])!r}, expected "
                       f"{float(want[i, j])!r}{arrays_if_visible(got, want)}"
                       f"{approximation_hint(float(got[i, j]), float(want[i, j]))}")
    if got.dtype != np.float64:
        raise Mismatch(f"wrong type: jacobian should return a numpy array of float64, got dtype {got.dtype} "
                       "(np.array(..., dtype=float) converts)")


def _describe(fname, point):
    (n, m), text, _ = _FUNCTIONS[fname]
    return f"f = {text} (n = {n} inputs, m = {m} outputs), point = {point}"


def _points(seed, fname, k):
    rng = seeded(seed)
    n = _FUNCTIONS[fname][0][0]
    return [(fname, [round(float(v), 4) for v in rng.uniform(-1.0, 1.0, n)]) for _ in range(k)]


# Edges (EDGES.md): points of ints (a list; the probe passes [1, 2] as written), the origin.
_INT_POINT_CASES = [("ints", [1, 2]), ("ints", [0, 0]), ("f32", [0, 1, -1]), ("f12", [0])]


def _probe(m, fname, point):
    f = _FUNCTIONS[fname][2]
    return m.jacobian(lambda *xs: f(m, *xs), point)


@test_case(name="jacobian of f(x, y) = (x + y, sin(x), 3*y): shape (3, 2), row i = output i, column j = input j",
           points=1, hidden=False)
@check(cases=[("public", [0.5, -1.0]), ("public", [2.0, 3.0])], expect=jacobian_formula, judge=jacobian_judge,
       describe=_describe)
def public_example(m, fname, point):
    return _probe(m, fname, point)


@test_case(name="non-square Jacobians (R^3 -> R^2, R^2 -> R^4, R^4 -> R^3, R^1 -> R^2): shape (m, n), "
                "orientation, float64 entries also at a point of ints", points=1, hidden=True)
@check(cases=_points(1601, "f32", 3) + _points(1602, "f24", 3) + _points(1603, "f43", 3) + _points(1608, "f12", 2)
       + _INT_POINT_CASES,
       expect=jacobian_formula, judge=jacobian_judge, describe=_describe)
def orientation(m, fname, point):
    return _probe(m, fname, point)


@test_case(name="a scalar output counts as m = 1: shape (1, n), also for n = 1", points=1, hidden=True)
@check(cases=_points(1604, "s3", 3) + _points(1609, "s1", 2), expect=jacobian_formula, judge=jacobian_judge,
       describe=_describe)
def scalar_output(m, fname, point):
    return _probe(m, fname, point)


@test_case(name="real numbers among the outputs (and constant functions) give rows of float zeros, also at a "
                "point of ints", points=1, hidden=True)
@check(cases=_points(1605, "mixed", 2) + _points(1606, "const2", 1) + _points(1607, "const1", 1)
       + [("mixed", [1, -2]), ("const2", [0, 1, 2]), ("const1", [3, 4])],
       expect=jacobian_formula, judge=jacobian_judge, describe=_describe)
def constant_outputs(m, fname, point):
    return _probe(m, fname, point)
