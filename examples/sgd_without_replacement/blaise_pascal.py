"""Bug: least_squares_1d computes the region of confusion from a_i / b_i instead of b_i / a_i
(x_star is right).  The SGD figure shades the wrong band."""

import numpy as np
import matplotlib.pyplot as plt


def sample_indices(n, num_samples, replace, rng):
    # replace=True: pick each index independently
    # replace=False: go through a shuffled list, reshuffle after every pass
    if replace:
        return rng.integers(n, size=num_samples)
    result = []
    while len(result) < num_samples:
        perm = rng.permutation(n)
        for j in perm:
            if len(result) == num_samples:
                break
            result.append(j)
    return np.array(result, dtype=np.int64)


def running_mean(values):
    out = np.zeros(len(values))
    total = 0.0
    for k in range(len(values)):
        total += values[k]
        out[k] = total / (k + 1)
    return out


def mean_squared_error_curve(a, replace, trials, rng):
    a = np.array(a, dtype=float)
    n = len(a)
    true_mean = a.mean()
    errors = np.zeros((trials, n))
    for trial in range(trials):
        idx = sample_indices(n, n, replace, rng)
        errors[trial] = (running_mean(a[idx]) - true_mean) ** 2
    return errors.mean(axis=0)


def theoretical_mse(n, variance, replace):
    k = np.arange(1, n + 1)
    if replace:
        return variance / k
    if n == 1:
        return np.array([0.0])
    # finite population correction
    return variance / k * (n - k) / (n - 1)


def sgd(grad_i, x0, n, lr, num_steps, replace, rng):
    indices = sample_indices(n, num_steps, replace, rng)
    x = np.array(x0, dtype=float)
    history = []
    for t in range(num_steps):
        if callable(lr):
            step = lr(t)
        else:
            step = lr
        x = x - step * grad_i(x, indices[t])
        history.append(x)
    return np.array(history)


def least_squares_1d(a, b):
    if len(a) != len(b):
        raise ValueError("a and b must have the same length")
    if len(a) == 0:
        raise ValueError("a and b are empty")
    a = np.array(a, dtype=float)
    b = np.array(b, dtype=float)
    if (a == 0).any():
        raise ValueError("every a_i must be nonzero")
    x_star = np.sum(a * b) / np.sum(a * a)
    with np.errstate(divide="ignore"):
        minimizers = a / b
    return x_star, minimizers.min(), minimizers.max()


def early_stopping(val_losses, patience):
    if patience < 1:
        raise ValueError("patience must be at least 1")
    if len(val_losses) == 0:
        raise ValueError("val_losses must not be empty")
    best = val_losses[0]
    best_index = 0
    waited = 0
    for i, loss in enumerate(val_losses):
        if i == 0:
            continue
        if loss < best:
            best = loss
            best_index = i
            waited = 0
        else:
            waited += 1
        if waited == patience:
            return best_index
    return best_index


def plot_mean_convergence(a, trials, rng):
    a = np.array(a, dtype=float)
    n = len(a)
    ks = np.arange(1, n + 1)
    var = np.var(a)
    fig, ax = plt.subplots(figsize=(7, 5))
    ax.loglog(ks, mean_squared_error_curve(a, True, trials, rng), "b-", label="with replacement")
    ax.loglog(ks, mean_squared_error_curve(a, False, trials, rng), "r-", label="without replacement")
    ax.loglog(ks, theoretical_mse(n, var, True), "b:", label="theory, with replacement")
    ax.loglog(ks, theoretical_mse(n, var, False), "r:", label="theory, without replacement")
    ax.set_xlabel("number of samples k")
    ax.set_ylabel("average squared error")
    ax.set_title("running mean of rand() numbers")
    ax.legend()
    return fig


def plot_sgd(a, b, lr, num_steps, x0, rng):
    a = np.array(a, dtype=float)
    b = np.array(b, dtype=float)
    x_star, lo, hi = least_squares_1d(a, b)

    def grad(x, i):
        return a[i] * (a[i] * x - b[i])

    fig, ax = plt.subplots(figsize=(7, 5))
    steps = np.arange(num_steps + 1)
    with_r = sgd(grad, x0, len(a), lr, num_steps, True, rng)
    without_r = sgd(grad, x0, len(a), lr, num_steps, False, rng)
    ax.plot(steps, np.concatenate([[x0], with_r]), label="with replacement")
    ax.plot(steps, np.concatenate([[x0], without_r]), label="without replacement")
    ax.axhspan(lo, hi, color="green", alpha=0.15, label="region of confusion")
    ax.axhline(x_star, color="black", linestyle="--", label="x*")
    ax.set_xlabel("step")
    ax.set_ylabel("x")
    ax.legend()
    return fig
