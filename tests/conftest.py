"""Fixtures shared by the test modules."""

import csv
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _grade(assignment: str, submissions: Path, out: Path, jobs: int = 2) -> dict[str, dict[str, str]]:
    """Grade every submission in ``submissions`` with the grade CLI, as a TA runs it; the rows of
    grades.csv by student."""
    proc = subprocess.run([sys.executable, "-m", "autograder.engine.grade", "--jobs", str(jobs), "--submissions",
                           str(submissions), "--out", str(out), assignment],
                          cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    with open(out / assignment / "grades.csv", newline="") as fh:
        return {row["student"]: row for row in csv.DictReader(fh)}


@pytest.fixture
def grade_cli():
    """``grade_cli(assignment, submissions, out, jobs=2)``: the gradebook's rows by student."""
    return _grade

