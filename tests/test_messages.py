"""Feedback names what to fix: the function that is still a stub, the package the student imported
(not what came with it), and the rng rule when randomness came from np.random's global state."""

import textwrap

import pytest

from autograder.engine.suite import ROOT, load_file, reference_solution
from autograder.suites.forward_mode import q1_arithmetic, q5_gradients
from autograder.suites.sgd_without_replacement import q1_sample_indices, q3_mean_squared_error


def _verdict(test, module, forbidden=()):
    check = test.test_func.check
    return check.verdict(check.run_probes(module), None, forbidden)


def test_the_stub_message_names_the_function_that_still_raises():
    template = load_file(ROOT / "student_template" / "forward_mode.py", "forward_mode_template")
    message = _verdict(q5_gradients.constant_functions, template)
    assert "not implemented yet (partial() still raises NotImplementedError)" in message


def test_the_stub_message_names_the_method_that_still_raises(tmp_path):
    path = tmp_path / "forward_mode.py"  # Dual works except its product rule
    path.write_text(textwrap.dedent('''
        class Dual:
            def __init__(self, value, deriv=0.0):
                self.value, self.deriv = value, deriv
            def __mul__(self, other):
                raise NotImplementedError("TODO: product rule")
    '''))
    message = _verdict(q1_arithmetic.product_rule, load_file(path, "half_done"))
    assert "__mul__() still raises NotImplementedError" in message


def test_the_forbidden_message_names_only_the_package_imported():
    check = q1_arithmetic.product_rule.test_func.check
    results = check.run_probes(reference_solution("forward_mode"))
    message = check.verdict(results, None, ["mpmath", "sympy"])  # import sympy loads mpmath too
    assert "Your file imports sympy;" in message and "mpmath" not in message
    assert "imports mpmath;" in check.verdict(results, None, ["mpmath"])  # imported on its own


_GLOBAL_SEED = '''
def sample_indices(n, num_samples, replace, rng):
    np.random.seed(0)
    if replace:
        return np.random.randint(0, n, num_samples).astype(np.int64)
    return np.concatenate([np.random.permutation(n) for _ in range(-(-num_samples // n))])[:num_samples]
'''
_MODULE_FUNCTIONS = _GLOBAL_SEED.replace("    np.random.seed(0)\n", "")
_FRESH_GENERATOR = '''
def sample_indices(n, num_samples, replace, rng):
    rng = np.random.default_rng()
    if replace:
        return rng.integers(0, n, num_samples)
    return np.concatenate([rng.permutation(n) for _ in range(-(-num_samples // n))])[:num_samples]
'''


@pytest.mark.parametrize("source", [_GLOBAL_SEED, _MODULE_FUNCTIONS, _FRESH_GENERATOR],
                         ids=["np.random.seed", "np.random functions", "a new generator"])
@pytest.mark.parametrize("test", [q1_sample_indices.reproducible, q3_mean_squared_error.curve_reproducible],
                         ids=["sample_indices", "mean_squared_error_curve"])
def test_randomness_not_from_rng_is_told_the_rule(source, test):
    namespace = {"__name__": "student"}  # the reference with this sample_indices, used by the rest too
    exec(compile((ROOT / "solutions" / "sgd_without_replacement.py").read_text() + source, "<student>", "exec"),
         namespace)
    message = _verdict(test, namespace)
    assert message and "draw randomness from the rng argument" in message


def test_the_reference_passes_the_rng_checks():
    module = reference_solution("sgd_without_replacement")
    assert _verdict(q1_sample_indices.reproducible, module) is None
    assert _verdict(q3_mean_squared_error.curve_reproducible, module) is None


@pytest.mark.parametrize("test", [q1_sample_indices.fresh_permutations, q3_mean_squared_error.curve_with],
                         ids=["fresh_permutations", "curve_with"])
def test_a_statistical_failure_caused_by_np_random_names_the_rule(test):
    namespace = {"__name__": "student"}  # np.random.seed(0) in every call: the same draws each time
    exec(compile((ROOT / "solutions" / "sgd_without_replacement.py").read_text() + _GLOBAL_SEED, "<student>",
                 "exec"), namespace)
    message = _verdict(test, namespace)
    assert "standard errors" in message and "draw randomness from the rng argument" in message
    assert _verdict(test, reference_solution("sgd_without_replacement")) is None
