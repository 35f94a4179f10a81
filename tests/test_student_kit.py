"""The student kit as a student gets it: ``<id>-student.zip`` unzipping into its own folder, its
``check.py`` (local.py) and the sgd kit's ``draw_figures.py``.

Fast lane: the kit's layout and facts (kit.json), check.py's logic in-process (forbidden imports,
the wrong kit, unimplemented functions, the live line, the summary) and a few check.py runs with the
project's Python.  Slow lane (``slow``): every case the issue lists, in a fresh venv holding only the
kit's requirements.txt, on the oldest and the newest Python the kit supports (test_student_kit_pythons).
"""

import ast
import io
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest

from autograder.checking import local
from autograder.authoring import bundle, gate
from autograder.engine import registry
from autograder.engine.grade import reference_results
from autograder.engine.suite import SOLUTIONS, load_suite

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "forward_mode"
SGD = "sgd_without_replacement"


def build_kit(assignment: str, tmp: Path) -> Path:
    """``<id>-student.zip`` as make release builds it (without the otter gate), in ``tmp``."""
    questions = load_suite(assignment)
    out = tmp / bundle.student_zip_name(assignment)
    bundle.build_student_zip(assignment, reference_results(assignment, questions), questions, tmp / f"stage-{assignment}",
                              out)
    return out


def unzip(zip_path: Path, into: Path) -> Path:
    with zipfile.ZipFile(zip_path) as z:
        z.extractall(into)
    return into


@pytest.fixture(scope="module")
def zips(tmp_path_factory):
    """assignment -> its kit's zip, built once per module."""
    tmp = tmp_path_factory.mktemp("zips")
    built: dict[str, Path] = {}

    def get(assignment: str) -> Path:
        if assignment not in built:
            built[assignment] = build_kit(assignment, tmp)
        return built[assignment]

    return get


@pytest.fixture(scope="module")
def kit(zips, tmp_path_factory) -> Path:
    """forward_mode's kit, unzipped: its folder forward_mode/ (with the reference as reference.py)."""
    folder = unzip(zips(ASSIGNMENT), tmp_path_factory.mktemp("kit")) / ASSIGNMENT
    shutil.copy(SOLUTIONS / f"{ASSIGNMENT}.py", folder / "reference.py")
    return folder


def clean_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "AUTOGRADER_SUITES", "COLUMNS")}
    return {**env, **extra}


def check(kit: Path, file: str | None, python: str = sys.executable, *flags: str, cwd: Path | None = None,
          env: dict | None = None) -> subprocess.CompletedProcess:
    args = [python, *flags, str(kit / "check.py") if cwd else "check.py"] + ([file] if file else [])
    return subprocess.run(args, cwd=cwd or kit, env=env or clean_env(), capture_output=True, text=True, timeout=600)


def flat(text: str) -> str:
    return " ".join(text.split())


