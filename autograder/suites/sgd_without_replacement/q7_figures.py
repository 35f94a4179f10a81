"""Q7 -- The two figures: the running mean's error (log-log) and SGD's iterates with the region of confusion."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")  # no display while grading

import matplotlib

matplotlib.use("Agg")

import numpy as np
from otter.test_files import test_case

from autograder.checking import Mismatch, check, fmt, keep_figure, seeded
from autograder.suites.sgd_without_replacement.shared import mse_theory, standard_errors

OK_FORMAT = False
name = "q7_figures"

# -- probe-side helper: a student's Figure -> plain data ---------------------------------------------

def _floats(values):
    try:
        return np.asarray(values, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        return None


def _y_in_data(transform, ax, points):
    """The y coordinates of ``points``, given in the coordinates ``transform`` maps to the display,
    as data values.

    Read straight from the points when their y coordinate already is data (ax.transData, or the
    blended transform of axhspan / axhline: x in axes fractions, y in data); only other transforms
    go through the display, which loses precision when the y-range is huge (a diverging path).
    """
    points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    if transform == ax.transData or transform == ax.get_yaxis_transform():
        return points[:, 1]
    return ax.transData.inverted().transform(transform.transform(points))[:, 1]


def _figure_data(fig, keep_as):
    """What a grader reads off a figure: axes, scales, labels, legend, lines, shaded y-ranges, and
    the y values of horizontal marks (axhline, hlines, scatter points), all in data coordinates.

    Runs in the student's process on the student's Figure and returns plain data only; the figure
    is saved beside the feedback (``keep_figure``) and closed.
    """
    import matplotlib.pyplot as plt
    from matplotlib.artist import Artist
    from matplotlib.collections import LineCollection, PolyCollection
    from matplotlib.figure import Figure

    if not isinstance(fig, Figure):
        return {"figure": False, "type": type(fig).__name__}
    keep_figure(fig, keep_as)
    axes = []
    for ax in fig.axes:
        lines = [{"label": str(line.get_label()), "x": _floats(line.get_xdata()), "y": _floats(line.get_ydata())}
                 for line in ax.get_lines()]
        spans, points = [], []
        for patch in ax.patches:  # axhspan / Rectangle / Polygon: the shape in the patch's own coordinates
            verts = patch.get_patch_transform().transform(patch.get_path().vertices)
            y = _y_in_data(Artist.get_transform(patch), ax, verts)  # the transform after the patch's own
            if y.size:
                spans.append([float(y.min()), float(y.max())])
        for coll in ax.collections:
            if isinstance(coll, LineCollection):  # hlines / vlines: each horizontal segment marks a y
                for seg in coll.get_segments():
                    y = _y_in_data(coll.get_transform(), ax, seg)
                    if y.size and np.all(y == y[0]):
                        points.append(float(y[0]))
            elif isinstance(coll, PolyCollection):  # fill_between
                for path in coll.get_paths():
                    if len(path.vertices):
                        y = _y_in_data(coll.get_transform(), ax, path.vertices)
                        spans.append([float(y.min()), float(y.max())])
            else:  # scatter: marker positions
                offsets = np.asarray(coll.get_offsets(), dtype=np.float64)
                if offsets.size:
                    points += [float(v) for v in _y_in_data(coll.get_offset_transform(), ax, offsets)]
        legend = ax.get_legend()
        axes.append({
            "xscale": ax.get_xscale(), "yscale": ax.get_yscale(),
            "xlabel": ax.get_xlabel(), "ylabel": ax.get_ylabel(), "title": ax.get_title(),
            "legend": [t.get_text() for t in legend.get_texts()] if legend is not None else None,
            "lines": lines, "spans": spans, "points": points,
        })
    figure_legend = [t.get_text() for leg in fig.legends for t in leg.get_texts()]
    plt.close(fig)
    return {"figure": True, "axes": axes, "figure_legend": figure_legend}


# -- judge-side (trusted) helpers -------------------------------------------------------------------

def _figure(got, what):
    if not isinstance(got, dict) or not got.get("figure"):
        kind = got.get("type") if isinstance(got, dict) else type(got).__name__
        raise Mismatch(f"{what} should return a matplotlib Figure (e.g. fig, ax = plt.subplots(); ...; "
                       f"return fig), got {kind}")
    return got


def _labelled(ax):
    return [ln for ln in ax["lines"] if ln["label"] and not ln["label"].startswith("_")]


def _labels_and_legend(ax, got, what, names):
    if not ax["xlabel"].strip() or not ax["ylabel"].strip():
        raise Mismatch(f"{what}: label both axes (ax.set_xlabel, ax.set_ylabel); got x label "
                       f"{ax['xlabel']!r} and y label {ax['ylabel']!r}")
    shown = (ax["legend"] or []) + got["figure_legend"]
    if ax["legend"] is None and not got["figure_legend"]:
        raise Mismatch(f"{what}: add a legend (ax.legend()) so the lines can be told apart")
    missing = [n for n in names if n not in shown]
    if missing:
        raise Mismatch(f"{what}: the legend should show {missing}; it shows {shown}")


def _on_k_grid(line, n):
    """The line's points as (k - 1 indices, y), if its x values are k = 1..n (k = n may be left out,
    as log axes cannot show the 0 there); else None."""
    x, y = line["x"], line["y"]
    if x is None or y is None or len(x) != len(y) or len(x) not in (n - 1, n):
        return None
    if not np.array_equal(x, np.arange(1, len(x) + 1)):
        return None
    return y


def _mean_convergence_structure(got, expected, a, trials, seed):
    what = "plot_mean_convergence"
    got = _figure(got, what)
    if len(got["axes"]) != 1:
        raise Mismatch(f"{what} should draw on one axes, found {len(got['axes'])}")
    ax = got["axes"][0]
    if ax["xscale"] != "log" or ax["yscale"] != "log":
        raise Mismatch(f"{what}: both axes should be logarithmic (ax.set_xscale('log'), ax.set_yscale('log')); "
                       f"got x {ax['xscale']!r}, y {ax['yscale']!r}")
    labelled = _labelled(ax)
    if len(labelled) != 4:
        raise Mismatch(f"{what} should draw four labelled lines (measured and theory, with and without "
                       f"replacement); found {len(labelled)}: {[ln['label'] for ln in labelled]}")
    labels = [ln["label"] for ln in labelled]
    if len(set(labels)) != 4:
        raise Mismatch(f"{what}: give the four lines different labels; got {labels}")
    _labels_and_legend(ax, got, what, labels)


# Measured curves in the figure: the same standard errors as in Q3 (``standard_errors``: exact with
# replacement; a Hoeffding / mirror-image upper bound without), z = 6.
def _mean_convergence_data(got, expected, a, trials, seed):
    """The theory lines equal the formulas exactly (rounding aside); the measured lines agree with
    them within 6 standard errors of an average over `trials` runs.

    Any line against k = 1..n counts, labelled or not, on any axes: labels, scales and the legend
    are the structure check's business, so a missing label costs one check, not two.
    """
    what = "plot_mean_convergence"
    got = _figure(got, what)
    n = len(a)
    variance = float(np.var(a))
    lines = [ln for ax in got["axes"] for ln in ax["lines"] if _on_k_grid(ln, n) is not None]
    remaining = list(range(len(lines)))
    for replace in (True, False):
        theory = mse_theory(n, variance, replace)
        found = None
        for j in remaining:
            y = _on_k_grid(lines[j], n)
            # Rounding only: the formula takes 3 roundings however it is written (see Q3).
            if np.all(np.abs(y - theory[:len(y)]) <= 1e-13 * theory[:len(y)]):
                found = j
                break
        if found is None:
            rule = "variance/k" if replace else "variance/k (n-k)/(n-1)"
            raise Mismatch(f"{what}: no line shows the theory {'with' if replace else 'without'} replacement, "
                           f"{rule} with variance = a.var() = {fmt(variance)} (the population variance), "
                           f"i.e. theoretical_mse(n, a.var(), {replace}) against k = 1..n")
        remaining.remove(found)
    if len(remaining) < 2:
        raise Mismatch(f"{what}: the measured curves should be drawn against k = 1..{n} (one point per k); "
                       f"found {len(remaining)} such line(s) besides the two theory lines")
    problems = []
    for j_with in remaining:  # which line is which sampling: try every pair
        for j_without in remaining:
            if j_with == j_without:
                continue
            found = [_measured_problem(_on_k_grid(lines[j], n), lines[j]["label"], a, trials, replace)
                     for j, replace in ((j_with, True), (j_without, False))]
            if not any(found):
                return
            problems.append("; ".join(p for p in found if p))
    raise Mismatch(f"{what}: the measured curves (mean_squared_error_curve with {trials} trials) should "
                   f"follow the theory within 6 standard errors: {problems[0]}")


def _measured_problem(y, label, a, trials, replace):
    """None if the measured curve y is within 6 standard errors of the theory, else why not."""
    n = len(a)
    theory = mse_theory(n, float(np.var(a)), replace)[:len(y)]
    se = standard_errors(a, replace, trials)[:len(y)]
    z = np.abs(y - theory) / se
    if np.all(z <= 6.0):
        return None
    k = int(np.nanargmax(np.where(np.isnan(z), np.inf, z)))
    return (f"the line {label!r} is {fmt(y[k])} at k = {k + 1}, but {'with' if replace else 'without'} "
            f"replacement the theory is {fmt(theory[k])} ± {fmt(se[k])}")


# -- plot_sgd ---------------------------------------------------------------------------------------

_SGD_NAMES = ("with replacement", "without replacement")


def _region(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    ratios = b / a
    return float(a @ b / (a @ a)), float(ratios.min()), float(ratios.max())


def _sgd_axes(got):
    """The axes holding the two iterate lines, and those lines, by label."""
    got = _figure(got, "plot_sgd")
    for ax in got["axes"]:
        named = {ln["label"].strip().lower(): ln for ln in _labelled(ax)}
        if all(n in named for n in _SGD_NAMES):
            return ax, [named[n] for n in _SGD_NAMES]
    found = [ln["label"] for ax in got["axes"] for ln in _labelled(ax)]
    raise Mismatch(f"plot_sgd should draw two lines labelled {list(_SGD_NAMES)} on one axes; "
                   f"found labelled lines {found}")


def _sgd_structure(got, expected, a, b, lr, T, x0, seed):
    what = "plot_sgd"
    ax, lines = _sgd_axes(got)
    _labels_and_legend(ax, got, what, [ln["label"] for ln in lines])
    x_star, lo, hi = _region(a, b)
    # Shaded ranges are read in data coordinates (axhspan, fill_between, patches), so they are the
    # student's own lo and hi: min/max of b_i / a_i, exact however written, or a few ulps if
    # computed another way.  1e-9 of the data's size leaves a huge margin and still tells a wrong
    # range (off by O(hi - lo)) apart.
    tol = 1e-9 * max(hi - lo, abs(lo), abs(hi))
    if not any(abs(s[0] - lo) <= tol and abs(s[1] - hi) <= tol for s in ax["spans"]):
        raise Mismatch(f"{what}: shade the region of confusion [lo, hi] = [{fmt(lo)}, {fmt(hi)}] "
                       f"(e.g. ax.axhspan(lo, hi, alpha=0.2)); shaded y ranges found: {ax['spans']}")
    others = [ln for ln in ax["lines"] if not any(ln is mine for mine in lines)]
    marked = any(ln["y"] is not None and len(ln["y"]) and np.all(np.abs(ln["y"] - x_star) <= 1e-9 * (1 + abs(x_star)))
                 for ln in others)
    marked = marked or any(abs(p - x_star) <= 1e-9 * (1 + abs(x_star)) for p in ax["points"])
    if not marked:
        raise Mismatch(f"{what}: mark x_star = {fmt(x_star)} (e.g. ax.axhline(x_star, ls='--', label='x*'))")


def _term_indices(y, a, b, lr, x0, T, label):
    """Which term i each plotted step used: y[t+1] == y[t] - lr a_i (a_i y[t] - b_i), else Mismatch."""
    if y is None or len(y) not in (T, T + 1):
        raise Mismatch(f"plot_sgd: the line {label!r} should show the {T} iterates x_1 .. x_T "
                       f"(or x_0 .. x_T), got {0 if y is None else len(y)} points")
    # x_0 .. x_T, x_0 .. x_{T-1} (starting at x0) or x_1 .. x_T: all show the same path.
    path = y if len(y) == T + 1 or y[0] == x0 else np.concatenate([[x0], y])
    if path[0] != x0:
        raise Mismatch(f"plot_sgd: the line {label!r} should start at x0 = {fmt(x0)} (or at x_1), "
                       f"got {fmt(path[0])}")
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    used = []
    for t in range(len(path) - 1):
        candidates = path[t] - lr * a * (a * path[t] - b)
        gaps = np.abs(candidates - path[t + 1])
        i = int(np.argmin(gaps))
        if not gaps[i] <= 1e-12 * (1 + abs(path[t + 1])):
            raise Mismatch(f"plot_sgd: on the line {label!r}, the step from x_{t} = {fmt(path[t])} to "
                           f"x_{t + 1} = {fmt(path[t + 1])} is not an SGD step x - lr a_i (a_i x - b_i) "
                           f"on any term i (lr = {lr:g})")
        used.append(i)
    return np.array(used)


def _is_reshuffled(indices, n):
    full = len(indices) // n
    return all(np.array_equal(np.sort(indices[j * n:(j + 1) * n]), np.arange(n)) for j in range(full))


def _sgd_data(got, expected, a, b, lr, T, x0, seed):
    """Both lines are SGD paths on this problem from x0; the one labelled "without replacement"
    uses every term once per pass, the one "with replacement" does not (for T = 10 n, 10 passes
    of independent draws are all permutations with probability (n!/n^n)^10 < 1e-34).

    Shading, x*, axis labels and legend are the structure check's business and are not judged
    here; when the two labels are missing, any two lines that are the two SGD paths count.
    """
    got = _figure(got, "plot_sgd")
    n = len(a)
    try:
        _, lines = _sgd_axes(got)
    except Mismatch:
        _unlabelled_paths(got, a, b, lr, T, x0)
        return
    for line, name, reshuffled in zip(lines, _SGD_NAMES, (False, True)):
        x = line["x"]
        if x is None or len(x) != len(line["y"]) or not np.all(np.diff(x) > 0):
            raise Mismatch(f"plot_sgd: draw the line {name!r} against the step (increasing x values), "
                           f"got x = {fmt(x)}")
        used = _term_indices(line["y"], a, b, lr, x0, T, name)
        if _is_reshuffled(used, n) != reshuffled:
            raise Mismatch(f"plot_sgd: the line labelled {name!r} "
                           + ("visits the terms in whole passes (a permutation of the n terms each pass), "
                              "which is sampling without replacement" if not reshuffled else
                              "should use every term exactly once per pass of n steps; its terms were "
                              f"{fmt(used)}"))


def _unlabelled_paths(got, a, b, lr, T, x0):
    """Some line is an SGD path with replacement and another one without (labels aside)."""
    kinds = set()
    for ax in got["axes"]:
        for line in ax["lines"]:
            try:
                kinds.add(_is_reshuffled(_term_indices(line["y"], a, b, lr, x0, T, line["label"]), len(a)))
            except Mismatch:
                continue
    if kinds != {True, False}:
        raise Mismatch(f"plot_sgd: no two lines show the SGD iterates from x0 = {fmt(x0)} on this problem, "
                       f"one sampling with replacement and one without ({T} steps each)")


# -- inputs (seeded) --------------------------------------------------------------------------------

_rng = seeded(2707)
_rand100 = [float(v) for v in _rng.random(100)]
_a10 = _rng.uniform(0.5, 1.5, 10)
_b10 = _a10 * (1.0 + 0.5 * _rng.standard_normal(10))
_A10, _B10 = [float(v) for v in _a10], [float(v) for v in _b10]


def _describe_mean(a, trials, seed):
    return f"plot_mean_convergence(a, {trials}, np.random.default_rng({seed})) with a = {len(a)} numbers from rand()"


def _describe_sgd(a, b, lr, T, x0, seed):
    return (f"plot_sgd(a, b, lr={lr:g}, num_steps={T}, x0={x0:g}, np.random.default_rng({seed})) "
            f"with {len(a)} terms")


@test_case(name="plot_mean_convergence: one log-log axes, four labelled lines, axis labels, a legend",
           points=1, hidden=False)
@check(cases=[(_rand100, 300, 1)], expect=None, judge=_mean_convergence_structure, describe=_describe_mean)
def mean_figure_structure(m, a, trials, seed):
    return _figure_data(m.plot_mean_convergence(np.array(a), trials, np.random.default_rng(seed)),
                        "mean_convergence")


@test_case(name="plot_mean_convergence: the theory lines are the formulas, the measured lines follow them",
           points=1, hidden=True)
@check(cases=[(_rand100, 300, 2)], expect=None, judge=_mean_convergence_data, describe=_describe_mean)
def mean_figure_data(m, a, trials, seed):
    return _figure_data(m.plot_mean_convergence(np.array(a), trials, np.random.default_rng(seed)),
                        "mean_convergence")


@test_case(name="plot_sgd: lines 'with replacement' and 'without replacement', the region of confusion "
                "shaded, x* marked, axis labels, a legend", points=1, hidden=False)
@check(cases=[(_A10, _B10, 0.25, 100, -3.0, 3)], expect=None, judge=_sgd_structure, describe=_describe_sgd)
def sgd_figure_structure(m, a, b, lr, T, x0, seed):
    return _figure_data(m.plot_sgd(np.array(a), np.array(b), lr, T, x0, np.random.default_rng(seed)), "sgd")


@test_case(name="plot_sgd: each line is an SGD path from x0 on this problem, with the sampling its label says",
           points=1, hidden=True)
@check(cases=[(_A10, _B10, 0.25, 100, -3.0, 4)], expect=None, judge=_sgd_data, describe=_describe_sgd)
def sgd_figure_data(m, a, b, lr, T, x0, seed):
    return _figure_data(m.plot_sgd(np.array(a), np.array(b), lr, T, x0, np.random.default_rng(seed)), "sgd")
