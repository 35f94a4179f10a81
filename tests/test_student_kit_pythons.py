"""The student kits as students use them, on the oldest and the newest Python the kit supports
(3.10 and 3.13), each in a fresh venv holding only the kit's requirements.txt (installed from PyPI).

Every case of the issue "The student's kit and check.py: honest, live, and safe to unzip beside the
others", in a folder where two kits (forward_mode and sgd_without_replacement) were unzipped side by
side, plus what worked before and must keep working.  All slow: a venv per Python is built once per
module (pip install ~30-60 s each).
"""

import fcntl
import os
import pty
import select
import shutil
import struct
import subprocess
import termios
import time
import zipfile
from pathlib import Path

import pytest

from autograder.authoring import bundle
from autograder.engine import registry
from autograder.engine.grade import reference_results
from autograder.engine.suite import SOLUTIONS, load_suite
from test_student_kit import flat, with_stubs  # the same stubbed solutions as the kit's own tests

pytestmark = pytest.mark.slow

PYENV = Path(os.environ.get("PYENV_ROOT", "/root/.pyenv")) / "versions"
PYTHONS = {"3.10": PYENV / "3.10.13" / "bin" / "python", "3.13": PYENV / "3.13.0" / "bin" / "python"}
OLD_PYTHONS = {"2.7": PYENV / "2.7.18" / "bin" / "python", "3.6": PYENV / "3.6.15" / "bin" / "python",
               "3.9": PYENV / "3.9.18" / "bin" / "python"}
FORWARD, SGD = "forward_mode", "sgd_without_replacement"


def clean_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "AUTOGRADER_SUITES", "COLUMNS", "LINES")}
    return {**env, **extra}


@pytest.fixture(scope="module")
def zips(tmp_path_factory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("kits")
    out = {}
    for assignment in (FORWARD, SGD):
        questions = load_suite(assignment)
        out[assignment] = tmp / bundle.student_zip_name(assignment)
        bundle.build_student_zip(assignment, reference_results(assignment, questions), questions,
                                  tmp / f"stage-{assignment}", out[assignment])
    return out


@pytest.fixture(scope="module", params=sorted(PYTHONS))
def python(request, zips, tmp_path_factory) -> str:
    """A venv of that Python with only the kit's requirements.txt installed (once per module)."""
    base = PYTHONS[request.param]
    if not base.exists():
        pytest.skip(f"Python {request.param} is not installed at {base}")
    venv = tmp_path_factory.mktemp(f"venv-{request.param}")
    subprocess.run([str(base), "-m", "venv", str(venv)], check=True, timeout=300)
    with zipfile.ZipFile(zips[FORWARD]) as z:
        requirements = z.read(f"{FORWARD}/requirements.txt").decode()
    (venv / "requirements.txt").write_text(requirements)
    install = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-r", "requirements.txt"],
                             cwd=venv, capture_output=True, text=True, timeout=900)
    assert install.returncode == 0, install.stdout[-2000:] + install.stderr[-2000:]
    return str(venv / "bin" / "python")


@pytest.fixture
def folder(zips, tmp_path) -> Path:
    """Both kits unzipped into one folder, as a student who downloads two assignments does."""
    for z in zips.values():
        with zipfile.ZipFile(z) as f:
            f.extractall(tmp_path)
    return tmp_path


def run(python: str, args: list[str], cwd: Path, env: dict | None = None, timeout: float = 600):
    return subprocess.run([python, *args], cwd=cwd, env=env or clean_env(), capture_output=True, text=True,
                          timeout=timeout)


def looping_forward_mode(kit: Path) -> str:
    """The reference with an infinite loop in gradient (public check q5: 10 s of CPU, then it fails)."""
    source = (SOLUTIONS / f"{FORWARD}.py").read_text()
    (kit / "loop.py").write_text(source.replace("def gradient(f, point):\n", "def gradient(f, point):\n"
                                                "    while True:\n        pass\n", 1))
    return "loop.py"


# -- the cases -------------------------------------------------------------------------------

def test_two_kits_in_one_folder_both_work_from_inside_and_from_outside(python, folder):
    for assignment in (FORWARD, SGD):
        shutil.copy(SOLUTIONS / f"{assignment}.py", folder / assignment / f"{assignment}.py")
        inside = run(python, ["check.py"], cwd=folder / assignment)
        outside = run(python, [f"{assignment}/check.py", f"{assignment}/{assignment}.py"], cwd=folder)
        for proc in (inside, outside):
            assert proc.returncode == 0, proc.stdout + proc.stderr
            assert " 0 failed" in proc.stdout and "no reference result" not in proc.stdout
            assert f"Submit {assignment}.py on Gradescope" in flat(proc.stdout)


