"""The otter plugin that grades in the trusted autograder process; otter's kernel runs no student code.

Before otter starts (Gradescope: the bundle's ``run_otter.py``), ``upload.prepare`` sets the upload
aside and leaves otter one placeholder file to pick (otter refuses two ``.py`` files before any
plugin runs).  Then otter's ``run_autograder`` (on Gradescope, and under ``otter run``) calls, in its
own process:

1. ``before_grading``: the upload is set aside (``upload.set_aside``: already done on Gradescope;
   under ``otter run`` here), the submission folder, which is the kernel's working folder, is emptied
   but for the placeholder, the file to grade is chosen (``upload.choose``: ``<id>.py``, else the code
   cells of ``<id>.ipynb``; others ignored, never run) and copied to a private folder; the bundle's
   files become readable by root only; the sandbox user is named.
2. ``before_execution``: whatever otter was going to run in its Jupyter kernel becomes an empty
   notebook.  The kernel then runs only otter's own cells over zero tests (the bundle ships none),
   so the results file otter unpickles was written by otter's code alone.
3. ``after_grading``: the isolation layers are checked (``sandbox.isolation``; with
   ``require_isolation``, the default, a layer that is off means nothing is graded: "autograder
   misconfigured"), the copied file goes through the project's sandbox (``grade_one``), verdicts are
   computed here, and the results object is given a ``to_gradescope_dict`` that returns our
   ``results.json`` (one entry per check) instead of otter's.
4. ``generate_report``: the staff-only details, printed to stdout (hidden from students): the
   isolation layers, what was graded and ignored, every failed check's full message.
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

from . import upload

PLUGIN_KEY = "autograder.gradescope.plugin.TrustedGrading"
SANDBOX_USER = "autograder-student"  # created by setup_extra.sh
GRADESCOPE_DIR = Path("/autograder")
# otter copies these into submission/ (with every top-level name of the bundle's files/): not uploaded
OTTER_COPIES = {"tests", "__init__.py"}
GRADER_FAILED = ("The autograder failed before it could grade your file; this is not your fault. "
                 "Please tell your instructor.")


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
    choice: upload.Choice | None = None
    report: str = ""

    def before_grading(self, config) -> None:
        submission = Path(self.submission_path)
        autograder_dir = submission.parent.parent
        assignment = self.plugin_config["assignment"]
        copies = OTTER_COPIES | _names(autograder_dir / "source" / "files")
        # otter run was handed one file by a TA (graded whatever its name, as make grade grades a
        # top-level <student>.py); on Gradescope the upload must hold <id>.py
        named_by_ta = bool(getattr(config, "otter_run", False))
        aside = upload.set_aside(autograder_dir, assignment, submission, copies)
        work = Path(tempfile.mkdtemp(prefix="trusted-grading-"))
        work.chmod(0o711)  # the sandbox user may enter (to reach its own copy), not list
        self.work = work
        (work / "original").mkdir(mode=0o700)
        self.choice = upload.choose(aside, assignment, work / "staging", named_by_ta=named_by_ta)
        if self.choice.source is not None:
            self.original = work / "original" / f"{assignment}.py"
            self.original.write_bytes(self.choice.source)
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
        from .results import gradescope_results, misconfigured_results, staff_report

        lines = []
        try:
            if self.choice is None:
                raise RuntimeError("before_grading did not run: the submission was never set aside")
            if self.sandbox_user_problem:
                raise RuntimeError(self.sandbox_user_problem)
            if results.results:  # what otter unpickled from its kernel must be empty: nothing ran there
                raise RuntimeError(f"otter's kernel ran tests {sorted(results.results)}; the submission folder was not emptied")
            from autograder.engine import registry

            from . import grade_one

            assignment = self.plugin_config["assignment"]
            settings = registry.get(assignment)
            layers = grade_one.isolation(assignment)
            problems = grade_one.isolation_problems(layers)
            lines.append(grade_one.describe_isolation(layers))
            if problems and settings.require_isolation:
                lines.append("NOT GRADED: require_isolation is on (assignment.toml) and "
                             + "; ".join(f"autograder misconfigured: {p}" for p in problems))
                data = misconfigured_results(problems, layers)
            else:
                if problems:
                    lines.append("graded with these layers off: require_isolation = false in assignment.toml")
                lines += [f"upload: {n}" for n in self.choice.notes]
                if self.choice.source is None:
                    lines.append(f"upload: nothing graded: {self.choice.problem}")
                    graded = grade_one.grade_missing(assignment, self.choice.problem)
                else:
                    lines.append(f"upload: graded {self.choice.graded}")
                    graded = grade_one.grade_submission(self.original, assignment, self.work / "grade")
                data = gradescope_results(graded, settings.hidden_tests_visibility, notes=self.choice.notes)
                data["extra_data"]["isolation"] = layers
                lines.append(staff_report(graded))
        except Exception:  # the grader itself failed: say so, never a half grade
            lines.append("the autograder failed:\n" + traceback.format_exc())
            data = {"score": 0, "stdout_visibility": "hidden", "output": GRADER_FAILED, "tests": []}
        finally:
            if getattr(self, "work", None):
                shutil.rmtree(self.work, ignore_errors=True)
        self.report = "\n".join(lines)
        results.__class__ = TrustedResults
        results.set_plugin_data(PLUGIN_KEY, data)

    def generate_report(self) -> str:
        return self.report


def _names(folder: Path) -> set[str]:
    try:
        return {p.name for p in folder.iterdir()}
    except OSError:
        return set()


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
