"""student.zip as a student gets it: check.py on the reference and the stub, its messages, and a
fresh virtual environment holding only the kit's requirements.txt (no otter, no Jupyter)."""

import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from autograder.engine import release
from autograder.engine.grade import reference_results
from autograder.engine.suite import SOLUTIONS, load_suite

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "forward_mode"


@pytest.fixture(scope="module")
def kit(tmp_path_factory) -> Path:
    """student.zip of forward_mode, unzipped (built as make release builds it, without the otter gate)."""
    tmp = tmp_path_factory.mktemp("kit")
    questions = load_suite(ASSIGNMENT)
    release.build_student_zip(ASSIGNMENT, reference_results(ASSIGNMENT, questions), questions, tmp / "stage",
                              tmp / "student.zip")
    folder = tmp / "student"
    with zipfile.ZipFile(tmp / "student.zip") as z:
        z.extractall(folder)
    shutil.copy(SOLUTIONS / f"{ASSIGNMENT}.py", folder / "reference.py")
    return folder


def check(kit: Path, file: str, python: str = sys.executable, *flags: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "AUTOGRADER_SUITES")}
    return subprocess.run([python, *flags, "check.py", file], cwd=kit, env=env, capture_output=True, text=True,
                          timeout=300)


def test_requirements_are_ranges_without_otter(kit):
    lines = (kit / "requirements.txt").read_text().split()
    assert sorted(line.split(">=")[0] for line in lines) == ["matplotlib", "numpy"]
    assert all(">=" in line and "<" in line and "==" not in line for line in lines)


def test_reference_passes_and_stub_fails(kit):
    ok = check(kit, "reference.py")
    assert ok.returncode == 0 and "All public tests pass" in ok.stdout, ok.stdout + ok.stderr
    stub = check(kit, f"{ASSIGNMENT}.py")
    assert stub.returncode == 1 and "FAIL" in stub.stdout and "Traceback" not in stub.stdout + stub.stderr


def test_import_error_names_the_line(kit):
    (kit / "broken.py").write_text("import math\n\n\nx = undefined_name + 1\n")
    proc = check(kit, "broken.py")
    assert proc.returncode == 1
    assert "NameError at line 4 of broken.py" in proc.stdout


def test_missing_numpy_says_which_command_to_run(kit):
    proc = check(kit, "reference.py", sys.executable, "-S")  # -S: no site-packages, so no numpy
    out = proc.stdout + proc.stderr
    assert "-m pip install -r requirements.txt" in out and "'numpy'" in out
    assert "problem with the assignment files" not in out and "Traceback" not in out


def test_check_py_never_imports_otter(kit):
    """Run check.py with otter made unimportable: it must still pass the reference."""
    (kit / "no_otter").mkdir(exist_ok=True)
    (kit / "no_otter" / "sitecustomize.py").write_text(
        "import sys\nclass Block:\n    def find_spec(self, name, *a):\n"
        "        if name == 'otter' or name.startswith('otter.'):\n"
        "            raise ImportError('otter is not available in this test')\n"
        "sys.meta_path.insert(0, Block())\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "AUTOGRADER_SUITES")}
    proc = subprocess.run([sys.executable, "check.py", "reference.py"], cwd=kit, capture_output=True, text=True,
                          env={**env, "PYTHONPATH": str(kit / "no_otter")}, timeout=300)
    assert proc.returncode == 0 and "All public tests pass" in proc.stdout, proc.stdout + proc.stderr


@pytest.mark.slow  # a fresh venv and two pip installs from the local index: ~60-120 s
def test_fresh_venv_with_only_the_kit_requirements(kit, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = str(venv / "bin" / "python")
    started = time.monotonic()
    install = subprocess.run([python, "-m", "pip", "install", "-r", "requirements.txt"], cwd=kit,
                             capture_output=True, text=True, timeout=600)
    seconds = time.monotonic() - started
    assert install.returncode == 0, install.stdout[-2000:] + install.stderr[-2000:]
    installed = subprocess.run([python, "-m", "pip", "list", "--format=freeze"], capture_output=True, text=True).stdout
    assert "otter" not in installed.lower() and "jupyter" not in installed.lower()
    print(f"pip install of the kit: {seconds:.0f} s, {len(installed.split())} packages")
    ok = check(kit, "reference.py", python)
    assert ok.returncode == 0 and "All public tests pass" in ok.stdout, ok.stdout + ok.stderr
    stub = check(kit, f"{ASSIGNMENT}.py", python)
    assert stub.returncode == 1 and "FAIL" in stub.stdout
    # the oldest numpy the ranges allow (1.24; matplotlib 3.7 has no wheel in the local index)
    oldest = subprocess.run([python, "-m", "pip", "install", "numpy==1.24.4"], capture_output=True, text=True,
                            timeout=600)
    assert oldest.returncode == 0, oldest.stderr[-2000:]
    ok = check(kit, "reference.py", python)
    assert ok.returncode == 0 and "All public tests pass" in ok.stdout, ok.stdout + ok.stderr


# -- what the zips hold besides check.py ----------------------------------------------------------

def test_sgd_handout_figures_are_shipped_in_student_zip(tmp_path):
    """Every image the handout shows is in student.zip, drawn from the reference solution."""
    import re

    assignment = "sgd_without_replacement"
    questions = load_suite(assignment)
    public = {c.key for q in questions for c in q.cases if not c.hidden and c.check.needs_reference}
    reference = reference_results(assignment, questions) if public else {}
    release.build_student_zip(assignment, reference, questions, tmp_path / "stage", tmp_path / "student.zip")
    with zipfile.ZipFile(tmp_path / "student.zip") as z:
        names = set(z.namelist())
        handout = z.read("handout.md").decode()
        images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", handout)
        assert len(images) == 2
        for image in images:
            assert image in names and z.read(image)[:4] == b"\x89PNG"
    assert "draw_figures.py" in names


def test_solutions_zip_has_staff_notes_from_the_suite(tmp_path):
    import tomllib

    assignment = "reverse_mode"
    questions = load_suite(assignment)
    release.build_solutions_zip(assignment, tmp_path / "stage", tmp_path / "solutions.zip", questions)
    with zipfile.ZipFile(tmp_path / "solutions.zip") as z:
        notes = z.read("staff_notes.md").decode()
    for q in questions:
        assert f"## {q.name}" in notes
        for c in q.cases:
            assert f"| {c.name.replace('|', '/')} | " in notes
    expected = tomllib.loads((ROOT / "examples" / assignment / "expected.toml").read_text())
    carl = expected["carl_gauss"]  # loses points in some questions only
    for q in questions:
        section = notes.split(f"## {q.name}", 1)[1].split("\n## ", 1)[0]
        assert (f"`carl_gauss`: {carl['about']}" in section) == (q.name in carl["loses"])
    assert f"STUDENT=alice" in notes and f"--student alice {assignment}" in notes