def test_never_submit_while_a_function_is_unimplemented(python, folder):
    kit = folder / FORWARD
    (kit / FORWARD).with_suffix(".py").write_text(with_stubs((SOLUTIONS / f"{FORWARD}.py").read_text(),
                                                             {"__pos__", "__rpow__"}))
    proc = run(python, ["check.py"], cwd=kit)
    assert proc.returncode == 1 and "8 passed, 0 failed: 8 / 8 public points." in proc.stdout, proc.stdout
    out = flat(proc.stdout)
    assert "submit" not in out.lower()
    assert "Hidden tests worth 30 more points (of 38 in all) run on Gradescope only" in out
    assert "2 functions raise NotImplementedError (not implemented yet): Dual.__rpow__, Dual.__pos__." in out
    stub = run(python, ["check.py"], cwd=kit.parent / SGD)  # the untouched sgd stub
    assert stub.returncode == 1 and "submit" not in stub.stdout.lower()
    assert "9 functions raise NotImplementedError" in flat(stub.stdout)


def test_a_long_check_shows_progress_within_a_second_in_a_pipe(python, folder):
    kit = folder / FORWARD
    proc = subprocess.Popen([python, "check.py", looping_forward_mode(kit)], cwd=kit, env=clean_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    for line in proc.stdout:  # as they come
        lines.append((time.monotonic(), line))
    assert proc.wait(timeout=600) == 1
    before = next(t for t, s in lines if s.startswith("PASS") and "q4_compositions" in s)
    live = [t for t, s in lines if "still running after" in s and "q5_gradients" in s]
    after = next(t for t, s in lines if s.startswith("FAIL") and "q5_gradients" in s)
    assert live and live[0] - before < 1.5, [(round(t - before, 2), s[:60]) for t, s in lines]
    assert all(b - a < 6.5 for a, b in zip(live + [after], live[1:] + [after]))  # then every 5 s
    assert "did not finish within 10 s" in "".join(s for _, s in lines)


def test_a_long_check_shows_an_updating_line_on_a_terminal(python, folder):
    kit = folder / FORWARD
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 160, 0, 0))
    proc = subprocess.Popen([python, "check.py", looping_forward_mode(kit)], cwd=kit, env=clean_env(TERM="xterm"),
                            stdin=slave, stdout=slave, stderr=slave)
    os.close(slave)
    chunks, data = [], b""
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                chunks.append((time.monotonic(), chunk))
                data += chunk
            if data.count(b"\r  ... ") >= 3 and b"q5_gradients" in data.split(b"\r  ... ")[-1]:
                break
    finally:
        proc.kill()  # the loop is not worth 10 s of CPU more
        proc.wait()
        os.close(master)
    seen = b""
    before = updates = None
    for t, chunk in chunks:
        seen += chunk
        if before is None and b"q4_compositions" in seen:
            before = t
        if before is not None and b"\r  ... " in chunk and updates is None:
            updates = t
    assert before is not None and updates is not None, data[-2000:]
    assert updates - before < 1.0, updates - before
    live = data.split(b"q4_compositions", 1)[1]
    assert b"\n" not in live.split(b"\r  ... ", 1)[1].split(b"q5_gradients")[0]  # rewritten in place
    assert b"of 10 s)" in live


@pytest.mark.parametrize("installed", [False, True])
def test_a_forbidden_import_is_one_sentence_quoting_the_handout(python, folder, tmp_path, installed):
    kit = folder / FORWARD
    (kit / FORWARD).with_suffix(".py").write_text("import sympy as sp\n" + (SOLUTIONS / f"{FORWARD}.py").read_text())
    env = clean_env()
    if installed:  # importable: check.py must not import it, nor say so once per check
        (tmp_path / "site" / "sympy").mkdir(parents=True)
        (tmp_path / "site" / "sympy" / "__init__.py").write_text("print('sympy imported')\n")
        env["PYTHONPATH"] = str(tmp_path / "site")
    proc = run(python, ["check.py"], cwd=kit, env=env)
    out = flat(proc.stdout)
    rule = bundle.import_rule(registry.get(FORWARD).handout.read_text())
    assert proc.returncode == 1 and out == (
        f"Your file {FORWARD}.py imports sympy (line 1), which this assignment does not allow: the handout says "
        f"\"{rule}\" Remove that import (installing the package does not help: the grader does not allow it, and a "
        "file that imports it earns no points), then run check.py again."), proc.stdout + proc.stderr


