"""forward_mode: the reference solution on numbers worked out by hand, the suite's hand-derived
formulas against an independent oracle (complex-step differentiation), and the suite's custom
judges against wrong answers -- in particular, finite differences must fail the composition checks.

Every literal below is worked out by hand in the comment next to it, not read back from the code.

Complex step: for f analytic and real on the real axis, f(x + ih) = f(x) + ih f'(x) + O(h^2), so
Im f(x + ih) / h is f'(x) with no subtraction at all (no cancellation): with h = 1e-20 it is exact to
rounding.  It shares no code with the suite's formulas or the reference solution.
"""

import cmath
import math
import operator
import types
from pathlib import Path

import numpy as np
import pytest

from autograder.checking import Mismatch
from autograder.checking.plain import Opaque
from autograder.suites.forward_mode.shared import split_operand
from autograder.engine.suite import load_file, reference_solution

ROOT = Path(__file__).resolve().parents[1]
SUITE = ROOT / "autograder" / "suites" / "forward_mode"


ref = reference_solution("forward_mode")
q1 = load_file(SUITE / "q1_arithmetic.py", "fm_q1")
q2 = load_file(SUITE / "q2_powers.py", "fm_q2")
q3 = load_file(SUITE / "q3_functions.py", "fm_q3")
q4 = load_file(SUITE / "q4_compositions.py", "fm_q4")
q5 = load_file(SUITE / "q5_gradients.py", "fm_q5")
q6 = load_file(SUITE / "q6_jacobian.py", "fm_q6")

H = 1e-20  # complex step


def check_of(test):
    return test.test_func.check


def verdict(test, module):
    """The check's verdict (None = passed) on a module, judged against formulas, not the reference."""
    c = check_of(test)
    assert not c.needs_reference
    return c.verdict(c.run_probes(module), None)


def parts(d):
    return (d.value, d.deriv)


# -- the reference solution on the lecture's numbers ---------------------------------------------------

def F(x, y):
    return x**3 * (x + 3 * y)


def test_lecture_forward_passes():
    # c = x^3 = 8, s = x + 3y = 11, F = 88; dF/dx = c*1 + s*3x^2 = 8 + 132 = 140; dF/dy = c*3 = 24.
    assert parts(F(ref.Dual(2.0, 1.0), ref.Dual(3.0, 0.0))) == (88.0, 140.0)
    assert parts(F(ref.Dual(2.0, 0.0), ref.Dual(3.0, 1.0))) == (88.0, 24.0)
    assert ref.derivative(lambda x: F(x, 3.0), 2.0) == 140.0
    assert ref.partial(F, [2.0, 3.0], 1) == 24.0
    assert ref.gradient(F, [2, 3]).tolist() == [140.0, 24.0]
    assert ref.directional_derivative(F, [2.0, 3.0], [1.0, -2.0]) == 140.0 - 48.0


def test_power_rules_by_hand():
    assert parts(ref.Dual(-2.0, 1.0) ** 3) == (-8.0, 12.0)       # 3 (-2)^2 = 12, negative base
    assert parts(ref.Dual(4.0, 1.0) ** 0.5) == (2.0, 0.25)       # 1 / (2 sqrt 4)
    assert parts(ref.Dual(5.0, 3.0) ** 0) == (1.0, 0.0)
    value, deriv = parts(2 ** ref.Dual(3.0, 1.0))                # 2^3 = 8, 8 ln 2
    assert value == 8.0 and math.isclose(deriv, 8 * math.log(2), rel_tol=1e-15)
    value, deriv = parts(ref.Dual(2.0, 1.0) ** ref.Dual(3.0, 1.0))  # 8 (1 ln 2 + 3 * 1/2)
    assert value == 8.0 and math.isclose(deriv, 8 * math.log(2) + 12, rel_tol=1e-15)


def test_real_on_the_left_by_hand():
    assert parts(2 - ref.Dual(5.0, 1.0)) == (-3.0, -1.0)
    assert parts(1 / ref.Dual(4.0, 1.0)) == (0.25, -1 / 16)        # (1/v)' = -v'/v^2
    assert parts(np.float64(3.0) * ref.Dual(2.0, 1.0)) == (6.0, 3.0)
    assert parts(np.int64(6) / ref.Dual(2.0, 1.0)) == (3.0, -1.5)   # -6/4