def with_stubs(source: str, names: set[str], body: str = 'raise NotImplementedError("TODO: {name}")') -> str:
    """``source`` with the functions or methods called ``names`` reduced to ``body`` (docstring kept)."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    edits = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name in names:
            first = node.body[0]
            has_doc = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str)
            start = node.body[1].lineno if has_doc else first.lineno
            indent = " " * node.body[-1].col_offset
            edits.append((start - 1, node.end_lineno, indent + body.format(name=node.name) + "\n"))
    for a, b, text in sorted(edits, reverse=True):
        lines[a:b] = [text]
    return "".join(lines)


# -- the kit's layout: its own folder, its own name -------------------------------------------------

def test_two_kits_unzip_side_by_side_and_each_checks_from_anywhere(zips, tmp_path):
    """Each kit is <id>-student.zip holding only <id>/...: two kits unzipped into one folder share no
    file, and each check.py runs its own tests, run from that shared folder."""
    a, b = ASSIGNMENT, "matrix_chain"
    names = {}
    for x in (a, b):
        assert zips(x).name == f"{x}-student.zip"
        with zipfile.ZipFile(zips(x)) as z:
            names[x] = set(z.namelist())
        assert all(n.startswith(f"{x}/") for n in names[x]), sorted(names[x])[:5]
        unzip(zips(x), tmp_path)
    assert not names[a] & names[b]
    for x in (a, b):
        shutil.copy(SOLUTIONS / f"{x}.py", tmp_path / f"{x}.py")  # the student's file beside the kits
        proc = check(tmp_path / x, f"{x}.py", cwd=tmp_path)
        assert proc.returncode == 0 and "0 failed" in proc.stdout and "Submit" in proc.stdout, proc.stdout + proc.stderr


def test_the_gate_finds_a_hidden_test_in_the_kits_folder(zips, tmp_path):
    assert gate.hidden_tests_in(zips(ASSIGNMENT)) == []
    leaky = tmp_path / bundle.student_zip_name(ASSIGNMENT)
    with zipfile.ZipFile(zips(ASSIGNMENT)) as z, zipfile.ZipFile(leaky, "w") as out:
        for name in z.namelist():
            out.writestr(name, z.read(name))
        out.writestr(f"{ASSIGNMENT}/tests/q9_leak.py", "@test_case(name='x', points=1, hidden=True)\n")
    assert gate.hidden_tests_in(leaky) == [f"{leaky.name}:{ASSIGNMENT}/tests/q9_leak.py contains a hidden test"]


def test_kit_facts_come_from_the_sources(zips):
    """kit.json: the points from the suite, the import rule quoted from the handout, each assignment's
    contract names from its template, this assignment's template as it is."""
    with zipfile.ZipFile(zips(ASSIGNMENT)) as z:
        facts = json.loads(z.read(f"{ASSIGNMENT}/autograder/checking/kit.json"))
    questions = load_suite(ASSIGNMENT)
    assert facts["public_points"] == sum(c.points for q in questions for c in q.cases if not c.hidden) == 8
    assert facts["hidden_points"] == sum(c.points for q in questions for c in q.cases if c.hidden) == 30
    handout = " ".join(registry.get(ASSIGNMENT).handout.read_text().split())
    assert facts["import_rule"].startswith("Only the standard library and numpy may be imported")
    assert facts["import_rule"] in handout
    assert set(facts["contracts"]) == set(registry.ids())
    assert facts["contracts"][SGD][0] == "sample_indices" and "Dual" in facts["contracts"][ASSIGNMENT]
    assert facts["template"] == registry.get(ASSIGNMENT).template.read_text()


@pytest.mark.parametrize("assignment", registry.ids())
def test_import_rule_is_the_handouts_sentence(assignment):
    rule = bundle.import_rule(registry.get(assignment).handout.read_text(), assignment)
    assert "standard library" in rule and rule.endswith(".") and "`" not in rule and "**" not in rule
    assert rule.replace("…", "").split("(")[0].strip() in " ".join(registry.get(assignment).handout.read_text().split())
    with pytest.raises(bundle.GateFailure, match="no sentence naming what may be imported"):
        bundle.import_rule("# A handout\n\nNo rule here.\n", "toy")


# -- check.py's logic, in-process --------------------------------------------------------------------

def _kit_object(assignment: str = ASSIGNMENT) -> local.Kit:
    contracts = {a: bundle.contract_names(registry.get(a).template.read_text()) for a in registry.ids()}
    return local.Kit(folder=Path("."), assignment=assignment, public_tests=[], public_points=8, hidden_points=30,
                     import_rule="Only the standard library and numpy may be imported.", contracts=contracts,
                     template=registry.get(assignment).template.read_text())


def test_forbidden_imports_are_found_by_name_anywhere():
    from autograder.checking.probing import FORBIDDEN_MODULES

    source = ("import math, numpy as np\nimport sympy\nfrom jax import numpy as jnp\n"
              "def f(x):\n    import torch.nn\n    return __import__('autograd')\n"
              "import importlib\nm = importlib.import_module('mpmath.libmp')\nfrom . import sympy_helpers\n")
    assert local.forbidden_imports(ast.parse(source), FORBIDDEN_MODULES) == {
        "sympy": 2, "jax": 3, "torch": 5, "autograd": 6, "mpmath": 8}
    assert local.forbidden_imports(ast.parse("import numpy\nimport sympathy\n"), FORBIDDEN_MODULES) == {}


