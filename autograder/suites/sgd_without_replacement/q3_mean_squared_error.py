"""Q3 -- The running mean's squared error: sigma^2/k with replacement, times (n-k)/(n-1) without."""

import numpy as np
from otter.test_files import test_case

from autograder.checking import Mismatch, check, fmt, seeded, within_standard_errors

OK_FORMAT = False
name = "q3_mean_squared_error"

EPS = np.finfo(np.float64).eps


# -- judge-side (trusted) helpers -------------------------------------------------------------------

def _theory(n, variance, replace):
    """The lecture's formulas, k = 1 .. n: variance/k, times (n-k)/(n-1) without replacement."""
    k = np.arange(1, n + 1, dtype=np.float64)
    if replace:
        return variance / k
    if n == 1:
        return np.zeros(1)  # one value: its mean is exact
    return variance / k * (n - k) / (n - 1)


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


def _moments(a):
    a = np.asarray(a, dtype=np.float64)
    centered = a - a.mean()
    return float(np.mean(centered ** 2)), float(np.mean(centered ** 4))


def _fourth_moment_with(j, sigma2, mu4):
    """E[e^4] for e the mean of j i.i.d. centered draws (variance sigma2, fourth moment mu4):
    (3 j (j-1) sigma2^2 + j mu4) / j^4, from expanding (sum_i Y_i)^4 -- only the terms
    Y_i^4 and Y_i^2 Y_l^2 have nonzero mean."""
    j = np.asarray(j, dtype=np.float64)
    return (3 * j * (j - 1) * sigma2 ** 2 + j * mu4) / j ** 4


def _standard_errors(a, replace, trials):
    """Standard error of the trial average of the squared error e_k^2, k = 1 .. n.

    With replacement (exact): Var(e_k^2) = E[e_k^4] - (sigma^2/k)^2 with E[e_k^4] as above.
    Without replacement (an upper bound): Var(e_k^2) <= E[e_k^4], and
      * Hoeffding (1963, Thm 4): sampling without replacement is dominated in convex order by
        sampling with replacement, so E[e_k^4] <= the i.i.d. value for k draws;
      * the k drawn values and the n - k left over sum to zero (centered), so
        e_k = -((n-k)/k) * e'_{n-k}, the mean of n - k values drawn without replacement;
    hence E[e_k^4] <= min(iid(k), ((n-k)/k)^4 iid(n-k)), which goes to 0 as k -> n like the error.
    A bound only makes the test more lenient (never a false failure); the bugs it is for are off
    by 9 to 100+ of these standard errors (measured with the reference on these inputs).
    A rounding allowance (2 n eps max|a|)^2 covers e_k = 0 being computed as ~1e-17.
    """
    a = np.asarray(a, dtype=np.float64)
    n = len(a)
    sigma2, mu4 = _moments(a)
    k = np.arange(1, n + 1, dtype=np.float64)
    iid = _fourth_moment_with(k, sigma2, mu4)
    if replace:
        var = iid - (sigma2 / k) ** 2
    else:
        rest = n - k
        mirrored = np.zeros(n)
        inner = rest > 0
        mirrored[inner] = (rest[inner] / k[inner]) ** 4 * _fourth_moment_with(rest[inner], sigma2, mu4)
        var = np.minimum(iid, mirrored)
    rounding = (2 * n * EPS * np.max(np.abs(a))) ** 2
    return np.sqrt(np.maximum(var, 0.0) / trials) + rounding


def _curve_array(got, n):
    if not isinstance(got, np.ndarray) or got.dtype.kind != "f":
        kind = f"dtype {got.dtype}" if isinstance(got, np.ndarray) else type(got).__name__
        raise Mismatch(f"mean_squared_error_curve should return a float numpy array, got {kind}: {fmt(got)}")
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
    sigma2, _ = _moments(a)
    theory = _theory(n, sigma2, replace)
    se = _standard_errors(a, replace, trials)
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
    """Without replacement, after all n samples the running mean is exactly a.mean(): the squared
    error at k = n is 0 up to rounding, (2 n eps max|a|)^2 ~ 1e-27 here, while sampling with
    replacement leaves about variance/n ~ 1e-3."""
    n = len(a)
    curve = _curve_array(got, n)
    rounding = (2 * n * EPS * max(abs(v) for v in a)) ** 2
    if not abs(curve[-1]) <= rounding:
        raise Mismatch(f"without replacement the average squared error at k = n = {n} should be 0 "
                       f"(one full pass averages every value exactly once), got {fmt(curve[-1])}")
    if not np.all(curve >= 0):
        raise Mismatch(f"a mean of squared errors cannot be negative: got {fmt(curve)}")


