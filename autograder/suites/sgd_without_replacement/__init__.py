"""Test suite of the sgd_without_replacement assignment (otter test files q*.py).

EDGES.md (beside this file) lists, rule by rule from the handout, the edges of each rule's domain and
the check that probes each one; SURVIVORS.md the mutants of the reference no check can catch, and why.
``SUBJECTS``: the functions of the reference each question grades (its mutation score in
``python -m autograder.authoring.strength sgd_without_replacement`` is over the mutants of these).
"""

SUBJECTS = {
    "q1_sample_indices": ("sample_indices",),
    "q2_running_mean": ("running_mean",),
    "q3_mean_squared_error": ("theoretical_mse", "mean_squared_error_curve"),
    "q4_region_of_confusion": ("least_squares_1d",),
    "q5_sgd": ("sgd",),
    "q6_early_stopping": ("early_stopping",),
    "q7_figures": ("plot_mean_convergence", "plot_sgd"),
}