def test_the_wrong_kit_and_a_wrong_file_are_recognised():
    forward, sgd, reverse = (_kit_object(a) for a in (ASSIGNMENT, SGD, "reverse_mode"))

    def verdict(kit, source):
        names, star = local.top_level_names(ast.parse(source))
        return local.wrong_file(kit, names, star, "mine.py")

    forward_file = (SOLUTIONS / f"{ASSIGNMENT}.py").read_text()
    reverse_file = (SOLUTIONS / "reverse_mode.py").read_text()
    message = verdict(sgd, forward_file)
    assert message.startswith(f"This kit checks {SGD}.py; your file mine.py defines the functions of {ASSIGNMENT} (")
    # sin ... tanh are in both forward_mode and reverse_mode: Var and grad decide
    assert f"defines the functions of reverse_mode" in verdict(forward, reverse_file)
    assert f"defines the functions of {ASSIGNMENT}" in verdict(reverse, forward_file)
    for kit, own in ((forward, forward_file), (reverse, reverse_file), (forward, forward.template)):
        assert verdict(kit, own) is None
    assert verdict(forward, "def derivative(f, x):\n    return 0.0\n") is None  # one function so far: check it
    assert "defines none of the names forward_mode.py must define" in verdict(forward, "x = input()\n")
    assert verdict(forward, "from my_dual import *\n") is None  # names unknown: the checks will say


def test_unimplemented_functions_are_found_by_comparing_with_the_template():
    kit = _kit_object()
    template = ast.parse(kit.template)
    assert len(local.unimplemented(template, template)) == len(local.functions(template)) == 25
    reference = (SOLUTIONS / f"{ASSIGNMENT}.py").read_text()
    assert local.unimplemented(ast.parse(reference), template) == []
    two = with_stubs(reference, {"__rpow__"}, "raise NotImplementedError  # later")
    two = with_stubs(two, {"jacobian"}, "pass")
    conditional = reference.replace('def gradient(f, point):\n', 'def gradient(f, point):\n'
                                    '    if f is None:\n        raise NotImplementedError("no f")\n', 1)
    assert local.unimplemented(ast.parse(two), template) == ["Dual.__rpow__", "jacobian"]
    assert local.unimplemented(ast.parse(conditional), template) == []
    assert local.qualify({"__rpow__", "gradient", ""}, template) == {"Dual.__rpow__", "gradient"}


def test_the_summary_says_submit_only_when_nothing_is_unimplemented():
    kit = _kit_object()
    rows = [local.Row("q1: a", True, "", 0.1, 4.0), local.Row("q2: b", True, "", 0.2, 4.0)]
    out = io.StringIO()
    assert local.summary(rows, kit, "forward_mode.py", ["Dual.__rpow__", "jacobian"], [], out) == 1
    text = out.getvalue()
    assert "submit" not in text.lower()
    assert "2 functions raise NotImplementedError (not implemented yet): Dual.__rpow__, jacobian" in text
    assert "8 / 8 public points" in text and "Hidden tests worth 30 more points (of 38 in all)" in text
    out = io.StringIO()
    assert local.summary(rows, kit, "forward_mode.py", [], ["gradient"], out) == 1
    assert "does not define gradient" in out.getvalue() and "submit" not in out.getvalue().lower()
    out = io.StringIO()
    assert local.summary(rows, kit, "forward_mode.py", [], [], out) == 0
    assert "Submit forward_mode.py on Gradescope" in out.getvalue()


class Stamped(io.StringIO):
    """A stream that remembers when each piece was written."""

    def __init__(self, tty: bool = False):
        super().__init__()
        self.tty, self.stamps = tty, []

    def isatty(self) -> bool:
        return self.tty

    def write(self, text: str) -> int:
        self.stamps.append((time.monotonic(), text))
        return super().write(text)