@pytest.mark.parametrize("other", [True, "2", None, [1.0]], ids=repr)
def test_only_real_numbers_are_operands(other):
    # "real number" (ASSIGNMENTS.md): int, float, numpy integer or floating scalar; a bool is not one
    for op in (operator.add, operator.sub, operator.mul, operator.truediv, operator.pow):
        with pytest.raises(TypeError):
            op(ref.Dual(2.0, 1.0), other)
        with pytest.raises(TypeError):
            op(other, ref.Dual(2.0, 1.0))


def test_functions_on_reals_and_domain():
    assert type(ref.sin(0.5)) is float and ref.sin(0.5) == math.sin(0.5)
    assert type(ref.log(np.int64(3))) is float
    for bad in (lambda: ref.log(0.0), lambda: ref.log(-1), lambda: ref.sqrt(-1e-9),
                lambda: ref.log(ref.Dual(0.0, 1.0)), lambda: ref.sqrt(ref.Dual(-4.0, 1.0))):
        with pytest.raises(ValueError):
            bad()


def test_jacobian_orientation_and_constants_by_hand():
    # f(x, y, z) = (x y, y + z) at (1, 2, 3): row 0 = (y, x, 0) = (2, 1, 0), row 1 = (0, 1, 1)
    J = ref.jacobian(lambda x, y, z: (x * y, y + z), [1.0, 2.0, 3.0])
    assert J.shape == (2, 3) and J.tolist() == [[2.0, 1.0, 0.0], [0.0, 1.0, 1.0]]
    assert ref.jacobian(lambda x, y, z: x * y * z, [1.0, 2.0, 3.0]).tolist() == [[6.0, 3.0, 2.0]]
    assert ref.jacobian(lambda x, y: [1.0, 2], [0.5, 0.5]).tolist() == [[0.0, 0.0], [0.0, 0.0]]
    assert ref.derivative(lambda x: 3.0, 1.0) == 0.0
    assert ref.gradient(lambda x, y: 7, [1.0, 2.0]).tolist() == [0.0, 0.0]


def test_evaluation_counts():
    calls = []

    def f(*xs):
        calls.append(1)
        return sum(x * x for x in xs)

    ref.gradient(f, [1.0, 2.0, 3.0, 4.0])
    assert len(calls) <= 5
    calls.clear()
    ref.directional_derivative(f, [1.0, 2.0], [0.5, 0.5])
    assert len(calls) == 1


# -- the suite's hand-derived formulas against complex-step derivatives ------------------------------

def _cs(spec):
    """A case operand as a function of the complex step t: u + t u' (a real has u' = 0)."""
    u, du = split_operand(spec)
    return lambda t: u + t * du


def test_q1_rules_agree_with_complex_step():
    cases = [c for cs in q1._DUAL_DUAL.values() for c in cs] + q1._REAL_RIGHT + q1._REAL_LEFT + q1._NUMPY
    for op, a, b in cases:
        value, deriv, scale = q1.rule(op, a, b)
        step = q1._OPS[op](_cs(a)(1j * H), _cs(b)(1j * H))
        assert math.isclose(value, step.real, rel_tol=1e-15, abs_tol=1e-30)  # (iH u')(iH v') = O(H^2) at u = 0
        assert abs(step.imag / H - deriv) <= 1e-14 * scale


def test_q2_power_rules_agree_with_complex_step():
    for a, b in q2._REAL_EXPONENT + q2._INTEGER_EXPONENT + q2._REAL_BASE + q2._DUAL_DUAL:
        value, deriv, scale = q2.power_rule(a, b)
        u, v = _cs(a)(1j * H), _cs(b)(1j * H)
        step = u ** (int(v.real) if isinstance(b, (int, np.integer)) else v)  # int exponent: no log
        assert math.isclose(value, step.real, rel_tol=1e-14, abs_tol=1e-30)  # O(H^2) at a zero base
        # at a zero base, (i H u')^c / H = O(H^(c-1)): 1e-30 for c = 2.5, where the derivative is 0
        assert abs(step.imag / H - deriv) <= 1e-14 * max(scale, 1e-300) + 1e-25


def test_q3_chain_rules_agree_with_complex_step():
    for test in (q3.sin_rule, q3.cos_rule, q3.exp_rule, q3.log_rule, q3.sqrt_rule, q3.tanh_rule):
        for fname, u, du in check_of(test).cases:
            value, deriv = q3.chain_rule(fname, u, du)[:2]
            step = getattr(cmath, fname)(complex(u, H * du))
            assert math.isclose(value, step.real, rel_tol=1e-15, abs_tol=1e-30)  # O(H^2) at u = 0
            assert math.isclose(deriv, step.imag / H, rel_tol=1e-14)


