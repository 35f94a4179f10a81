"""sgd_without_replacement: the reference solution against facts worked out by hand (and by exhaustive
enumeration of tiny populations), the suite's statistical formulas against brute force, and every
custom judge of the suite against deliberately wrong inputs.

Every literal below is derived in the comment next to it, not read back from the code.
"""

import itertools
import os
from fractions import Fraction
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from autograder.checking import Mismatch, Raised  # noqa: E402
from autograder.suites.sgd_without_replacement.shared import fourth_moment_with, moments, mse_theory  # noqa: E402
from autograder.engine.suite import load_file, reference_solution  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SUITE = ROOT / "autograder" / "suites" / "sgd_without_replacement"


ref = reference_solution("sgd_without_replacement")
q1 = load_file(SUITE / "q1_sample_indices.py", "sgd_q1")
q2 = load_file(SUITE / "q2_running_mean.py", "sgd_q2")
q3 = load_file(SUITE / "q3_mean_squared_error.py", "sgd_q3")
q4 = load_file(SUITE / "q4_region_of_confusion.py", "sgd_q4")
q5 = load_file(SUITE / "q5_sgd.py", "sgd_q5")
q6 = load_file(SUITE / "q6_early_stopping.py", "sgd_q6")
q7 = load_file(SUITE / "q7_figures.py", "sgd_q7")

TINY = [0.0, 1.0, 5.0]  # mean 2, deviations -2, -1, 3: sigma^2 = (4 + 1 + 9)/3 = 14/3, mu4 = (16 + 1 + 81)/3 = 98/3


def _exhaustive_mse(a, replace):
    """E[(r_k - mean)^2] for k = 1..n by listing every equally likely sample, in exact fractions."""
    a = [Fraction(v) for v in a]
    n = len(a)
    mu = sum(a) / n
    out = []
    for k in range(1, n + 1):
        draws = itertools.product(a, repeat=k) if replace else (p[:k] for p in itertools.permutations(a))
        errors = [(sum(d) / k - mu) ** 2 for d in draws]
        out.append(sum(errors) / len(errors))
    return out


def _exhaustive_fourth(a, k, replace):
    a = [Fraction(v) for v in a]
    mu = sum(a) / len(a)
    draws = itertools.product(a, repeat=k) if replace else (p[:k] for p in itertools.permutations(a))
    values = [(sum(d) / k - mu) ** 4 for d in draws]
    return sum(values) / len(values)


# -- the reference solution on facts worked out by hand ----------------------------------------------

def test_theory_on_a_tiny_population_by_enumeration():
    # sigma^2 = 14/3.  With replacement: 14/3, 7/3, 14/9.  Without: k = 1: 14/3;
    # k = 2: (14/3)/2 * (3-2)/(3-1) = 7/6; k = 3: 0.
    assert _exhaustive_mse(TINY, True) == [Fraction(14, 3), Fraction(7, 3), Fraction(14, 9)]
    assert _exhaustive_mse(TINY, False) == [Fraction(14, 3), Fraction(7, 6), Fraction(0)]
    variance = float(np.var(TINY))
    assert ref.theoretical_mse(3, variance, True) == pytest.approx([14 / 3, 7 / 3, 14 / 9], rel=1e-14)
    assert ref.theoretical_mse(3, variance, False) == pytest.approx([14 / 3, 7 / 6, 0.0], rel=1e-14)


def test_finite_population_correction_by_enumeration_n5():
    a = [0.0, 1.0, 3.0, 4.0, 7.0]  # every ordered sample of every size: 5! permutations
    exact = [float(v) for v in _exhaustive_mse(a, False)]
    assert ref.theoretical_mse(5, float(np.var(a)), False) == pytest.approx(exact, rel=1e-13, abs=1e-15)


def test_theory_is_exactly_zero_after_a_full_pass():
    for n in (1, 2, 3, 10, 100):
        assert ref.theoretical_mse(n, 0.7, False)[-1] == 0.0
    assert ref.theoretical_mse(1, 0.7, False).tolist() == [0.0]   # one value: no 0/0
    assert ref.theoretical_mse(1, 0.7, True).tolist() == [0.7]    # variance / 1


def test_running_mean_by_hand():
    assert ref.running_mean([1, 2, 3, 4]).tolist() == [1.0, 1.5, 2.0, 2.5]   # 1, 3/2, 6/3, 10/4
    assert ref.running_mean([5.0]).tolist() == [5.0]
    assert ref.running_mean([2, 4, 9]).tolist() == [2.0, 3.0, 5.0]           # 2, 6/2, 15/3