def test_the_live_line_on_a_terminal_is_rewritten_in_place_then_erased():
    """(Elsewhere: a line after 1 s, then every 5 s, in the test that runs a slow check.)"""
    tty = True
    stream = Stamped(tty)
    live = local.Live(stream)
    started = time.monotonic()
    with live.running("q5_gradients: gradient of F", 10.0):
        time.sleep(1.2)
    first = stream.stamps[0][0] - started
    assert first < 1.05, first
    assert all(text.startswith("\r") and "\n" not in text for _, text in stream.stamps)
    assert len(stream.stamps) >= 4 and "q5_gradients" in stream.stamps[0][1] and "of 10 s" in stream.stamps[0][1]
    assert stream.stamps[-1][1].strip() == ""
    quiet = Stamped(tty)
    with local.Live(quiet).running("fast"):
        pass
    assert quiet.stamps == []


TOY_TEST = '''from otter.test_files import test_case
from autograder.checking import check

name = "q1_toy"


@test_case(name="f() returns 1", points=1, hidden=False)
@check(cases=[()], expect=1, timeout={timeout})
def f_returns_one(m):
    return m.f()


@test_case(name="g() returns 2", points=1, hidden=False)
@check(cases=[()], expect=2)
def g_returns_two(m):
    return m.g()
'''
TOY_TEMPLATE = ('def f():\n    """Return 1."""\n    raise NotImplementedError("TODO: f")\n\n\n'
                'def g():\n    """Return 2."""\n    raise NotImplementedError("TODO: g")\n\n\n'
                'def h():\n    """Return 3 (no public test)."""\n    raise NotImplementedError("TODO: h")\n')


def toy_kit(folder: Path, timeout: float = 10.0) -> Path:
    (folder / "tests").mkdir(parents=True)
    (folder / "tests" / "q1_toy.py").write_text(TOY_TEST.replace("{timeout}", str(timeout)))
    facts = {"assignment": "toy", "public_tests": ["q1_toy.py"], "public_points": 2, "hidden_points": 5,
             "import_rule": "Only the standard library may be imported.", "contracts": {"toy": ["f", "g", "h"]},
             "template": TOY_TEMPLATE}
    (folder / local.KIT_FILE).parent.mkdir(parents=True)
    (folder / local.KIT_FILE).write_text(json.dumps(facts))
    return folder


def run_in_process(monkeypatch, kit: Path, source: str, tty: bool = False) -> tuple[int, Stamped]:
    from autograder.engine.suite import import_otter_test_files_only

    import_otter_test_files_only()  # loaded as load_suite loads it: check.py's stand-in stays out of this process

    (kit / "toy.py").write_text(source)
    stream = Stamped(tty)
    monkeypatch.setattr(sys, "stdout", stream)
    monkeypatch.setattr(sys, "path", list(sys.path))
    try:
        code = local.main([str(kit / "toy.py")], kit_folder=kit)
    finally:
        for name in ("toy", "student_submission"):
            sys.modules.pop(name, None)
    return code, stream


def test_check_streams_each_check_and_shows_a_long_one_within_a_second(monkeypatch, tmp_path):
    """f takes 1.3 s (asleep: a loaded machine does not stretch it): a live line within a second, and
    f's result line before g (the next check) even runs."""
    kit = toy_kit(tmp_path / "toy")
    called = tmp_path / "g_called"  # when the second check called g (time.monotonic: this process's clock)
    started = time.monotonic()
    code, out = run_in_process(monkeypatch, kit, "import time\n\n\ndef f():\n    time.sleep(1.3)\n    return 1\n\n\n"
                                                 f"def g():\n    open({str(called)!r}, 'w').write(repr(time.monotonic()))\n"
                                                 "    return 2\n\n\ndef h():\n    raise NotImplementedError\n")
    assert code == 1
    lines = [(t - started, text) for t, text in out.stamps]
    text = out.getvalue()
    header = next(t for t, s in lines if s.startswith("toy: 2 public checks"))
    live = next(t for t, s in lines if "still running after 1 s" in s and "f() returns 1" in s)
    passed = next(t for t, s in lines if s.startswith("PASS") and "f() returns 1" in s)
    g_ran = float(called.read_text()) - started
    assert live - header < 1.2 and header < live < passed < g_ran, lines  # f's line came before g even ran
    assert "2 passed, 0 failed: 2 / 2 public points" in text and "(not implemented yet): h." in text
    assert "Hidden tests worth 5 more points (of 7 in all)" in text and "submit" not in text.lower()