_BINARY = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "**": operator.pow}


def _complex_tree(tree, z):
    kind = tree[0]
    if kind == "x":
        return z
    if kind == "c":
        return tree[1]
    if kind in _BINARY:
        return _BINARY[kind](_complex_tree(tree[1], z), _complex_tree(tree[2], z))
    if kind in ("neg", "pos"):
        return -_complex_tree(tree[1], z) if kind == "neg" else _complex_tree(tree[1], z)
    return getattr(cmath, kind)(_complex_tree(tree[1], z))


def test_q4_oracle_agrees_with_complex_step():
    for tree, x in q4._COMPOSITIONS + q4._STIFF:
        value, deriv, scale = q4.judged(tree, x)
        step = _complex_tree(tree, complex(x, H))
        assert math.isclose(value, step.real, rel_tol=1e-12)
        assert abs(step.imag / H - deriv) <= 1e-13 * scale, q4.show(tree)


def test_q4_compositions_exercise_every_rule():
    found = set()
    for tree, _ in q4._COMPOSITIONS:
        q4.kinds(tree, found)
    assert found >= q4.ALL_KINDS, sorted(q4.ALL_KINDS - found)
    assert any(abs(q4.exact(t, x)[0]) > 1e4 for t, x in q4._COMPOSITIONS)  # some carry a large offset
    assert q4._STIFF[0] == (("+", ("sin", ("*", ("c", 1000.0), ("x",))), ("c", 1e8)), 0.75)


def _complex_namespace():
    """Stands in for a student's module: the six functions, from cmath."""
    return types.SimpleNamespace(sin=cmath.sin, cos=cmath.cos, exp=cmath.exp, log=cmath.log, sqrt=cmath.sqrt,
                                 tanh=cmath.tanh)


def _complex_gradient(f, point):
    grad = []
    for i in range(len(point)):
        z = [complex(p, H if k == i else 0.0) for k, p in enumerate(point)]
        out = f(*z)
        grad.append(np.imag(out) / H if not isinstance(out, (int, float)) else 0.0)
    return np.array(grad)


def test_q5_gradient_formulas_agree_with_complex_step():
    cm = _complex_namespace()
    cases = [(f, p) for f, p, _ in check_of(q5.gradient_values).cases] + check_of(q5.gradient_cost).cases
    for fname, point in cases:
        grad, scale = q5.gradient_formula(fname, point)
        step = _complex_gradient(q5._function(cm, fname), point)
        assert np.all(np.abs(step - grad) <= 1e-14 * scale), fname


def test_q6_jacobian_formulas_agree_with_complex_step():
    cm = _complex_namespace()
    for test in (q6.public_example, q6.orientation, q6.scalar_output, q6.constant_outputs):
        for fname, point in check_of(test).cases:
            want = np.array(q6.jacobian_formula(fname, point))
            f = q6._FUNCTIONS[fname][2]
            outputs = lambda *z: f(cm, *z)  # noqa: E731
            columns = []
            for j in range(len(point)):
                out = outputs(*[complex(p, H if k == j else 0.0) for k, p in enumerate(point)])
                out = out if isinstance(out, (list, tuple)) else [out]
                columns.append([np.imag(o) / H for o in out])
            assert np.allclose(np.array(columns).T, want, rtol=1e-14, atol=0), fname


# -- the custom judges fail on wrong answers ----------------------------------------------------------

OFF = 1 + 5e-4  # 0.05 % off must fail


def test_dual_judges_reject_a_slightly_wrong_derivative():
    for module in (q1, q2):
        judge = module.dual_close(module.RTOL)
        judge((6.0, 7.0), (6.0, 7.0, 7.0))
        with pytest.raises(Mismatch, match="derivative"):
            judge((6.0, 7.0 * OFF), (6.0, 7.0, 7.0))
        with pytest.raises(Mismatch, match="value"):
            judge((6.0 * OFF, 7.0), (6.0, 7.0, 7.0))
        with pytest.raises(Mismatch, match="Dual"):
            judge(6.0, (6.0, 7.0, 7.0))
        with pytest.raises(Mismatch, match="real number"):
            judge((6.0, Opaque("Dual", "Dual(7, 0)")), (6.0, 7.0, 7.0))
    judge = q3.dual_close(q3.RTOL)
    with pytest.raises(Mismatch, match="derivative"):
        judge((0.5, 0.8 * OFF), (0.5, 0.8))


