"""Sampling with vs without replacement, and SGD's fast start and slow finish (18.065, Lecture 27).

Professor Strang opens Lecture 27 with two project ideas from Professor Sra's lecture on stochastic
gradient descent.

1. **With or without replacement?**  SGD samples one term of the loss at a time.  "Do you put it
   back in the pot every time", or "make a list of random order of all the samples and go through
   them"?  Take n = 100 numbers from rand() and watch their running average approach the true mean.
   With replacement the k-th running mean is the mean of k independent draws, so its mean squared
   error is sigma^2 / k.  Without replacement (random reshuffling) it is the mean of k distinct
   values, and the finite-population correction multiplies that by (n - k) / (n - 1): after one full
   pass the average is exactly right.

2. **Fast start, slow finish.**  On a least-squares problem F(x) = 1/2 sum_i (a_i x - b_i)^2, each
   term i is minimized at b_i / a_i.  Far from the answer every term pulls the same way and SGD
   moves fast; once x is inside the interval spanned by those minimizers (the "region of
   confusion") the terms disagree and SGD wanders around x_star instead of converging.  Hence
   "early stopping": stop when the validation loss has not improved for a while.

All randomness comes from the ``rng`` argument (a ``numpy.random.Generator``), so every result is
reproducible from the generator's state.
"""

import numpy as np
import matplotlib.pyplot as plt


# --------------------------------------------------------------------------------------------
# Project 1: the running average, with and without replacement
# --------------------------------------------------------------------------------------------