def test_least_squares_by_hand():
    # a = [1, 2], b = [1, 6]: x* = (1 + 12)/(1 + 4) = 2.6; b/a = 1, 3.
    assert ref.least_squares_1d([1.0, 2.0], [1.0, 6.0]) == pytest.approx((2.6, 1.0, 3.0), rel=1e-15)
    # a = [-1, 2], b = [3, 1]: x* = (-3 + 2)/(1 + 4) = -0.2; b/a = -3, 0.5.
    assert ref.least_squares_1d([-1.0, 2.0], [3.0, 1.0]) == pytest.approx((-0.2, -3.0, 0.5), rel=1e-15)
    for a, b in [([1.0, 2.0], [1.0]), ([], []), ([1.0, 0.0], [1.0, 1.0])]:
        with pytest.raises(ValueError, match=r"\ba"):
            ref.least_squares_1d(a, b)


def test_early_stopping_by_hand():
    handout = [5.0, 4.0, 3.0, 3.5, 3.2, 3.1, 2.9]
    assert ref.early_stopping(handout, 3) == 2   # 3.5, 3.2, 3.1: three without improvement, stop at 5
    assert ref.early_stopping(handout, 4) == 6   # never stops: 2.9 is the overall best
    assert ref.early_stopping([2.0, 1.0, 1.0, 1.0, 0.0], 2) == 1   # two ties end the run at index 3
    assert ref.early_stopping([2.0, 1.0, 1.0, 1.0, 0.0], 3) == 4
    assert ref.early_stopping([1.0, 2.0, 0.0], 1) == 0              # stops at index 1
    assert ref.early_stopping([1.0, 1.0, 1.0], 9) == 0              # first of the tied minima
    with pytest.raises(ValueError, match="patience"):
        ref.early_stopping([1.0], 0)
    with pytest.raises(ValueError, match="val_losses"):
        ref.early_stopping([], 1)
    # the suite's own reading of the rule agrees on the same hand cases
    assert q6._rule(handout, 3) == 2 and q6._rule(handout, 4) == 6
    assert q6._rule([2.0, 1.0, 1.0, 1.0, 0.0], 2) == 1 and q6._rule([1.0, 2.0, 0.0], 1) == 0


def test_sgd_two_steps_by_hand():
    # f_0(x) = 1/2 (2x - 2)^2, grad = 2 (2x - 2).  x0 = 0, lr = 0.1:
    # x1 = 0 - 0.1 * 2 * (0 - 2) = 0.4;  x2 = 0.4 - 0.1 * 2 * (0.8 - 2) = 0.64.
    xs = ref.sgd(lambda x, i: 2.0 * (2.0 * x - 2.0), 0.0, 1, 0.1, 2, True, np.random.default_rng(0))
    assert xs.shape == (2,) and xs == pytest.approx([0.4, 0.64], rel=1e-15)
    # lr(t) = 0.1 / (1 + t): x1 = 0.4 as before, x2 = 0.4 - 0.05 * 2 * (0.8 - 2) = 0.52.
    xs = ref.sgd(lambda x, i: 2.0 * (2.0 * x - 2.0), 0, 1, lambda t: 0.1 / (1 + t), 2, False,
                 np.random.default_rng(0))
    assert xs == pytest.approx([0.4, 0.52], rel=1e-15) and xs.dtype == np.float64
    x0 = np.array([1, 2])  # an int array is not modified, and the iterates are floats
    xs = ref.sgd(lambda x, i: x, x0, 3, 0.5, 2, True, np.random.default_rng(0))  # x <- x/2
    assert x0.tolist() == [1, 2] and xs.tolist() == [[0.5, 1.0], [0.25, 0.5]]


def test_sample_indices_structure():
    rng = np.random.default_rng(5)
    idx = ref.sample_indices(4, 10, False, rng)
    assert idx.dtype == np.int64 and sorted(idx[:4]) == [0, 1, 2, 3] and sorted(idx[4:8]) == [0, 1, 2, 3]
    assert len(set(idx[8:].tolist())) == 2
    assert ref.sample_indices(1, 3, False, rng).tolist() == [0, 0, 0]


# -- the suite's statistics against brute force ----------------------------------------------------

def test_fourth_moment_formula_by_enumeration():
    sigma2, mu4 = moments(TINY)
    assert (sigma2, mu4) == pytest.approx((14 / 3, 98 / 3), rel=1e-14)
    for k in (1, 2, 3, 4):
        exact = float(_exhaustive_fourth(TINY, k, True))
        assert float(fourth_moment_with(k, sigma2, mu4)) == pytest.approx(exact, rel=1e-13)


def test_without_replacement_fourth_moment_bound_holds():
    # Hoeffding + mirror image: E[e_k^4] without <= min(iid(k), ((n-k)/k)^4 iid(n-k)); checked on
    # every k of two small populations by enumerating all permutations.
    for a in (TINY, [0.0, 1.0, 3.0, 4.0, 7.0], [0.0, 0.0, 0.0, 0.0, 10.0]):
        n = len(a)
        sigma2, mu4 = moments(a)
        for k in range(1, n):
            exact = float(_exhaustive_fourth(a, k, False))
            bound = min(fourth_moment_with(k, sigma2, mu4),
                        ((n - k) / k) ** 4 * fourth_moment_with(n - k, sigma2, mu4))
            assert exact <= bound * (1 + 1e-12)


