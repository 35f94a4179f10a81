"""Q7 -- The two figures: the running mean's error (log-log) and SGD's iterates with the region of confusion."""

import contextlib
import copy
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

# -- probe-side helpers: a student's Figure -> plain data; the student's own values ------------------

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


def _xy_in_data(transform, ax, points):
    """Both coordinates of ``points`` (a scatter's offsets) in data coordinates."""
    points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    if transform == ax.transData:
        return points[:, 0], points[:, 1]
    xy = ax.transData.inverted().transform(transform.transform(points))
    return xy[:, 0], xy[:, 1]


def _figure_data(fig, keep_as):
    """What a grader reads off a figure: axes, scales, labels, legend, the data series (lines of
    any draw style -- plot, step, loglog -- and labelled scatters), shaded y-ranges, and the y values
    of horizontal marks (axhline, hlines, scatter points), all in data coordinates.

    Runs in the student's process on the student's Figure and returns plain data only; the figure
    is saved beside the feedback (``keep_figure``) and closed.
    """
    import matplotlib.pyplot as plt
    from matplotlib.artist import Artist
    from matplotlib.collections import LineCollection, PathCollection, PolyCollection
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
            else:  # scatter: marker positions; a labelled scatter is also a data series
                offsets = np.asarray(coll.get_offsets(), dtype=np.float64)
                if offsets.size:
                    x, y = _xy_in_data(coll.get_offset_transform(), ax, offsets)
                    points += [float(v) for v in y]
                    label = str(coll.get_label())
                    if isinstance(coll, PathCollection) and label and not label.startswith("_"):
                        lines.append({"label": label, "x": x, "y": y})
        legend = ax.get_legend()
        axes.append({
            "xscale": ax.get_xscale(), "yscale": ax.get_yscale(),
            "xlabel": ax.get_xlabel(), "ylabel": ax.get_ylabel(), "title": ax.get_title(),
            "legend": [t.get_text() for t in legend.get_texts()] if legend is not None else None,
            "lines": lines, "spans": spans, "points": points,
        })
    figure_legend = [t.get_text() for leg in fig.legends for t in leg.get_texts()]
    super_labels = [t.get_text() if t is not None else "" for t in (getattr(fig, "_supxlabel", None),
                                                                     getattr(fig, "_supylabel", None))]
    plt.close(fig)
    return {"figure": True, "axes": axes, "figure_legend": figure_legend, "super_labels": super_labels}


def _own(call):
    """The student's own value (plain floats), or None when their function fails or returns junk:
    the figure is then judged against the formula alone."""
    try:
        return _floats(call())
    except Exception:
        return None


@contextlib.contextmanager
def _recording(m, name, calls, replace_at, rng_at):
    """While the block runs, each call of the student's function ``name`` records its sampling
    (``replace``) and the state its generator was in (``calls``: [replace, bit generator type, state]).
    The probe then replays each call with the figure's right arguments (the problem, lr, x0, T or a,
    trials) from that state: the student's own function's values for what the figure should show.
    A bug in that function then costs its own question, not the figure's too; a figure that passes it
    wrong arguments (a wrong grad_i, another lr) still draws something else and fails.  Restored
    afterwards."""
    namespace = getattr(m, "_ns", None)
    original = namespace.get(name) if isinstance(namespace, dict) else None
    if not callable(original):
        yield
        return

    def spy(*args, **kwargs):
        replace = kwargs.get("replace", args[replace_at] if len(args) > replace_at else None)
        rng = kwargs.get("rng", args[rng_at] if len(args) > rng_at else None)
        try:
            state = copy.deepcopy(rng.bit_generator.state)
            kind = type(rng.bit_generator)
        except Exception:
            state = kind = None
        if isinstance(replace, (bool, np.bool_)) and state is not None:
            calls.append([bool(replace), kind, state])
        return original(*args, **kwargs)

    namespace[name] = spy
    try:
        yield
    finally:
        namespace[name] = original


def _replayed(calls, call):
    """[replace, values] for each recorded call: ``call(replace, rng)`` on a generator in the state the
    student's code gave it (None values are dropped: the student's function failed)."""
    out = []
    for replace, kind, state in calls:
        def run(replace=replace, kind=kind, state=state):
            bit_generator = kind()
            bit_generator.state = state
            return call(replace, np.random.Generator(bit_generator))
        values = _own(run)
        if values is not None:
            out.append([replace, values])
    return out


# -- judge-side (trusted) helpers -------------------------------------------------------------------

