"""student.zip's public tests (``public_tests.public_only``): hidden cases and everything only they
use are gone, and nothing else changes."""

from pathlib import Path

import pytest

from autograder.engine.public_tests import public_only

ROOT = Path(__file__).resolve().parents[1]

SOURCE = '''"""Q1 -- a question."""
from otter.test_files import test_case
from autograder.checking import check, close

OK_FORMAT = False
name = "q1"

_shared = []
for _v in (1.0, 2.0):
    _shared += [_v]
# inputs that only the hidden case uses
_secret_inputs = [3.0, 4.0]
_SECRET_SCALE = 2  # used only by _secret_formula, itself used only by the hidden case


def _secret_formula(x):
    return _SECRET_SCALE * x


@test_case(name="public", points=1, hidden=False)
@check(cases=[(x,) for x in _shared], expect=lambda x: x, judge=close(1e-12))
def public_case(m, x):
    return m.f(x)


@test_case(name="hidden", points=1, hidden=True)
@check(cases=[(x,) for x in _secret_inputs + _shared], expect=_secret_formula, judge=close(1e-12))
def hidden_case(m, x):
    return m.g(x)
'''


# SOURCE's public version, written by hand: the hidden case, the comment above _secret_inputs and the
# three definitions only the hidden case needs (one through another) are gone; at most two blank
# lines where they were, and one newline at the end.
PUBLIC = '''"""Q1 -- a question."""
from otter.test_files import test_case
from autograder.checking import check, close

OK_FORMAT = False
name = "q1"

_shared = []
for _v in (1.0, 2.0):
    _shared += [_v]


@test_case(name="public", points=1, hidden=False)
@check(cases=[(x,) for x in _shared], expect=lambda x: x, judge=close(1e-12))
def public_case(m, x):
    return m.f(x)
'''


def test_hidden_cases_and_what_only_they_use_are_removed():
    assert public_only(SOURCE) == PUBLIC


def test_a_file_without_hidden_cases_is_unchanged():
    assert public_only(PUBLIC) == PUBLIC


@pytest.mark.parametrize("path", sorted((ROOT / "autograder" / "suites").glob("*/q*.py")), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_suite_file_keeps_exactly_its_public_cases(path, tmp_path):
    from otter.test_files.exception_test import ExceptionTestFile

    public = tmp_path / path.name
    public.write_text(public_only(path.read_text()))
    original = ExceptionTestFile.from_file(str(path))
    stripped = ExceptionTestFile.from_file(str(public))  # runs: nothing it needs was removed
    assert [tc.name for tc in stripped.test_cases] == [tc.name for tc in original.test_cases if not tc.hidden]
    assert stripped.test_cases, "every question should have at least one public case that teaches"
