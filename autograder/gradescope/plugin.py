"""The otter plugin that grades in the trusted autograder process; otter's kernel runs no student code.

otter's ``run_autograder`` (on Gradescope, and under ``otter run``) calls, in its own process:

1. ``before_grading``: the student's file is copied to a private folder, the submission folder is
   emptied (so nothing the student uploaded can shadow a module in otter's kernel, whose working
   folder it is) and an empty file takes the submission's place; the bundle's files become readable
   by root only; the sandbox user is named.
2. ``before_execution``: whatever otter was going to run in its Jupyter kernel becomes an empty
   notebook.  The kernel then runs only otter's own cells over zero tests (the bundle ships none),
   so the results file otter unpickles was written by otter's code alone.
3. ``after_grading``: the copied file goes through the project's sandbox (``grade_one``), verdicts
   are computed here, and the results object is given a ``to_gradescope_dict`` that returns our
   ``results.json`` (one entry per check) instead of otter's.
4. ``generate_report``: the staff-only details, printed to stdout (hidden from students).
"""

from __future__ import annotations

import os
import pwd
import shutil
import tempfile
import traceback
from pathlib import Path

import nbformat
from otter.plugins import AbstractOtterPlugin
from otter.test_files import GradingResults

PLUGIN_KEY = "autograder.gradescope.plugin.TrustedGrading"
SANDBOX_USER = "autograder-student"  # created by setup_extra.sh
GRADESCOPE_DIR = Path("/autograder")


class TrustedResults(GradingResults):
    """otter's results object, reporting what the plugin decided instead of what the kernel did."""

    def to_gradescope_dict(self, ag_config) -> dict:
        return self.get_plugin_data(PLUGIN_KEY)

    @property
    def total(self) -> float:
        return self.get_plugin_data(PLUGIN_KEY)["score"]

    @property
    def possible(self) -> float:
        return sum(t.get("max_score", 0) for t in self.get_plugin_data(PLUGIN_KEY)["tests"])


class TrustedGrading(AbstractOtterPlugin):
    """Configured in otter_config.json as {PLUGIN_KEY: {"assignment": "<id>"}}."""

    original: Path | None = None
    report: str = ""

    def before_grading(self, config) -> None:
        submission = Path(self.submission_path)
        autograder_dir = submission.parent.parent
        work = Path(tempfile.mkdtemp(prefix="trusted-grading-"))
        work.chmod(0o711)  # the sandbox user may enter (to reach its own copy), not list
        self.work = work
        (work / "original").mkdir(mode=0o700)
        self.original = work / "original" / submission.name
        # a symbolic link (from an uploaded zip) could point at the bundle's files: graded as empty
        self.original.write_bytes(b"" if submission.is_symlink() else submission.read_bytes())
        for entry in submission.parent.iterdir():  # nothing the student uploaded stays in the kernel's folder
            shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
        submission.write_text("")  # what otter reads and hands to before_execution: nothing
        # the probe-only world the sandbox builds must be readable by the sandbox user: not under
        # source/, which becomes root-only (probe_world keeps the rest of build/ private)
        os.environ.setdefault("AUTOGRADER_BUILD", str(autograder_dir / "build"))
        if os.geteuid() == 0:
            _root_only(autograder_dir / "source")
            self.sandbox_user_problem = _name_sandbox_user(autograder_dir)
        else:
            self.sandbox_user_problem = None

    def before_execution(self, submission):
        return nbformat.v4.new_notebook()  # whatever it was, the kernel executes nothing of it

    def after_grading(self, results: GradingResults) -> None:
        from .results import gradescope_results, staff_report

        try:
            if self.original is None:
                raise RuntimeError("before_grading did not run: the submission was never set aside")
            if self.sandbox_user_problem:
                raise RuntimeError(self.sandbox_user_problem)
            if results.results:  # what otter unpickled from its kernel must be empty: nothing ran there
                raise RuntimeError(f"otter's kernel ran tests {sorted(results.results)}; the submission folder was not emptied")
            from autograder.engine import registry

            from .grade_one import grade_submission

            assignment = self.plugin_config["assignment"]
            graded = grade_submission(self.original, assignment, self.work / "grade")
            data = gradescope_results(graded, registry.get(assignment).hidden_tests_visibility)
            self.report = staff_report(graded)
        except Exception:  # the grader itself failed: say so, never a half grade
            self.report = "the autograder failed:\n" + traceback.format_exc()
            data = {"score": 0, "stdout_visibility": "hidden", "output": (
                "The autograder failed before it could grade your file; this is not your fault. "
                "Please tell your instructor."), "tests": []}
        finally:
            if getattr(self, "work", None):
                shutil.rmtree(self.work, ignore_errors=True)
        results.__class__ = TrustedResults
        results.set_plugin_data(PLUGIN_KEY, data)

    def generate_report(self) -> str:
        return self.report


def _root_only(folder: Path) -> None:
    """The bundle's files (suites, reference results, engine) readable and writable by root only."""
    for path in [folder, *folder.rglob("*")]:
        if not path.is_symlink():
            path.chmod(path.stat().st_mode & 0o700)


def _name_sandbox_user(autograder_dir: Path) -> str | None:
    """Tell the sandbox which unprivileged user runs the student's code; a reason to refuse if none."""
    try:
        pwd.getpwnam(SANDBOX_USER)
    except KeyError:
        if autograder_dir == GRADESCOPE_DIR:  # on Gradescope never run a student's code as root
            return f"the sandbox user {SANDBOX_USER!r} does not exist: the bundle's setup.sh did not finish"
        return None  # otter run by hand as root: the sandbox runs as today
    os.environ["AUTOGRADER_SANDBOX_USER"] = SANDBOX_USER
    return None
