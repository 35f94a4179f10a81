"""The grading engine on a toy assignment (tests/fixtures/toy): formats, statuses, isolation, reruns.

Every expected number below is derived by hand from the fixture's docstrings and point values
(q1_square: 2 public + 1 hidden + 1 hidden; q2_slow: 1), not read back from a previous run.
"""

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOY = ROOT / "tests" / "fixtures" / "toy"
ENV = {**os.environ, "AUTOGRADER_SUITES": str(TOY / "suites"), "AUTOGRADER_SOLUTIONS": str(TOY / "solutions"),
       "AUTOGRADER_ASSIGNMENTS": str(TOY / "assignments")}

# student -> (q1_square points, q2_slow points, status)
EXPECTED = {
    "correct": (4, 1, "ok"),
    "cheater": (1, 0, "ok"),  # its "equal to everything" float becomes -12345.0; only the ValueError case passes
    "stack_walker": (1, 1, "ok"),  # finds no expectation to steal: square earns nothing
    "hangs": (4, 0, "timeout"),  # the hang costs q2 only
    "greedy": (3, 1, "memory"),  # the memory hog costs the checked_sqrt case only
    "syntax": (0, 0, "error"),
    "crash": (0, 0, "error"),
    "late_crash": (3, 1, "error"),  # names defined before the crash are graded, as under otter
    "chatty": (0, 0, "output"),
    "forbidden": (0, 0, "forbidden"),
    "lazy_forbidden": (4, 0, "forbidden"),  # imports inside slow_identity: only q2 is lost
    "folder_student": (0, 0, "missing"),
}


def grade(out: Path, *extra: str, **kwargs) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "autograder.engine.grade", "--submissions", str(TOY / "submissions"),
           "--out", str(out), "toy", *extra]
    return subprocess.run(cmd, cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=300, **kwargs)


