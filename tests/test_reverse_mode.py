"""reverse_mode: the reference solution against numbers worked out by hand, the suite's hand-derived
formulas against central differences, the benchmark's measurement, and the suite's custom judges
against wrong answers.

Every literal below is worked out by hand in the comment next to it, not read back from the code.
"""

import math
import operator
from pathlib import Path

import numpy as np
import pytest

from autograder.checking import Mismatch, central_difference, check_gradient, seeded
from autograder.engine.suite import load_file, reference_solution

ROOT = Path(__file__).resolve().parents[1]
SUITE = ROOT / "autograder" / "suites" / "reverse_mode"


ref = reference_solution("reverse_mode")
q1 = load_file(SUITE / "q1_lecture_example.py", "rm_q1")
q2 = load_file(SUITE / "q2_operators.py", "rm_q2")
q3 = load_file(SUITE / "q3_functions.py", "rm_q3")
q4 = load_file(SUITE / "q4_backward_sweep.py", "rm_q4")
q5 = load_file(SUITE / "q5_random_graphs.py", "rm_q5")
q6 = load_file(SUITE / "q6_scale_and_cost.py", "rm_q6")
bench = load_file(ROOT / "autograder" / "bench" / "reverse_mode.py", "rm_bench")


def judge_of(test):
    return test.test_func.check.judge


def cases_of(test):
    return test.test_func.check.cases


# -- the reference solution on the lecture's numbers, worked out by hand ---------------------------

def test_lecture_example_by_hand():
    x, y = ref.Var(2), ref.Var(3)
    c = x ** 3          # 8
    s = x + 3 * y       # 2 + 9 = 11
    F = c * s           # 8 * 11 = 88
    F.backward()        # one sweep
    assert F.value == 88.0
    assert F.grad == 1.0                 # dF/dF
    assert c.grad == 11.0                # dF/dc = s
    assert s.grad == 8.0                 # dF/ds = c
    assert x.grad == 140.0               # 3x^2 (x + 3y) + x^3 = 12 * 11 + 8
    assert y.grad == 24.0                # 3x^3 = 24


def test_grad_of_the_lecture_function():
    value, gradient = ref.grad(lambda x, y: x ** 3 * (x + 3 * y), (2, 3))
    assert value == 88.0 and isinstance(value, float)
    assert isinstance(gradient, np.ndarray) and gradient.dtype == np.float64
    assert gradient.tolist() == [140.0, 24.0]


def test_var_starts_at_zero_and_repr_shows_both():
    x = ref.Var(2.5)
    assert (x.value, x.grad) == (2.5, 0.0)
    (x * 3.25).backward()                # d(3.25 x)/dx = 3.25
    assert "2.5" in repr(x) and "3.25" in repr(x)


def test_backward_twice_and_untouched_nodes():
    x, y, z = ref.Var(1.5), ref.Var(-2.0), ref.Var(0.5)
    G = z * z
    G.backward()                         # z.grad = 2z = 1
    F = x * y + x
    F.backward()
    F.backward()                         # again: reset, not doubled
    assert (x.grad, y.grad) == (-1.0, 1.5)   # y + 1 = -1, x = 1.5
    assert (z.grad, G.grad) == (1.0, 1.0)    # outside F: unchanged


def test_constant_function_and_unused_input():
    value, gradient = ref.grad(lambda x, y: 4.0, (1.0, 2.0))
    assert value == 4.0 and gradient.tolist() == [0.0, 0.0]
    value, gradient = ref.grad(lambda x, y, z: x * y, (2.0, 5.0, 7.0))
    assert value == 10.0 and gradient.tolist() == [5.0, 2.0, 0.0]   # (y, x, 0)


def test_diamond_with_unequal_paths_by_hand():
    x, y = ref.Var(1.0), ref.Var(2.0)
    a = x * y                            # 2
    b = a + 1.0 + 1.0 + 1.0              # a + 3 = 5
    F = a * b + a                        # a^2 + 4a: dF/da = 2a + 4 = 8
    F.backward()
    assert (a.grad, x.grad, y.grad) == (8.0, 16.0, 8.0)   # dF/da * y, dF/da * x


def test_long_chain_and_many_paths():
    x = ref.Var(0.5)
    v = x
    for _ in range(100_000):             # 100,000 operations, no RecursionError
        v = v + 1.0
    v.backward()
    assert x.grad == 1.0
    x = ref.Var(0.25)
    u, w = x, x
    for _ in range(30):                  # 2^30 paths; (du, dv) -> (du + dv, du - dv), squared = 2 I
        u, w = u + w, u - w
    u.backward()
    assert x.grad == 2.0 ** 15