def _figure(got, what):
    if not isinstance(got, dict) or not got.get("figure"):
        kind = got.get("type") if isinstance(got, dict) else type(got).__name__
        raise Mismatch(f"{what} should return a matplotlib Figure (e.g. fig, ax = plt.subplots(); ...; "
                       f"return fig), got {kind}")
    return got


def _labelled(ax):
    return [ln for ln in ax["lines"] if ln["label"] and not ln["label"].startswith("_")]


def _legend_texts(axes, got):
    return [t for ax in axes for t in (ax["legend"] or [])] + got["figure_legend"]


def _labels_and_legend(axes, got, what, names):
    """Both axis directions labelled (on one of ``axes``, or the figure's supxlabel / supylabel), and
    a legend (of one of ``axes`` or of the figure) showing each of ``names``."""
    xlabel = any(ax["xlabel"].strip() for ax in axes) or bool(got.get("super_labels", ["", ""])[0].strip())
    ylabel = any(ax["ylabel"].strip() for ax in axes) or bool(got.get("super_labels", ["", ""])[1].strip())
    if not xlabel or not ylabel:
        raise Mismatch(f"{what}: label both axes (ax.set_xlabel, ax.set_ylabel); got x label "
                       f"{axes[0]['xlabel']!r} and y label {axes[0]['ylabel']!r}")
    shown = _legend_texts(axes, got)
    if all(ax["legend"] is None for ax in axes) and not got["figure_legend"]:
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
        raise Mismatch(f"{what} should draw on one axes (the handout asks for one), found {len(got['axes'])}")
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
    _labels_and_legend([ax], got, what, labels)


def _same_curve(y, values):
    """A drawn curve is the student's own computed one: the same numbers (k = n may be left out)."""
    if y is None or values is None or len(values) not in (len(y), len(y) + 1):
        return False
    own = np.asarray(values, dtype=np.float64)[:len(y)]
    return bool(np.all((y == own) | (np.abs(y - own) <= 1e-12 * np.abs(own))))


# Measured curves in the figure: the same standard errors as in Q3 (``standard_errors``: exact with
# replacement; a Hoeffding / mirror-image upper bound without), z = 6.
def _mean_convergence_data(got, expected, a, trials, seed):
    """The theory lines are theoretical_mse(n, a.var(), replace) -- the student's own function's
    values, or the formula's (rounding aside); the measured lines are what the student's own
    mean_squared_error_curve(a, replace, trials, rng) returns from the generator state the figure's
    call had, or else agree with the theory
    within 6 standard errors of an average over `trials` runs.  So a bug in theoretical_mse or
    mean_squared_error_curve costs Q3, not this check too; drawing the wrong thing costs this one.

    Any line against k = 1..n counts, labelled or not, on any axes: labels, scales and the legend
    are the structure check's business, so a missing label costs one check, not two.
    """
    what = "plot_mean_convergence"
    data = got.get("drawn") if isinstance(got, dict) and "drawn" in got else got
    own = got.get("own", {}) if isinstance(got, dict) and "drawn" in got else {}
    data = _figure(data, what)
    n = len(a)
    variance = float(np.var(a))
    lines = [ln for ax in data["axes"] for ln in ax["lines"] if _on_k_grid(ln, n) is not None]
    remaining = list(range(len(lines)))
    own_theory = own.get("theory") or [None, None]
    for replace, mine in zip((True, False), own_theory):
        theory = mse_theory(n, variance, replace)
        found = None
        for j in remaining:
            y = _on_k_grid(lines[j], n)
            # Rounding only: the formula takes 3 roundings however it is written (see Q3).
            if np.all(np.abs(y - theory[:len(y)]) <= 1e-13 * theory[:len(y)]) or _same_curve(y, mine):
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
    recorded = own.get("curves") or []
    problems = []
    for j_with in remaining:  # which line is which sampling: try every pair
        for j_without in remaining:
            if j_with == j_without:
                continue
            found = [_measured_problem(_on_k_grid(lines[j], n), lines[j]["label"], a, trials, replace, recorded)
                     for j, replace in ((j_with, True), (j_without, False))]
            if not any(found):
                return
            problems.append("; ".join(p for p in found if p))
    raise Mismatch(f"{what}: the measured curves (mean_squared_error_curve with {trials} trials) should "
                   f"follow the theory within 6 standard errors: {problems[0]}")


def _measured_problem(y, label, a, trials, replace, recorded=()):
    """None if the measured curve y is what the student's own mean_squared_error_curve(a, replace,
    ...) returned, or is within 6 standard errors of the theory; else why not."""
    if any(r == replace and _same_curve(y, values) for r, values in recorded):
        return None
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


