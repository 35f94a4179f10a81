"""Grade one submission with the project's engine: sandboxed probes, verdicts in this process.

The one place the Gradescope plugin calls the engine (``suite``, ``sandbox``, ``score``), so that an
engine change is adapted here and nowhere else: grading a file, grading an upload with nothing to
grade (``missing``, as ``make grade``), and the isolation layers the sandbox reports.  The reference solution's probe results are computed
at release time and shipped in the bundle (``reference/<id>.json``): the solution never is.  The
file is read by the confined child exactly as under ``make grade`` (``checking.source``).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from autograder.engine import sandbox
from autograder.engine.sandbox import run_submission
from autograder.engine.score import Graded, missing, score_run
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


def grade_missing(assignment: str, problem: str) -> Graded:
    """Nothing gradable was uploaded: every check failed with ``problem``, as ``make grade`` says it."""
    return missing("submission", assignment, load_suite(assignment), problem)


def isolation(assignment: str) -> dict:
    """{layer: "on: ..." | "off: why", "verified": {what: blocked}} from the fork server's self-test."""
    return sandbox.isolation(assignment)


def describe_isolation(layers: dict) -> str:
    return sandbox.describe_isolation(layers)


def isolation_problems(layers: dict) -> list[str]:
    """What keeps ``layers`` from being fully isolated (empty: nothing), driven by the dict alone:
    each layer is judged by ``sandbox.fully_isolated`` on its own, so a layer added to the sandbox
    is checked here without a change."""
    if sandbox.fully_isolated(layers):
        return []
    verified = layers.get("verified") or {}
    problems = [f"{name} unavailable ({state})" for name, state in layers.items()
                if name != "verified" and not sandbox.fully_isolated({name: state, "verified": {"-": True}})]
    problems += [f"{what} not blocked (self-test)" for what, ok in verified.items() if not ok]
    if not verified:
        problems.append("the isolation self-test did not run")
    return problems or ["isolation incomplete: " + "; ".join(f"{k}: {v}" for k, v in layers.items())]