def test_repr_judge():
    q1.shows_both_parts((2.5, -0.5, "Dual(value=2.5, deriv=-0.5)"), (2.5, -0.5), 2.5, -0.5)
    q1.shows_both_parts((2.5, -0.5, "2.50 - 0.50ε"), (2.5, -0.5), 2.5, -0.5)
    q1.shows_both_parts((7.5, 0.0, "<Dual object at 0x7f3a2b5c>"), (7.5, 0.0), 7.5, None)  # not checked
    with pytest.raises(Mismatch, match="derivative"):
        q1.shows_both_parts((2.5, -0.5, "Dual(2.5)"), (2.5, -0.5), 2.5, -0.5)
    with pytest.raises(Mismatch, match="value"):
        q1.shows_both_parts((2.5, -0.5, "<forward_mode.Dual object at 0x7f3a2b5c>"), (2.5, -0.5), 2.5, -0.5)
    with pytest.raises(Mismatch, match="deriv"):
        q1.shows_both_parts((7.5, None, "Dual(7.5)"), (7.5, 0.0), 7.5, None)  # default must be 0.0


def test_like_math_judge():
    q3.like_math(math.sin(2.0), math.sin(2.0), "sin", 2)
    q3.like_math(np.float64(math.sin(2.0)), math.sin(2.0), "sin", 2)
    with pytest.raises(Mismatch, match="float"):
        q3.like_math(Opaque("Dual", "Dual(0.909, 0.0)"), math.sin(2.0), "sin", 2)
    with pytest.raises(Mismatch):
        q3.like_math(math.sin(2.0) * (1 + 1e-12), math.sin(2.0), "sin", 2)


def _with_derivative(derivative):
    """The reference solution with its ``derivative`` replaced."""
    module = types.ModuleType("forward_mode")
    module.__dict__.update({k: v for k, v in vars(ref).items() if not k.startswith("__")})
    module.derivative = derivative
    return module


def _value(y):
    return y.value if isinstance(y, ref.Dual) else y


def _difference_quotients(h):
    central = lambda f, x: (_value(f(x + h)) - _value(f(x - h))) / (2 * h)  # noqa: E731
    forward = lambda f, x: (_value(f(x + h)) - _value(f(x))) / h  # noqa: E731

    def richardson(f, x):  # fourth order: (4 D(h/2) - D(h)) / 3
        return (4 * central_h(f, x, h / 2) - central_h(f, x, h)) / 3

    def central_h(f, x, step):
        return (_value(f(x + step)) - _value(f(x - step))) / (2 * step)

    return {"central": central, "forward": forward, "richardson": richardson}


def test_composition_tolerance_passes_forward_mode():
    assert verdict(q4.random_compositions, ref) is None
    assert verdict(q4.stiff_compositions, ref) is None


@pytest.mark.parametrize("h", [1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9])
def test_finite_differences_fail_both_composition_checks(h):
    for kind, quotient in _difference_quotients(h).items():
        module = _with_derivative(quotient)
        assert verdict(q4.random_compositions, module), f"{kind} differences with h = {h} passed as AD"
        assert verdict(q4.stiff_compositions, module), f"{kind} differences with h = {h} passed as AD"


def test_ad_exact_judge():
    judge = q4.ad_exact(q4.RTOL)
    judge(-666.9829823489767, (1e8, -666.9829823489767, 666.98), None, 0.75)
    with pytest.raises(Mismatch, match="finite-difference"):
        judge(-666.9829823489767 * (1 + 1e-9), (1e8, -666.9829823489767, 666.98), None, 0.75)
    with pytest.raises(Mismatch, match="float"):
        judge(Opaque("Dual", "Dual(1, 2)"), (1.0, 2.0, 2.0), None, 0.75)
    q4.is_exactly(0.0, 0.0, "3.0", 1.25)
    q4.is_exactly(np.float64(0.0), 0.0, "3.0", 1.25)
    q4.is_exactly(1.0, 1.0, "x", 3)
    with pytest.raises(Mismatch, match="wrong type"):
        q4.is_exactly(None, 0.0, "3.0", 1.25)
    with pytest.raises(Mismatch, match="wrong value: f.x. = x, so its derivative is 1"):  # 0.0 for everything
        q4.is_exactly(0.0, 1.0, "x", 1.25)
    # the handout promises a float: the int 0 of a constant, the int 1 of a Dual that keeps ints, fail
    with pytest.raises(Mismatch, match="wrong type: .* float"):
        q4.is_exactly(0, 0.0, "2 (an int)", 2)
    with pytest.raises(Mismatch, match="wrong type"):
        q4.is_exactly(1, 1.0, "x", 3)
    with pytest.raises(Mismatch, match="wrong type"):
        q4.is_exactly(np.int64(3), 3.0, "3*x - 2", np.int64(4))
    with pytest.raises(Mismatch, match="wrong type"):
        q4.is_exactly(np.float32(0.5), 0.5, "0.5*x", -2.0)