def test_reference_curves_pass_the_statistical_judges_over_many_seeds():
    # 40 fresh seeds: a correct curve never comes near 6 standard errors.
    a = q3._skewed30
    for seed in range(40):
        for replace in (True, False):
            curve = ref.mean_squared_error_curve(np.array(a), replace, 400, np.random.default_rng(1000 + seed))
            q3._matches_theory(curve, None, a, replace, 400, seed)


# -- custom judges fail on wrong inputs -----------------------------------------------------------

def test_q1_judges_reject_wrong_samples():
    rng = np.random.default_rng(1)
    with_replacement = np.array([2, 2, 3, 4, 0], dtype=np.int64)  # a repeat inside one pass
    with pytest.raises(Mismatch, match="permutation"):
        q1._without_replacement_blocks(with_replacement, None, 5, 5, 0)
    with pytest.raises(Mismatch, match="int64"):
        q1._well_typed(np.array([0, 1, 2], dtype=np.int32), None, 3, 3, False, 0)
    with pytest.raises(Mismatch, match="outside"):
        q1._well_typed(np.array([0, 3], dtype=np.int64), None, 3, 2, True, 0)
    with pytest.raises(Mismatch, match="same seed"):  # (same seed, same seed, other seed, global state used)
        q1._reproducible((np.array([0, 1]), np.array([1, 0]), np.array([1, 1]), False), None)
    with pytest.raises(Mismatch, match="different seeds gave the same"):
        q1._reproducible((np.array([0, 1]), np.array([0, 1]), np.array([0, 1]), False), None)
    with pytest.raises(Mismatch, match="rng argument"):
        q1._reproducible((np.array([0, 1]), np.array([0, 1]), np.array([1, 0]), True), None)
    q1._reproducible((np.array([0, 1]), np.array([0, 1]), np.array([1, 0]), False), None)
    # an order reused for every pass
    with pytest.raises(Mismatch, match="blocks"):
        q1._fresh_uniform_blocks(np.tile(rng.permutation(3), 30000), None, 30000, 0)
    # a biased hand-written shuffle: swap position i with ANY position (27 equally likely swap
    # sequences onto 6 orders: probabilities 4/27, 5/27, 5/27, 4/27, 5/27, 4/27, not 1/6)
    def naive(n):
        order = list(range(n))
        for i in range(n):
            j = int(rng.integers(0, n))
            order[i], order[j] = order[j], order[i]
        return order
    biased = np.array([v for _ in range(30000) for v in naive(3)], dtype=np.int64)
    with pytest.raises(Mismatch, match="standard errors"):
        q1._fresh_uniform_blocks(biased, None, 30000, 0)
    # each block uniformly random on its own, but not independent of the one before: every block is
    # the previous one reversed (never equal to it, where independent blocks repeat 1/6 of the time)
    first = list(rng.permutation(3))
    chained = []
    for j in range(30000):
        chained += first if j % 2 == 0 else first[::-1]
        if j % 2 == 1:
            first = list(rng.permutation(3))
    reversed_blocks = np.array(chained, dtype=np.int64)
    with pytest.raises(Mismatch, match="identical to the block before"):
        q1._fresh_uniform_blocks(reversed_blocks, None, 30000, 0)
    # a partial block cut from the same permutation as the first block
    reused = []
    for _ in range(6000):
        p = rng.permutation(3)
        reused.append(np.concatenate([p, p[:2]]).astype(np.int64))
    with pytest.raises(Mismatch, match="fresh permutation"):
        q1._fresh_partial_block(reused, None, 6000, 0)
    # "with replacement" that returns permutation blocks, and one that never draws n - 1
    blocks = [np.concatenate([rng.permutation(10), rng.permutation(10), rng.permutation(10)[:5]]).astype(np.int64)
              for _ in range(2000)]
    with pytest.raises(Mismatch, match="equal to the draw just before"):
        q1._uniform_independent(blocks, None, 10, 25, 2000, 0)
    short = [rng.integers(0, 9, 25).astype(np.int64) for _ in range(2000)]
    with pytest.raises(Mismatch, match="equal to"):
        q1._uniform_independent(short, None, 10, 25, 2000, 0)


def test_q1_judges_accept_right_samples():
    rng = np.random.default_rng(2)
    q1._fresh_uniform_blocks(ref.sample_indices(3, 90000, False, rng), None, 30000, 0)
    q1._fresh_partial_block([ref.sample_indices(3, 5, False, rng) for _ in range(6000)], None, 6000, 0)
    q1._uniform_independent([ref.sample_indices(10, 25, True, rng) for _ in range(2000)], None, 10, 25, 2000, 0)