def _same_twice(got, expected, *args):
    first, second = got
    if not (isinstance(first, np.ndarray) and isinstance(second, np.ndarray)
            and first.shape == second.shape and np.array_equal(first, second)):
        raise Mismatch("two generators made with the same seed gave different curves: "
                       f"{fmt(first)} and {fmt(second)}; draw the indices with "
                       "sample_indices(n, n, replace, rng), using only `rng` for randomness")


# -- inputs (seeded) --------------------------------------------------------------------------------

_rng = seeded(2703)
_rand100 = [float(v) for v in _rng.random(100)]              # the lecture: 100 numbers from rand()
_skewed30 = [float(v) for v in _rng.exponential(2.0, 30)]    # a skewed population, n = 30
_rand100_variance = float(np.var(_rand100))


@test_case(name="theoretical_mse: variance/k with replacement, variance/k (n-k)/(n-1) without "
                "(the lecture's n = 100, variance 1/12)", points=1, hidden=False)
@check(cases=[(100, 1 / 12, True), (100, 1 / 12, False), (5, 2.0, True), (5, 2.0, False)],
       expect=_theory, judge=_theory_judge,
       describe=lambda n, v, r: f"theoretical_mse({n}, {v:.6g}, replace={r})")
def theory_public(m, n, variance, replace):
    return m.theoretical_mse(n, variance, replace)


@test_case(name="theoretical_mse on more n and variances (n = 1 gives [0.0] without replacement)",
           points=1, hidden=True)
@check(cases=[(n, v, r) for n, v in [(1, 0.5), (2, 3.0), (3, 1.0), (10, 0.0), (10, 4), (57, 0.3),
                                      (100, _rand100_variance), (1000, 2.5)] for r in (True, False)],
       expect=_theory, judge=_theory_judge,
       describe=lambda n, v, r: f"theoretical_mse({n}, {v:.6g}, replace={r})")
def theory_hidden(m, n, variance, replace):
    return m.theoretical_mse(n, variance, replace)


@test_case(name="mean_squared_error_curve without replacement: shape (n,), exactly 0 at k = n",
           points=1, hidden=False)
@check(cases=[(_rand100, 50, 1), (_skewed30, 20, 2)], expect=None, judge=_zero_at_n,
       describe=lambda a, trials, seed: f"mean_squared_error_curve(a, False, {trials}, "
                                        f"np.random.default_rng({seed})) with n = {len(a)} values")
def zero_at_n(m, a, trials, seed):
    return m.mean_squared_error_curve(np.array(a), False, trials, np.random.default_rng(seed))


@test_case(name="mean_squared_error_curve without replacement matches variance/k (n-k)/(n-1) "
                "within 6 standard errors", points=1, hidden=True)
@check(cases=[(_rand100, False, 1000, 11), (_skewed30, False, 2000, 12)], expect=None,
       judge=_matches_theory,
       describe=lambda a, r, trials, seed: f"mean_squared_error_curve(a, {r}, {trials}, "
                                           f"np.random.default_rng({seed})) with n = {len(a)} values")
def curve_without(m, a, replace, trials, seed):
    return m.mean_squared_error_curve(np.array(a), replace, trials, np.random.default_rng(seed))


@test_case(name="mean_squared_error_curve with replacement matches variance/k within 6 standard errors",
           points=1, hidden=True)
@check(cases=[(_rand100, True, 1000, 13), (_skewed30, True, 2000, 14)], expect=None,
       judge=_matches_theory,
       describe=lambda a, r, trials, seed: f"mean_squared_error_curve(a, {r}, {trials}, "
                                           f"np.random.default_rng({seed})) with n = {len(a)} values")
def curve_with(m, a, replace, trials, seed):
    return m.mean_squared_error_curve(np.array(a), replace, trials, np.random.default_rng(seed))


@test_case(name="mean_squared_error_curve is reproducible: the same generator state gives the same curve",
           points=1, hidden=True)
@check(cases=[(_skewed30, True, 20, 21), (_skewed30, False, 20, 22)], expect=None, judge=_same_twice,
       describe=lambda a, r, trials, seed: f"mean_squared_error_curve(a, {r}, {trials}, rng) twice, "
                                           f"with two generators seeded {seed}")
def curve_reproducible(m, a, replace, trials, seed):
    first = m.mean_squared_error_curve(np.array(a), replace, trials, np.random.default_rng(seed))
    second = m.mean_squared_error_curve(np.array(a), replace, trials, np.random.default_rng(seed))
    return first, second
