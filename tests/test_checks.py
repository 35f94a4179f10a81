"""``@check`` in-process (the otter path): verdicts, the deadline, and probe-only mode."""


import pytest

from autograder.checking import Mismatch, check, close
from autograder.checking.checks import CheckTimedOut, deadline


def make_check(**kwargs):
    @check(cases=[(2.0,), (3.0,)], expect=lambda x: x * x, judge=close(rtol=1e-12), **kwargs)
    def square_probe(m, x):
        return m.square(x)

    return square_probe


def test_right_answer_passes_and_wrong_one_fails_with_the_expected_value():
    test = make_check()
    test({"square": lambda x: x * x})
    with pytest.raises(Mismatch, match="expected 9, got 6"):
        test({"square": lambda x: 2 * x if x == 3.0 else x * x})


def test_missing_function_is_named():
    # a file without square: the attribute lookup fails (a stub that raises NotImplementedError is
    # the next test's case), and the message names the missing function
    with pytest.raises(Mismatch, match="raised AttributeError: your file does not define 'square'") as e:
        make_check()({})
    assert "not implemented" not in str(e.value)


def test_a_stub_is_reported_as_not_implemented():
    def stub(x):
        raise NotImplementedError("TODO")

    with pytest.raises(Mismatch, match="not implemented yet"):
        make_check()({"square": stub})


def test_deadline_stops_a_loop_that_swallows_exceptions():
    def stubborn(x):
        while True:
            try:
                pass
            except Exception:  # a student's blanket except must not defeat the deadline
                pass

    with pytest.raises(Mismatch, match="did not finish within 0.5 s"):
        make_check(timeout=0.5)({"square": stubborn})


def test_deadline_restores_the_previous_alarm_handler():
    import signal

    before = signal.getsignal(signal.SIGPROF)
    with deadline(1.0):
        pass
    assert signal.getsignal(signal.SIGPROF) is before
    with pytest.raises(CheckTimedOut):
        with deadline(0.05):
            while True:
                pass


def test_a_forbidden_import_inside_a_function_costs_the_check_in_process_too():
    import sys
    import types

    def square(x):
        sys.modules.setdefault("sympy", types.ModuleType("sympy"))  # what `import sympy` leaves
        return x * x

    try:
        with pytest.raises(Mismatch, match="imports sympy"):
            make_check()({"square": square})
    finally:
        sys.modules.pop("sympy", None)
    make_check()({"square": lambda x: x * x})  # and nothing is held against the next file


def test_expected_values_are_computed_once_per_case_and_judge_every_student():
    """The parent judges a whole class with one Check: a formula (a brute force may take 0.1 s) runs
    once per case, and each student is still judged on their own results."""
    from autograder.checking.plain import encode

    calls = []

    @check(cases=[(2.0,), (3.0,)], expect=lambda x: calls.append(x) or x * x, judge=close(rtol=1e-12))
    def square_probe(m, x):
        return m.square(x)

    c = square_probe.check
    right, wrong = [encode(4.0), encode(9.0)], [encode(4.0), encode(6.0)]
    assert c.verdict(right) is None
    assert "expected 9, got 6" in c.verdict(wrong)
    assert c.verdict(right) is None
    assert calls == [2.0, 3.0]  # three students, one formula call per case


def test_reference_results_are_decoded_per_reference_list():
    """expect=REFERENCE: the decoded reference is reused for the same reference list only; another
    list (another run's reference) is decoded afresh, never judged against the old values."""
    from autograder.checking import REFERENCE
    from autograder.checking.plain import encode

    @check(cases=[(2.0,)], expect=REFERENCE, judge=close(rtol=1e-12))
    def square_probe(m, x):
        return m.square(x)

    c = square_probe.check
    four, five = [encode(4.0)], [encode(5.0)]
    assert c.verdict(four, reference=[encode(4.0)]) is None
    assert "expected 5, got 4" in c.verdict(four, reference=five)
    assert c.verdict(five, reference=five) is None
