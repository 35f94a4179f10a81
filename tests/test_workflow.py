"""The TA's workflow on the toy assignment (tests/fixtures/toy): interrupt and resume, --student,
every entry of the submissions folder in the gradebook, progress.

Expected scores are the toy's point values (q1_square 4 points, q2_slow 1): a correct file earns 5.
"""

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
TOY = ROOT / "tests" / "fixtures" / "toy"
ENV = {**os.environ, "AUTOGRADER_SUITES": str(TOY / "suites"), "AUTOGRADER_SOLUTIONS": str(TOY / "solutions"),
       "AUTOGRADER_ASSIGNMENTS": str(TOY / "assignments")}
CORRECT = (TOY / "submissions" / "correct.py").read_text()
# Sleeps while being imported (well within the 30 s import limit), so that a signal lands mid-student;
# prints its pid so that the test can check the child is gone afterwards.
SLEEPER = "import os, time\nprint('sleeping', os.getpid(), flush=True)\ntime.sleep(SECONDS)\n" + CORRECT


def grade_cmd(submissions: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "autograder.engine.grade", "--submissions", str(submissions),
            "--out", str(out), "toy", *extra]


def grade(submissions: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(grade_cmd(submissions, out, *extra), cwd=ROOT, env=ENV, capture_output=True,
                          text=True, timeout=300)


def rows(out: Path) -> dict[str, dict]:
    with open(out / "toy" / "grades.csv", newline="") as f:
        return {r["student"]: r for r in csv.DictReader(f)}


def make_class(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return folder


# -- 1. interrupt and resume ----------------------------------------------------------------------

@pytest.mark.slow  # three grading runs (~35 s on a loaded 2-core machine)
def test_ctrl_c_mid_student_records_nothing_and_the_rerun_matches_an_uninterrupted_run(tmp_path):
    subs = make_class(tmp_path / "subs", {"a_first.py": CORRECT, "b_sleeper.py": SLEEPER.replace("SECONDS", "3"),
                                          "c_last.py": CORRECT.replace("x * x", "x * x + 1")})
    out = tmp_path / "out"
    # like Ctrl-C in a terminal: SIGINT to the grader's whole process group
    proc = subprocess.Popen(grade_cmd(subs, out, "--jobs", "1"), cwd=ROOT, env=ENV, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    printed = out / "toy" / "b_sleeper" / "output.txt"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (printed.exists() and "sleeping" in printed.read_text()):
        time.sleep(0.05)
    child_pid = int(printed.read_text().split()[1])
    sent = time.monotonic()
    os.killpg(proc.pid, signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=30)
    stopped_after = time.monotonic() - sent

    assert proc.returncode == 130, (stdout, stderr)
    # 1 s is the promise; the margin covers reaping the child on a loaded 2-core machine
    assert stopped_after < 1.5, stopped_after
    assert "interrupted: 1 graded, 2 left; run the same command again to finish" in stdout
    assert "Traceback" not in stdout + stderr
    assert not (out / "toy" / "b_sleeper" / "results.json").exists()
    assert not (out / "toy" / "b_sleeper" / "feedback.md").exists()
    assert (out / "toy" / "a_first" / "results.json").exists()
    time.sleep(0.2)
    try:
        os.kill(child_pid, 0)
        alive = Path(f"/proc/{child_pid}/stat").read_text().split()[2] != "Z"
    except ProcessLookupError:
        alive = False
    assert not alive, "the submission's child survived the interrupt"

    rerun = grade(subs, out)
    assert rerun.returncode == 0, rerun.stderr
    assert "1 already graded" in rerun.stdout
    clean = grade(subs, tmp_path / "clean")
    assert (out / "toy" / "grades.csv").read_text() == (tmp_path / "clean" / "toy" / "grades.csv").read_text()
    assert rows(out)["b_sleeper"]["total"] == "5"


def test_sigterm_stops_like_ctrl_c(tmp_path):
    """make forwards SIGTERM (not SIGINT) to the recipe: `kill <make pid>` must stop grading too."""
    subs = make_class(tmp_path / "subs", {"sleeper.py": SLEEPER.replace("SECONDS", "20")})
    out = tmp_path / "out"
    proc = subprocess.Popen(grade_cmd(subs, out), cwd=ROOT, env=ENV, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    printed = out / "toy" / "sleeper" / "output.txt"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (printed.exists() and printed.read_text()):
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    stdout, stderr = proc.communicate(timeout=10)
    assert proc.returncode == 130
    assert "interrupted: 0 graded, 1 left" in stdout and "Traceback" not in stderr


def test_ctrl_c_through_make_grade(tmp_path):
    """Ctrl-C in a terminal signals make's whole process group; the grader (run by make with python -P)
    stops and says so.  `-o .venv/.ready`: make must not consider (re)building the shared venv."""
    subs = make_class(tmp_path / "subs", {"sleeper.py": SLEEPER.replace("SECONDS", "20")})
    out = tmp_path / "out"
    cmd = ["make", "-s", "-o", ".venv/.ready", "grade", "ASSIGNMENT=toy", f"SUBMISSIONS={subs}", f"OUT={out}"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    printed = out / "toy" / "sleeper" / "output.txt"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (printed.exists() and printed.read_text()):
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=10)
    assert "interrupted: 0 graded, 1 left; run the same command again to finish" in stdout, stdout + stderr
    assert "Traceback" not in stdout + stderr
    assert not (out / "toy" / "sleeper" / "results.json").exists()


# -- 2. the whole class, always --------------------------------------------------------------------

@pytest.mark.slow  # three grading runs
def test_student_option_regrades_the_named_student_and_keeps_the_class(tmp_path):
    subs = make_class(tmp_path / "subs", {"alice.py": CORRECT, "bob.py": CORRECT, "carol.py": CORRECT})
    out = tmp_path / "out"
    assert grade(subs, out).returncode == 0
    (subs / "bob.py").write_text(CORRECT.replace("x * x", "x + x"))
    (subs / "carol.py").write_text(CORRECT.replace("x * x", "x + x"))
    proc = grade(subs, out, "--student", "bob")
    assert proc.returncode == 0, proc.stderr
    book = rows(out)
    assert sorted(book) == ["alice", "bob", "carol"]
    assert book["bob"]["total"] != "5"  # regraded: the new file loses the square checks
    assert book["carol"]["total"] == "5"  # not named: keeps its stored result ...
    assert "carol" in proc.stdout and "without --student" in proc.stdout  # ... and the TA is told it is stale
    # named again, unchanged: regraded anyway (no --force needed)
    again = grade(subs, out, "--student", "bob")
    assert "regrading bob" in again.stdout and "[  1/1] bob" in again.stdout


def test_unknown_student_is_an_error_with_close_matches(tmp_path):
    subs = make_class(tmp_path / "subs", {"alice_smith.py": CORRECT, "bob.py": CORRECT})
    proc = grade(subs, tmp_path / "out", "--student", "alice_smtih")
    assert proc.returncode == 2
    assert "alice_smtih" in proc.stderr and "did you mean alice_smith" in proc.stderr
    assert not (tmp_path / "out" / "toy" / "grades.csv").exists()


def test_empty_folder_is_an_error(tmp_path):
    (tmp_path / "subs").mkdir()
    proc = grade(tmp_path / "subs", tmp_path / "out")
    assert proc.returncode == 2 and "holds no submissions" in proc.stderr and "Traceback" not in proc.stderr


def test_name_collision_is_an_error_naming_both(tmp_path):
    subs = make_class(tmp_path / "subs", {"x.py": CORRECT, "x/toy.py": CORRECT})
    proc = grade(subs, tmp_path / "out")
    assert proc.returncode == 2 and "x.py" in proc.stderr and "x/" in proc.stderr


def notebook(code_cells: list[str]) -> str:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# my work")] + [nbformat.v4.new_code_cell(c) for c in code_cells]
    return nbformat.writes(nb)


def test_every_entry_of_the_folder_is_a_row(tmp_path):
    import zipfile

    subs = make_class(tmp_path / "subs", {
        "nb_student.ipynb": notebook(["%matplotlib inline\nimport math", "!pip install numpy",
                                      CORRECT.split("import math", 1)[1]]),
        "renamed/Toy.py": CORRECT,
        "stray.pdf": "not code",
    })
    with zipfile.ZipFile(subs / "zipped.zip", "w") as z:
        z.writestr("zipped/toy.py", CORRECT)
        z.writestr("../../escape.txt", "must never be written")
    proc = grade(subs, tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    book = rows(tmp_path / "out")
    assert sorted(book) == ["nb_student", "renamed", "stray", "zipped"]
    assert (book["nb_student"]["total"], book["nb_student"]["status"]) == ("5", "ok")
    assert (book["zipped"]["total"], book["zipped"]["status"]) == ("5", "ok")
    assert book["renamed"]["status"] == "missing" and book["stray"]["status"] == "missing"
    feedback = (tmp_path / "out" / "toy" / "renamed" / "feedback.md").read_text()
    assert "Toy.py" in feedback and "did you mean" in feedback
    assert "stray.pdf" in (tmp_path / "out" / "toy" / "stray" / "feedback.md").read_text()
    assert not list(tmp_path.rglob("escape.txt"))


# -- 6. debug output -------------------------------------------------------------------------------

def test_a_student_who_prints_is_in_needs_a_look(tmp_path):
    subs = make_class(tmp_path / "subs", {"quiet.py": CORRECT,
                                          "talker.py": "print('debug: x =', 42)\n" + CORRECT})
    assert grade(subs, tmp_path / "out").returncode == 0
    summary = (tmp_path / "out" / "toy" / "summary.md").read_text()
    look = summary.split("Needs a look", 1)[1]
    assert "talker" in look and "debug: x = 42" in look and "quiet" not in look


# -- 7. progress -----------------------------------------------------------------------------------

def test_progress_lines_carry_count_elapsed_and_estimate(tmp_path):
    subs = make_class(tmp_path / "subs", {f"s{i}.py": CORRECT for i in range(2)})
    proc = grade(subs, tmp_path / "out", "--jobs", "1")
    lines = [line for line in proc.stdout.splitlines() if line.strip().startswith("[")]
    assert [line.split("]")[0].strip() for line in lines] == ["[  1/2", "[  2/2"]
    assert "elapsed, ~" in lines[0] and "left" in lines[0]  # an estimate once one student is done
    assert "elapsed" in lines[-1] and "left" not in lines[-1]  # nothing left at the end


def test_help_lists_every_option():
    proc = subprocess.run([sys.executable, "-m", "autograder.engine.grade", "--help"], cwd=ROOT,
                          capture_output=True, text=True)
    for option in ("--submissions", "--out", "--jobs", "--force", "--student"):
        assert option in proc.stdout
