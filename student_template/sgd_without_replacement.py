"""Sampling with vs without replacement, and SGD's fast start and slow finish (18.065, Lecture 27).

Fill in every function below (replace each `raise NotImplementedError(...)`).  The handout
(handout.md) explains the ideas and the exact rules the autograder follows.

Rules: import only the standard library, numpy and matplotlib.  All randomness must come from the
`rng` argument (a numpy.random.Generator): no np.random.seed, no np.random.rand/permutation/...
module functions.  Print nothing.  Check your work with `python check.py sgd_without_replacement.py`
and draw the figures with `python draw_figures.py`.
"""

import numpy as np
import matplotlib.pyplot as plt


# --------------------------------------------------------------------------------------------
# Project 1: the running average, with and without replacement
# --------------------------------------------------------------------------------------------

def sample_indices(n, num_samples, replace, rng):
    """Return `num_samples` indices in range(n): a numpy array of dtype int64, shape (num_samples,).

    replace=True : independent uniform draws from range(n).
    replace=False: random reshuffling.  Each consecutive block of n entries is a uniformly random
                   permutation of range(n), drawn afresh for every block (never reuse an order);
                   when num_samples is not a multiple of n, the last, partial block is the start of
                   a fresh permutation.
    num_samples may be 0 (an empty int64 array).
    Use only `rng` (e.g. rng.integers, rng.permutation, rng.choice) for randomness.
    """
    raise NotImplementedError("TODO: sample_indices")


def running_mean(values):
    """Return r with r[k] = mean(values[:k+1]) for k = 0 .. len(values)-1 (float64 array).

    It must take O(len(values)) time: do not recompute each mean from scratch.  values may be a list
    or an array of ints or floats, and may be empty (then return an empty float64 array).
    """
    raise NotImplementedError("TODO: running_mean")


def mean_squared_error_curve(a, replace, trials, rng):
    """Return the average squared error of the running mean, for k = 1 .. n (shape (n,), n = len(a)).

    In each of `trials` trials: draw n indices with sample_indices(n, n, replace, rng), take the
    running mean of a[indices], and its squared error against a.mean().  Average over the trials.
    """
    raise NotImplementedError("TODO: mean_squared_error_curve")


def theoretical_mse(n, variance, replace):
    """Return the exact mean squared error of the k-th running mean, for k = 1 .. n (shape (n,)).

    With replacement: variance / k.  Without replacement: variance / k * (n - k) / (n - 1), the
    finite-population correction (exactly 0 at k = n; for n = 1 that is the single value 0.0).
    `variance` is the population variance a.var() (ddof = 0).
    """
    raise NotImplementedError("TODO: theoretical_mse")


# --------------------------------------------------------------------------------------------
# Project 2: SGD on least squares, the region of confusion, early stopping
# --------------------------------------------------------------------------------------------

def sgd(grad_i, x0, n, lr, num_steps, replace, rng):
    """Stochastic gradient descent on F(x) = sum_i f_i(x); return the iterates x_1 .. x_T.

    - Draw all the indices first, with ONE call sample_indices(n, num_steps, replace, rng).
    - Then for t = 0, 1, ..., T-1:  x_{t+1} = x_t - lr_t * grad_i(x_t, i_t), where lr_t is `lr`
      if lr is a number, or lr(t) if lr is a function of the step t.
    - x0 is a number or a numpy array; the result has shape (num_steps,) + shape(x0), float64,
      and does not include x0.  Do not modify the caller's x0.
    """
    raise NotImplementedError("TODO: sgd")


def least_squares_1d(a, b):
    """Return (x_star, lo, hi) for F(x) = 1/2 sum_i (a_i x - b_i)^2.

    x_star is the minimizer of F; [lo, hi] is the region of confusion, the interval spanned by the
    minimizers of the single terms 1/2 (a_i x - b_i)^2.  Three floats, also for int inputs.  Raise
    ValueError (with a message that names the argument: the word itself, any letter case) when a
    and b differ in length, are empty, or some a_i is 0.
    """
    raise NotImplementedError("TODO: least_squares_1d")


def early_stopping(val_losses, patience):
    """Return the index of the best (lowest) validation loss seen before training stops.

    Training stops at the first evaluation that ends a run of `patience` consecutive evaluations
    without a STRICT improvement on the best loss so far.  If it never stops, return the index of
    the lowest loss overall (the first one, on ties).  Raise ValueError (naming the argument) for
    patience < 1 or an empty val_losses.
    """
    raise NotImplementedError("TODO: early_stopping")


# --------------------------------------------------------------------------------------------
# Figures (python draw_figures.py saves them as PNG files)
# --------------------------------------------------------------------------------------------

def plot_mean_convergence(a, trials, rng):
    """Return a matplotlib Figure with ONE log-log axes showing, against k = 1 .. n, four labelled
    lines: the measured curves (mean_squared_error_curve) with and without replacement, and the
    two theoretical curves (theoretical_mse with variance a.var()); label both axes; add a legend.
    """
    raise NotImplementedError("TODO: plot_mean_convergence")


def plot_sgd(a, b, lr, num_steps, x0, rng):
    """Return a matplotlib Figure showing the iterates of sgd on F(x) = 1/2 sum (a_i x - b_i)^2
    against the step, one line labelled "with replacement" and one "without replacement" (the same
    lr, num_steps and x0 for both; letter case does not matter), on one axes or on two panels;
    shade the region of confusion [lo, hi] (e.g. ax.axhspan) and mark x_star (e.g. ax.axhline)
    where the paths are drawn; label both axes; add a legend.
    """
    raise NotImplementedError("TODO: plot_sgd")