def test_domain_errors_and_reals():
    with pytest.raises(ValueError):
        ref.log(ref.Var(0.0))
    with pytest.raises(ValueError):
        ref.sqrt(-1.0)
    assert ref.sin(0.0) == 0.0 and isinstance(ref.exp(0), float)


@pytest.mark.parametrize("other", [True, "2", None, [1.0]], ids=repr)
def test_only_real_numbers_are_operands(other):
    # "real number" (ASSIGNMENTS.md): int, float, numpy integer or floating scalar; a bool is not one
    for op in (operator.add, operator.sub, operator.mul, operator.truediv, operator.pow):
        with pytest.raises(TypeError):
            op(ref.Var(2.0), other)
        with pytest.raises(TypeError):
            op(other, ref.Var(2.0))


# -- the suite's hand-derived formulas, checked against central differences -----------------------
# (so that a typo in an expected formula cannot fail a correct student)

def _check_formula(f, point, exact_value, exact_grads):
    """exact_value = f(point) and each partial derivative matches a central difference.

    The step is relative to the coordinate (1e-6 |x|; 1e-9 at 0), so that the edge cases near a
    domain boundary (log at 1e-6, sqrt at 1e-8) stay inside it; where a central difference leaves
    the domain (a zero base with a fractional power), a one-sided second-order difference is used."""
    point = np.asarray(point, dtype=float)
    assert math.isclose(f(point), exact_value, rel_tol=1e-12, abs_tol=1e-12)
    for i, expected in enumerate(exact_grads):
        e = np.zeros_like(point)
        e[i] = 1.0
        h = 1e-6 * abs(point[i]) if point[i] else 1e-9
        try:
            with np.errstate(invalid="raise"):
                numeric = central_difference(f, point, e, h)
        except (ValueError, FloatingPointError, TypeError):  # the point - h e is outside the domain
            numeric = (-3 * f(point) + 4 * f(point + h * e) - f(point + 2 * h * e)) / (2 * h)
        if isinstance(numeric, complex) or not np.isfinite(numeric):
            numeric = (-3 * f(point) + 4 * f(point + h * e) - f(point + 2 * h * e)) / (2 * h)
        assert abs(numeric - expected) <= 1e-6 * max(1.0, abs(expected)), (i, numeric, expected)


@pytest.mark.parametrize("test", [q2.add_sub, q2.mul, q2.div, q2.power])
def test_q2_formulas_are_the_derivatives(test):
    for form, x, y, c in cases_of(test):
        value, dx, dy = q2._exact(form, x, y, c)
        _check_formula(lambda p: q2._FORMS[form](p[0], p[1], c), (x, y), value, (dx, dy))


@pytest.mark.parametrize("test", [q3.sin_cos, q3.exp_log, q3.sqrt_tanh])
def test_q3_formulas_are_the_derivatives(test):
    for form, x in cases_of(test):
        value, dx = q3._exact(form, x)
        _check_formula(lambda p: q3._FORMS[form](math, p[0]), (x,), value, (dx,))


def test_q4_formulas_are_the_derivatives():
    for form, x, y in cases_of(q4.fan_out):
        value, dx, dy = q4._fanout_exact(form, x, y)
        _check_formula(lambda p: q4._FANOUT[form](p[0], p[1]), (x, y), value, (dx, dy))
    for x, y, k in cases_of(q4.diamond_unequal_paths):
        value, dx, dy, da, db = q4._diamond_exact(x, y, k)
        _check_formula(lambda p: p[0] * p[1] * (p[0] * p[1] + k) + p[0] * p[1], (x, y), value, (dx, dy))
        assert math.isclose(da, 2 * x * y + k + 1) and db == x * y
    for x, y in cases_of(q4.shared_subexpression):
        du, dv, dx, dy = q4._shared_exact(x, y)
        u = lambda p: p[0] * p[1] + 1.0  # noqa: E731
        _check_formula(lambda p: u(p) ** 3 + u(p) ** 2 + u(p), (x, y), u((x, y)) ** 3 + u((x, y)) ** 2 + u((x, y)),
                       (dx, dy))


def test_q6_expected_values_by_hand():
    check = q6.many_paths.test_func.check
    assert check.expect(30, 0.1) == 2.0 ** 15 and check.expect(40, 0.1) == 2.0 ** 20
    steps, a, b, x0 = cases_of(q6.long_chain)[0]
    assert 2 * steps == 100_000                      # the chain has 100,000 operations
    assert math.isclose(q6.long_chain.test_func.check.expect(steps, a, b, x0), math.exp(5.0), rel_tol=1e-3)  # 1.0001^50000 ~ e^5


