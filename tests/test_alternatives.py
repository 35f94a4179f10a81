"""Correct submissions written in styles unlike the reference earn full marks; realistic buggy ones
lose exactly the questions their bug belongs to.

tests/fixtures/alternative/<id>/*.py were written from the contract (ASSIGNMENTS.md) and the
handouts, not from the reference: other data structures (dataclass, __slots__, closures, parallel
lists, dict tables, tuples), numpy vs loops, ints kept until the end, other matplotlib calls
(fill_between, hlines, Rectangle, scatter, step, loglog, two panels, a figure legend), other valid
tie-breaking, capitalised error messages and labels, numpy scalar types where allowed.  A check
that fails one of them rejects valid work.

tests/fixtures/buggy/<id>/*.py (round 3 of the assessment review) are realistic bugs of the classes
that once slipped through -- a formula that breaks at an edge where the handout says the rule holds
(a zero base, a zero numerator, tanh of hundreds, an empty input), a promised float or int type lost
on int inputs, a figure drawn wrong -- each with the questions it must lose in ``expected.toml``
beside it (the format of examples/<id>/expected.toml): every question in ``loses`` gets less than
full marks, every other question full marks.
"""

import json
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ALTERNATIVES = ROOT / "tests" / "fixtures" / "alternative"
BUGGY = ROOT / "tests" / "fixtures" / "buggy"
ASSIGNMENTS = ["forward_mode", "reverse_mode", "sgd_without_replacement", "matrix_chain"]


def _expected_bugs(assignment):
    return tomllib.loads((BUGGY / assignment / "expected.toml").read_text())


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_there_are_at_least_three_alternatives(assignment):
    assert len(list((ALTERNATIVES / assignment).glob("*.py"))) >= 6  # 3 before round 3, 3 more since


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_buggy_fixture_is_declared_with_the_questions_it_loses(assignment):
    files = {p.stem for p in (BUGGY / assignment).glob("*.py")}
    spec = _expected_bugs(assignment)
    assert len(files) >= 3 and files == set(spec), "buggy files and expected.toml disagree"
    for name, entry in spec.items():
        assert entry["loses"] and entry["status"] and entry["about"], name


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_alternative_earns_full_marks(assignment, tmp_path, grade_cli):
    rows = list(grade_cli(assignment, ALTERNATIVES / assignment, tmp_path).values())
    assert len(rows) >= 6
    short = {r["student"]: f"{r['total']}/{r['max_total']} ({r['status']})" for r in rows
             if r["status"] != "ok" or float(r["total"]) != float(r["max_total"])}
    assert not short, f"valid work loses points: {short} (see {tmp_path}/{assignment}/<student>/feedback.md)"


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_buggy_fixture_loses_exactly_its_questions(assignment, tmp_path, grade_cli):
    spec = _expected_bugs(assignment)
    rows = grade_cli(assignment, BUGGY / assignment, tmp_path)
    problems = []
    for name, entry in spec.items():
        row = rows[name]
        if row["status"] != entry["status"]:
            problems.append(f"{name}: status {row['status']}, expected {entry['status']}")
        results = json.loads((tmp_path / assignment / name / "results.json").read_text())
        per_question = {}
        for t in results["tests"]:
            got, most = per_question.get(t["name"].split(":")[0], (0.0, 0.0))
            per_question[t["name"].split(":")[0]] = (got + t["score"], most + t["max_score"])
        for q, (got, most) in per_question.items():
            if q in entry["loses"] and not got < most:
                problems.append(f"{name} ({entry['about']}) should lose points on {q}")
            if q not in entry["loses"] and got != most:
                failed = [t["output"][:200] for t in results["tests"] if t["name"].startswith(q) and t["score"] < t["max_score"]]
                problems.append(f"{name} ({entry['about']}) should keep full marks on {q}: {failed}")
    assert not problems, "\n".join(problems)