def test_ctrl_c_stops_check_py_during_a_check(monkeypatch, tmp_path):
    """The probes keep the student's exceptions as results, KeyboardInterrupt included: Ctrl-C must
    still stop check.py, saying where, and run no further check."""
    import signal

    kit = toy_kit(tmp_path / "toy")
    called = tmp_path / "g_called"
    before = signal.getsignal(signal.SIGINT)  # Python's default, or SIG_IGN when started in the background
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        code, out = run_in_process(monkeypatch, kit, "import time\n\n\ndef f():\n    time.sleep(5)\n    return 1\n\n\n"
                                                     f"def g():\n    open({str(called)!r}, 'w').write('ran')\n"
                                                     "    return 2\n\n\ndef h():\n    return 3\n")
    finally:
        timer.cancel()
    assert code == 130 and out.getvalue().endswith("\nStopped (Ctrl-C) during q1_toy: f() returns 1.\n"), out.getvalue()
    assert not called.exists() and "PASS" not in out.getvalue() and "FAIL" not in out.getvalue()
    assert signal.getsignal(signal.SIGINT) is before  # check.py leaves Ctrl-C as it found it


def test_check_names_the_unimplemented_functions_even_when_the_public_tests_pass(monkeypatch, tmp_path):
    kit = toy_kit(tmp_path / "toy")
    code, out = run_in_process(monkeypatch, kit, TOY_TEMPLATE.replace('raise NotImplementedError("TODO: f")', "return 1")
                               .replace('raise NotImplementedError("TODO: g")', "return 2"))
    text = out.getvalue()
    assert code == 1 and "2 passed, 0 failed" in text and "submit" not in text.lower()
    assert "1 function raises NotImplementedError (not implemented yet): h." in text
    code, out = run_in_process(monkeypatch, kit, "def f():\n    return 1\n\n\ndef g():\n    return 2\n\n\n"
                                                 "def h():\n    return 3\n")
    assert code == 0 and "Submit toy.py on Gradescope" in " ".join(out.getvalue().split())


MEASURED_TEST = '''from otter.test_files import test_case
from autograder.checking import Cost, check, close

name = "q1_toy"


def _values(n, seed):
    return [float((seed * 7 + k) % 13) for k in range(n)]


@test_case(name="f(values) sums in linear time", points=1, hidden=False)
@check(cases=[(2000,)], expect=lambda n, seed: sum(_values(n, seed)), judge=close(rtol=1e-12),
       cost=Cost(50.0, baseline=lambda n: sum(_values(n, 1)), too_slow=lambda r: f"{r:.0f} x the unit"), repeat=3)
def linear(m, n, seed):
    return m.f(_values(n, seed))
'''


@pytest.mark.parametrize("body, verdict", [("return sum(values)", "PASS"),
                                           ("return sum(values) + 1", "FAIL"),
                                           ("raise NotImplementedError", "FAIL")])
