"""Grade one submission with the project's engine: sandboxed probes, verdicts in this process.

The one place the Gradescope plugin calls the engine (``suite``, ``sandbox``, ``score``), so that an
engine change is adapted here and nowhere else.  The reference solution's probe results are computed
at release time and shipped in the bundle (``reference/<id>.json``): the solution never is.  The
file is read by the confined child exactly as under ``make grade`` (``checking.source``).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from autograder.engine.sandbox import run_submission
from autograder.engine.score import Graded, score_run
from autograder.engine.suite import ROOT, load_suite

REFERENCE_DIR = ROOT / "reference"  # in the bundle: files/reference/<id>.json


def reference_path(assignment: str) -> Path:
    return REFERENCE_DIR / f"{assignment}.json"


def grade_submission(path: Path, assignment: str, work: Path, student: str = "submission",
                     reference: dict | None = None) -> Graded:
    """Grade the file at ``path``; ``work`` (created) receives what the run leaves for feedback
    (``keep/output.txt``, ``keep/figures/``).  ``reference`` defaults to the shipped one."""
    questions = load_suite(assignment)
    if reference is None:
        reference = json.loads(reference_path(assignment).read_text())
    checks = [(c.key, c.check.timeout) for q in questions for c in q.cases]
    keep = work / "keep"
    shutil.rmtree(keep, ignore_errors=True)
    run = run_submission(path, assignment, checks, keep)
    return score_run(student, assignment, questions, run, reference)
