"""student.zip's public tests: hidden cases and everything only they use are gone."""

import ast
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


def _secret_formula(x):
    return 2 * x


@test_case(name="public", points=1, hidden=False)
@check(cases=[(x,) for x in _shared], expect=lambda x: x, judge=close(1e-12))
def public_case(m, x):
    return m.f(x)


@test_case(name="hidden", points=1, hidden=True)
@check(cases=[(x,) for x in _secret_inputs + _shared], expect=_secret_formula, judge=close(1e-12))
def hidden_case(m, x):
    return m.g(x)
'''


def test_hidden_cases_and_what_only_they_use_are_removed():
    out = public_only(SOURCE)
    ast.parse(out)
    for gone in ("hidden_case", "_secret_inputs", "_secret_formula", "only the hidden", "hidden=True"):
        assert gone not in out
    for kept in ("public_case", "_shared = []", "_shared += [_v]", "OK_FORMAT = False", 'name = "q1"', '"""Q1'):
        assert kept in out


def test_a_file_without_hidden_cases_is_unchanged():
    public = '\n'.join(line for line in SOURCE.split('@test_case(name="hidden"')[0].splitlines()
                        if "_secret" not in line and "2 * x" not in line and "only the hidden" not in line)
    public = public.rstrip() + "\n"
    assert "hidden_case" not in public
    assert public_only(public).strip() == public.strip().replace("\n\n\n\n\n", "\n\n\n").replace("\n\n\n\n", "\n\n\n")


@pytest.mark.parametrize("path", sorted((ROOT / "autograder" / "suites").glob("*/q*.py")), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_suite_file_keeps_exactly_its_public_cases(path, tmp_path):
    from otter.test_files.exception_test import ExceptionTestFile

    public = tmp_path / path.name
    public.write_text(public_only(path.read_text()))
    original = ExceptionTestFile.from_file(str(path))
    stripped = ExceptionTestFile.from_file(str(public))  # runs: nothing it needs was removed
    assert [tc.name for tc in stripped.test_cases] == [tc.name for tc in original.test_cases if not tc.hidden]
    assert stripped.test_cases, "every question should have at least one public case that teaches"