def test_a_measured_check_runs_in_process(monkeypatch, tmp_path, body, verdict):
    """A cost guard (Probe.repeat, run_measured: timed by this process's CPU clock) works in check.py."""
    kit = toy_kit(tmp_path / "toy")
    (kit / "tests" / "q1_toy.py").write_text(MEASURED_TEST)
    facts = json.loads((kit / local.KIT_FILE).read_text())
    (kit / local.KIT_FILE).write_text(json.dumps({**facts, "public_points": 1, "template": "def f(values):\n    pass\n",
                                                  "contracts": {"toy": ["f"]}}))
    code, out = run_in_process(monkeypatch, kit, f"def f(values):\n    {body}\n")
    text = out.getvalue()
    assert text.splitlines()[1].startswith(verdict), text
    assert (code == 0) == (verdict == "PASS")
    if "NotImplementedError" in body:
        assert "wrong value: not implemented yet" in text and "(not implemented yet): f." in text


def test_check_names_a_function_that_raises_not_implemented_when_probed(monkeypatch, tmp_path):
    """Not the template's body, yet it raises NotImplementedError when a check calls it."""
    kit = toy_kit(tmp_path / "toy")
    code, out = run_in_process(monkeypatch, kit, "def f():\n    return 1\n\n\ndef g():\n    return helper()\n\n\n"
                                                 "def helper():\n    raise NotImplementedError\n\n\ndef h():\n    return 3\n")
    assert code == 1 and "(not implemented yet): helper." in out.getvalue()


# -- check.py as students run it (the project's Python) ---------------------------------------------

def test_requirements_are_ranges_without_otter(kit):
    lines = (kit / "requirements.txt").read_text().split()
    assert sorted(line.split(">=")[0] for line in lines) == ["matplotlib", "numpy"]
    assert all(">=" in line and "<" in line and "==" not in line for line in lines)


def test_reference_passes_and_stub_fails(kit):
    ok = check(kit, "reference.py")
    assert ok.returncode == 0 and "All public tests pass" in ok.stdout, ok.stdout + ok.stderr
    stub = check(kit, None)  # no file name: the kit's own forward_mode.py
    assert stub.returncode == 1 and "FAIL" in stub.stdout and "Traceback" not in stub.stdout + stub.stderr
    assert "25 functions raise NotImplementedError" in stub.stdout and "submit" not in stub.stdout.lower()


def test_public_tests_pass_but_two_functions_are_unimplemented(kit):
    """The issue's false "Submit": two functions no public test calls still raise NotImplementedError."""
    (kit / "two_left.py").write_text(with_stubs((SOLUTIONS / f"{ASSIGNMENT}.py").read_text(), {"__pos__", "__rpow__"}))
    proc = check(kit, "two_left.py")
    assert proc.returncode == 1 and "8 passed, 0 failed: 8 / 8 public points." in proc.stdout, proc.stdout
    assert "submit" not in proc.stdout.lower()
    assert "Hidden tests worth 30 more points (of 38 in all)" in proc.stdout
    assert "2 functions raise NotImplementedError (not implemented yet): Dual.__rpow__, Dual.__pos__." in \
        " ".join(proc.stdout.split())


@pytest.mark.parametrize("installed", [False, True])
def test_a_forbidden_import_is_refused_once_before_it_runs(kit, tmp_path, installed):
    """sympy installed or not: one sentence quoting the handout, nothing imported, nothing run."""
    (kit / "with_sympy.py").write_text("import math\nimport sympy\n" + (SOLUTIONS / f"{ASSIGNMENT}.py").read_text())
    env = clean_env()
    if installed:  # a sympy that says so when imported
        (tmp_path / "sympy").mkdir()
        (tmp_path / "sympy" / "__init__.py").write_text("print('SYMPY WAS IMPORTED')\n")
        env["PYTHONPATH"] = str(tmp_path)
    proc = check(kit, "with_sympy.py", env=env)
    out = " ".join(proc.stdout.split())
    assert proc.returncode == 1 and out.count("imports sympy") == out.count("Remove that import") == 1, proc.stdout
    assert "Your file with_sympy.py imports sympy (line 2), which this assignment does not allow: the handout says " \
           '"Only the standard library and numpy may be imported (no jax, torch, autograd, sympy, …); nothing is printed."' in out
    assert "ModuleNotFoundError" not in out and "SYMPY WAS IMPORTED" not in out and "PASS" not in out
    assert "Fix that line" not in out


