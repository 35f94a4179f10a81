"""student.zip's public tests (``public_tests.public_only``): hidden cases and everything only they
use are gone, and nothing else changes."""

from pathlib import Path

import pytest

from autograder.authoring.public_tests import public_only

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


def _fake_otter(monkeypatch, failures: list[str]):
    """Replace the otter run subprocess: the first runs fail with ``failures``' texts, then one
    writes a results.json worth 3 / 4.  Returns the list of calls."""
    import json

    from autograder.authoring import bundle

    calls = []

    def fake_run(cmd, cwd, what, timeout=None, env_extra=None):
        calls.append(cmd)
        if len(calls) <= len(failures):
            raise bundle.GateFailure(f"{what} failed (exit 1):\n\n{failures[len(calls) - 1]}")
        out = Path(cmd[cmd.index("-o") + 1])
        (out / "results.json").write_text(json.dumps({"tests": [{"score": 3, "max_score": 4}]}))

    monkeypatch.setattr(bundle, "_run", fake_run)
    return calls


KERNEL_HANG = "  File \".../jupyter_client/client.py\", line 211\nRuntimeError: Kernel didn't respond in 60 seconds"


@pytest.mark.parametrize("failures, calls", [([], 1), ([KERNEL_HANG], 2), ([KERNEL_HANG, KERNEL_HANG], 3)])
def test_otter_run_is_retried_when_its_kernel_never_started(tmp_path, monkeypatch, failures, calls):
    import zipfile

    from autograder.authoring.bundle import otter_score

    bundle = tmp_path / "autograder.zip"
    zipfile.ZipFile(bundle, "w").close()
    made = _fake_otter(monkeypatch, failures)
    assert otter_score(bundle, ROOT / "solutions" / "forward_mode.py", "forward_mode")[:2] == (3, 4)
    assert len(made) == calls


@pytest.mark.parametrize("failures", [
    [KERNEL_HANG] * 3,  # never more than three attempts
    ["Traceback ...\nValueError: the plugin broke"],  # a run that failed otherwise is not retried
    ["student printed: Kernel didn't respond in 60 seconds\nValueError: the plugin broke"],
])
def test_otter_run_is_not_retried_past_a_kernel_start_failure(tmp_path, monkeypatch, failures):
    import zipfile

    from autograder.authoring.bundle import GateFailure, otter_score

    bundle = tmp_path / "autograder.zip"
    zipfile.ZipFile(bundle, "w").close()
    made = _fake_otter(monkeypatch, failures + [KERNEL_HANG] * 5)
    with pytest.raises(GateFailure):
        otter_score(bundle, ROOT / "solutions" / "forward_mode.py", "forward_mode")
    assert len(made) == len(failures)
