"""Hangs in early_stopping only: the scan jumps from one improvement to the next but forgets the
end of the list, so whenever training never stops (e.g. losses that keep improving) the index runs
past the end and the `while True` loop never exits.  Every other function is right."""

import numpy as np
import matplotlib.pyplot as plt


def sample_indices(n, num_samples, replace, rng):
    if replace:
        return rng.integers(0, n, size=num_samples).astype(np.int64)
    idx = np.empty(0, dtype=np.int64)
    while idx.size < num_samples:
        idx = np.concatenate([idx, rng.permutation(n)])
    return idx[:num_samples]


def running_mean(values):
    values = np.asarray(values, dtype=float)
    return np.cumsum(values) / np.arange(1, values.size + 1)


def mean_squared_error_curve(a, replace, trials, rng):
    a = np.asarray(a, dtype=float)
    n = a.size
    total = np.zeros(n)
    for _ in range(trials):
        total += (running_mean(a[sample_indices(n, n, replace, rng)]) - a.mean()) ** 2
    return total / trials


def theoretical_mse(n, variance, replace):
    k = np.arange(1, n + 1, dtype=float)
    if replace:
        return variance / k
    if n == 1:
        return np.zeros(1)
    return variance / k * (n - k) / (n - 1)


def sgd(grad_i, x0, n, lr, num_steps, replace, rng):
    idx = sample_indices(n, num_steps, replace, rng)
    x = np.asarray(x0, dtype=float)
    out = np.empty((num_steps,) + x.shape)
    for t in range(num_steps):
        eta = lr(t) if callable(lr) else lr
        x = x - eta * grad_i(x, idx[t])
        out[t] = x
    return out


def least_squares_1d(a, b):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.shape != b.shape or a.size == 0:
        raise ValueError("a and b must be nonempty and of the same length")
    if np.any(a == 0):
        raise ValueError("a must have no zero entries")
    r = b / a
    return float(a @ b / (a @ a)), float(r.min()), float(r.max())


def early_stopping(val_losses, patience):
    if patience < 1:
        raise ValueError("patience must be positive")
    if not val_losses:
        raise ValueError("val_losses is empty")
    i = 0  # index of the best loss so far
    while True:
        # look for the next strict improvement within `patience` evaluations
        j = i + 1
        while j < len(val_losses) and j - i <= patience and val_losses[j] >= val_losses[i]:
            j += 1
        if j - i > patience:
            return i  # ran out of patience
        i = j


def plot_mean_convergence(a, trials, rng):
    a = np.asarray(a, dtype=float)
    n = a.size
    k = np.arange(1, n + 1)
    fig, ax = plt.subplots()
    for replace, name in [(True, "with replacement"), (False, "without replacement")]:
        ax.plot(k, mean_squared_error_curve(a, replace, trials, rng), label=name + " (measured)")
        ax.plot(k, theoretical_mse(n, a.var(), replace), "--", label=name + " (theory)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("k")
    ax.set_ylabel("mean squared error")
    ax.legend()
    return fig


def plot_sgd(a, b, lr, num_steps, x0, rng):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    x_star, lo, hi = least_squares_1d(a, b)
    fig, ax = plt.subplots()
    ax.axhspan(lo, hi, alpha=0.25, label="region of confusion")
    for replace, name in [(True, "with replacement"), (False, "without replacement")]:
        xs = sgd(lambda x, i: a[i] * (a[i] * x - b[i]), x0, a.size, lr, num_steps, replace, rng)
        ax.plot(np.arange(1, num_steps + 1), xs, label=name)
    ax.axhline(x_star, color="k", ls="--", label="x*")
    ax.set_xlabel("step")
    ax.set_ylabel("x")
    ax.legend()
    return fig