def test_gradient_judges():
    grad, scale = q5.gradient_formula("f3", [0.1, 0.2, 0.3])
    q5.gradient_judge(grad.copy(), (grad, scale))
    with pytest.raises(Mismatch, match="entry 1"):
        bad = grad.copy()
        bad[1] *= OFF
        q5.gradient_judge(bad, (grad, scale))
    with pytest.raises(Mismatch, match="numpy array"):
        q5.gradient_judge(list(grad), (grad, scale))
    with pytest.raises(Mismatch, match="shape"):
        q5.gradient_judge(grad[:2], (grad, scale))
    # cost: n + 1 evaluations are fine, n + 2 are not
    q5.cost_judge((4, grad.copy()), (grad, scale), "f3", [0.1, 0.2, 0.3])
    with pytest.raises(Mismatch, match="evaluated f 5 times"):
        q5.cost_judge((5, grad.copy()), (grad, scale), "f3", [0.1, 0.2, 0.3])
    # the one-pass "gradient" (the sum in every slot) is cheap but wrong
    with pytest.raises(Mismatch):
        q5.cost_judge((1, np.full(3, grad.sum())), (grad, scale), "f3", [0.1, 0.2, 0.3])
    v = [1.0, -1.0, 0.5]
    q5.directional_judge((1, float(grad @ v)), (grad, scale), "f3", [0.1, 0.2, 0.3], v)
    with pytest.raises(Mismatch, match="2 times"):
        q5.directional_judge((2, float(grad @ v)), (grad, scale), "f3", [0.1, 0.2, 0.3], v)
    with pytest.raises(Mismatch):
        q5.directional_judge((1, float(grad @ v) * OFF), (grad, scale), "f3", [0.1, 0.2, 0.3], v)
    with pytest.raises(Mismatch):
        q5.zeros_judge(np.array([0.0, 1e-300, 0.0]), np.zeros(3), "gradient", "2.5", 3)
    with pytest.raises(Mismatch):  # zeros for f = x_n
        q5.zeros_judge(np.zeros(3), np.array([0.0, 0.0, 1.0]), "gradient", "x_n (the last input itself)", 3)
    q5.zeros_judge(np.array([0.0, 0.0, 1.0]), np.array([0.0, 0.0, 1.0]), "gradient", "x_n (the last input itself)", 3)


def test_jacobian_judge():
    want = q6.jacobian_formula("f32", [0.1, 0.2, 0.3])
    q6.jacobian_judge(np.array(want), want, "f32", [0.1, 0.2, 0.3])
    with pytest.raises(Mismatch, match="transposed"):
        q6.jacobian_judge(np.array(want).T, want, "f32", [0.1, 0.2, 0.3])
    bad = np.array(want)
    bad[1, 2] *= OFF
    with pytest.raises(Mismatch, match=r"J\[1, 2\]"):
        q6.jacobian_judge(bad, want, "f32", [0.1, 0.2, 0.3])
    with pytest.raises(Mismatch, match="numpy array"):
        q6.jacobian_judge([[1.0, 2.0, 0.0]], want, "f32", [0.1, 0.2, 0.3])


# -- round 3: edges where the handout says each rule holds, promised types ---------------------------

def test_zero_base_and_saturated_tanh_by_hand():
    assert parts(ref.Dual(0.0, 1.5) ** 1) == (0.0, 1.5)        # 1 * 0^0 * u' = u'
    assert parts(ref.Dual(0.0, 1.5) ** 2) == (0.0, 0.0)        # 2 * 0^1 * u' = 0
    assert parts(ref.Dual(0.0, 1.5) ** 0) == (1.0, 0.0)        # u^0 = 1 for every u
    assert parts(ref.Dual(0.0, 1.5) / ref.Dual(2.0, 0.5)) == (0.0, 0.75)  # (1.5*2 - 0*0.5)/4
    assert parts(ref.tanh(ref.Dual(800.0, 1.0))) == (1.0, 0.0)  # saturated: no overflow
    assert ref.tanh(-1000) == -1.0 and type(ref.tanh(-1000)) is float
    assert q2.power_rule((0.0, 1.5), 1.0)[:2] == (0.0, 1.5) and q2.power_rule((0.0, 1.0), 0)[:2] == (1.0, 0.0)
    value, deriv, scale = q3.chain_rule("tanh", 800.0, 0.5)
    assert (value, deriv) == (1.0, 0.0) and scale == 1.0       # (1 + tanh^2) |u'| = 2 * 0.5


