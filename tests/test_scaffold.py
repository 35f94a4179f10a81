"""``make new-assignment`` (``authoring.scaffold``): in a copy of the project, a new assignment whose
every part exists, whose reference scores full marks and stub zero, whose example bug and degenerate
submissions each fail every check they should, and whose handout agrees with its suite; the
refusals write nothing.  The gated release of it is in the slow lane."""

import csv
import json
import os
import subprocess
from pathlib import Path

import pytest

from autograder.authoring import degenerate, scaffold
from autograder.engine import registry
from test_adversarial import PYTHON, make_project

NEW = "scaffold_trial"  # an id no real assignment has
QUESTION = scaffold.QUESTION


def on(project: Path) -> dict[str, str]:
    """The environment of a command run on the copy, and on the copy only."""
    return {k: v for k, v in os.environ.items() if not k.startswith("AUTOGRADER_")} | {"PYTHONPATH": str(project)}


def run(project: Path, module: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """``python -P -m module args`` in the copy, as the Makefile runs it."""
    return subprocess.run([PYTHON, "-P", "-m", module, *args], cwd=project, env=on(project), capture_output=True,
                          text=True, timeout=timeout)


def listing(project: Path) -> set[str]:
    return {str(p.relative_to(project)) for p in project.rglob("*") if "__pycache__" not in p.parts}


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    project = make_project(tmp_path_factory.mktemp("scaffold") / "project")
    proc = run(project, "autograder.authoring.scaffold", NEW, "--title", "A toy: the derivative of a square")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return project


def test_every_part_of_the_assignment_is_written(project):
    for part, pattern in registry.PARTS.items():
        assert (project / pattern.replace("<id>", NEW)).exists(), part
    assert (project / "autograder" / "suites" / NEW / f"{QUESTION}.py").exists()
    assert run(project, "autograder.engine.registry", "ids").stdout.split() == sorted(registry.ids() + [NEW])


def test_it_says_what_was_written_and_what_to_fill_in_next(tmp_path):
    project = make_project(tmp_path / "project")
    other = "scaffold_trial_two"
    proc = run(project, "autograder.authoring.scaffold", other, "--title", "Another")
    assert proc.returncode == 0 and proc.stderr == ""
    lines = proc.stdout.splitlines()
    listed = sorted(line.strip() for line in lines if line.startswith("  ") and "/" in line and " " not in line.strip())
    assert listed == sorted(str(p.relative_to(project)) for p in project.rglob("*") if p.is_file() and other in str(p))
    steps = [line.split(". ", 1)[1] for line in lines if line.startswith(tuple(f"  {k}. " for k in range(1, 7)))]
    assert [step.split(":")[0] for step in steps[:5]] == [
        "the functions", "the suite", "the handout", "the example class", "after changing the suite's points"]
    assert steps[4].startswith(f"after changing the suite's points: make handout ASSIGNMENT={other}")
    assert steps[5].startswith(f"make release ASSIGNMENT={other}")


@pytest.mark.parametrize("args, words", [
    (["Toy_Square", "--title", "T"], "'Toy_Square' is not a lowercase Python identifier"),
    (["2toy", "--title", "T"], "'2toy' is not a lowercase Python identifier"),
    (["lambda", "--title", "T"], "'lambda' is not a lowercase Python identifier"),
    (["random", "--title", "T"], "'random' is the name of a module the kit or Python already has"),
    (["check", "--title", "T"], "'check' is the name of a module the kit or Python already has"),
    ([NEW, "--title", "T"], f"assignment {NEW} already exists (assignments/{NEW}/assignment.toml, "),
    (["forward_mode", "--title", "T"], "assignment forward_mode already exists"),
    (["fresh_toy", "--title", "  "], "the title is empty"),
    (["fresh_toy"], "the title is empty"),
    (["fresh_toy", "--title", "two\nlines"], "the title must be one line"),
])
def test_a_refusal_is_one_sentence_and_writes_nothing(project, args, words):
    before = listing(project)
    proc = run(project, "autograder.authoring.scaffold", *args)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith(f"error: {words}") and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert listing(project) == before


def test_help(project):
    proc = run(project, "autograder.authoring.scaffold", "--help")
    assert proc.returncode == 0 and "--title" in proc.stdout


@pytest.fixture(scope="module")
def graded(project, tmp_path_factory) -> dict[str, tuple[dict, dict]]:
    """student -> (row of grades.csv, results.json): the reference, the stub, the example class and
    every degenerate submission, graded by the grade command in the copy."""
    folder = tmp_path_factory.mktemp("class")
    (folder / "zz_reference.py").write_text((project / "solutions" / f"{NEW}.py").read_text())
    (folder / "zz_template.py").write_text((project / "student_template" / f"{NEW}.py").read_text())
    for example in (project / "examples" / NEW).glob("*.py"):
        (folder / example.name).write_text(example.read_text())
    variants = tmp_path_factory.mktemp("degenerate")  # from the copy's template: degenerate reads its own project
    code = f"from pathlib import Path; from autograder.authoring import degenerate; " \
           f"degenerate.write_variants({NEW!r}, Path({str(variants)!r}))"
    proc = subprocess.run([PYTHON, "-P", "-c", code], cwd=project, env=on(project), capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    for strategy in degenerate.STRATEGIES:
        (folder / f"degenerate_{strategy}.py").write_text((variants / f"{strategy}.py").read_text())
    out = tmp_path_factory.mktemp("out")
    proc = run(project, "autograder.engine.grade", "--jobs", "2", "--submissions", str(folder), "--out", str(out), NEW,
               timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    with open(out / NEW / "grades.csv", newline="") as f:
        rows = {r["student"]: r for r in csv.DictReader(f)}
    return {s: (row, json.loads((out / NEW / s / "results.json").read_text())) for s, row in rows.items()}


def test_reference_full_marks_template_zero(graded):
    reference, _ = graded["zz_reference"]
    template, _ = graded["zz_template"]
    assert reference["status"] == "ok" and float(reference["total"]) == float(reference["max_total"]) == 2
    assert template["status"] == "ok" and float(template["total"]) == 0


def test_the_example_loses_exactly_what_expected_toml_says(project, graded):
    import tomllib

    expected = tomllib.loads((project / "examples" / NEW / "expected.toml").read_text())
    assert expected and {s for s in expected} == {p.stem for p in (project / "examples" / NEW).glob("*.py")}
    for student, spec in expected.items():
        row, _ = graded[student]
        assert row["status"] == spec["status"] and spec["loses"] == [QUESTION]
        assert float(row[QUESTION]) == 0  # both checks of the one question


def test_every_check_fails_for_the_example_and_some_degenerate_submission(graded):
    _, reference = graded["zz_reference"]
    checks = [t["name"] for t in reference["tests"]]
    assert len(checks) == 2
    for name in checks:
        failed_by = {s for s, (_, results) in graded.items()
                     for t in results["tests"] if t["name"] == name and t["score"] < t["max_score"]}
        assert any(s.startswith("degenerate_") for s in failed_by), name
        assert scaffold.EXAMPLE in failed_by, name
    assert all(float(graded[f"degenerate_{s}"][0]["total"]) == 0 for s in degenerate.STRATEGIES)


def test_the_new_handout_agrees_with_its_suite(project):
    proc = run(project, "autograder.authoring.handout", "--check", NEW)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == f"{NEW}: the handout agrees with the suite (2 points)\n"


def test_a_failed_scaffold_leaves_nothing(tmp_path, monkeypatch):
    """In this process, every part redirected to tmp_path: a failure after some files are written
    (here: loading the suite for the handout's table) removes them and the folders it made."""
    for name in ("ASSIGNMENTS", "SUITES", "SOLUTIONS", "TEMPLATES", "EXAMPLES"):
        (tmp_path / name).mkdir()
        monkeypatch.setattr(registry, name, tmp_path / name)

    def broken(assignment):
        raise RuntimeError("suite does not load")

    monkeypatch.setattr(scaffold, "load_suite", broken)
    with pytest.raises(RuntimeError):
        scaffold.scaffold(NEW, "T")
    assert [p for p in tmp_path.rglob("*") if p.is_file() or p.name == NEW] == []


@pytest.mark.slow
def test_the_gated_release_of_the_new_assignment_passes(project, tmp_path):
    proc = run(project, "autograder.authoring.release", "--dist", str(tmp_path / "dist"), NEW, timeout=1800)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert (tmp_path / "dist" / NEW / "autograder.zip").exists()
