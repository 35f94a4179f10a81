"""Correct, written vectorized: permutations from argsort of uniform keys, all trials of the error
curve at once as a matrix, early stopping with numpy, figures built on matplotlib.figure.Figure
(no pyplot) with a figure-level legend and plotting x_0 .. x_T."""

import numpy as np
from matplotlib.figure import Figure


def sample_indices(n, num_samples, replace, rng):
    if replace:
        return rng.choice(n, size=num_samples, replace=True).astype(np.int64)
    passes = (num_samples + n - 1) // n
    keys = rng.random((passes, n))
    perms = np.argsort(keys, axis=1)          # each row an independent uniform permutation
    return perms.reshape(-1)[:num_samples].astype(np.int64)


def running_mean(values):
    v = np.asarray(values, dtype=np.float64)
    return np.cumsum(v) / np.arange(1, v.size + 1)


def mean_squared_error_curve(a, replace, trials, rng):
    a = np.asarray(a, dtype=np.float64)
    n = a.size
    samples = np.stack([a[sample_indices(n, n, replace, rng)] for _ in range(trials)])
    means = np.cumsum(samples, axis=1) / np.arange(1, n + 1)
    return np.mean((means - a.mean()) ** 2, axis=0)


def theoretical_mse(n, variance, replace):
    k = np.arange(1, n + 1)
    base = variance / k
    if replace:
        return base
    correction = (n - k) / (n - 1) if n > 1 else np.zeros(1)
    return base * correction


def sgd(grad_i, x0, n, lr, num_steps, replace, rng):
    order = sample_indices(n, num_steps, replace, rng)
    rate = lr if callable(lr) else (lambda t: lr)
    x = np.array(x0, dtype=np.float64, copy=True)
    out = np.zeros((num_steps,) + x.shape)
    for t in range(num_steps):
        x = x - rate(t) * grad_i(x, order[t])
        out[t] = x
    return out


def least_squares_1d(a, b):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.size != b.size:
        raise ValueError(f"len(a) = {a.size} but len(b) = {b.size}")
    if a.size == 0:
        raise ValueError("empty a and b")
    if not np.all(a):
        raise ValueError("a has a zero entry")
    c = b / a
    return float(np.dot(a, b) / np.dot(a, a)), float(c.min()), float(c.max())


def early_stopping(val_losses, patience):
    if patience < 1:
        raise ValueError("patience < 1")
    losses = np.asarray(val_losses, dtype=float)
    if losses.size == 0:
        raise ValueError("val_losses is empty")
    best_so_far = np.minimum.accumulate(losses)
    improved = np.r_[True, losses[1:] < best_so_far[:-1]]
    last_improvement = np.maximum.accumulate(np.where(improved, np.arange(losses.size), 0))
    waited = np.arange(losses.size) - last_improvement
    stops = np.flatnonzero(waited >= patience)
    end = stops[0] if stops.size else losses.size - 1
    return int(np.argmin(losses[:end + 1]))


def plot_mean_convergence(a, trials, rng):
    a = np.asarray(a, dtype=float)
    n = a.size
    k = np.arange(1, n + 1)
    fig = Figure(figsize=(6, 4))
    ax = fig.subplots()
    with_r = mean_squared_error_curve(a, True, trials, rng)
    without_r = mean_squared_error_curve(a, False, trials, rng)
    ax.plot(k, with_r, label="with replacement (simulation)")
    ax.plot(k, without_r, label="without replacement (simulation)")
    ax.plot(k, theoretical_mse(n, np.var(a), True), "--", label="with replacement (theory)")
    ax.plot(k, theoretical_mse(n, np.var(a), False), "--", label="without replacement (theory)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("number of samples k")
    ax.set_ylabel("E (running mean - mean)^2")
    fig.legend(loc="lower left")
    return fig


def plot_sgd(a, b, lr, num_steps, x0, rng):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    x_star, lo, hi = least_squares_1d(a, b)
    fig = Figure()
    ax = fig.subplots()
    steps = np.arange(num_steps + 1)
    for replace, label in [(False, "Without replacement"), (True, "With replacement")]:
        path = sgd(lambda x, i: a[i] * (a[i] * x - b[i]), x0, a.size, lr, num_steps, replace, rng)
        ax.plot(steps, np.r_[x0, path], label=label)
    ax.axhspan(lo, hi, alpha=0.2, color="gray")
    ax.plot([0, num_steps], [x_star, x_star], "k:", label="minimizer")
    ax.set_xlabel("t")
    ax.set_ylabel("x_t")
    fig.legend()
    return fig
