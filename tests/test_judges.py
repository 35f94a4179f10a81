"""The shared checking helpers pass right answers and FAIL slightly wrong ones (0.05 % off)."""

import math

import numpy as np
import pytest

from autograder.checking import (Mismatch, all_of, check_gradient, close, componentwise, equal, raises,
                                 returns_type, within_standard_errors)
from autograder.checking.plain import Opaque, Raised, TooLarge, decode, encode, encode_exception

OFF = 1 + 5e-4  # "a gradient 0.05 % off must fail"


def f_smooth(x):
    return math.sin(x[0]) * math.exp(x[1]) + x[0] ** 3 * (x[0] + 3 * x[1])


def grad_smooth(x):
    return np.array([math.cos(x[0]) * math.exp(x[1]) + 4 * x[0] ** 3 + 9 * x[0] ** 2 * x[1],
                     math.sin(x[0]) * math.exp(x[1]) + 3 * x[0] ** 3])


class TestClose:
    def test_accepts_equal_and_rounding(self):
        close(rtol=1e-12)(140.0, 140.0)
        close(rtol=1e-12)(0.1 + 0.2, 0.3)

    def test_rejects_0_05_percent_off(self):
        with pytest.raises(Mismatch, match="relative error"):
            close(rtol=1e-6)(140.0 * OFF, 140.0)

    def test_atol_near_zero(self):
        close(rtol=1e-12, atol=1e-15)(1e-17, 0.0)
        with pytest.raises(Mismatch):
            close(rtol=1e-12, atol=1e-15)(1e-13, 0.0)

    def test_arrays_shape_and_nan(self):
        close(rtol=1e-12)(np.array([1.0, 2.0]), np.array([1.0, 2.0]))
        with pytest.raises(Mismatch, match="shape"):
            close(rtol=1e-12)(np.array([1.0, 2.0]), np.array([[1.0, 2.0]]))
        with pytest.raises(Mismatch):
            close(rtol=1e-12)(np.array([1.0, np.nan]), np.array([1.0, 2.0]))

    def test_scalar_must_be_a_number(self):
        for wrong in ("140", None, [140.0], Opaque("Dual", "Dual(140, 0)"), True):
            with pytest.raises(Mismatch):
                close(rtol=1e-12)(wrong, 140.0)


class TestGradientCheck:
    x = np.array([0.7, -0.4])

    def test_right_gradient_passes(self):
        check_gradient(f_smooth, self.x, grad_smooth(self.x), np.random.default_rng(0))

    def test_gradient_0_05_percent_off_fails(self):
        with pytest.raises(Mismatch, match="central differences"):
            check_gradient(f_smooth, self.x, grad_smooth(self.x) * OFF, np.random.default_rng(0))

    def test_one_component_0_05_percent_off_fails(self):
        g = grad_smooth(self.x)
        g[1] *= OFF
        with pytest.raises(Mismatch):
            check_gradient(f_smooth, self.x, g, np.random.default_rng(1), directions=5)

    def test_wrong_shape_fails(self):
        with pytest.raises(Mismatch, match="shape"):
            check_gradient(f_smooth, self.x, grad_smooth(self.x)[:1], np.random.default_rng(0))


class TestStandardErrors:
    def test_sample_mean_within_its_standard_error(self):
        rng = np.random.default_rng(5)
        draws = rng.uniform(size=10_000)
        se = math.sqrt(1 / 12 / draws.size)
        within_standard_errors(draws.mean(), 0.5, se)

    def test_biased_estimate_fails(self):
        rng = np.random.default_rng(5)
        draws = rng.uniform(size=10_000) + 0.02  # bias of ~7 standard errors
        with pytest.raises(Mismatch, match="standard errors away"):
            within_standard_errors(draws.mean(), 0.5, math.sqrt(1 / 12 / draws.size))

    def test_zero_standard_error_means_exact(self):
        within_standard_errors(np.array([0.1, 0.0]), np.array([0.1, 0.0]), np.array([0.01, 0.0]))
        with pytest.raises(Mismatch):
            within_standard_errors(np.array([0.1, 1e-12]), np.array([0.1, 0.0]), np.array([0.01, 0.0]))