def test_tanh_judge_accepts_both_right_formulas_and_rejects_overflow_and_wrong_rules():
    judge = q3.dual_close(q3.RTOL)
    for u in (0.5, 5.0, 20.0, 400.0):
        expected = q3.chain_rule("tanh", u, 1.0)
        t = math.tanh(u)
        judge((t, 1.0 - t * t), expected)                        # the handout's 1 - tanh^2
        judge((t, q3.sech2(u)), expected)                         # sech^2, where it does not overflow
    with pytest.raises(Mismatch, match="derivative"):
        judge((math.tanh(0.5), 1.0 - math.tanh(0.5)), q3.chain_rule("tanh", 0.5, 1.0))  # (1 - tanh) u'
    with pytest.raises(Mismatch, match="derivative"):
        judge((1.0, float("nan")), q3.chain_rule("tanh", 400.0, 1.0))   # inf/inf from an e^(2u) formula
    check = q3.tanh_rule.test_func.check
    overflowing = {"Dual": ref.Dual, "tanh": lambda d: ref.Dual(math.tanh(d.value), d.deriv / math.cosh(d.value) ** 2)}
    assert "OverflowError" in check.verdict(check.run_probes(overflowing))


def test_on_reals_names_type_and_value_apart():
    q3.like_math(1.0, 1.0, "tanh", 800.0)
    with pytest.raises(Mismatch, match="^wrong type"):
        q3.like_math(1, 1.0, "tanh", 800)                          # an int from an int argument
    with pytest.raises(Mismatch, match="^wrong value"):
        q3.like_math(float("nan"), 1.0, "tanh", 800.0)


def test_drivers_must_return_floats_at_int_points():
    grad, scale = q5.gradient_formula("f2", [1, 0])
    q5.gradient_judge(grad.copy(), (grad, scale))
    with pytest.raises(Mismatch, match="^wrong type: the gradient should be a numpy array of float64"):
        q5.gradient_judge(np.array([0, 0]), (np.zeros(2), np.zeros(2)))     # a constant's int zeros
    q5.partial_judge(float(grad[0]), (grad, scale), "f2", [1, 0], 0, "int list")
    with pytest.raises(Mismatch, match="^wrong type"):
        q5.partial_judge(3, (np.array([3.0, -1.0]), np.array([3.0, 1.0])), "f2", [1, 0], 0, "int list")
    with pytest.raises(Mismatch, match="^wrong type"):
        q5.zeros_judge(0, 0.0, "partial", "2.5", 2, True)               # the int 0 of a constant
    with pytest.raises(Mismatch, match="^wrong value"):
        q5.zeros_judge(1.0, 0.0, "partial", "2.5", 2, True)
    want = q6.jacobian_formula("ints", [1, 2])
    q6.jacobian_judge(np.array(want), want, "ints", [1, 2])
    with pytest.raises(Mismatch, match="^wrong type: jacobian should return a numpy array of float64"):
        q6.jacobian_judge(np.array(want, dtype=np.int64), want, "ints", [1, 2])
    with pytest.raises(Mismatch, match="^wrong shape"):
        q6.jacobian_judge(np.zeros((1, 2)), q6.jacobian_formula("f12", [0.5]), "f12", [0.5])  # transposed


def test_zero_edges_catch_a_quotient_through_logarithms():
    """The logarithmic-derivative quotient rule is right away from 0 and fails only at the edges."""
    check = q1.quotient_rule.test_func.check

    class LogQuotient(ref.Dual):
        def __truediv__(self, other):
            other = other if isinstance(other, ref.Dual) else ref.Dual(other)
            q = self.value / other.value
            return ref.Dual(q, q * (self.deriv / self.value - other.deriv / other.value))

    message = check.verdict(check.run_probes({"Dual": LogQuotient}))
    assert message and "ZeroDivisionError" in message and "Dual(0, 1.5) / Dual(2, 0.5)" in message