def test_q5_random_cases_are_well_conditioned():
    """The reference gradient passes with 100x less tolerance than the suite allows, and every case
    depends on its inputs: a correct student can never fail by the finite difference's error."""
    for program, point, seed in cases_of(q5.random_trees) + cases_of(q5.random_graphs):
        value, grads = q5._probe(ref, program, point)
        f = lambda p: q5._run(program, [float(v) for v in p], math)  # noqa: E731
        check_gradient(f, point, grads, seeded(seed), directions=3, rtol=1e-8)
        assert math.isfinite(value) and abs(value) < 1e3


# -- the benchmark measures something sane (not asserted tightly: machines are noisy) -------------

def test_benchmark_ratio_is_sane():
    n = 200
    f = bench._functions(ref, n)["coupled sum (6n nodes)"]
    t_f, t_grad, ratio, nodes = bench.measure(ref, f, n, repeats=3)
    assert nodes == 6 * n - 1            # n inputs, 4 nodes per term, n - 1 additions
    assert t_f > 0 and t_grad > 0
    assert 0.5 < ratio < 20              # grad includes one f, plus a sweep of the same size; ~n would be a loop


# -- the suite's custom judges reject wrong answers -----------------------------------------------

def test_var_basics_judge():
    judge = judge_of(q1.var_basics)
    judge((2.5, 0.0, "Var(value=2.5, grad=3.25)"), None, 2.5, 3.25)
    for wrong in [(2.5, 1.0, "Var(value=2.5, grad=3.25)"),       # fresh grad not 0.0
                  (2.0, 0.0, "Var(value=2.5, grad=3.25)"),       # wrong value
                  (2.5, 0.0, "Var(value=2.5)"),                  # repr without the grad
                  (2.5, 0.0, "<reverse_mode.Var object at 0x7f>")]:
        with pytest.raises(Mismatch):
            judge(wrong, None, 2.5, 3.25)


def test_value_and_gradient_judge():
    for judge in (judge_of(q1.lecture_via_grad), judge_of(q4.grad_constant)):
        expected = (88.0, np.array([140.0, 24.0]))
        judge((88.0, np.array([140.0, 24.0])), expected)
        for wrong in [(88.0, [140.0, 24.0]),                        # a list, not an array
                      (88.0, np.array([140, 24])),                  # int64, not float64
                      (88.0, np.array([[140.0, 24.0]])),            # shape (1, 2)
                      (88.0, np.array([140.0 * (1 + 5e-4), 24.0])),  # 0.05 % off
                      (np.array([88.0]), np.array([140.0, 24.0])),  # F not a number
                      (88.0 * (1 + 5e-4), np.array([140.0, 24.0])),
                      np.array([140.0, 24.0])]:                     # the gradient alone
            with pytest.raises(Mismatch):
                judge(wrong, expected)


def test_value_and_gradient_judge_names_type_and_value_apart():
    """Round 3: the handout promises F as a float and a float64 gradient, also at a point of ints."""
    judge = judge_of(q1.lecture_via_grad)
    expected = (88.0, np.array([140.0, 24.0]))
    judge((np.float64(88.0), np.array([140.0, 24.0])), expected)
    with pytest.raises(Mismatch, match="wrong type: F should be a float"):
        judge((88, np.array([140.0, 24.0])), expected)            # an int F (a Var that keeps ints)
    with pytest.raises(Mismatch, match="wrong type: F should be a float"):
        judge((np.int64(88), np.array([140.0, 24.0])), expected)
    with pytest.raises(Mismatch, match="wrong type: the gradient should be an array of float64"):
        judge((88.0, np.array([140, 24])), expected)              # an int64 gradient
    with pytest.raises(Mismatch, match="wrong value"):
        judge((88.0, np.array([140.0, 24.5])), expected)
    constant = judge_of(q4.grad_constant)
    with pytest.raises(Mismatch, match="wrong type"):            # the constant 3 returned as it is
        constant((3, np.zeros(2)), (3.0, np.zeros(2)))
    with pytest.raises(Mismatch, match="wrong type"):            # np.zeros(n, dtype=int)
        constant((3.0, np.zeros(2, dtype=np.int64)), (3.0, np.zeros(2)))


