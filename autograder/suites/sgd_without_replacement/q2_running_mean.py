"""Q2 -- running_mean: r[k] = mean(values[:k+1]) for every k, in one O(n) pass."""

import functools
import math

import numpy as np
from otter.test_files import test_case

from autograder.checking import Cost, Mismatch, check, fmt, seeded

OK_FORMAT = False
name = "q2_running_mean"


# -- judge-side (trusted) helpers -------------------------------------------------------------------

def _definition(values):
    """r[k] = (values[0] + ... + values[k]) / (k + 1), each sum correctly rounded (math.fsum)."""
    values = [float(v) for v in values]
    return np.array([math.fsum(values[:k + 1]) / (k + 1) for k in range(len(values))], dtype=np.float64)


def _running_mean_judge(got, expected, values):
    """A float64 array of the right shape, equal to the definition up to summation rounding.

    Tolerance: any summation order (a cumulative sum, a loop, the update r += (v - r)/(k+1)) is
    within n * eps * max|v| of the exact mean; n <= 2000 here, so n * eps < 5e-13 and
    1e-12 * max|v| accepts every correct order, while an off-by-one (dividing by k + 2, or
    starting at values[1]) is wrong by about max|v| / n >= 5e-4 * max|v|.
    """
    if not isinstance(got, np.ndarray):
        raise Mismatch(f"running_mean should return a numpy array, got {type(got).__name__}: {fmt(got)}")
    if got.dtype != np.float64:
        raise Mismatch(f"running_mean should return floats (dtype float64), got dtype {got.dtype}")
    if got.shape != expected.shape:
        raise Mismatch(f"expected shape {expected.shape} (one mean per prefix), got shape {got.shape}")
    scale = max((abs(float(v)) for v in values), default=0.0)
    bad = ~(np.abs(got - expected) <= 1e-12 * scale)  # also catches NaN
    if bad.any():
        k = int(np.argmax(bad))
        raise Mismatch(f"r[{k}] should be the mean of the first {k + 1} values, {fmt(expected[k])}, "
                       f"but it is {fmt(got[k])}")


# Time of running_mean on N values / time of a plain Python loop adding N floats (CPU time: the
# fastest of 3 runs, each on fresh values, timed by the grader from the kernel's clock of the grading
# process; the loop is timed by the grader in its own process).  A cumulative sum takes ~1.5x that
# loop and an explicit Python loop with numpy indexing ~12x on the grading machine; a mean recomputed
# for every prefix (O(N^2): np.mean(values[:k+1]) for each k) takes ~450x at N = 50,000 (380-570 with
# the machine loaded).  The bound 150 leaves a factor 12 for a slow but linear loop on a noisy
# machine and still fails the quadratic one by a factor 2.5-3.
MAX_RATIO = 150
N_COST = 50_000


def _cost_values(n, seed):
    return np.random.default_rng(seed).random(n)


def _cumulative_means(values):
    """The running mean by a cumulative sum (judge side; _definition's prefix sums are O(n^2))."""
    return np.cumsum(values) / np.arange(1, len(values) + 1)


def _is_running_mean(got, expected, n):
    """Tolerance 1e-9: 50,000 rounded additions of numbers in [0, 1) drift by at most 50,000 eps ~ 1e-11
    relative; exactness is judged by the other checks."""
    if not (isinstance(got, np.ndarray) and got.shape == expected.shape
            and np.allclose(got, expected, rtol=1e-9, atol=0.0)):
        raise Mismatch(f"running_mean of the {n:,} values is not their running mean (its speed earns nothing "
                       "then); make the other running_mean checks pass first")


def _too_slow(ratio):
    return (f"running_mean of {N_COST:,} values took {ratio:.0f} times as long as one Python loop adding them "
            f"up (allowed: {MAX_RATIO}); it should take O(n) time -- keep a running total (or use np.cumsum) "
            "instead of recomputing each mean from scratch")


@functools.cache
def _floats(n):
    return _cost_values(n, 27).tolist()


def _add_up(xs):
    """The baseline: one pass of Python float additions."""
    total = 0.0
    for v in xs:
        total += v
    return total


# -- inputs (seeded) --------------------------------------------------------------------------------

_rng = seeded(2702)
_table = [
    [3.5],
    [1, 2, 3],
    [0.0, 0.0, 0.0, 0.0],
    [-1.0, 1.0, -1.0, 1.0, -1.0],
    [2.5, -7.25, 1e-3, 40.0, 0.125, -3.0],
    [float(v) for v in _rng.random(100)],
    [float(v) for v in _rng.standard_normal(2000)],
    [float(v) for v in 1e6 + _rng.standard_normal(50)],  # a large offset: the means stay accurate
    [int(v) for v in _rng.integers(-50, 50, 30)],
    # edges (EDGES.md): empty (an empty float64 array), length 2, all equal, huge and tiny magnitudes
    [],
    [7, -7],
    [2.5] * 9,
    [1e12 + k for k in range(8)],                    # a huge offset: still 1e-12 of it
    [float(v) for v in 1e-300 * _rng.random(5)],
]


@test_case(name="running_mean([1, 2, 3, 4]) = [1, 1.5, 2, 2.5] and a few small lists", points=1, hidden=False)
@check(cases=[([1.0, 2.0, 3.0, 4.0],), ([5.0],), ([0.5, 0.25, 1.0, 0.0, 3.0],), ([2, 4, 9],)],
       expect=_definition, judge=_running_mean_judge,
       describe=lambda values: f"running_mean({values})")
def small_lists(m, values):
    return m.running_mean(values)


@test_case(name="running_mean equals the mean of every prefix (lists, numpy arrays, ints, signs, offsets, "
                "empty, huge and tiny magnitudes)", points=1, hidden=True)
@check(cases=[(v, kind) for v in _table for kind in ("list", "array")],
       expect=lambda values, kind: _definition(values),
       judge=lambda got, expected, values, kind: _running_mean_judge(got, expected, values),
       describe=lambda values, kind: f"running_mean of a {kind} of {len(values)} values {fmt(values)}")
def prefix_means(m, values, kind):
    return m.running_mean(np.array(values) if kind == "array" else list(values))


@test_case(name="running_mean takes O(n) time (50,000 values in about the time of one pass over them), "
                "with the right result", points=1, hidden=True)
@check(cases=[(N_COST,)], expect=lambda n, seed: _cumulative_means(_cost_values(n, seed)), judge=_is_running_mean,
       cost=Cost(MAX_RATIO, baseline=lambda n: _add_up(_floats(n)), too_slow=_too_slow), repeat=3,
       describe=lambda n: f"running_mean of {n:,} random numbers (a numpy array; the fastest of 3 runs, "
                          "each on new numbers)")
def linear_time(m, n, seed):
    return m.running_mean(_cost_values(n, seed))