def test_q2_judges_reject_wrong_means():
    values = [1.0, 2.0, 3.0, 4.0]
    with pytest.raises(Mismatch, match=r"r\[0\]"):
        q2._running_mean_judge(np.array([0.5, 1.0, 1.5, 2.0]), q2._definition(values), values)  # / (k + 2)
    with pytest.raises(Mismatch, match="numpy array"):
        q2._running_mean_judge([1.0, 1.5, 2.0, 2.5], q2._definition(values), values)


def test_q2_cost_judges_each_runs_value_then_the_fastest_runs_cost():
    from autograder.checking.plain import encode

    check = q2.linear_time.test_func.check
    unit = check.cost.unit(check.cases[0])

    def measured(ratio, result_for):
        runs = [{"seconds": ratio * unit, "seed": s, "result": encode(result_for(s))} for s in (5, 6, 7)]
        return [{"measured": runs}]

    right = lambda s: q2._cumulative_means(q2._cost_values(50_000, s))  # noqa: E731
    assert check.verdict(measured(12.0, right)) is None  # a slow but linear loop
    assert "O(n)" in check.verdict(measured(1000.0, right))  # a mean recomputed per prefix: ~450
    for result_for in (lambda s: np.zeros(50_000), lambda s: right(s + 1)):  # fast but wrong; a cached answer
        assert "wrong value:" in check.verdict(measured(1.0, result_for))


def test_q3_judges_reject_uncorrected_curves():
    a = q3._rand100
    n = len(a)
    # a measured curve without the correction: sampling with replacement judged as without
    curve = ref.mean_squared_error_curve(np.array(a), True, 1000, np.random.default_rng(3))
    with pytest.raises(Mismatch):
        q3._matches_theory(curve, None, a, False, 1000, 0)
    with pytest.raises(Mismatch, match="should be 0"):
        q3._zero_at_n(curve, None, a, 1000, 0)
    # the theory without the correction, and with (1 - k/n) in its place
    variance = float(np.var(a))
    k = np.arange(1, n + 1)
    expected = mse_theory(n, variance, False)
    with pytest.raises(Mismatch):
        q3._theory_judge(variance / k, expected, n, variance, False)
    with pytest.raises(Mismatch):
        q3._theory_judge(variance / k * (1 - k / n), expected, n, variance, False)
    with pytest.raises(Mismatch, match="float64"):
        q3._theory_judge(list(expected), expected, n, variance, False)
    with pytest.raises(Mismatch, match="same seed"):
        q3._same_twice((np.zeros(3), np.ones(3), np.ones(3), False), None)


def test_q4_judges_reject_wrong_regions():
    a, b = [1.0, 2.0], [1.0, 6.0]
    expected = q4._formula(a, b)
    q4._triple_judge((2.6, 1.0, 3.0), expected, a, b)
    with pytest.raises(Mismatch, match="region"):
        q4._triple_judge((2.6, 3.0, 1.0), expected, a, b)          # lo and hi swapped
    with pytest.raises(Mismatch, match="region"):
        q4._triple_judge((2.6, 1 / 3, 1.0), expected, a, b)        # a_i / b_i
    with pytest.raises(Mismatch, match="x_star"):
        q4._triple_judge((13 / 37, 1.0, 3.0), expected, a, b)      # sum a b / sum b^2
    unnamed = Raised(("ValueError", "Exception"), "operands could not be broadcast together with shapes (2,) (3,)")
    with pytest.raises(Mismatch, match="should name 'a'"):
        q4._bad_arguments(unnamed, None, [1.0, 2.0], [1.0, 2.0, 3.0], ("a", "b"))
    # one wording everywhere (round 3): the word itself, in any letter case
    q4._bad_arguments(Raised(("ValueError", "Exception"), "A contains a zero"), None, [0.0], [0.0], ("a",))
    with pytest.raises(Mismatch, match="wrong type"):               # ints where the handout promises floats
        q4._triple_judge((2, 1, 3), (2.0, 1.0, 3.0), [1, 1], [1, 3])
    q4._bad_arguments(Raised(("ValueError", "Exception"), "len(b) != len(a)"), None, [1.0, 2.0], [1.0], ("a", "b"))
    with pytest.raises(Mismatch, match="ValueError"):
        q4._bad_arguments(Raised(("ZeroDivisionError", "ArithmeticError", "Exception"), "a_i = 0"), None,
                          [0.0], [0.0], ("a",))