def test_import_error_names_the_line(kit):
    (kit / "broken.py").write_text("import math\n\n\ndef derivative(f, x):\n    return 0.0\n\n\nx = undefined_name + 1\n")
    proc = check(kit, "broken.py")
    assert proc.returncode == 1
    assert "NameError at line 8 of broken.py" in proc.stdout


def test_wrong_file_and_a_missing_one(kit, tmp_path):
    shutil.copy(SOLUTIONS / f"{SGD}.py", kit / f"{SGD}.py")
    proc = check(kit, f"{SGD}.py")
    assert proc.returncode == 2 and " ".join(proc.stdout.split()).startswith(
        f"This kit checks {ASSIGNMENT}.py; your file {SGD}.py defines the functions of {SGD} (")
    proc = check(kit, f"{ASSIGNMENT}.py", cwd=tmp_path)  # not in tmp_path: in the kit
    assert proc.returncode == 2 and "not found: run this from the folder that holds your file, or run python " \
                                    "check.py with no file name" in proc.stdout
    foreign = kit / "tests" / "q1_sample_indices.py"  # another kit's test copied in by hand
    foreign.write_text("name = 'q1_sample_indices'\n")
    try:
        proc = check(kit, "reference.py")
    finally:
        foreign.unlink()
    assert proc.returncode == 2 and flat(proc.stdout).startswith(
        f"The {ASSIGNMENT} kit's tests folder {kit / 'tests'} is not as it was unzipped (it holds q1_sample_indices.py, "
        f"which are not {ASSIGNMENT}'s): unzip {ASSIGNMENT}-student.zip again into an empty folder"), proc.stdout


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
    proc = check(kit, "reference.py", env=clean_env(PYTHONPATH=str(kit / "no_otter")))
    assert proc.returncode == 0 and "All public tests pass" in proc.stdout, proc.stdout + proc.stderr


# -- the sgd kit: figures, draw_figures.py ----------------------------------------------------------

def test_sgd_handout_figures_are_shipped_in_the_kit(zips):
    """Every image the handout shows is in the kit, drawn from the reference solution."""
    import re

    with zipfile.ZipFile(zips(SGD)) as z:
        names = set(z.namelist())
        handout = z.read(f"{SGD}/handout.md").decode()
        images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", handout)
        assert len(images) == 2
        for image in images:
            assert f"{SGD}/{image}" in names and z.read(f"{SGD}/{image}")[:4] == b"\x89PNG"
    assert f"{SGD}/draw_figures.py" in names


def test_draw_figures_names_each_unimplemented_function_and_writes_beside_the_kit(zips, tmp_path):
    """Run from another folder: the figure that can be drawn lands next to the script, and the one
    whose function is a stub is one line, no traceback."""
    folder = unzip(zips(SGD), tmp_path / "kits") / SGD
    template = registry.get(SGD).template.read_text()
    quick = template.replace('    raise NotImplementedError("TODO: plot_mean_convergence")',
                             "    fig, ax = plt.subplots()\n    ax.plot([1, 2], [2, 1])\n    return fig")
    assert quick != template
    (folder / f"{SGD}.py").write_text(quick)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    proc = subprocess.run([sys.executable, str(folder / "draw_figures.py")], cwd=elsewhere, env=clean_env(),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1 and "Traceback" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    assert proc.stdout.splitlines() == [
        f"wrote {folder / 'mean_convergence.png'}",
        "plot_sgd() is not implemented yet (it raises NotImplementedError), so sgd.png was not drawn: implement it "
        f"in {SGD}.py."]
    assert (folder / "mean_convergence.png").read_bytes()[:4] == b"\x89PNG" and not list(elsewhere.iterdir())


def test_solutions_zip_has_staff_notes_from_the_suite(tmp_path):
    import tomllib

    assignment = "reverse_mode"
    questions = load_suite(assignment)
    bundle.build_solutions_zip(assignment, tmp_path / "stage", tmp_path / "solutions.zip", questions)
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
