"""Q3 -- The running mean's squared error: sigma^2/k with replacement, times (n-k)/(n-1) without."""

import numpy as np
from otter.test_files import test_case

from autograder.checking import Mismatch, check, fmt, seeded, within_standard_errors
from autograder.suites.sgd_without_replacement.shared import (EPS, draws_from_rng, moments, mse_theory,
                                                             noting_global_state, rng_rule_hint, runs_from_rng,
                                                             standard_errors)

OK_FORMAT = False
name = "q3_mean_squared_error"

# -- judge-side (trusted) helpers -------------------------------------------------------------------

def _theory_judge(got, expected, n, variance, replace):
    """A float64 array of shape (n,) equal to the formula up to rounding.

    Tolerance: the formula takes 3 roundings however it is arranged (variance*(n-k)/(k*(n-1)), ...),
    so rtol = 1e-13 (~450 eps) accepts every arrangement, while the commonest slips -- no correction
    (off by a factor up to n-1), or (1 - k/n) in place of (n-k)/(n-1) (off by (n-1)/n, 1 % at
    n = 100) -- miss by orders of magnitude.  At k = n the formula gives 0 exactly, and so must you.
    """
    if not isinstance(got, np.ndarray) or got.dtype != np.float64:
        kind = f"dtype {got.dtype}" if isinstance(got, np.ndarray) else type(got).__name__
        raise Mismatch(f"theoretical_mse should return a float64 numpy array, got {kind}: {fmt(got)}")
    if got.shape != (n,):
        raise Mismatch(f"expected shape ({n},) (one value for each k = 1..{n}), got shape {got.shape}")
    bad = ~(np.abs(got - expected) <= 1e-13 * np.abs(expected))  # exact 0 where the formula is 0
    if bad.any():
        i = int(np.argmax(bad))
        rule = "variance / k" if replace else "variance / k * (n - k) / (n - 1)"
        raise Mismatch(f"at k = {i + 1} expected {rule} = {fmt(expected[i])}, got {fmt(got[i])}")


def _curve_array(got, n):
    if not isinstance(got, np.ndarray) or got.dtype != np.float64:
        kind = f"dtype {got.dtype}" if isinstance(got, np.ndarray) else type(got).__name__
        raise Mismatch(f"mean_squared_error_curve should return a float64 numpy array, got {kind}: {fmt(got)}")
    if got.shape != (n,):
        raise Mismatch(f"expected shape ({n},) (one value for each k = 1..{n}), got shape {got.shape}")
    return got


def _matches_theory(got, expected, a, replace, trials, seed):
    """Within Z standard errors of the theory at every k (z = 6: for a correct submission each
    comparison fails with probability < 2e-9 -- the average of >= 1000 trials is very nearly
    normal -- so the 100 comparisons of a curve fail together with probability < 1e-6, and the
    seeded inputs make the verdict the same on every run)."""
    n = len(a)
    curve = _curve_array(got, n)
    sigma2, _ = moments(a)
    theory = mse_theory(n, sigma2, replace)
    se = standard_errors(a, replace, trials)
    rule = "variance/k" if replace else "variance/k * (n-k)/(n-1)"
    z = np.abs(curve - theory) / se
    z[np.isnan(z)] = np.inf
    if np.all(z <= 6.0):
        return
    i = int(np.argmax(z))  # the worst k
    if theory[i] == 0:
        raise Mismatch(f"at k = n = {n} the average squared error without replacement should be 0 "
                       f"(one full pass averages every value exactly once), got {fmt(curve[i])}")
    within_standard_errors(curve[i], theory[i], se[i], z=6.0,
                           what=f"the average squared error at k = {i + 1} (theory: {rule})")


def _zero_at_n(got, expected, a, trials, seed):
    """Without replacement, after all n samples the running mean is a.mean() up to rounding: the
    squared error at k = n is at most (2 n eps max|a|)^2 ~ 1e-27 here (exactly 0 only when the sums
    happen to round alike: the handout says "0 up to rounding"), while sampling with replacement
    leaves about variance/n ~ 1e-3."""
    n = len(a)
    curve = _curve_array(got, n)
    rounding = (2 * n * EPS * max(abs(v) for v in a)) ** 2
    if not abs(curve[-1]) <= rounding:
        raise Mismatch(f"without replacement the average squared error at k = n = {n} should be 0 "
                       f"(one full pass averages every value exactly once), got {fmt(curve[-1])}")
    if not np.all(curve >= 0):
        raise Mismatch(f"a mean of squared errors cannot be negative: got {fmt(curve)}")
    # Before k = n the mean of k distinct values drawn at random misses a.mean() in almost every
    # trial, so the average over the trials is > 0 (a curve of zeros must not earn the point).
    if not np.all(curve[:-1] > 0):
        k = int(np.argmin(curve[:-1] > 0)) + 1
        raise Mismatch(f"at k = {k} < n the average squared error is {fmt(curve[k - 1])}, but a mean of "
                       f"fewer than n random values is almost never exactly a.mean(): it should be > 0")


