"""Q5 -- sgd: x_{t+1} = x_t - lr_t grad_i(x_t, i_t), fast toward the region of confusion, then inside it."""

import math

import numpy as np
from otter.test_files import test_case

from autograder.checking import Mismatch, check, fmt, seeded

OK_FORMAT = False
name = "q5_sgd"


# -- problems and step sizes (plain data in the cases; the same functions in probe and judge) -------

def _make_grad(problem):
    """grad_i(x, i) of one term of a least-squares-like problem, from plain data.

    ("ls1", a, b):  f_i(x) = 1/2 (a_i x - b_i)^2 with x a number   -> a_i (a_i x - b_i)
    ("lsd", A, b):  f_i(x) = 1/2 (A_i . x - b_i)^2 with x a vector -> A_i (A_i . x - b_i)
    ("mat", w, C):  f_i(X) = w_i/2 ||X - C_i||^2 with X a matrix    -> w_i (X - C_i)
    """
    kind, p, q = problem
    p, q = np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64)
    if kind == "ls1":
        return lambda x, i: p[i] * (p[i] * x - q[i])
    if kind == "lsd":
        return lambda x, i: p[i] * (p[i] @ x - q[i])
    return lambda x, i: p[i] * (x - q[i])


def _schedule(lr):
    """A number, or ("inverse", c, t0): c / (t0 + t), or ("halving", c, every): c / 2^(t // every)."""
    if not isinstance(lr, (tuple, list)):
        return lr
    kind, c, s = lr
    if kind == "inverse":
        return lambda t: c / (s + t)
    return lambda t: c * 0.5 ** (t // s)


def _lr_text(lr):
    if not isinstance(lr, (tuple, list)):
        return f"lr = {lr:g}"
    kind, c, s = lr
    return f"lr = lambda t: {c:g} / ({s:g} + t)" if kind == "inverse" else f"lr = lambda t: {c:g} * 0.5 ** (t // {s})"


def _n_terms(problem):
    return len(problem[1])


def _describe(problem, x0, lr, T, replace, seed):
    kind = {"ls1": "1-D least squares", "lsd": "least squares in R^d", "mat": "2x2-matrix problem"}[problem[0]]
    return (f"sgd(grad_i, x0={fmt(np.asarray(x0)) if np.ndim(x0) else x0}, n={_n_terms(problem)}, "
            f"{_lr_text(lr)}, num_steps={T}, replace={replace}, rng) on a {kind} "
            f"(rng = np.random.default_rng({seed}))")


# -- judge-side (trusted) helpers -------------------------------------------------------------------

def _student_indices(idx, n, T, replace):
    where = f"your sample_indices({n}, {T}, {replace}, rng)"
    if isinstance(idx, (list, tuple)) and all(isinstance(i, (int, np.integer)) for i in idx):
        idx = np.array(idx, dtype=np.int64)  # Q1 judges the type; here only the values matter
    if not (isinstance(idx, np.ndarray) and idx.dtype.kind in "iu" and idx.shape == (T,)):
        raise Mismatch(f"{where} should return {T} integer indices; it returned {fmt(idx)}, so sgd "
                       "(which must use it) cannot be checked")
    if ((idx < 0) | (idx >= n)).any():
        raise Mismatch(f"{where} returned indices outside range({n}): {fmt(idx)}")
    return idx


def _recurrence(got, expected, problem, x0, lr, T, replace, seed):
    """The iterates follow x_{t+1} = x_t - lr_t grad_i(x_t, i_t) from x0, with i_0 .. i_{T-1} the
    student's OWN sample_indices(n, T, replace, rng) from a generator in the same state.

    Recomputed here in float64 with the very same operations, so a correct sgd agrees to the last
    bit; rtol = 1e-12 only forgives an algebraically equal rearrangement (e.g. x + (-lr) * g) on
    these contracting problems (lr_t a_i^2 <= 1), where rounding errors do not grow.
    """
    idx, xs, x0_after = got
    n = _n_terms(problem)
    idx = _student_indices(idx, n, T, replace)
    start = np.array(x0, dtype=np.float64)
    if not (isinstance(xs, np.ndarray) and xs.dtype == np.float64):
        kind = f"dtype {xs.dtype}" if isinstance(xs, np.ndarray) else type(xs).__name__
        raise Mismatch(f"wrong type: sgd should return a float64 numpy array of iterates, got {kind}: {fmt(xs)}")
    if xs.shape != (T,) + start.shape:
        raise Mismatch(f"wrong shape: sgd should return shape (num_steps,) + shape(x0) = {(T,) + start.shape} "
                       f"(the iterates x_1 .. x_T), got shape {xs.shape}")
    grad, step = _make_grad(problem), _schedule(lr)
    x = start
    for t in range(T):
        lr_t = step(t) if callable(step) else step
        new = x - lr_t * grad(x, idx[t])
        if not np.all(np.abs(xs[t] - new) <= 1e-12 * (1.0 + np.abs(new))):
            hint = ""
            if t == 0 and np.allclose(xs[0], start):
                hint = " -- the first row should be x_1 (after one step), not x0"
            elif t > 0 and np.allclose(xs[t], x):
                hint = " -- it repeats x_t: is every row the same array (a missing copy)?"
            raise Mismatch(f"wrong value: row {t} should be x_{t + 1} = x_{t} - lr_{t} * grad_i(x_{t}, i_{t}) = {_show(new)} "
                           f"with i_{t} = {int(idx[t])} (entry {t} of sample_indices({n}, {T}, {replace}, rng) "
                           f"from the same generator state), lr_{t} = {lr_t:g}, x_{t} = {_show(x)}; "
                           f"got {_show(xs[t])}{hint}")
        x = new
    if not np.array_equal(np.asarray(x0_after, dtype=np.float64), start):
        raise Mismatch(f"x0 modified: sgd changed the caller's x0 from {_show(start)} to {_show(x0_after)}; work on a copy")


def _show(x):
    return fmt(float(x)) if np.ndim(x) == 0 else fmt(np.asarray(x))


def _distance(x, lo, hi):
    return np.maximum(lo - x, 0.0) + np.maximum(x - hi, 0.0)


def _region(problem):
    a, b = (np.asarray(v, dtype=np.float64) for v in problem[1:])
    ratios = b / a
    return float(a @ b / (a @ a)), float(ratios.min()), float(ratios.max())


def _entry_bound(problem, x0, lr):
    """A step by which SGD from x0 is certainly inside [lo, hi] (for lr a_i^2 <= 1).

    Each step is x <- (1 - w) x + w c_i with w = lr a_i^2 in (0, 1] and c_i = b_i / a_i in [lo, hi],
    so outside the region the distance shrinks by a factor <= (1 - w_min) per step and never grows;
    once it is below w_min * g (g: the gap from the nearest end to the next c_i), any step on a term
    other than the extreme one lands inside.  After t1 steps the distance is that small; 40 more
    steps all drawing the one extreme index happen with probability <= n^-40 with replacement (at
    most 2 in a row without).
    """
    a, b = (np.asarray(v, dtype=np.float64) for v in problem[1:])
    c = np.sort(b / a)
    lo, hi = c[0], c[-1]
    w_min = lr * float(np.min(a ** 2))
    if x0 > hi:
        distance, gap = x0 - hi, hi - c[c < hi].max()
    else:
        distance, gap = lo - x0, c[c > lo].min() - lo
    t1 = math.ceil(math.log(distance / (w_min * gap)) / -math.log1p(-w_min))
    return max(t1, 0) + 40


def _toward_then_inside(got, expected, problem, x0, lr, T, replace, seed):
    """From far outside, the distance to [lo, hi] never grows, the iterates get inside by the entry
    bound, and once inside they stay inside (each step is a convex combination of x_t and some
    b_i / a_i).  Exact properties of any index sequence; tolerance: rounding, 1e-12 (1 + |x|)."""
    xs = got
    if not (isinstance(xs, np.ndarray) and xs.shape == (T,)):
        raise Mismatch(f"sgd should return {T} iterates (shape ({T},)), got {fmt(xs)}")
    _, lo, hi = _region(problem)
    path = np.concatenate([[float(x0)], xs.astype(np.float64)])
    tol = 1e-12 * (1.0 + np.abs(path))
    dist = _distance(path, lo, hi)
    grew = np.flatnonzero(dist[1:] > dist[:-1] + tol[1:])
    if grew.size:
        t = int(grew[0])
        raise Mismatch(f"the iterates should move toward the region of confusion [{fmt(lo)}, {fmt(hi)}] "
                       f"and never away from it, but x_{t} = {fmt(path[t])} and x_{t + 1} = {fmt(path[t + 1])}")
    inside = dist <= tol
    bound = _entry_bound(problem, x0, lr)
    if not inside[:bound + 1].any():
        raise Mismatch(f"starting from x0 = {fmt(x0)}, the iterates should reach the region of confusion "
                       f"[{fmt(lo)}, {fmt(hi)}] within {bound} steps; x_{bound} = {fmt(path[bound])}")
    first = int(np.argmax(inside))
    left = np.flatnonzero(~inside[first:])
    if left.size:
        t = first + int(left[0])
        raise Mismatch(f"once inside the region of confusion [{fmt(lo)}, {fmt(hi)}] (at step {first}), "
                       f"the iterates should stay inside, but x_{t} = {fmt(path[t])}")


# Without replacement ends closer: d_s = |x_T - x*| (with) - |x_T - x*| (without) over S seeds.
# The verdict asks mean(d) > Z_CLOSER * sd(d) / sqrt(S).  On this problem the reference gives a
# statistic of about 18 (random reshuffling ends an epoch ~5x closer: its error at epoch ends is
# of order lr^2, with replacement of order sqrt(lr)), so a correct submission fails only if the
# statistic falls 13 of its (unit) standard deviations below its mean; sampling with replacement
# in both runs gives a statistic near 0 and fails.
Z_CLOSER = 5.0


def _closer_without(got, expected, problem, x0, lr, T, seeds, seed):
    finals_with, finals_without = (np.asarray(v, dtype=np.float64) for v in got)
    if finals_with.shape != (seeds,) or finals_without.shape != (seeds,):
        raise Mismatch(f"expected {seeds} final iterates for each sampling, got {fmt(got)}")
    x_star, _, _ = _region(problem)
    d = np.abs(finals_with - x_star) - np.abs(finals_without - x_star)
    se = float(np.std(d, ddof=1)) / math.sqrt(seeds)
    mean = float(np.mean(d))
    if not (np.isfinite(mean) and mean > Z_CLOSER * se):
        raise Mismatch(
            f"after {T // _n_terms(problem)} full passes, SGD without replacement should end closer to x* "
            f"on average than with replacement; over {seeds} runs each, mean |x_T - x*| is "
            f"{fmt(float(np.mean(np.abs(finals_with - x_star))))} with and "
            f"{fmt(float(np.mean(np.abs(finals_without - x_star))))} without replacement: the difference "
            f"{fmt(mean)} is {mean / se if se > 0 else float('nan'):.1f} standard errors ({fmt(se)}), "
            f"expected more than {Z_CLOSER:g}")


# -- inputs (seeded) --------------------------------------------------------------------------------

_rng = seeded(2705)


def _ls1(n):
    a = _rng.uniform(0.5, 1.5, n)
    b = a * (1.0 + 0.5 * _rng.standard_normal(n))
    return ("ls1", [float(v) for v in a], [float(v) for v in b])


_small = ("ls1", [1.0, 2.0, 0.5, 1.5], [2.0, 3.0, 1.0, 4.0])
_p10, _p7, _p20 = _ls1(10), _ls1(7), _ls1(20)
_A = _rng.standard_normal((8, 3)) / 2
_lsd = ("lsd", _A.tolist(), [float(v) for v in _rng.standard_normal(8)])
_mat = ("mat", [float(v) for v in _rng.uniform(0.2, 1.0, 5)], _rng.standard_normal((5, 2, 2)).tolist())

# Edges (EDGES.md): one term (n = 1: every index is 0) with an int step 1 (lr_t a_i^2 = 1: one step
# lands on b/a); a large offset (x* ~ 1e6, from x0 = 0); x0 a numpy float64
_single = ("ls1", [1.0], [3.0])
_offset = ("ls1", [1.0, 0.5, 0.8], [1e6 + 1.0, 5e5 - 2.0, 8e5 + 0.5])

_behaviour = _ls1(10)
_x_star, _lo, _hi = _region(_behaviour)
_far = 20 * (_hi - _lo)
_closer = _ls1(10)


@test_case(name="sgd: x_{t+1} = x_t - lr grad_i(x_t, i_t) with the indices of sample_indices; "
                "returns x_1 .. x_T", points=1, hidden=False)
@check(cases=[(_small, 0.0, 0.1, 12, False, 1), (_small, 0.0, 0.1, 12, True, 2)], expect=None,
       judge=_recurrence, describe=_describe)
def steps_public(m, problem, x0, lr, T, replace, seed):
    idx = m.sample_indices(_n_terms(problem), T, replace, np.random.default_rng(seed))
    xs = m.sgd(_make_grad(problem), x0, _n_terms(problem), _schedule(lr), T, replace, np.random.default_rng(seed))
    return idx, xs, x0


@test_case(name="sgd step by step on longer runs, both samplings, an int x0 (also one term, an int step, a large "
                "offset)", points=1, hidden=True)
@check(cases=[(_p10, 5.0, 0.2, 200, False, 11), (_p10, 5.0, 0.2, 200, True, 12), (_p7, -3, 0.4, 50, False, 13),
              (_p7, -3, 0.4, 50, True, 14), (_p20, 1.0, 0.05, 45, False, 15), (_small, 2, 0.25, 1, True, 16),
              (_single, 0, 1, 5, True, 17), (_single, 0, 1, 5, False, 18), (_offset, 0.0, 0.5, 30, False, 19),
              (_offset, np.float64(2.5), 0.5, 30, True, 20)],
       expect=None, judge=_recurrence, describe=_describe)
def steps_hidden(m, problem, x0, lr, T, replace, seed):
    idx = m.sample_indices(_n_terms(problem), T, replace, np.random.default_rng(seed))
    xs = m.sgd(_make_grad(problem), x0, _n_terms(problem), _schedule(lr), T, replace, np.random.default_rng(seed))
    return idx, xs, x0


@test_case(name="sgd with a step-size schedule: lr is a function of the step t = 0, 1, ...", points=1,
           hidden=True)
@check(cases=[(_p10, 4.0, ("inverse", 2.0, 5.0), 60, False, 21), (_p10, 4.0, ("inverse", 2.0, 5.0), 60, True, 22),
              (_p7, -1.0, ("halving", 0.4, 7), 40, False, 23)],
       expect=None, judge=_recurrence, describe=_describe)
def schedules(m, problem, x0, lr, T, replace, seed):
    idx = m.sample_indices(_n_terms(problem), T, replace, np.random.default_rng(seed))
    xs = m.sgd(_make_grad(problem), x0, _n_terms(problem), _schedule(lr), T, replace, np.random.default_rng(seed))
    return idx, xs, x0


@test_case(name="sgd with an array x0: result shape (T,) + x0.shape, x0 left unchanged", points=1, hidden=True)
@check(cases=[(_lsd, [1.0, -2.0, 0.5], 0.3, 30, False, 31), (_lsd, [1, 2, 3], 0.3, 30, True, 32),
              (_mat, [[1.0, 0.0], [0.0, 1.0]], 0.5, 12, False, 33)],
       expect=None, judge=_recurrence, describe=_describe)
def array_x0(m, problem, x0, lr, T, replace, seed):
    start = np.array(x0)  # an int array for [1, 2, 3]: the iterates must still be floats
    idx = m.sample_indices(_n_terms(problem), T, replace, np.random.default_rng(seed))
    xs = m.sgd(_make_grad(problem), start, _n_terms(problem), _schedule(lr), T, replace, np.random.default_rng(seed))
    return idx, xs, start


@test_case(name="from far outside, the iterates move toward the region of confusion, enter it and stay in it",
           points=1, hidden=True)
@check(cases=[(_behaviour, _hi + _far, 0.2, 400, r, 41 + k) for k, r in enumerate((True, False))]
       + [(_behaviour, _lo - _far, 0.2, 400, r, 43 + k) for k, r in enumerate((True, False))],
       expect=None, judge=_toward_then_inside, describe=_describe)
def region_behaviour(m, problem, x0, lr, T, replace, seed):
    return m.sgd(_make_grad(problem), x0, _n_terms(problem), lr, T, replace, np.random.default_rng(seed))


@test_case(name="after whole passes, SGD without replacement ends closer to x* than with replacement "
                "(on average over 300 runs)", points=1, hidden=True)
@check(cases=[(_closer, 0.0, 0.05, 300, 300, 50)], expect=None, judge=_closer_without,
       describe=lambda problem, x0, lr, T, seeds, seed: f"{seeds} runs of sgd(grad_i, x0={x0}, n=10, lr={lr}, "
                                                         f"num_steps={T}, replace=True/False, rng) on a 1-D "
                                                         "least-squares problem, seeds from np.random.default_rng"
                                                         f"({seed})")
def closer_without(m, problem, x0, lr, T, seeds, seed):
    grad, n = _make_grad(problem), _n_terms(problem)
    seed_list = np.random.default_rng(seed).integers(0, 2**63, size=2 * seeds)
    finals_with = [m.sgd(grad, x0, n, lr, T, True, np.random.default_rng(s))[-1] for s in seed_list[:seeds]]
    finals_without = [m.sgd(grad, x0, n, lr, T, False, np.random.default_rng(s))[-1] for s in seed_list[seeds:]]
    return np.array(finals_with, dtype=np.float64), np.array(finals_without, dtype=np.float64)