def rows(out: Path) -> list[dict]:
    with open(out / "toy" / "grades.csv", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    out = tmp_path_factory.mktemp("grades")
    proc = grade(out)
    assert proc.returncode == 0, proc.stderr
    return out, proc.stdout


def test_gradebook_columns_and_one_row_per_student(graded):
    out, _ = graded
    with open(out / "toy" / "grades.csv", newline="") as f:
        header = next(csv.reader(f))
    assert header == ["student", "q1_square", "q2_slow", "total", "max_total", "status"]
    assert sorted(r["student"] for r in rows(out)) == sorted(EXPECTED)


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_each_student_scored_and_labelled(graded, student):
    out, _ = graded
    row = next(r for r in rows(out) if r["student"] == student)
    q1, q2, status = EXPECTED[student]
    assert (float(row["q1_square"]), float(row["q2_slow"]), row["status"]) == (q1, q2, status)
    assert float(row["total"]) == q1 + q2 and float(row["max_total"]) == 5


def test_results_json_follows_gradescope_schema(graded):
    out, _ = graded
    res = json.loads((out / "toy" / "hangs" / "results.json").read_text())
    assert res["score"] == 4 and isinstance(res["execution_time"], float)
    assert len(res["tests"]) == 4
    for t in res["tests"]:
        assert set(t) >= {"name", "score", "max_score", "status", "output", "visibility"}
        assert t["status"] in ("passed", "failed") and t["visibility"] in ("visible", "hidden")
    slow = next(t for t in res["tests"] if t["name"].startswith("q2_slow"))
    assert slow["score"] == 0 and "did not finish within 3 s" in slow["output"]


def test_feedback_explains_public_failures_and_hides_hidden_details(graded):
    out, _ = graded
    text = (out / "toy" / "cheater" / "feedback.md").read_text()
    assert "**Score: 1 / 5**" in text
    assert "expected 3, got 0" in text  # public case: what was expected
    hidden_line = next(line for line in text.splitlines() if "square matches the reference" in line)
    assert "(hidden test)" in hidden_line and "0 / 1" in hidden_line
    assert "-12345" not in text.split("square matches the reference")[1].split("\n- ")[0]


@pytest.mark.parametrize("student, words", [
    ("syntax", "SyntaxError at line 1"),
    ("crash", "NameError at line 3"),
    ("late_crash", "NameError at line 15"),
    ("chatty", "printed more than the output cap"),
    ("forbidden", "sympy is not allowed"),
    ("folder_student", "has no toy.py"),
])
def test_bad_submissions_say_what_happened(graded, student, words):
    out, stdout = graded
    assert words in (out / "toy" / student / "feedback.md").read_text()
    assert words in (out / "toy" / "summary.md").read_text()  # listed for the TA at a glance


def test_summary_has_pass_rates_and_histogram(graded):
    out, stdout = graded
    summary = (out / "toy" / "summary.md").read_text()
    # missing or not loadable (status missing, or error with 0 points) are shown apart and not counted:
    # folder_student, syntax, crash.  The 9 counted, sorted: 0 0 1 2 4 4 4 4 5 -> median 4, mean 24 / 9
    assert "Over the 9 graded: median 4 / 5, mean 2.7, full marks 1 of 9." in summary
    assert "3 missing or not loadable" in summary
    # q1 (4 points): full marks for correct, hangs, lazy_forbidden; 4+1+1+4+3+3+0+0+4 = 20 -> 20 / 9 = 2.2
    # q2 (1 point): correct, stack_walker, greedy, late_crash -> 4 / 9 = 0.4
    rows = [line.split("|")[1:4] for line in summary.splitlines() if line.startswith(("| q1_", "| q2_"))]
    rates = {name.split(":")[0].strip(): (full.strip(), mean.strip()) for name, full, mean in rows}
    assert rates == {"q1_square": ("3/9 (33 %)", "2.2 / 4"), "q2_slow": ("4/9 (44 %)", "0.4 / 1")}
    # one bin per whole point, full marks (5) in a bin of its own, the uncounted apart
    histogram = summary.split("```")[1].strip().splitlines()
    bins = {}
    for line in histogram:
        edges, *bar, count = line.split()
        assert bar in ([], ["#" * int(count)])
        bins[edges] = int(count)
    assert bins == {"0": 2, "1": 1, "2": 1, "3": 0, "4": 4, "5": 1, "missing/error": 3}
    assert (out / "toy" / "histogram.png").read_bytes()[:4] == b"\x89PNG"
    assert "[ 12/12]" in stdout  # progress


def test_output_is_kept_only_when_something_was_printed(graded):
    out, _ = graded
    assert (out / "toy" / "crash" / "output.txt").read_text().startswith("hello")
    assert not (out / "toy" / "correct" / "output.txt").exists()
    assert (out / "toy" / "chatty" / "output.txt").stat().st_size <= 1024 * 1024 + 64 * 1024


def test_figures_are_kept_beside_the_feedback_even_with_a_relative_out(tmp_path):
    cmd = [sys.executable, "-m", "autograder.engine.grade", "--submissions", str(TOY / "submissions"),
           "--out", "relative-out", "--student", "correct", "toy"]
    proc = subprocess.run(cmd, cwd=tmp_path, env={**ENV, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    student = tmp_path / "relative-out" / "toy" / "correct"
    assert (student / "figures" / "identity.png").read_bytes()[:4] == b"\x89PNG"
    assert "figures/identity.png" in (student / "feedback.md").read_text()
    assert rows(tmp_path / "relative-out")[0]["total"] == "5"


def test_rerun_regrades_nothing_and_duplicates_nothing(graded):
    out, _ = graded
    before = (out / "toy" / "grades.csv").read_text()
    proc = grade(out)
    assert "12 already graded" in proc.stdout
    assert (out / "toy" / "grades.csv").read_text() == before


def test_interrupted_run_resumes_without_loss_or_duplicates(tmp_path):
    cmd = [sys.executable, "-m", "autograder.engine.grade", "--jobs", "1", "--submissions",
           str(TOY / "submissions"), "--out", str(tmp_path), "toy"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(tmp_path.glob("toy/*/results.json"))) < 3:
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=60)
    finished = len(list(tmp_path.glob("toy/*/results.json")))
    assert 3 <= finished < len(EXPECTED), "the interrupt should land mid-run"
    second = grade(tmp_path, "--jobs", "2")
    assert f"{finished} already graded" in second.stdout
    students = [r["student"] for r in rows(tmp_path)]
    assert sorted(students) == sorted(EXPECTED)  # nothing lost, nothing twice
    assert not list(tmp_path.glob("toy/*/.*.tmp*"))  # no half-written files left behind


def test_help_explains_usage():
    proc = subprocess.run([sys.executable, "-m", "autograder.engine.grade", "--help"], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 0 and "--submissions" in proc.stdout and "grades.csv" in proc.stdout