def _sgd_lines(got):
    """The two lines labelled "with replacement" and "without replacement" -- letter case and
    surrounding spaces aside, as the handout says (one rule for every text the suites match) -- on
    one axes or on two panels, as the student likes; and the axes that hold them."""
    got = _figure(got, "plot_sgd")
    found, holders = {}, []
    for ax in got["axes"]:
        for ln in _labelled(ax):
            name = ln["label"].strip().lower()
            if name in _SGD_NAMES and name not in found:
                found[name] = ln
                if not any(ax is h for h in holders):
                    holders.append(ax)
    if len(found) == 2:
        return holders, [found[n] for n in _SGD_NAMES]
    labels = [ln["label"] for ax in got["axes"] for ln in _labelled(ax)]
    raise Mismatch(f"plot_sgd should draw two lines labelled {list(_SGD_NAMES)} (letter case aside); found "
                   f"labelled lines {labels}")


def _candidates(own, a, b):
    """(x*, lo, hi) triples a drawing may show: the student's own least_squares_1d, and the formula's."""
    triples = [_region(a, b)]
    mine = own.get("least_squares") if isinstance(own, dict) else None
    if mine is not None and len(mine) == 3 and np.all(np.isfinite(mine)):
        triples.insert(0, tuple(float(v) for v in mine))
    return triples


def _sgd_structure(got, expected, a, b, lr, T, x0, seed):
    """Two labelled lines (one axes or two panels), both axes labelled, a legend; on an axes holding a
    line, the region of confusion shaded and x* marked -- at the student's own least_squares_1d values
    or the formula's, so a wrong least_squares_1d costs Q4, not this check too."""
    what = "plot_sgd"
    drawn, own = (got["drawn"], got.get("own", {})) if isinstance(got, dict) and "drawn" in got else (got, {})
    holders, lines = _sgd_lines(drawn)
    _labels_and_legend(holders, drawn, what, [ln["label"] for ln in lines])
    triples = _candidates(own, a, b)
    spans = [sp for ax in holders for sp in ax["spans"]]
    # Shaded ranges are read in data coordinates (axhspan, fill_between, patches), so they are the
    # student's own lo and hi: min/max of b_i / a_i, exact however written, or a few ulps if
    # computed another way.  1e-9 of the data's size leaves a huge margin and still tells a wrong
    # range (off by O(hi - lo)) apart.
    def shaded(lo, hi):
        tol = 1e-9 * max(hi - lo, abs(lo), abs(hi))
        return any(abs(sp[0] - lo) <= tol and abs(sp[1] - hi) <= tol for sp in spans)

    if not any(shaded(lo, hi) for _, lo, hi in triples):
        x_star, lo, hi = triples[0]
        raise Mismatch(f"{what}: shade the region of confusion [lo, hi] = [{fmt(lo)}, {fmt(hi)}] "
                       f"(e.g. ax.axhspan(lo, hi, alpha=0.2)); shaded y ranges found: {spans}")
    horizontal = []
    for ax in holders:
        others = [ln for ln in ax["lines"] if not any(ln is mine for mine in lines)]
        horizontal += [float(ln["y"][0]) for ln in others
                       if ln["y"] is not None and len(ln["y"]) and np.all(ln["y"] == ln["y"][0])]
        horizontal += ax["points"]
    if not any(abs(y - x_star) <= 1e-9 * (1 + abs(x_star)) for y in horizontal for x_star, _, _ in triples):
        x_star = triples[0][0]
        if horizontal:
            raise Mismatch(f"{what}: x* is marked at the wrong height: marks found at y = "
                           f"{[fmt(v) for v in horizontal[:4]]}, but x_star = {fmt(x_star)}")
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


def _own_path(y, calls, replace, x0):
    """The line shows what the student's own sgd(grad_i, x0, n, lr, T, replace, rng) returns for this
    problem from the generator state the figure's call had: its T iterates, or x0 followed by them."""
    for r, values in calls:
        if r == replace and y is not None and (
                _same_curve(y, values) and len(y) == len(values)
                or len(y) == len(values) + 1 and y[0] == x0 and _same_curve(y[1:], values)):
            return True
    return False


