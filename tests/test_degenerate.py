"""Degenerate submissions earn nothing: every check of every assignment fails a trivial answer.

The variants come from ``autograder/authoring/degenerate.py`` (the templates with every TODO answered by 0, 0.0,
zeros, the first argument, [], None, an empty figure, a ValueError, or a constant of the right type
and shape); the reference solution is graded in the same run and must keep full marks, so the
check is not passed by a suite that fails everything.
"""

import ast
import shutil
from pathlib import Path

import pytest

from autograder.authoring import degenerate

ROOT = degenerate.ROOT
ASSIGNMENTS = ["forward_mode", "reverse_mode", "sgd_without_replacement", "matrix_chain"]


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_degenerate_submissions_score_zero(assignment, tmp_path, grade_cli):
    folder = tmp_path / "submissions"
    students = degenerate.write_variants(assignment, folder)
    shutil.copy(ROOT / "solutions" / f"{assignment}.py", folder / "reference.py")
    rows = grade_cli(assignment, folder, tmp_path / "out")
    assert float(rows["reference"]["total"]) == float(rows["reference"]["max_total"])
    scored = {s: rows[s]["total"] for s in students if float(rows[s]["total"]) != 0}
    assert not scored, f"trivial answers earn points: {scored} (see OUT/{assignment}/<variant>/results.json)"


def test_variants_parse_and_replace_every_todo():
    for assignment in ASSIGNMENTS:
        for strategy in degenerate.STRATEGIES:
            tree = ast.parse(degenerate.variant(assignment, strategy))
            raises = [ast.unparse(n) for n in ast.walk(tree) if isinstance(n, ast.Raise)]
            assert not any("NotImplementedError" in r for r in raises), (assignment, strategy)