def test_many_paths_names_a_wrong_gradient_apart_from_speed():
    judge = judge_of(q6.many_paths)
    judge(32768.0, 32768.0, 30, 0.5)
    with pytest.raises(Mismatch, match=r"^wrong value \(it finished in time\)"):
        judge(65536.0, 32768.0, 30, 0.5)                          # the adjoints doubled
    with pytest.raises(Mismatch, match="wrong value"):
        judge(None, 32768.0, 30, 0.5)
    long_chain = judge_of(q6.long_chain)
    with pytest.raises(Mismatch, match="wrong value"):
        long_chain(1.0, 1.0001 ** 50_000, 50_000, 1.0001, 0.0001, 0.5)


def test_edge_cases_follow_the_handout_on_the_reference():
    """The edges each rule is probed at, by hand: zero bases, saturated tanh, zero operands."""
    x = ref.Var(0.0)
    F = x ** 2
    F.backward()
    assert (F.value, x.grad) == (0.0, 0.0)          # 2 * 0^1 = 0
    x = ref.Var(0.0)
    F = x ** 0
    F.backward()
    assert (F.value, x.grad) == (1.0, 0.0)          # x^0 = 1: derivative 0, even at 0
    x = ref.Var(800.0)
    F = ref.tanh(x)
    F.backward()
    assert (F.value, x.grad) == (1.0, 0.0)          # tanh saturates; 1 - 1^2 = 0, no overflow
    assert ref.tanh(-1000) == -1.0 and type(ref.tanh(-1000)) is float
    x, y = ref.Var(0.0), ref.Var(2.0)
    F = x / y
    F.backward()
    assert (F.value, x.grad, y.grad) == (0.0, 0.5, -0.0)  # d(x/y)/dy = -x/y^2 = 0
    value, gradient = ref.grad(lambda a, b: 3, (1, 2))
    assert type(value) is float and value == 3.0 and gradient.dtype == np.float64


@pytest.mark.parametrize("judge, expected, label", [
    (judge_of(q1.lecture_intermediate_nodes), (11.0, 8.0), "s.grad"),
    (q2._JUDGE, (1.0, 2.0, 3.0), "x.grad"),
    (q3._JUDGE, (1.0, 2.0), "x.grad"),
    (judge_of(q4.fan_out), (1.0, 2.0, 3.0), "x.grad"),
], ids=["q1", "q2", "q3", "q4"])
def test_componentwise_judges_name_the_wrong_component(judge, expected, label):
    judge(expected, expected)
    wrong = (expected[0], expected[1] * (1 + 5e-4)) + expected[2:]  # the second item 0.05 % off
    with pytest.raises(Mismatch, match=label):
        judge(wrong, expected)
    with pytest.raises(Mismatch):
        judge(expected[:1], expected)


def test_central_difference_judge():
    judge = judge_of(q5.random_graphs)
    program, point, seed = cases_of(q5.random_graphs)[0]
    value, grads = q5._probe(ref, program, point)
    judge((value, grads), None, program, point, seed)
    grads = np.asarray(grads)
    for wrong in [(value, grads * (1 + 5e-4)),                      # gradient 0.05 % off
                  (value, grads[::-1] if grads[0] != grads[-1] else -grads),
                  (value * (1 + 1e-6), grads),                      # F itself wrong
                  (value, grads[:-1]),                              # a partial missing
                  grads]:
        with pytest.raises(Mismatch):
            judge(wrong, None, program, point, seed)


def measured(check, ratio, result_for, seeds=(11, 12, 13)):
    """A measured case as the grading parent records it: each run's seed, CPU seconds and result."""
    from autograder.checking.plain import encode

    unit = check.cost.unit(check.cases[0])
    return [{"measured": [{"seconds": ratio * unit, "seed": s, "result": encode(result_for(s))} for s in seeds]}]


def test_cost_ratio_judges_each_runs_value_then_the_fastest_runs_cost():
    check = q6.cost_ratio.test_func.check
    right = lambda s: (0.0, q6.coupled_sum_gradient(2000, s))  # noqa: E731
    assert check.verdict(measured(check, 4.0, right)) is None  # the reference's ratio
    assert check.verdict(measured(check, 0.99 * q6._MAX_RATIO, right)) is None
    for ratio in (1.01 * q6._MAX_RATIO, 2000.0, float("inf")):  # a list searched per node; a pass per input
        assert "too slow:" in check.verdict(measured(check, ratio, right))
    wrong = [lambda s: (0.0, q6.coupled_sum_gradient(2000, s + 1)),  # another run's point: a cached answer
             lambda s: (0.0, np.zeros(2000)), lambda s: 2.5, lambda s: None]
    for result_for in wrong:  # fast but wrong earns nothing, and says so
        assert "wrong value:" in check.verdict(measured(check, 1.0, result_for))
    assert "of its 3 timed runs" in check.verdict([{"measured": []}])