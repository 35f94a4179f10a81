"""Correct submissions written in styles unlike the reference earn full marks.

tests/fixtures/alternative/<id>/*.py were written from the contract (ASSIGNMENTS.md) and the
handouts, not from the reference: other data structures (dataclass, __slots__, closures, parallel
lists, dict tables), numpy vs loops, other matplotlib calls (fill_between, hlines, Rectangle,
scatter, loglog, a figure legend), other valid tie-breaking, numpy scalar types where allowed.
A check that fails one of them rejects valid work.
"""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ALTERNATIVES = ROOT / "tests" / "fixtures" / "alternative"
ASSIGNMENTS = ["forward_mode", "reverse_mode", "sgd_without_replacement", "matrix_chain"]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_there_are_at_least_three_alternatives(assignment):
    assert len(list((ALTERNATIVES / assignment).glob("*.py"))) >= 3


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_alternative_earns_full_marks(assignment, tmp_path, grade_cli):
    rows = list(grade_cli(assignment, ALTERNATIVES / assignment, tmp_path).values())
    assert len(rows) >= 3
    short = {r["student"]: f"{r['total']}/{r['max_total']} ({r['status']})" for r in rows
             if r["status"] != "ok" or float(r["total"]) != float(r["max_total"])}
    assert not short, f"valid work loses points: {short} (see {tmp_path}/{assignment}/<student>/feedback.md)"
