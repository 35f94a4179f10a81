"""Draw the assignment's two figures from your module: run `python draw_figures.py` in this folder.

It imports your `sgd_without_replacement.py` from the current folder and writes
    mean_convergence.png   the running mean's squared error, with and without replacement (log-log)
    sgd.png                SGD on a 1-D least-squares problem: fast start, then the region of confusion
Compare them with the reference solution's figures, shown in handout.md (and in figures/ next to
this script).  The seed is fixed, so every run draws the same data.
"""

import argparse

argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()

import matplotlib  # noqa: E402

matplotlib.use("Agg")  # draw into files; no window needed

import numpy as np  # noqa: E402

import sgd_without_replacement as hw  # noqa: E402

rng = np.random.default_rng(18065)

# Project 1: the lecture's example, n = 100 numbers from rand().
a = rng.random(100)
fig = hw.plot_mean_convergence(a, trials=2000, rng=rng)
fig.savefig("mean_convergence.png", dpi=150)
print("wrote mean_convergence.png")

# Project 2: F(x) = 1/2 sum_i (a_i x - b_i)^2 with 10 terms whose minimizers b_i/a_i are spread
# around 1; SGD starts far away, at x0 = -3, with a constant step 0.25.
a = rng.uniform(0.5, 1.5, size=10)
b = a * (1.0 + 0.5 * rng.standard_normal(10))
fig = hw.plot_sgd(a, b, lr=0.25, num_steps=150, x0=-3.0, rng=rng)
fig.savefig("sgd.png", dpi=150)
print("wrote sgd.png")
