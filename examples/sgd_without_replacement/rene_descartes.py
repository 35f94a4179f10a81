"""Syntax error: a missing closing parenthesis in theoretical_mse, so the file cannot be imported
at all and nothing can be graded."""

import numpy as np
import matplotlib.pyplot as plt


def sample_indices(n, num_samples, replace, rng):
    if replace:
        return rng.integers(0, n, size=num_samples)
    blocks = [rng.permutation(n) for _ in range(num_samples // n + 1)]
    return np.concatenate(blocks)[:num_samples]


def running_mean(values):
    values = np.asarray(values, dtype=float)
    return np.cumsum(values) / np.arange(1, len(values) + 1)


def theoretical_mse(n, variance, replace):
    k = np.arange(1, n + 1)
    if replace:
        return variance / k
    return (variance / k) * ((n - k) / (n - 1)
