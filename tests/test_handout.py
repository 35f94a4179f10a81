"""What a handout repeats (``authoring.handout``): the generated check-your-work block, and every way a
handout can disagree with its suite, each named in one sentence.  The real handouts are only read;
every wrong input is a changed copy of one."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.authoring import handout
from autograder.engine import registry
from autograder.engine.suite import load_suite

ROOT = Path(__file__).resolve().parents[1]
FORWARD, SGD = "forward_mode", "sgd_without_replacement"


@pytest.fixture(scope="module")
def suites():
    return {a: load_suite(a) for a in (FORWARD, SGD)}


def text_of(assignment: str) -> str:
    return (ROOT / "assignments" / assignment / "handout.md").read_text(encoding="utf-8")


def problems(text: str, assignment: str, suites) -> list[str]:
    return handout.text_problems(text, assignment, suites[assignment], "handout.md")


def changed(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


@pytest.mark.parametrize("assignment", registry.ids())
def test_every_handout_agrees_with_its_suite(assignment):
    assert handout.handout_problems(assignment, load_suite(assignment)) == []


@pytest.mark.parametrize("assignment", registry.ids())
def test_the_block_is_between_its_markers_once(assignment):
    text = text_of(assignment)
    block = handout.check_your_work(assignment)
    assert text.count(block) == 1 and text.count(handout.BEGIN) == 1 and text.count(handout.END) == 1
    assert block.startswith(handout.BEGIN + "\n\n") and block.endswith("\n\n" + handout.END)
    assert f"`{handout.kit_name(assignment)}`" in block and f"on {assignment}.py" in block


def test_the_block_says_what_the_kit_installs(monkeypatch):
    block = handout.check_your_work(FORWARD)
    assert "Python 3.10 to 3.13 with numpy (1.24 or newer, below 3) and matplotlib (3.7 or newer,\nbelow 4)" in block
    monkeypatch.setattr(handout, "STUDENT_PYTHONS", ("3.11", "3.14"))
    monkeypatch.setattr(handout, "STUDENT_REQUIREMENTS", "numpy>=2.0,<3\nscipy>=1.11\nmatplotlib>=3.8,<4\n")
    block = " ".join(handout.check_your_work(FORWARD).split())
    assert ("Python 3.11 to 3.14 with numpy (2.0 or newer, below 3), scipy (1.11 or newer) and matplotlib "
            "(3.8 or newer, below 4):") in block


def test_a_long_id_wraps_the_first_line_as_the_handouts_do():
    first = handout.check_your_work(SGD).split("\n\n")[1]
    assert first == (f"Your kit, `{SGD}-student.zip`, unzips into its own folder\n`{SGD}/`; in that folder:")


# -- each judge, on a wrong copy of a real handout ------------------------------------------------

def test_a_heading_total_off_by_one_is_named(suites):
    bad = changed(text_of(FORWARD), "## Grading (38 points)", "## Grading (39 points)")
    assert problems(bad, FORWARD, suites) == [
        'handout.md: "## Grading (39 points)" says 39 points, the suite totals 38: correct the handout']


def test_the_total_of_the_title_block_is_checked_too(suites):
    bad = changed(text_of(SGD), "*Points: 31.", "*Points: 30.")
    assert problems(bad, SGD, suites) == ['handout.md: "Points: 30" says 30 points, the suite totals 31: '
                                          'correct the handout']


def test_a_row_with_wrong_points_is_named(suites):
    bad = changed(text_of(FORWARD), "| Q2 `q2_powers` | 5 |", "| Q2 `q2_powers` | 6 |")
    assert problems(bad, FORWARD, suites) == [
        'handout.md: the points table gives `q2_powers` "6" points, the suite 5: correct the row']


def test_a_row_named_by_its_q_label_and_the_total_row_are_checked(suites):
    """sgd's table names functions, not questions: Q2 is the suite's q2_... file; its 'total' row too."""
    bad = changed(text_of(SGD), "| Q2 `running_mean` | the mean of every prefix; O(n) time (with the right result) | 3 |",
                  "| Q2 `running_mean` | the mean of every prefix; O(n) time (with the right result) | 4 |")
    bad = changed(bad, "| **total** | | **31** |", "| **total** | | **32** |")
    assert problems(bad, SGD, suites) == [
        'handout.md: the points table gives Q2 "4" points, the suite 3: correct the row',
        'handout.md: the points table gives the total "32" points, the suite 31: correct the row']


def test_a_missing_row_is_named(suites):
    text = text_of(FORWARD)
    row = next(line for line in text.splitlines() if line.startswith("| Q6 `q6_jacobian` |"))
    assert problems(changed(text, row + "\n", ""), FORWARD, suites) == [
        'handout.md: the points table has no row for q6_jacobian (4 points): add "| Q6 `q6_jacobian` | 4 | ... |"']


def test_an_extra_row_is_named(suites):
    text = text_of(FORWARD)
    row = next(line for line in text.splitlines() if line.startswith("| Q6 `q6_jacobian` |"))
    bad = changed(text, row, row + "\n| Q7 `q7_hessian` | 3 | second derivatives |")
    (problem,) = problems(bad, FORWARD, suites)
    assert problem.startswith("handout.md: the points table has a row for `q7_hessian`, which is not a question of "
                              "the suite (q1_arithmetic, ") and problem.endswith("remove or rename it")


def test_a_q_label_beyond_the_suite_and_a_missing_table_are_named(suites):
    text = text_of(SGD)
    row = next(line for line in text.splitlines() if line.startswith("| Q7 "))
    bad = changed(text, row, row + "\n| Q8 `hessian` | second derivatives | 2 |")
    (problem,) = problems(bad, SGD, suites)
    assert problem.startswith("handout.md: the points table has a row for Q8, which is not a question of the suite")
    no_table = changed(text, "| question | what is checked | points |", "| task | what is checked | points |")
    assert problems(no_table, SGD, suites) == [
        "handout.md has no points table (a table with the columns question, points and what is checked): add one "
        "(`make new-assignment` writes one from the suite)"]


def test_an_edited_block_is_named(suites):
    bad = changed(text_of(FORWARD), "    python check.py                               # runs",
                  "    python3 check.py                              # runs")
    assert problems(bad, FORWARD, suites) == [
        "handout.md: the check-your-work block differs from what the kit needs: run `make handout ASSIGNMENT=forward_mode`"]


def test_a_missing_block_is_named(suites):
    text = text_of(FORWARD)
    bad = changed(text, handout.check_your_work(FORWARD), "(see the kit)")
    (problem,) = problems(bad, FORWARD, suites)
    assert problem.startswith("handout.md has no check-your-work block: put the two lines <!-- check-your-work")
    assert problem.endswith("then run `make handout ASSIGNMENT=forward_mode`")


def test_a_handout_without_an_import_sentence_is_named(suites):
    bad = changed(text_of(FORWARD), "Only the standard library and numpy may be imported",
                  "Only numpy and the language's own modules may be imported")
    (problem,) = problems(bad, FORWARD, suites)
    assert problem.startswith("handout.md has no sentence saying what may be imported (one naming \"the standard "
                              "library\"")


def test_a_missing_handout_is_one_sentence(tmp_path, monkeypatch, suites):
    (tmp_path / FORWARD).mkdir()
    shutil.copy(ROOT / "assignments" / FORWARD / "assignment.toml", tmp_path / FORWARD)
    monkeypatch.setattr(registry, "ASSIGNMENTS", tmp_path)
    assert handout.handout_problems(FORWARD, suites[FORWARD]) == [
        f"{tmp_path / FORWARD / 'handout.md'} does not exist: write the handout (`make new-assignment` starts one)"]


def test_the_scaffolds_points_table_passes_the_table_judge(suites):
    table = handout.points_table(suites[FORWARD])
    lines = table.splitlines()
    assert lines[:2] == ["| question | points | what is checked |", "|---|---:|---|"] and len(lines) == 2 + 6
    assert lines[2].startswith("| Q1 `q1_arithmetic` | 10 | lecture example: ") and "(public, 1); " in lines[2]
    assert lines[2].endswith(" (1) |")
    text = text_of(FORWARD)
    start = text.index("| question | points | what is checked |")
    end = text.index("\n\n", start)
    assert problems(text[:start] + table + text[end:], FORWARD, suites) == []


# -- write, and the command ----------------------------------------------------------------------

@pytest.fixture
def assignments_copy(tmp_path, monkeypatch) -> Path:
    """A copy of assignments/, which registry (in this process) and the command (its env) read instead."""
    folder = tmp_path / "assignments"
    shutil.copytree(ROOT / "assignments", folder)
    monkeypatch.setattr(registry, "ASSIGNMENTS", folder)
    monkeypatch.setenv("AUTOGRADER_ASSIGNMENTS", str(folder))
    return folder


def test_write_restores_an_edited_block(assignments_copy):
    path = assignments_copy / FORWARD / "handout.md"
    original = path.read_text()
    path.write_text(changed(original, "every public test passes", "most public tests pass"))
    assert handout.write(FORWARD) is True
    assert path.read_text() == original
    assert handout.write(FORWARD) is False


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder.authoring.handout", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def test_the_command_rewrites_then_lists_what_is_left(assignments_copy):
    path = assignments_copy / FORWARD / "handout.md"
    original = path.read_text()
    path.write_text(changed(changed(original, "## Grading (38 points)", "## Grading (37 points)"),
                            "every public test passes", "most public tests pass"))
    check = run("--check", FORWARD)
    assert check.returncode == 1 and "Traceback" not in check.stdout + check.stderr
    assert check.stdout.splitlines() == [
        f'{FORWARD}: {path}: "## Grading (37 points)" says 37 points, the suite totals 38: correct the handout',
        f"{FORWARD}: {path}: the check-your-work block differs from what the kit needs: run `make handout "
        f"ASSIGNMENT={FORWARD}`"]
    assert "most public tests pass" in path.read_text()  # --check changes nothing
    proc = run(FORWARD)
    assert proc.returncode == 1 and proc.stdout.splitlines() == [
        f"{FORWARD}: the check-your-work block of {path} was rewritten",
        f'{FORWARD}: {path}: "## Grading (37 points)" says 37 points, the suite totals 38: correct the handout']
    assert path.read_text() == changed(original, "## Grading (38 points)", "## Grading (37 points)")


def test_the_command_has_help_and_refuses_an_unknown_id():
    assert run("--help").returncode == 0
    proc = run("--check", "no_such_assignment")
    assert proc.returncode == 2 and "unknown assignment 'no_such_assignment'" in proc.stderr
    assert "Traceback" not in proc.stderr
