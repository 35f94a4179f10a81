"""Correct, written with explicit loops: a hand-written Fisher-Yates shuffle driven by rng.integers,
a running mean by the update r += (v - r) / k, and plots with fill_between and a scatter marker for x*."""

import numpy as np
import matplotlib.pyplot as plt


def shuffle(n, rng):
    order = list(range(n))
    for i in range(n - 1, 0, -1):          # Fisher-Yates: swap i with a uniform j in 0..i
        j = int(rng.integers(0, i + 1))
        order[i], order[j] = order[j], order[i]
    return order


def sample_indices(n, num_samples, replace, rng):
    out = []
    if replace:
        for _ in range(num_samples):
            out.append(int(rng.integers(0, n)))
    else:
        while len(out) < num_samples:
            out.extend(shuffle(n, rng))
        out = out[:num_samples]
    return np.array(out, dtype=np.int64)


def running_mean(values):
    result = np.zeros(len(values))
    r = 0.0
    for k, v in enumerate(values):
        r += (v - r) / (k + 1)
        result[k] = r
    return result


def mean_squared_error_curve(a, replace, trials, rng):
    a = np.array(a, dtype=float)
    n = len(a)
    mu = np.mean(a)
    acc = np.zeros(n)
    for _ in range(trials):
        idx = sample_indices(n, n, replace, rng)
        acc += (running_mean(a[idx]) - mu) ** 2
    return acc / trials


def theoretical_mse(n, variance, replace):
    out = np.zeros(n)
    for k in range(1, n + 1):
        if replace:
            out[k - 1] = variance / k
        elif n > 1:
            out[k - 1] = variance * (n - k) / (k * (n - 1))
    return out


def sgd(grad_i, x0, n, lr, num_steps, replace, rng):
    idx = sample_indices(n, num_steps, replace, rng)
    x = np.array(x0, dtype=float)
    xs = []
    for t in range(num_steps):
        step = lr(t) if callable(lr) else lr
        x = x - step * grad_i(x, idx[t])
        xs.append(x)
    return np.array(xs, dtype=float).reshape((num_steps,) + np.shape(x0))


def least_squares_1d(a, b):
    if len(a) != len(b):
        raise ValueError("a and b have different lengths")
    if len(a) == 0:
        raise ValueError("a is empty")
    num = den = 0.0
    ratios = []
    for ai, bi in zip(a, b):
        if ai == 0:
            raise ValueError("a contains a zero")
        num += ai * bi
        den += ai * ai
        ratios.append(bi / ai)
    return num / den, min(ratios), max(ratios)


def early_stopping(val_losses, patience):
    if patience < 1:
        raise ValueError("patience must be >= 1")
    if len(val_losses) == 0:
        raise ValueError("val_losses must not be empty")
    best = 0
    bad = 0
    for i in range(1, len(val_losses)):
        if val_losses[i] < val_losses[best]:
            best = i
            bad = 0
        else:
            bad += 1
            if bad >= patience:
                return best
    return best


def plot_mean_convergence(a, trials, rng):
    a = np.asarray(a, dtype=float)
    n = len(a)
    ks = np.arange(1, n + 1)
    fig = plt.figure()
    ax = fig.add_subplot(111)
    ax.loglog(ks, mean_squared_error_curve(a, True, trials, rng), label="measured, with replacement")
    ax.loglog(ks, mean_squared_error_curve(a, False, trials, rng), label="measured, without replacement")
    ax.loglog(ks, theoretical_mse(n, a.var(), True), "k--", label="sigma^2/k")
    ax.loglog(ks, theoretical_mse(n, a.var(), False), "k:", label="sigma^2/k (n-k)/(n-1)")
    ax.set_xlabel("k")
    ax.set_ylabel("MSE")
    ax.legend()
    return fig


def plot_sgd(a, b, lr, num_steps, x0, rng):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    x_star, lo, hi = least_squares_1d(a, b)
    grad = lambda x, i: a[i] * (a[i] * x - b[i])
    fig, ax = plt.subplots()
    t = np.arange(1, num_steps + 1)
    ax.fill_between([0, num_steps], lo, hi, color="yellow", alpha=0.3, label="region of confusion")
    ax.plot(t, sgd(grad, x0, len(a), lr, num_steps, True, rng), label="with replacement")
    ax.plot(t, sgd(grad, x0, len(a), lr, num_steps, False, rng), label="without replacement")
    ax.scatter([num_steps], [x_star], color="red", marker="*", s=80, label="x*", zorder=3)
    ax.set_xlabel("iteration")
    ax.set_ylabel("x")
    ax.legend()
    return fig
