"""Grade one submission with the project's engine: sandboxed probes, verdicts in this process.

The one place the Gradescope plugin calls the engine (``suite``, ``sandbox``, ``score``), so that an
engine change is adapted here and nowhere else.  The reference solution's probe results are computed
at release time and shipped in the bundle (``reference/<id>.json``): the solution never is.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from autograder.checking.source import SourceError, declared_encoding, decode_source
from autograder.engine.sandbox import Limits, RunResult, run_submission
from autograder.engine.score import Graded, score_run
from autograder.engine.suite import ROOT, config, load_suite

REFERENCE_DIR = ROOT / "reference"  # in the bundle: files/reference/<id>.json


def reference_path(assignment: str) -> Path:
    return REFERENCE_DIR / f"{assignment}.json"


def grade_submission(path: Path, assignment: str, work: Path, student: str = "submission",
                     reference: dict | None = None) -> Graded:
    """Grade the file at ``path``; ``work`` (created) receives the sandbox's copy of it and what it
    leaves for feedback (``output.txt``, ``figures/``).  ``reference`` defaults to the shipped one."""
    questions = load_suite(assignment)
    if reference is None:
        reference = json.loads(reference_path(assignment).read_text())
    work.mkdir(parents=True, exist_ok=True)
    staged = work / "submission" / f"{assignment}.py"
    staged.parent.mkdir(exist_ok=True)
    data = path.read_bytes()
    try:  # read as check.py and make grade read it (BOM, CRLF, cp1252), or the same error
        text = decode_source(data)
    except SourceError as exc:
        run = RunResult(load_error={"kind": "syntax", "message": str(exc)})
        return score_run(student, assignment, questions, run, reference)
    # the child compiles bytes: plain UTF-8, unless the file names its encoding (Python honours it)
    staged.write_bytes(data if declared_encoding(data) else text.encode("utf-8"))
    staged.chmod(0o644)  # the sandbox may run it as an unprivileged user: it must read its own code
    staged.parent.chmod(0o755)
    limits = Limits(memory_mb=config(assignment).get("memory_mb", Limits.memory_mb))
    checks = [(c.key, c.check.timeout) for q in questions for c in q.cases]
    keep = work / "keep"
    shutil.rmtree(keep, ignore_errors=True)
    run = run_submission(staged, assignment, checks, keep, limits)
    return score_run(student, assignment, questions, run, reference)