def test_q5_judges_reject_wrong_iterates():
    problem = q5._small
    idx = ref.sample_indices(4, 12, False, np.random.default_rng(1))
    grad = q5._make_grad(problem)
    right = ref.sgd(grad, 0.0, 4, 0.1, 12, False, np.random.default_rng(1))
    q5._recurrence((idx, right, 0.0), None, problem, 0.0, 0.1, 12, False, 1)
    shifted = np.concatenate([[0.0], right[:-1]])  # x_0 .. x_{T-1}
    with pytest.raises(Mismatch, match="not x0"):
        q5._recurrence((idx, shifted, 0.0), None, problem, 0.0, 0.1, 12, False, 1)
    other = ref.sgd(grad, 0.0, 4, 0.1, 12, False, np.random.default_rng(99))  # indices not from that state
    with pytest.raises(Mismatch, match="row"):
        q5._recurrence((idx, other, 0.0), None, problem, 0.0, 0.1, 12, False, 1)
    with pytest.raises(Mismatch, match="changed the caller"):
        q5._recurrence((idx, right, 5.0), None, problem, 0.0, 0.1, 12, False, 1)
    # the behaviour judge: a path that jumps away, and one that leaves the region
    p = q5._behaviour
    x0, lo, hi = q5._hi + q5._far, q5._lo, q5._hi
    path = ref.sgd(q5._make_grad(p), x0, 10, 0.2, 400, True, np.random.default_rng(4))
    q5._toward_then_inside(path, None, p, x0, 0.2, 400, True, 4)
    away = path.copy()
    away[3] = x0 + 1.0
    with pytest.raises(Mismatch, match="never away"):
        q5._toward_then_inside(away, None, p, x0, 0.2, 400, True, 4)
    leaves = path.copy()
    leaves[-1] = hi + 0.5 * (hi - lo)
    with pytest.raises(Mismatch):
        q5._toward_then_inside(leaves, None, p, x0, 0.2, 400, True, 4)
    # "without replacement ends closer": the same sampling for both gives no significant difference
    p = q5._closer
    g = q5._make_grad(p)
    seeds = np.random.default_rng(7).integers(0, 2**62, 600)
    finals = [ref.sgd(g, 0.0, 10, 0.05, 300, True, np.random.default_rng(int(s)))[-1] for s in seeds]
    with pytest.raises(Mismatch, match="closer"):
        q5._closer_without((np.array(finals[:300]), np.array(finals[300:])), None, p, 0.0, 0.05, 300, 300, 0)


def test_q5_entry_bound_is_a_real_bound():
    # the rigorous entry step is far beyond what the reference ever needs, and within the 400 steps
    p = q5._behaviour
    for x0 in (q5._hi + q5._far, q5._lo - q5._far):
        bound = q5._entry_bound(p, x0, 0.2)
        assert bound < 400
        for seed in range(30):
            for replace in (True, False):
                path = np.concatenate([[x0], ref.sgd(q5._make_grad(p), x0, 10, 0.2, 400, replace,
                                                     np.random.default_rng(seed))])
                entered = int(np.argmax(q5._distance(path, q5._lo, q5._hi) <= 0))
                assert 0 < entered <= bound


def test_q6_judge_rejects_wrong_types_and_indices():
    with pytest.raises(Mismatch, match="int"):
        q6._index_judge(2.0, 2, [5.0, 4.0, 3.0], 1)
    with pytest.raises(Mismatch, match="expected index 1"):
        q6._index_judge(4, 1, [2.0, 1.0, 1.0, 1.0, 0.0], 2)
    q6._index_judge(np.int64(1), 1, [2.0, 1.0, 1.0, 1.0, 0.0], 2)


# -- figures ----------------------------------------------------------------------------------------

def _mean_figure(a, trials, seed, ddof=0, drop_legend=False, linear=False):
    a = np.asarray(a)
    n = len(a)
    k = np.arange(1, n + 1)
    rng = np.random.default_rng(seed)
    fig, ax = plt.subplots()
    for replace in (True, False):
        ax.plot(k, ref.mean_squared_error_curve(a, replace, trials, rng), label=f"measured {replace}")
        ax.plot(k, ref.theoretical_mse(n, np.var(a, ddof=ddof), replace), label=f"theory {replace}")
    if not linear:
        ax.set_xscale("log")
        ax.set_yscale("log")
    ax.set_xlabel("k")
    ax.set_ylabel("mse")
    if not drop_legend:
        ax.legend()
    return q7._figure_data(fig, "test")


def test_q7_mean_figure_judges():
    a = q7._rand100
    q7._mean_convergence_data(_mean_figure(a, 300, 1), None, a, 300, 1)
    with pytest.raises(Mismatch, match="theory with replacement"):
        q7._mean_convergence_data(_mean_figure(a, 300, 1, ddof=1), None, a, 300, 1)
    with pytest.raises(Mismatch, match="logarithmic"):
        q7._mean_convergence_structure(_mean_figure(a, 30, 1, linear=True), None, a, 30, 1)
    with pytest.raises(Mismatch, match="legend"):
        q7._mean_convergence_structure(_mean_figure(a, 30, 1, drop_legend=True), None, a, 30, 1)
    with pytest.raises(Mismatch, match="Figure"):
        q7._mean_convergence_structure(q7._figure_data("not a figure", "test"), None, a, 30, 1)


