"""Round 3, fast lane: the cheap, high-value attacks of tests/fixtures/adversarial/round3/ in one
small class run of the toy assignment (the whole class: tests/test_round3.py, slow lane).

In one run, each with the score and status of expected.toml (written from the rules, README's
"Threat model", not from grading output):

* zip_encrypted, nb_surrogate: upload forms that crash a discovery that does not expect them; each
  is its student's row (missing, 0) and the run finishes;
* link_folder: a folder whose toy.py links to another student's file: refused (0);
* "=1+2.py" (text_injection): graded normally, and nothing it prints or is named reaches the
  console, summary.md, feedback.md or grades.csv as anything but text;
* ws_dribble: whitespace dribbled on the result pipe does not stop the parent's CPU deadline;
* aaa_victim (a folder) and zzz_victim: honest, full marks.
"""

from __future__ import annotations

import pytest

from round3_corpus import VICTIMS, grade_watched, kill_survivors, score_problems, text_problems, write_class

ENTRIES = ["aaa_victim", "zzz_victim", "zip_encrypted", "nb_surrogate", "text_injection", "link_folder", "ws_dribble"]
NAMES = {"text_injection": ["=1+2.py"]}


@pytest.fixture(scope="module")
def fast_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("round3-fast")
    students = write_class(base / "class", ENTRIES, NAMES)
    run = grade_watched(base / "class", base / "out", jobs=2, timeout=300)
    kill_survivors(run)
    return run, students


def test_the_run_finishes_with_a_row_per_student(fast_run):
    run, students = fast_run
    assert run.proc.returncode == 0, run.tail()
    missing = [s for s in students if run.row(s) is None]
    assert not missing, f"no gradebook row for {missing}\n{run.tail()}"


@pytest.mark.parametrize("student", ["aaa_victim", "zzz_victim", "zip_encrypted", "nb_surrogate", "=1+2",
                                     "link_folder", "ws_dribble"])
def test_each_gets_exactly_its_expected_score(fast_run, student):
    run, _ = fast_run
    problems = score_problems(run, student)
    assert not problems, f"{student}: " + "; ".join(problems) + "\n" + run.tail()


def test_printed_text_and_odd_names_stay_text(fast_run):
    run, students = fast_run
    assert run.proc.returncode == 0, run.tail()
    problems = text_problems(run, students)
    assert not problems, "\n".join(problems)


def test_no_process_outlives_the_run(fast_run):
    run, _ = fast_run
    assert not run.survivors, f"{len(run.survivors)} processes outlived the run: {list(run.survivors.values())[:3]}"


def test_victims_get_full_marks(fast_run):
    run, _ = fast_run
    for victim in VICTIMS:
        row = run.row(victim)
        assert row is not None and (float(row["total"]), row["status"]) == (5.0, "ok"), (victim, row, run.tail())
