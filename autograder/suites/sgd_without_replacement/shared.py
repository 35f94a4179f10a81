"""Judge helpers shared by the sgd_without_replacement questions, no inputs (this file ships with the
public tests):

* the lecture's formula for the running mean's squared error and the standard error of its trial
  average, used by Q3 (mean_squared_error_curve) and Q7 (the measured lines of plot_mean_convergence);
* the probe and judge of reproducibility: randomness comes from the rng argument only (Q1 and Q3).
"""

import numpy as np

from autograder.checking import Mismatch, fmt

EPS = np.finfo(np.float64).eps


# -- the running mean's squared error: theory and standard errors -------------------------------------

def mse_theory(n, variance, replace):
    """The lecture's formulas, k = 1 .. n: variance/k, times (n-k)/(n-1) without replacement."""
    k = np.arange(1, n + 1, dtype=np.float64)
    if replace:
        return variance / k
    if n == 1:
        return np.zeros(1)  # one value: its mean is exact
    return variance / k * (n - k) / (n - 1)


def moments(a):
    """(sigma^2, mu_4): the population's central second and fourth moments."""
    a = np.asarray(a, dtype=np.float64)
    centered = a - a.mean()
    return float(np.mean(centered ** 2)), float(np.mean(centered ** 4))


def fourth_moment_with(j, sigma2, mu4):
    """E[e^4] for e the mean of j i.i.d. centered draws (variance sigma2, fourth moment mu4):
    (3 j (j-1) sigma2^2 + j mu4) / j^4, from expanding (sum_i Y_i)^4 -- only the terms
    Y_i^4 and Y_i^2 Y_l^2 have nonzero mean."""
    j = np.asarray(j, dtype=np.float64)
    return (3 * j * (j - 1) * sigma2 ** 2 + j * mu4) / j ** 4


def standard_errors(a, replace, trials):
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
    sigma2, mu4 = moments(a)
    k = np.arange(1, n + 1, dtype=np.float64)
    iid = fourth_moment_with(k, sigma2, mu4)
    if replace:
        var = iid - (sigma2 / k) ** 2
    else:
        rest = n - k
        mirrored = np.zeros(n)
        inner = rest > 0
        mirrored[inner] = (rest[inner] / k[inner]) ** 4 * fourth_moment_with(rest[inner], sigma2, mu4)
        var = np.minimum(iid, mirrored)
    rounding = (2 * n * EPS * np.max(np.abs(a))) ** 2
    return np.sqrt(np.maximum(var, 0.0) / trials) + rounding


# -- reproducibility: randomness comes from the rng argument, and only from it -------------------------

RNG_ADVICE = ("draw randomness from the rng argument (rng.integers, rng.permutation, ...): no "
              "np.random.seed, no np.random.* module functions, no new generator inside the function")


def runs_from_rng(call, seed):
    """Probe helper: ``call(rng)`` from a generator seeded ``seed`` under two different global
    np.random seeds, and once from a generator seeded ``seed + 1``.

    Returns (first, second, other, global_state_used): global_state_used is True when a call moved
    np.random's global state (np.random.seed or an np.random.* module function).
    """
    moved = False
    results = []
    for global_seed, rng_seed in ((101, seed), (202, seed), (303, seed + 1)):
        np.random.seed(global_seed)
        results.append(call(np.random.default_rng(rng_seed)))
        moved |= float(np.random.random()) != float(np.random.RandomState(global_seed).random())
    return (*results, moved)


def draws_from_rng(results: str):
    """Judge of ``runs_from_rng``: the same seed gives equal arrays, another seed other arrays, and
    np.random's global state is untouched; ``results`` names the arrays in the message."""

    def same(a, b):
        return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape and np.array_equal(a, b)

    def judge(got, expected, *args):
        first, second, other, global_state_used = got
        if global_state_used:
            raise Mismatch(f"your code used np.random's global state; {RNG_ADVICE}")
        if not same(first, second):
            raise Mismatch(f"two generators made with the same seed gave different {results}: "
                           f"{fmt(first)} and {fmt(second)}; {RNG_ADVICE}")
        if same(first, other):
            raise Mismatch(f"generators with different seeds gave the same {results} {fmt(first)}: they "
                           f"must be random; {RNG_ADVICE}")

    return judge


def noting_global_state(call):
    """Probe helper: (call(), whether it moved np.random's global state)."""
    np.random.seed(404)
    result = call()
    return result, float(np.random.random()) != float(np.random.RandomState(404).random())


def rng_rule_hint(judge):
    """Judge of ``noting_global_state``: ``judge`` on the result; when it fails and the code used
    np.random's global state, the message says which rule was broken, not only the statistics."""

    def hinted(got, expected, *args):
        result, global_state_used = got
        try:
            judge(result, expected, *args)
        except Mismatch as failure:
            if global_state_used:
                raise Mismatch(f"{failure} -- your code used np.random's global state; {RNG_ADVICE}") from None
            raise

    return hinted
