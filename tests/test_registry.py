"""The assignment registry (``engine.registry``) and the cached reference run (``engine.reference``)."""

import shutil
import os
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.engine import reference, registry
from autograder.engine.suite import load_suite

ROOT = Path(__file__).resolve().parents[1]


def readme_parts() -> dict[str, str]:
    """part -> file, from the table of README.md's "Adding an assignment" section."""
    section = (ROOT / "README.md").read_text().split("## Adding an assignment\n")[1].split("\n## ")[0]
    rows = [line.split("|")[1:3] for line in section.splitlines() if line.startswith("| ")]
    return {part.strip(): file.strip().strip("`") for part, file in rows[1:]}  # rows[0]: the header


def test_readme_lists_every_part_of_an_assignment():
    assert readme_parts() == registry.PARTS


@pytest.mark.parametrize("assignment", registry.ids())
def test_each_part_is_where_the_readme_says(assignment):
    a = registry.get(assignment)
    assert a.parts() == {name: ROOT / pattern.replace("<id>", assignment) for name, pattern in registry.PARTS.items()}


def test_title_and_extra_files_are_read_from_assignment_toml():
    sgd = registry.get("sgd_without_replacement")
    assert sgd.title == "Sampling with vs without replacement; SGD's fast start and slow finish"
    assert (sgd.student_files, sgd.solution_files, sgd.figure_script) == (("draw_figures.py",), (), "draw_figures.py")


@pytest.fixture
def assignments_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(registry, "ASSIGNMENTS", tmp_path)
    return tmp_path


def write_config(folder: Path, assignment: str, text: str) -> Path:
    (folder / assignment).mkdir()
    (folder / assignment / "assignment.toml").write_text(text)
    return folder / assignment / "assignment.toml"


def test_an_assignment_is_a_folder_with_an_assignment_toml(assignments_folder):
    write_config(assignments_folder, "beta", 'title = "B"\n')
    write_config(assignments_folder, "alpha", 'title = "A"\n')
    (assignments_folder / "notes").mkdir()  # no assignment.toml: not an assignment
    assert registry.ids() == ["alpha", "beta"]
    with pytest.raises(KeyError, match="unknown assignment 'notes'; choose from alpha, beta"):
        registry.get("notes")


@pytest.mark.parametrize("text, words", [
    ('title = "A"\nmemory_mb = 4096\n', "unknown: memory_mb"),  # a key nothing reads is an error
    ('student_files = []\n', "needs a title"),
    ('title = "A\n', "is not valid TOML"),
])
def test_a_bad_assignment_toml_is_named_with_the_reason(assignments_folder, text, words):
    config = write_config(assignments_folder, "alpha", text)
    with pytest.raises(SystemExit, match=words) as e:
        registry.ids()
    assert str(config) in str(e.value)


def test_the_command_line_helper_prints_the_ids():
    proc = subprocess.run([sys.executable, "-m", "autograder.engine.registry", "ids"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.split() == registry.ids()


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_the_makefile_takes_its_assignments_from_the_registry():
    # under `make test` this is a nested make: without MAKEFLAGS/MAKELEVEL it prints no "Entering directory"
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    proc = subprocess.run(["make", "--no-print-directory", "-n", "release"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    release_line = next(line for line in proc.stdout.splitlines() if "autograder.authoring.release" in line)  # -n: printed, not run
    assert release_line.split()[-len(registry.ids()):] == registry.ids()


def test_the_fingerprint_covers_assignment_toml(assignments_folder):
    write_config(assignments_folder, "matrix_chain", (ROOT / "assignments/matrix_chain/assignment.toml").read_text())
    before = reference.fingerprint("matrix_chain")
    (assignments_folder / "matrix_chain" / "assignment.toml").write_text('title = "another title"\n')
    assert reference.fingerprint("matrix_chain") != before


def test_reference_results_are_cached_by_fingerprint(tmp_path, monkeypatch):
    monkeypatch.setattr(reference, "CACHE", tmp_path)
    stale = tmp_path / "matrix_chain-0000000000000000.json"
    stale.write_text("{}")
    questions = load_suite("matrix_chain")
    first = reference.reference_results("matrix_chain", questions)  # runs the reference in a child
    assert first and all(isinstance(v, list) for v in first.values())
    assert [p.name for p in tmp_path.iterdir()] == [f"matrix_chain-{reference.fingerprint('matrix_chain')}.json"]

    def no_run(*args, **kwargs):
        raise AssertionError("the cached results should have been used")

    monkeypatch.setattr(reference, "run_submission", no_run)
    assert reference.reference_results("matrix_chain", questions) == first
    monkeypatch.setattr(reference, "fingerprint", lambda assignment: "changed")  # e.g. the suite was edited
    with pytest.raises(AssertionError, match="cached results should have been used"):
        reference.reference_results("matrix_chain", questions)