_same_twice = draws_from_rng("curves")


# -- inputs (seeded) --------------------------------------------------------------------------------

_rng = seeded(2703)
_rand100 = [float(v) for v in _rng.random(100)]              # the lecture: 100 numbers from rand()
_skewed30 = [float(v) for v in _rng.exponential(2.0, 30)]    # a skewed population, n = 30
_rand100_variance = float(np.var(_rand100))
# Edges (EDGES.md): ints whose mean 31/8 no smaller subset has (so the error is > 0 before k = n),
# a single value (n = 1: the curve is [0.0] for both samplings), two values.
_ints8 = [3, 1, 4, 1, 5, 9, 2, 6]
_one, _two = [5.0], [-1.0, 3.0]


def _describe_theory(n, variance, replace):
    return f"theoretical_mse({n}, {variance:.6g}, replace={replace})"


def _describe_curve(a, replace, trials, seed):
    return (f"mean_squared_error_curve(a, {replace}, {trials}, np.random.default_rng({seed})) "
            f"with n = {len(a)} values")


@test_case(name="theoretical_mse: variance/k with replacement, variance/k (n-k)/(n-1) without "
                "(the lecture's n = 100, variance 1/12)", points=1, hidden=False)
@check(cases=[(100, 1 / 12, True), (100, 1 / 12, False), (5, 2.0, True), (5, 2.0, False)],
       expect=mse_theory, judge=_theory_judge,
       describe=_describe_theory)
def theory_public(m, n, variance, replace):
    return m.theoretical_mse(n, variance, replace)


@test_case(name="theoretical_mse on more n and variances (n = 1 gives [0.0] without replacement; int and numpy "
                "arguments give float64)", points=1, hidden=True)
@check(cases=[(n, v, r) for n, v in [(1, 0.5), (2, 3.0), (3, 1.0), (10, 0.0), (10, 4), (57, 0.3),
                                      (100, _rand100_variance), (1000, 2.5), (np.int64(7), np.float64(1.5)),
                                      (4, 1e12)] for r in (True, False)],
       expect=mse_theory, judge=_theory_judge,
       describe=_describe_theory)
def theory_hidden(m, n, variance, replace):
    return m.theoretical_mse(n, variance, replace)


@test_case(name="mean_squared_error_curve without replacement: float64, shape (n,), > 0 before k = n, 0 at k = n "
                "(up to rounding)", points=1, hidden=False)
@check(cases=[(_rand100, 50, 1), (_skewed30, 20, 2), (_ints8, 5, 3), (_one, 3, 4), (_two, 4, 5)], expect=None,
       judge=_zero_at_n,
       describe=lambda a, trials, seed: f"mean_squared_error_curve(a, False, {trials}, "
                                        f"np.random.default_rng({seed})) with n = {len(a)} values")
def zero_at_n(m, a, trials, seed):
    return m.mean_squared_error_curve(np.array(a), False, trials, np.random.default_rng(seed))


@test_case(name="mean_squared_error_curve without replacement matches variance/k (n-k)/(n-1) "
                "within 6 standard errors", points=1, hidden=True)
@check(cases=[(_rand100, False, 1000, 11), (_skewed30, False, 2000, 12)], expect=None,
       judge=rng_rule_hint(_matches_theory),
       describe=_describe_curve)
def curve_without(m, a, replace, trials, seed):
    return noting_global_state(lambda: m.mean_squared_error_curve(np.array(a), replace, trials,
                                                                  np.random.default_rng(seed)))


@test_case(name="mean_squared_error_curve with replacement matches variance/k within 6 standard errors",
           points=1, hidden=True)
@check(cases=[(_rand100, True, 1000, 13), (_skewed30, True, 2000, 14), (_one, True, 3, 15)], expect=None,
       judge=rng_rule_hint(_matches_theory),
       describe=_describe_curve)
def curve_with(m, a, replace, trials, seed):
    return noting_global_state(lambda: m.mean_squared_error_curve(np.array(a), replace, trials,
                                                                  np.random.default_rng(seed)))


@test_case(name="mean_squared_error_curve is reproducible: the same generator state gives the same curve, "
                "another state another curve",
           points=1, hidden=True)
@check(cases=[(_skewed30, True, 20, 21), (_skewed30, False, 20, 22)], expect=None, judge=_same_twice,
       describe=lambda a, r, trials, seed: f"mean_squared_error_curve(a, {r}, {trials}, rng) with "
                                           f"generators seeded {seed}, {seed} and {seed + 1}")
def curve_reproducible(m, a, replace, trials, seed):
    return runs_from_rng(lambda rng: m.mean_squared_error_curve(np.array(a), replace, trials, rng), seed)