def _sgd_data(got, expected, a, b, lr, T, x0, seed):
    """Both lines are SGD paths on this problem from x0, with the sampling their labels say: either
    what the student's own sgd returns for this problem and that sampling, from the generator state
    the figure's call had (a bug in sgd or sample_indices costs Q1/Q5, not this check too; a figure
    that passes sgd a wrong grad_i or lr draws something else), or, checked step by step, SGD steps on this
    problem where the one labelled "without replacement" uses every term once per pass and the one
    "with replacement" does not (for T = 10 n, 10 passes of independent draws are all permutations
    with probability (n!/n^n)^10 < 1e-34).

    Shading, x*, axis labels and legend are the structure check's business and are not judged
    here; when the two labels are missing, any two lines that are the two SGD paths count.
    """
    drawn, own = (got["drawn"], got.get("own", {})) if isinstance(got, dict) and "drawn" in got else (got, {})
    drawn = _figure(drawn, "plot_sgd")
    calls = own.get("sgd") or []
    n = len(a)
    try:
        _, lines = _sgd_lines(drawn)
    except Mismatch:
        _unlabelled_paths(drawn, a, b, lr, T, x0, calls)
        return
    for line, name, replace in zip(lines, _SGD_NAMES, (True, False)):
        x = line["x"]
        if x is None or len(x) != len(line["y"]) or not np.all(np.diff(x) > 0):
            raise Mismatch(f"plot_sgd: draw the line {name!r} against the step (increasing x values), "
                           f"got x = {fmt(x)}")
        if _own_path(line["y"], calls, replace, x0):
            continue
        if _own_path(line["y"], calls, not replace, x0):
            raise Mismatch(f"plot_sgd: the line labelled {name!r} shows your sgd's iterates with "
                           f"replace={not replace}: the labels are swapped")
        used = _term_indices(line["y"], a, b, lr, x0, T, name)
        if _is_reshuffled(used, n) == replace:
            raise Mismatch(f"plot_sgd: the line labelled {name!r} "
                           + ("visits the terms in whole passes (a permutation of the n terms each pass), "
                              "which is sampling without replacement" if replace else
                              "should use every term exactly once per pass of n steps; its terms were "
                              f"{fmt(used)}"))


def _unlabelled_paths(got, a, b, lr, T, x0, calls=()):
    """Some line is an SGD path with replacement and another one without (labels aside)."""
    kinds = set()
    for ax in got["axes"]:
        for line in ax["lines"]:
            for replace in (True, False):
                if _own_path(line["y"], calls, replace, x0):
                    kinds.add(not replace)
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


@test_case(name="plot_mean_convergence: the theory lines are theoretical_mse(n, a.var(), ...), the measured "
                "lines are the measured curves", points=1, hidden=True)
@check(cases=[(_rand100, 300, 2)], expect=None, judge=_mean_convergence_data, describe=_describe_mean)
def mean_figure_data(m, a, trials, seed):
    calls = []
    with _recording(m, "mean_squared_error_curve", calls, replace_at=1, rng_at=3):
        fig = m.plot_mean_convergence(np.array(a), trials, np.random.default_rng(seed))
    data = np.array(a)
    curves = _replayed(calls, lambda r, rng: m.mean_squared_error_curve(np.array(a), r, trials, rng))
    theory = [_own(lambda: m.theoretical_mse(len(a), float(data.var()), r)) for r in (True, False)]
    return {"drawn": _figure_data(fig, "mean_convergence"), "own": {"theory": theory, "curves": curves}}


@test_case(name="plot_sgd: lines labelled 'with replacement' and 'without replacement' (one axes or two panels), "
                "the region of confusion shaded, x* marked, axis labels, a legend", points=1, hidden=False)
@check(cases=[(_A10, _B10, 0.25, 100, -3.0, 3)], expect=None, judge=_sgd_structure, describe=_describe_sgd)
def sgd_figure_structure(m, a, b, lr, T, x0, seed):
    fig = m.plot_sgd(np.array(a), np.array(b), lr, T, x0, np.random.default_rng(seed))
    own = _own(lambda: m.least_squares_1d(np.array(a), np.array(b)))
    return {"drawn": _figure_data(fig, "sgd"), "own": {"least_squares": own}}


@test_case(name="plot_sgd: each line is an SGD path from x0 on this problem, with the sampling its label says",
           points=1, hidden=True)
@check(cases=[(_A10, _B10, 0.25, 100, -3.0, 4)], expect=None, judge=_sgd_data, describe=_describe_sgd)
def sgd_figure_data(m, a, b, lr, T, x0, seed):
    calls = []
    with _recording(m, "sgd", calls, replace_at=5, rng_at=6):
        fig = m.plot_sgd(np.array(a), np.array(b), lr, T, x0, np.random.default_rng(seed))
    p, q = np.array(a, dtype=np.float64), np.array(b, dtype=np.float64)
    own = _replayed(calls, lambda r, rng: m.sgd(lambda x, i: p[i] * (p[i] * x - q[i]), x0, len(a), lr, T, r, rng))
    return {"drawn": _figure_data(fig, "sgd"), "own": {"sgd": own}}
