"""Fixtures shared by the test modules."""

import csv
import subprocess
import sys
import tomllib
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


SGD_ATTACKS = ROOT / "tests" / "fixtures" / "adversarial" / "sgd_without_replacement"


@pytest.fixture
def sgd_attacks(tmp_path) -> tuple[Path, dict]:
    """The sgd attacks on the O(n) check's clock as submissions (each appended to the reference
    solution) in a fresh folder; and their expected outcomes by name (``expected.toml`` there)."""
    expected = tomllib.loads((SGD_ATTACKS / "expected.toml").read_text())
    folder = tmp_path / "sgd_attacks"
    folder.mkdir()
    reference = (ROOT / "solutions" / "sgd_without_replacement.py").read_text()
    for name in expected:
        (folder / f"{name}.py").write_text(reference + "\n\n" + (SGD_ATTACKS / f"{name}.py").read_text())
    return folder, expected