def _sgd_figure(a, b, lr, T, x0, seed, swap=False, shade=True, star=True):
    a, b = np.asarray(a), np.asarray(b)
    x_star, lo, hi = ref.least_squares_1d(a, b)
    grad = lambda x, i: a[i] * (a[i] * x - b[i])  # noqa: E731
    rng = np.random.default_rng(seed)
    fig, ax = plt.subplots()
    names = ["without replacement", "with replacement"] if swap else ["with replacement", "without replacement"]
    for replace, label in zip((True, False), names):
        ax.plot(np.arange(1, T + 1), ref.sgd(grad, x0, len(a), lr, T, replace, rng), label=label)
    if shade:
        ax.axhspan(lo, hi, alpha=0.2)
    if star:
        ax.axhline(x_star)
    ax.set_xlabel("t")
    ax.set_ylabel("x")
    ax.legend()
    return q7._figure_data(fig, "test")


def test_q7_sgd_figure_judges():
    args = (q7._A10, q7._B10, 0.25, 100, -3.0, 3)
    q7._sgd_data(_sgd_figure(*args), None, *args)
    with pytest.raises(Mismatch, match="whole passes"):
        q7._sgd_data(_sgd_figure(*args, swap=True), None, *args)   # labels swapped
    with pytest.raises(Mismatch, match="shade"):
        q7._sgd_structure(_sgd_figure(*args, shade=False), None, *args)
    with pytest.raises(Mismatch, match="mark x_star"):
        q7._sgd_structure(_sgd_figure(*args, star=False), None, *args)
    # a path on a different problem (b doubled) is not made of SGD steps on this one
    other = _sgd_figure(q7._A10, [2 * v for v in q7._B10], 0.25, 100, -3.0, 3)
    y = other["axes"][0]["lines"][0]["y"]
    with pytest.raises(Mismatch, match="not an SGD step"):
        q7._term_indices(y, q7._A10, q7._B10, 0.25, -3.0, 100, "with replacement")


def test_handout_points_match_the_suite():
    import re

    from autograder.engine.suite import load_suite

    handout = (ROOT / "assignments" / "sgd_without_replacement" / "handout.md").read_text()
    table = {int(q): int(p) for q, p in re.findall(r"^\| Q(\d) .*\| (\d+) \|$", handout, re.M)}
    suite = {int(q.name[1]): int(q.points) for q in load_suite("sgd_without_replacement")}
    assert table == suite
    assert f"**{sum(suite.values())}**" in handout and f"Points: {sum(suite.values())}." in handout


def test_figure_script_draws_both_figures(tmp_path):
    # draw_figures.py, run against the reference solution as the release does, writes two PNGs
    import shutil
    import subprocess
    import sys

    shutil.copy(ROOT / "solutions" / "sgd_without_replacement.py", tmp_path)
    shutil.copy(ROOT / "assignments" / "sgd_without_replacement" / "draw_figures.py", tmp_path)
    env = {**os.environ, "MPLBACKEND": "Agg", "MPLCONFIGDIR": str(tmp_path / ".mpl")}
    subprocess.run([sys.executable, "draw_figures.py"], cwd=tmp_path, check=True, env=env,
                   capture_output=True, timeout=120)
    for name in ("mean_convergence.png", "sgd.png"):
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("bad_row, message", [
    (np.array([0, 1, 3, 0, 1]), "entry 2 is 3, outside range(3)"),
    (np.array([0.0, 1.0, 2.0, 0.0, 1.0]), "dtype int64"),
    (np.array([0, 1, 2]), "shape (5,)"),
    ([0, 1, 2, 0, 1], "numpy array"),
])
def test_index_rows_names_the_first_bad_result_as_one_by_one_checking_would(bad_row, message):
    """The vectorised check of 6,000 results gives the message of the one-result check, for the
    first bad one, and stacks good results unchanged."""
    q1 = load_file(ROOT / "autograder" / "suites" / "sgd_without_replacement" / "q1_sample_indices.py", "q1_rows")
    good = [np.array([2, 0, 1, 1, 2], dtype=np.int64)] * 6
    rows = q1._index_rows(good, 3, 5, "sample_indices(3, 5, False, rng)")
    assert rows.shape == (6, 5) and (rows == good[0]).all()
    got = good[:3] + [bad_row] + good[3:]
    with pytest.raises(Mismatch, match=message.replace("(", r"\(").replace(")", r"\)")):
        q1._index_rows(got, 3, 5, "sample_indices(3, 5, False, rng)")