def test_the_wrong_kit_is_named(python, folder):
    shutil.copy(SOLUTIONS / f"{FORWARD}.py", folder / FORWARD / f"{FORWARD}.py")
    proc = run(python, [f"{SGD}/check.py", f"{FORWARD}/{FORWARD}.py"], cwd=folder)
    assert proc.returncode == 2 and flat(proc.stdout).startswith(
        f"This kit checks {SGD}.py; your file {FORWARD}.py defines the functions of {FORWARD} (Dual, derivative, "), \
        proc.stdout
    assert "does not define" not in proc.stdout and "FAIL" not in proc.stdout
    assert len(proc.stdout.strip().split(". ")) <= 2  # one sentence


def test_draw_figures_names_each_unimplemented_function_and_draws_beside_the_kit(python, folder, tmp_path):
    kit = folder / SGD
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    stub = run(python, [str(kit / "draw_figures.py")], cwd=elsewhere)
    assert stub.returncode == 1 and "Traceback" not in stub.stdout + stub.stderr, stub.stdout + stub.stderr
    assert stub.stdout.splitlines() == [
        f"{f}() is not implemented yet (it raises NotImplementedError), so {png} was not drawn: implement it in {SGD}.py."
        for f, png in (("plot_mean_convergence", "mean_convergence.png"), ("plot_sgd", "sgd.png"))]
    shutil.copy(SOLUTIONS / f"{SGD}.py", kit / f"{SGD}.py")
    ok = run(python, [str(kit / "draw_figures.py")], cwd=elsewhere)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.splitlines() == [f"wrote {kit / 'mean_convergence.png'}", f"wrote {kit / 'sgd.png'}"]
    assert not list(elsewhere.iterdir())
    for png in ("mean_convergence.png", "sgd.png"):
        assert (kit / png).read_bytes()[:4] == b"\x89PNG"


# -- what worked and must keep working --------------------------------------------------------------

def test_what_worked_still_works(python, folder, tmp_path):
    kit = folder / FORWARD
    reference = (SOLUTIONS / f"{FORWARD}.py").read_text()
    (kit / "syntax.py").write_text(reference + "\n\ndef broken(:\n    pass\n")
    proc = run(python, ["check.py", "syntax.py"], cwd=kit)
    assert proc.returncode == 1 and proc.stdout.startswith(
        f"Your file does not parse: line {reference.count(chr(10)) + 3} of syntax.py: "), proc.stdout
    (kit / "windows.py").write_bytes(b"\xef\xbb\xbf" + reference.encode().replace(b"\n", b"\r\n"))
    proc = run(python, ["check.py", "windows.py"], cwd=kit)
    assert proc.returncode == 0 and " 0 failed" in proc.stdout, proc.stdout + proc.stderr
    (kit / "asks.py").write_text(reference + "\nanswer = input('how many? ')\n")
    proc = run(python, ["check.py", "asks.py"], cwd=kit, timeout=120)
    line = reference.count("\n") + 2
    assert proc.returncode == 1 and flat(proc.stdout).endswith(
        f"Importing your file raised EOFError at line {line} of asks.py: it asks for input() when it is imported, "
        "and the checks (like the grader) give it none. Remove that line, then run check.py again."), proc.stdout
    proc = run(python, [str(kit / "check.py"), "forward_mode.py"], cwd=tmp_path)
    assert proc.returncode == 2 and "not found: run this from the folder that holds your file" in proc.stdout
    prefix = subprocess.run([python, "-c", "import sys; print(sys.base_prefix)"], capture_output=True,
                            text=True).stdout.strip()
    base = str(Path(prefix) / "bin" / "python3")  # the venv's interpreter itself: no numpy
    assert subprocess.run([base, "-c", "import numpy"], capture_output=True).returncode != 0
    proc = run(base, ["check.py"], cwd=kit)
    assert proc.returncode == 1 and proc.stderr.startswith(
        f"check.py needs the package 'numpy', which is not installed for this Python ({base})"), proc.stderr
    assert f"{base} -m pip install -r requirements.txt" in proc.stderr or \
        "python -m pip install -r requirements.txt" in proc.stderr


@pytest.mark.parametrize("version", sorted(OLD_PYTHONS))
def test_an_old_python_is_refused_clearly(zips, tmp_path, version):
    old = OLD_PYTHONS[version]
    if not old.exists():
        pytest.skip(f"Python {version} is not installed at {old}")
    with zipfile.ZipFile(zips[FORWARD]) as z:
        z.extractall(tmp_path)
    proc = run(str(old), ["check.py"], cwd=tmp_path / FORWARD)
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.strip() == f"check.py needs Python 3.10 or newer; this is Python {version} ({old}).", proc.stderr