def sample_indices(n, num_samples, replace, rng):
    """``num_samples`` indices in range(n) as an int64 array.

    replace=True : independent uniform draws ("put it back in the pot every time").
    replace=False: random reshuffling -- a fresh random permutation of range(n) for every pass
                   (epoch) through the data; a last, partial pass is the start of a fresh one.
    """
    if replace:
        return rng.integers(0, n, size=num_samples, dtype=np.int64)
    passes = -(-num_samples // n)  # ceil(num_samples / n): the last pass may be partial
    # A new permutation for every pass: reusing one order would make all epochs identical.
    blocks = [rng.permutation(n) for _ in range(passes)]
    order = np.concatenate(blocks) if blocks else np.empty(0, dtype=np.int64)
    return order[:num_samples].astype(np.int64)


def running_mean(values):
    """r[k] = mean(values[:k+1]) for every k, in O(len(values)) time.

    A cumulative sum gives all the partial sums in one pass; recomputing each mean from scratch
    would cost O(n^2).
    """
    values = np.asarray(values, dtype=np.float64)
    counts = np.arange(1, len(values) + 1)
    return np.cumsum(values) / counts


def mean_squared_error_curve(a, replace, trials, rng):
    """The average over ``trials`` runs of (running mean of a[indices] - a.mean())^2, k = 1..n.

    Each run visits n = len(a) samples, drawn by ``sample_indices(n, n, replace, rng)``.
    """
    a = np.asarray(a, dtype=np.float64)
    n = len(a)
    target = a.mean()
    total = np.zeros(n)
    for _ in range(trials):
        indices = sample_indices(n, n, replace, rng)
        total += (running_mean(a[indices]) - target) ** 2
    return total / trials


def theoretical_mse(n, variance, replace):
    """The exact mean squared error of the k-th running mean, k = 1..n.

    With replacement the k draws are independent: variance / k.  Without replacement they are k
    distinct values out of n, and the covariance between two of them, -variance / (n - 1), shrinks
    the error by the finite-population correction (n - k) / (n - 1), which is 0 at k = n (a full
    pass averages every value exactly once).  ``variance`` is the population variance a.var().
    """
    k = np.arange(1, n + 1, dtype=np.float64)
    mse = variance / k
    if not replace:
        if n == 1:
            return np.zeros(1)  # one value: the first "average" is already exact (and 0/0 is not)
        mse = mse * (n - k) / (n - 1)
    return mse


# --------------------------------------------------------------------------------------------
# Project 2: SGD on least squares, the region of confusion, early stopping
# --------------------------------------------------------------------------------------------

def sgd(grad_i, x0, n, lr, num_steps, replace, rng):
    """Stochastic gradient descent on F(x) = sum_i f_i(x): x_{t+1} = x_t - lr_t grad_i(x_t, i_t).

    The indices i_0 .. i_{T-1} are drawn once, up front, by ``sample_indices``; ``lr`` is a number
    or a function of the step t.  Returns the iterates x_1 .. x_T, shape (T,) + shape(x0).
    """
    indices = sample_indices(n, num_steps, replace, rng)
    step_size = lr if callable(lr) else (lambda t: lr)
    x = np.asarray(x0, dtype=np.float64)  # a float copy: never modify the caller's x0
    iterates = np.empty((num_steps,) + x.shape)
    for t, i in enumerate(indices):
        x = x - step_size(t) * grad_i(x, i)
        iterates[t] = x
    return iterates


def least_squares_1d(a, b):
    """Minimizer and region of confusion of F(x) = 1/2 sum_i (a_i x - b_i)^2.

    Setting F'(x) = sum_i a_i (a_i x - b_i) = 0 gives x_star = sum a_i b_i / sum a_i^2.  Term i alone
    is minimized at b_i / a_i; x_star is a weighted average of those (weights a_i^2), so it lies
    in [min_i b_i / a_i, max_i b_i / a_i]: the region of confusion, where the terms' gradients
    point in different directions.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same length (got {a.size} and {b.size})")
    if a.size == 0:
        raise ValueError("a and b must not be empty")
    if np.any(a == 0):
        raise ValueError("every a_i must be nonzero (term i is minimized at b_i / a_i)")
    x_star = float(a @ b / (a @ a))
    ratios = b / a
    return x_star, float(ratios.min()), float(ratios.max())


def early_stopping(val_losses, patience):
    """Index of the best validation loss seen before training stops.

    Training stops at the first evaluation that ends a run of ``patience`` consecutive evaluations
    without a strict improvement on the best so far.  If it never stops, the index of the lowest
    loss overall (the first one, on ties: a tie is not an improvement).
    """
    if patience < 1:
        raise ValueError(f"patience must be at least 1, got {patience}")
    if len(val_losses) == 0:
        raise ValueError("val_losses is empty")
    best_index, best = 0, val_losses[0]
    waited = 0
    for i in range(1, len(val_losses)):
        if val_losses[i] < best:
            best_index, best = i, val_losses[i]
            waited = 0
        else:
            waited += 1
            if waited == patience:
                break  # stop training here
    return best_index


# --------------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------------

def plot_mean_convergence(a, trials, rng):
    """Log-log plot of the running mean's squared error: measured and theoretical, both samplings."""
    a = np.asarray(a, dtype=np.float64)
    n = len(a)
    k = np.arange(1, n + 1)
    fig, ax = plt.subplots(figsize=(7, 4.5))
    smallest = np.inf
    for replace, name, color in [(True, "with replacement", "C0"), (False, "without replacement", "C1")]:
        measured = mean_squared_error_curve(a, replace, trials, rng)
        theory = theoretical_mse(n, a.var(), replace)
        ax.plot(k, measured, color=color, lw=2, alpha=0.6, label=f"{name}: measured ({trials} trials)")
        ax.plot(k, theory, color=color, lw=1, ls="--", label=f"{name}: theory")
        if np.any(theory > 0):
            smallest = min(smallest, theory[theory > 0].min())
    ax.set_xscale("log")
    ax.set_yscale("log")
    if np.isfinite(smallest):
        # Without replacement the error is exactly 0 at k = n (rounding level, ~1e-33, when
        # measured): keep the axis on the interesting range, so that curve plunges off the bottom.
        ax.set_ylim(bottom=smallest / 5)
        ax.annotate("without replacement:\nexactly 0 at k = n", xy=(n, smallest / 5), xytext=(0.4, 0.1),
                    textcoords="axes fraction", arrowprops=dict(arrowstyle="->", color="C1"), color="C1")
    ax.set_xlabel("k (number of samples averaged)")
    ax.set_ylabel("mean squared error of the running mean")
    ax.set_title(f"Running mean of n = {n} numbers: error after k samples")
    ax.legend(loc="upper right", fontsize=9)
    ax.grid(True, which="major", alpha=0.3)
    fig.tight_layout()
    return fig


def plot_sgd(a, b, lr, num_steps, x0, rng):
    """SGD iterates on the 1-D least-squares problem for both samplings, with the region of confusion."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    n = len(a)
    x_star, lo, hi = least_squares_1d(a, b)

    def grad(x, i):  # gradient of the single term 1/2 (a_i x - b_i)^2
        return a[i] * (a[i] * x - b[i])

    steps = np.arange(num_steps + 1)
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.axhspan(lo, hi, color="0.85", label="region of confusion")
    for replace, name, color in [(True, "with replacement", "C0"), (False, "without replacement", "C1")]:
        iterates = sgd(grad, x0, n, lr, num_steps, replace, rng)
        # A dot at the end of every pass over the n terms: there, without replacement, every term
        # has pulled exactly once and the iterate lands close to x_star.
        ax.plot(steps, np.concatenate([[x0], iterates]), color=color, lw=1, label=name,
                marker="o", ms=3.5, markevery=slice(0, None, n))
    ax.axhline(x_star, color="k", ls="--", lw=1, label="x* (minimizer)")
    ax.set_xlabel("step t")
    ax.set_ylabel("iterate x_t")
    ax.set_title("SGD on least squares: fast start, then wandering in the region of confusion\n"
                 f"(dots: the end of each pass through the n = {n} terms)", fontsize=10)
    ax.legend(loc="lower right")
    fig.tight_layout()
    return fig
