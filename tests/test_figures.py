"""plot_sgd's figure checks read data, not pixels: every correct way to draw passes, one cause costs
one check, and a diverging SGD path does not break the shading check.

Each variant is the reference solution with ``plot_sgd`` replaced by another drawing of the same
figure; the checks run in-process (probe, then verdict), as under otter.
"""

import os
import textwrap

os.environ.setdefault("MPLBACKEND", "Agg")

import pytest  # noqa: E402

from autograder.engine.suite import reference_solution  # noqa: E402
from autograder.suites.sgd_without_replacement import q7_figures as q7  # noqa: E402

# The plot_sgd header shared by every variant: the two paths, x_star, lo, hi.
_HEAD = '''
def plot_sgd(a, b, lr, num_steps, x0, rng):
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle
    a = np.asarray(a, dtype=float); b = np.asarray(b, dtype=float)
    x_star, lo, hi = least_squares_1d(a, b)
    grad = lambda x, i: a[i] * (a[i] * x - b[i])
    steps = np.arange(num_steps + 1)
    fig, ax = plt.subplots()
    for replace, name in [(True, "with replacement"), (False, "without replacement")]:
        path = np.concatenate([[x0], sgd(grad, x0, len(a), lr, num_steps, replace, rng)])
        ax.plot(steps, path, label=LABEL.format(name))
    ax.set_xlabel("step"); ax.set_ylabel("x")
'''

_SHADE = {
    "axhspan": "ax.axhspan(lo, hi, alpha=0.2)",
    "fill_between": "ax.fill_between(steps, lo, hi, alpha=0.2)",
    "Rectangle": "ax.add_patch(Rectangle((0, lo), num_steps, hi - lo, alpha=0.2))",
    "fill (Polygon)": "ax.fill([0, num_steps, num_steps, 0], [lo, lo, hi, hi], alpha=0.2)",
    "none": "pass",
}
_MARK = {
    "axhline": "ax.axhline(x_star, ls='--', label='x*')",
    "hlines": "ax.hlines(x_star, 0, num_steps, colors='k', label='x*')",
    "plot": "ax.plot([0, num_steps], [x_star, x_star], 'k--', label='x*')",
    "scatter": "ax.scatter([num_steps], [x_star], label='x*')",
}

# sgd with a sign error: x + lr * grad, the iterates grow like 1.25^t (about 1e10 after 100 steps)
_DIVERGING_SGD = '''
def sgd(grad_i, x0, n, lr, num_steps, replace, rng):
    x, out = float(x0), []
    for i in sample_indices(n, num_steps, replace, rng):
        x = x + lr * grad_i(x, i)
        out.append(x)
    return np.array(out)
'''


def _module(shade="axhspan", mark="axhline", label="{}", extra=""):
    """The reference's namespace with plot_sgd drawn this way (and optionally sgd replaced)."""
    namespace = dict(vars(reference_solution("sgd_without_replacement")))
    source = (_HEAD.replace("LABEL", repr(label)) + textwrap.indent(f"{_SHADE[shade]}\n{_MARK[mark]}\n"
              "ax.legend()\nreturn fig\n", "    "))
    exec(compile(extra + source, "<variant>", "exec"), namespace)
    return namespace


def _verdict(test, namespace):
    check = test.test_func.check
    return check.verdict(check.run_probes(namespace))


@pytest.mark.parametrize("shade", ["axhspan", "fill_between", "Rectangle", "fill (Polygon)"])
@pytest.mark.parametrize("mark", list(_MARK))
def test_every_correct_drawing_passes_both_checks(shade, mark):
    namespace = _module(shade, mark)
    assert _verdict(q7.sgd_figure_structure, namespace) is None
    assert _verdict(q7.sgd_figure_data, namespace) is None


@pytest.mark.parametrize("shade", ["axhspan", "fill_between", "Rectangle"])
def test_a_diverging_path_does_not_fail_the_shading_check(shade):
    namespace = _module(shade, "axhline", extra=_DIVERGING_SGD)
    assert _verdict(q7.sgd_figure_structure, namespace) is None  # shading and x* are right
    # The paths are the student's own (wrong) sgd's, drawn as asked: the sgd bug costs Q5, and the
    # figure, which is about drawing, is judged against the student's own values (round 3).
    assert _verdict(q7.sgd_figure_data, namespace) is None


def test_a_path_that_is_neither_sgd_nor_the_students_own_fails_the_data_check():
    # plot_sgd steps with the sign error itself instead of calling sgd: not the student's sgd output,
    # and not SGD steps on this problem
    namespace = _module("axhspan", "axhline", extra=_DIVERGING_SGD)
    namespace["sgd_in_plot"] = namespace["sgd"]
    exec(compile(_HEAD.replace("sgd(grad, x0", "sgd_in_plot(grad, x0").replace("LABEL", "'{}'")
                 + "    ax.axhspan(lo, hi)\n    ax.axhline(x_star)\n    ax.legend()\n    return fig\n",
                 "<variant>", "exec"), namespace)
    namespace["sgd"] = reference_solution("sgd_without_replacement").sgd  # the student's own sgd is right
    message = _verdict(q7.sgd_figure_data, namespace)
    assert message and "SGD step" in message


def test_missing_shading_costs_only_the_structure_check():
    namespace = _module("none")
    assert "shade the region of confusion" in _verdict(q7.sgd_figure_structure, namespace)
    assert _verdict(q7.sgd_figure_data, namespace) is None


def test_missing_labels_cost_only_the_structure_check():
    namespace = _module(label="path {}")  # "path with replacement": not the names asked for
    assert "labelled" in _verdict(q7.sgd_figure_structure, namespace)
    assert _verdict(q7.sgd_figure_data, namespace) is None


def test_a_wrong_shading_range_still_fails():
    namespace = _module()
    exec(compile(_HEAD.replace("LABEL", "'{}'") + "    ax.axhspan(lo, 0.9 * hi)\n    ax.axhline(x_star)\n"
                 "    ax.legend()\n    return fig\n", "<variant>", "exec"), namespace)
    assert "shade the region of confusion" in _verdict(q7.sgd_figure_structure, namespace)


def test_mean_convergence_linear_axes_cost_only_the_structure_check():
    namespace = dict(vars(reference_solution("sgd_without_replacement")))
    exec(compile('''
def plot_mean_convergence(a, trials, rng):
    import matplotlib.pyplot as plt
    n = len(a)
    k = np.arange(1, n + 1)
    fig, ax = plt.subplots()
    for replace in (True, False):  # measured and theory, linear axes, no labels: structure only
        ax.plot(k, mean_squared_error_curve(a, replace, trials, rng))
        ax.plot(k, theoretical_mse(n, a.var(), replace))
    return fig
''', "<variant>", "exec"), namespace)
    assert "logarithmic" in _verdict(q7.mean_figure_structure, namespace)
    assert _verdict(q7.mean_figure_data, namespace) is None