# Attacks on the O(n) check's clock (tests/fixtures/adversarial/sgd_without_replacement/, written out
# by the sgd_attacks fixture): each must lose exactly that check.  The bundle's side: test_assignments.
def test_attacks_on_the_clock_of_the_o_n_check_still_lose_it(tmp_path, grade_cli, sgd_attacks):
    folder, expected = sgd_attacks
    rows = grade_cli("sgd_without_replacement", folder, tmp_path / "out")
    got = {name: (float(row["q2_running_mean"]), float(row["total"]), row["status"]) for name, row in rows.items()}
    assert got == {name: (e["q2_running_mean"], e["total"], e["status"]) for name, e in expected.items()}, got


# -- round 3: edges, promised types, figures judged on what the handout permits ---------------------

ALTERNATIVES = ROOT / "tests" / "fixtures" / "alternative" / "sgd_without_replacement"


def _fixture(name):
    return load_file(ALTERNATIVES / f"{name}.py", f"sgd_alt_{name}")


def _q7_verdicts(module):
    out = {}
    for test in (q7.mean_figure_structure, q7.mean_figure_data, q7.sgd_figure_structure, q7.sgd_figure_data):
        check = test.test_func.check
        out[test.test_func.__name__] = check.verdict(check.run_probes(vars(module)))
    return out


@pytest.mark.parametrize("name", ["two_panels", "step_and_scatter", "inline_figures"])
def test_every_drawing_the_handout_permits_passes(name):
    # two panels with their own shading, x* and legend, fig.legend and fig.supxlabel; step and
    # scatter series; figures computed inline with capitalised labels
    verdicts = _q7_verdicts(_fixture(name))
    assert verdicts == dict.fromkeys(verdicts), verdicts


def test_figure_data_of_two_panels_and_scatter_series():
    fig, axes = plt.subplots(1, 2)
    axes[0].scatter([1, 2, 3], [4.0, 5.0, 6.0], label="with replacement")
    axes[1].step([1, 2, 3], [1.0, 2.0, 3.0], label="without replacement")
    fig.supxlabel("t")
    data = q7._figure_data(fig, "test")
    (scatter,) = [ln for ln in data["axes"][0]["lines"] if ln["label"] == "with replacement"]
    assert scatter["x"].tolist() == [1.0, 2.0, 3.0] and scatter["y"].tolist() == [4.0, 5.0, 6.0]
    holders, lines = q7._sgd_lines(data)
    assert len(holders) == 2 and [ln["label"] for ln in lines] == ["with replacement", "without replacement"]
    assert data["super_labels"] == ["t", ""]


def test_sgd_labels_match_letter_case_aside_and_nothing_else():
    args = (q7._A10, q7._B10, 0.25, 100, -3.0, 3)
    figure = _sgd_figure(*args)
    ax = figure["axes"][0]
    for k, line in enumerate(ax["lines"][:2]):
        line["label"] = ax["legend"][k] = " " + line["label"].title() + " "   # " With Replacement "
    q7._sgd_structure(figure, None, *args)
    for k, line in enumerate(ax["lines"][:2]):
        line["label"] = ax["legend"][k] = line["label"].strip().replace(" ", "-")  # another label
    with pytest.raises(Mismatch, match="labelled"):
        q7._sgd_structure(figure, None, *args)


def test_x_star_and_shading_are_judged_against_the_students_own_values():
    args = (q7._A10, q7._B10, 0.25, 100, -3.0, 3)
    x_star, lo, hi = q7._region(q7._A10, q7._B10)
    figure = _sgd_figure(*args, shade=False, star=False)
    ax = figure["axes"][0]
    ax["spans"].append([lo + 1.0, hi + 1.0])                        # the student's own (wrong) region
    ax["points"].append(x_star + 1.0)                                # and their own (wrong) x*
    own = {"least_squares": np.array([x_star + 1.0, lo + 1.0, hi + 1.0])}
    q7._sgd_structure({"drawn": figure, "own": own}, None, *args)   # drawn as computed: q4's bug, not q7's
    with pytest.raises(Mismatch, match="shade"):
        q7._sgd_structure(figure, None, *args)                       # without their values: wrong band
    ax["spans"].append([lo, hi])
    with pytest.raises(Mismatch, match="marked at the wrong height: marks found at y"):
        q7._sgd_structure(figure, None, *args)                       # a line is drawn, at the wrong y


