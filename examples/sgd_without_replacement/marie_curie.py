"""Crashes at import: a leftover experiment at the top of the file calls default_rng without the
`np.` prefix (NameError at top level) before any function is defined, so nothing can be graded."""

import numpy as np
import matplotlib.pyplot as plt

# quick look at the data before writing the functions
rng = default_rng(0)
data = rng.random(100)
print(data.mean(), data.var())


def sample_indices(n, num_samples, replace, rng):
    if replace:
        return rng.integers(0, n, num_samples)
    reps = -(-num_samples // n)
    return np.concatenate([rng.permutation(n) for _ in range(reps)])[:num_samples]


def running_mean(values):
    v = np.asarray(values, dtype=float)
    return np.cumsum(v) / np.arange(1, len(v) + 1)


def mean_squared_error_curve(a, replace, trials, rng):
    a = np.asarray(a, dtype=float)
    err = np.zeros(len(a))
    for _ in range(trials):
        err += (running_mean(a[sample_indices(len(a), len(a), replace, rng)]) - a.mean()) ** 2
    return err / trials


def theoretical_mse(n, variance, replace):
    k = np.arange(1, n + 1)
    if replace:
        return variance / k
    return variance / k * (n - k) / max(n - 1, 1)