class TestExactAndErrors:
    def test_equal(self):
        equal((0, (1, 2)), (0, (1, 2)))
        equal(3, 3.0)
        equal([0, [1, 2]], (0, (1, 2)))
        for wrong in ((0, (2, 1)), (0, 1, 2), (0, (1, 2.5)), "(0, (1, 2))"):
            with pytest.raises(Mismatch):
                equal(wrong, (0, (1, 2)))

    def test_raises(self):
        judge = raises(ValueError, mentions="patience")
        judge(Raised(("ValueError", "Exception"), "patience must be >= 1"), None)
        with pytest.raises(Mismatch, match="returned"):
            judge(3, None)
        with pytest.raises(Mismatch, match="expected ValueError"):
            judge(Raised(("TypeError", "Exception"), "patience"), None)
        with pytest.raises(Mismatch, match="should name"):
            judge(Raised(("ValueError", "Exception"), "bad argument"), None)

    def test_returns_type(self):
        returns_type("float", "float64")(1.5, None)
        returns_type("float", "float64")(np.float64(1.5), None)
        with pytest.raises(Mismatch):
            returns_type("float", "float64")(np.float32(1.5), None)


class TestPlainData:
    def roundtrip(self, x):
        return decode(encode(x))

    def test_roundtrip_keeps_types(self):
        assert self.roundtrip(1.5) == 1.5 and type(self.roundtrip(1.5)) is float
        assert type(self.roundtrip(np.float64(2))) is np.float64
        assert self.roundtrip((0, (1, 2))) == (0, (1, 2))
        arr = self.roundtrip(np.arange(6, dtype=np.int64).reshape(2, 3))
        assert arr.dtype == np.int64 and arr.shape == (2, 3)
        assert math.isinf(self.roundtrip(float("inf"))) and math.isnan(self.roundtrip(float("nan")))

    def test_a_float_that_equals_everything_becomes_a_plain_float(self):
        class Liar(float):
            def __eq__(self, other):
                return True

            __hash__ = float.__hash__

        got = self.roundtrip(Liar(-1.0))
        assert type(got) is float and got != 140.0
        with pytest.raises(Mismatch):
            close(rtol=1e-12)(got, 140.0)

    def test_student_objects_become_opaque(self):
        class Dual:
            def __eq__(self, other):
                return True

        got = self.roundtrip(Dual())
        assert isinstance(got, Opaque) and got.type_name == "Dual"
        with pytest.raises(Mismatch):
            equal(got, 3.0)

    def test_huge_results_are_refused(self):
        with pytest.raises(TooLarge):
            encode(np.zeros(3_000_000))

    def test_exceptions_keep_their_class_names(self):
        try:
            raise ZeroDivisionError("division by zero")
        except ZeroDivisionError as exc:
            got = decode(encode_exception(exc))
        assert got.is_a(ArithmeticError) and got.name == "ZeroDivisionError"


class TestComponentwise:
    judge = staticmethod(componentwise(("F", "dF/dx"), close(rtol=1e-12)))

    def test_names_the_wrong_component(self):
        self.judge((88.0, 140.0), (88.0, 140.0))
        with pytest.raises(Mismatch, match="dF/dx: expected 140"):
            self.judge((88.0, 140.0 * OFF), (88.0, 140.0))

    def test_wrong_arity(self):
        with pytest.raises(Mismatch, match="expected 2 items"):
            self.judge((88.0,), (88.0, 140.0))


def test_all_of_needs_every_judge():
    judge = all_of(returns_type("float"), close(rtol=1e-12))
    judge(140.0, 140.0)
    with pytest.raises(Mismatch, match="type float"):
        judge(np.float64(140.0), 140.0)
    with pytest.raises(Mismatch, match="relative error"):
        judge(140.0 * OFF, 140.0)