def test_sgd_paths_are_judged_against_the_students_own_sgd():
    args = (q7._A10, q7._B10, 0.25, 100, -3.0, 4)
    paths = [np.linspace(-3.0, 1.0, 100), np.linspace(-3.0, 2.0, 100)]  # not SGD: a buggy sgd's output
    fig, ax = plt.subplots()
    for path, label in zip(paths, ("with replacement", "without replacement")):
        ax.plot(np.arange(1, 101), path, label=label)
    drawn = q7._figure_data(fig, "test")
    q7._sgd_data({"drawn": drawn, "own": {"sgd": [[True, paths[0]], [False, paths[1]]]}}, None, *args)
    with pytest.raises(Mismatch, match="labels are swapped"):
        q7._sgd_data({"drawn": drawn, "own": {"sgd": [[False, paths[0]], [True, paths[1]]]}}, None, *args)
    with pytest.raises(Mismatch, match="not an SGD step"):
        q7._sgd_data({"drawn": drawn, "own": {"sgd": []}}, None, *args)


def test_the_spy_records_the_students_calls_and_restores_the_function():
    namespace = vars(ref)  # the functions' own globals, as in the grading child
    original = namespace["sgd"]
    check = q7.sgd_figure_data.test_func.check
    (result,) = check.run_probes(namespace)
    assert namespace["sgd"] is original
    from autograder.checking.plain import decode

    own = decode(result)["own"]["sgd"]
    assert sorted(r for r, _ in own) == [False, True] and all(len(v) == 100 for _, v in own)


def test_mean_figure_accepts_the_students_own_curves_and_theory():
    a = q7._rand100
    n = len(a)
    k = np.arange(1, n + 1)
    wrong_theory = [np.full(n, 0.5), np.full(n, 0.25)]                  # a buggy theoretical_mse (Q3's bug)
    own_curves = [np.full(n, 0.3), np.full(n, 0.2)]                     # a buggy mean_squared_error_curve
    fig, ax = plt.subplots()
    for y, label in zip(wrong_theory + own_curves, ("t1", "t2", "m1", "m2")):
        ax.loglog(k, y, label=label)
    drawn = q7._figure_data(fig, "test")
    own = {"theory": wrong_theory, "curves": [[True, own_curves[0]], [False, own_curves[1]]]}
    q7._mean_convergence_data({"drawn": drawn, "own": own}, None, a, 300, 2)
    with pytest.raises(Mismatch, match="no line shows the theory"):
        q7._mean_convergence_data({"drawn": drawn, "own": {}}, None, a, 300, 2)


def test_new_edge_judges_reject_wrong_values():
    with pytest.raises(Mismatch, match="dtype int64"):
        q1._well_typed(np.array([]), None, 4, 0, True, 13)               # an empty float64 array
    q1._well_typed(np.array([], dtype=np.int64), None, np.int64(4), np.int64(0), True, 13)
    q2._running_mean_judge(np.array([]), np.array([]), [])
    with pytest.raises(Mismatch, match="numpy array"):
        q2._running_mean_judge([], np.array([]), [])
    with pytest.raises(Mismatch, match="float64"):
        q3._curve_array(np.zeros(3, dtype=np.float32), 3)
    with pytest.raises(Mismatch, match="is valid"):
        q6._value_error(Raised(("ValueError", "Exception"), "patience"), None, [4.0], 1, None)
    q6._value_error(1, None, [2.0, 1.0, 3.0], 1, None)                  # stops at 2; the best seen is 1
    with pytest.raises(Mismatch, match="expected index 1"):
        q6._value_error(0, None, [2.0, 1.0, 3.0], 1, None)
    with pytest.raises(Mismatch, match="is valid"):
        q4._bad_arguments(Raised(("ValueError", "Exception"), "a"), None, [-0.5], [0.0], ())


def test_a_figure_that_gives_sgd_a_wrong_gradient_fails_although_it_draws_sgds_output():
    """The student's own sgd is replayed on the figure's right problem from the generator state of
    each call: a plot_sgd passing a wrong grad_i draws sgd's output, but not for this problem."""
    namespace = dict(vars(ref))
    exec(compile('''
def plot_sgd(a, b, lr, num_steps, x0, rng):
    import matplotlib.pyplot as plt
    x_star, lo, hi = least_squares_1d(a, b)
    fig, ax = plt.subplots()
    for replace, name in ((True, "with replacement"), (False, "without replacement")):
        ax.plot(range(1, num_steps + 1), sgd(lambda x, i: a[i] * (a[i] * x + b[i]), x0, len(a), lr, num_steps,
                                             replace, rng), label=name)
    ax.axhspan(lo, hi); ax.axhline(x_star); ax.set_xlabel("t"); ax.set_ylabel("x"); ax.legend()
    return fig
''', "<variant>", "exec"), namespace)
    check = q7.sgd_figure_data.test_func.check
    message = check.verdict(check.run_probes(namespace))
    assert message and "not an SGD step" in message
    namespace["plot_sgd"] = ref.plot_sgd  # the reference's own plot in the same namespace passes
    assert check.verdict(check.run_probes(vars(ref))) is None
