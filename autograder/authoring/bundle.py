"""Build the three zips of an assignment (``make release`` gates them: ``gate.py``).

    dist/<id>/autograder.zip  -- ``otter generate``: the Gradescope autograder (the engine, the suite,
                                 the reference results; grading by autograder.gradescope.plugin)
    dist/<id>/<id>-student.zip -- the student kit, all in one folder ``<id>/`` (so that two kits
                                 unzipped side by side never share a file): stub template, handout
                                 (with its figures), public tests, ``check.py`` and what it needs
    dist/<id>/solutions.zip   -- reference solution, handout, staff_notes.md (and reference figures, if any)

and run a built autograder.zip with ``otter run`` as Gradescope would (``otter_score``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from autograder.checking.checks import REFERENCE_FILE
from autograder.engine import registry
from autograder.engine.reference import CHECKING
from autograder.engine.suite import ROOT, SUITES, load_suite, suite_files

from .handout import STUDENT_PYTHONS, STUDENT_REQUIREMENTS, import_sentence
from .handout import kit_name as student_zip_name
from .public_tests import public_only

DIST = ROOT / "dist"
OTTER_RUN_TIMEOUT = 900  # otter run has no timeout of its own; the reference must never hang
# otter run starts a Jupyter kernel.  Kernels started at the same moment can race for their ports and
# one may never answer (jupyter/jupyter_client#154, nteract/papermill#776): seen once in CI with two
# otter runs at once.  Nothing was graded then, so that run is retried (never a run that graded).
KERNEL_NEVER_STARTED = ("RuntimeError: Kernel didn't respond in", "RuntimeError: Kernel died before replying to kernel_info")
KERNEL_START_ATTEMPTS = 3

CHECK_PY = '''"""Run the public tests of {id} on your file:

    python check.py                  checks {id}.py in this folder
    python check.py path/to/file.py  checks that file

Needs Python {low} to {high} with numpy and matplotlib:   python -m pip install -r requirements.txt
"""
import sys

# Before anything an old Python cannot read: this much is valid Python 2.7 and 3.0-3.9 too.
if sys.version_info < ({low_tuple}):
    sys.exit("check.py needs Python {low} or newer; this is Python %d.%d (%s)." % (sys.version_info[:2] + (sys.executable,)))
import importlib.util
from pathlib import Path

HERE = Path(__file__).resolve().parent  # the kit's folder: its tests and its autograder package, wherever you run this
sys.path.insert(0, str(HERE))
# local.py imports nothing but the standard library: it can say what is missing before anything fails
spec = importlib.util.spec_from_file_location("check_local", HERE / "autograder" / "checking" / "local.py")
local = sys.modules[spec.name] = importlib.util.module_from_spec(spec)
spec.loader.exec_module(local)
for package in local.REQUIRED:
    if importlib.util.find_spec(package) is None:
        sys.exit(local.missing_package_message(package, HERE / "requirements.txt"))
sys.exit(local.main(sys.argv[1:], kit_folder=HERE))
'''


class GateFailure(SystemExit):
    pass


def pinned(*names: str) -> str:
    """The lines of requirements.txt pinning ``names`` (the versions the project tests with)."""
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if "==" in line:
            pins[line.split("==")[0].strip().lower()] = line.strip()
    return "\n".join(pins[n] for n in names) + "\n"


def stage_checking(dest: Path, assignment: str, reference: dict) -> None:
    """The support package next to the submission: autograder/checking/ (with the reference results
    it judges against) and the suite's shared judges, autograder/suites/<id>/shared.py."""
    pkg = dest / "autograder"
    (pkg / "checking").mkdir(parents=True)
    (pkg / "__init__.py").write_text('"""The checking API of the 18.065 Lecture 27 autograder."""\n')
    for f in sorted(CHECKING.glob("*.py")):
        shutil.copy(f, pkg / "checking" / f.name)
    (pkg / "checking" / REFERENCE_FILE.name).write_text(json.dumps(reference))
    helpers = [f for f in registry.get(assignment).suite.glob("*.py") if not f.name.startswith("q")]
    if helpers:
        (pkg / "suites" / assignment).mkdir(parents=True)
        shutil.copy(SUITES / "__init__.py", pkg / "suites" / "__init__.py")
        for f in helpers:
            shutil.copy(f, pkg / "suites" / assignment / f.name)


def build_autograder_zip(assignment: str, reference: dict, stage: Path, out: Path) -> None:
    """``otter generate`` a bundle graded by the project's engine through the otter plugin
    ``autograder.gradescope.plugin.TrustedGrading`` (README, "Gradescope").  Its one otter test is a
    placeholder the plugin deletes; otter's ``files`` are the engine, this suite, the assignment's
    config and the reference results -- never the solution."""
    from autograder.gradescope.plugin import PLUGIN_KEY

    src = stage / "autograder"
    (src / "tests").mkdir(parents=True)  # otter needs one; the plugin deletes it before the kernel starts
    shutil.copy(GRADESCOPE / "otter_placeholder.py", src / "tests" / "trusted_grading.py")
    _stage_engine(src, assignment)
    (src / "reference").mkdir()
    (src / "reference" / f"{assignment}.json").write_text(json.dumps(reference))
    (src / "requirements.txt").write_text(bundle_requirements(src))
    otter_config = {"lang": "python", "show_stdout": False, "show_hidden": False,
                    "plugins": [{PLUGIN_KEY: {"assignment": assignment}}]}
    (src / "otter_config.json").write_text(json.dumps(otter_config, indent=2))
    cmd = [sys.executable, "-m", "otter", "generate", "-t", "tests", "-o", str(out.resolve()),
           "-r", "requirements.txt", "-c", "otter_config.json", "--python-version", GRADESCOPE_PYTHON,
           "autograder", "assignments", "reference"]
    _run(cmd, cwd=src, what="otter generate")
    _rewrite(out, {"setup.sh": lambda text: text.rstrip("\n") + "\n" + (GRADESCOPE / "setup_extra.sh").read_text(),
                   "run_otter.py": lambda text: _prepare_upload_first(text, assignment)})


GRADESCOPE = ROOT / "autograder" / "gradescope"
GRADESCOPE_PYTHON = "3.11"  # otter's setup.sh installs it from conda-forge (the latest 3.11.x)


def _stage_engine(dest: Path, assignment: str) -> None:
    """The packages the trusted grader imports (checking, engine, gradescope), this assignment's suite
    only, and its assignment.toml."""
    pkg = dest / "autograder"
    pkg.mkdir()
    shutil.copy(ROOT / "autograder" / "__init__.py", pkg / "__init__.py")
    for sub in ("checking", "engine", "gradescope"):
        shutil.copytree(ROOT / "autograder" / sub, pkg / sub, ignore=shutil.ignore_patterns("__pycache__"))
    (pkg / "suites").mkdir()
    shutil.copy(SUITES / "__init__.py", pkg / "suites" / "__init__.py")
    shutil.copytree(SUITES / assignment, pkg / "suites" / assignment, ignore=shutil.ignore_patterns("__pycache__"))
    (dest / "assignments" / assignment).mkdir(parents=True)
    shutil.copy(registry.get(assignment).config, dest / "assignments" / assignment / "assignment.toml")


def _rewrite(bundle: Path, edits: dict) -> None:
    """Apply ``edits`` ({file name: text -> text}) to the files otter generate wrote into ``bundle``."""
    with zipfile.ZipFile(bundle) as z:
        entries = [(info, z.read(info)) for info in z.infolist()]
    missing = set(edits) - {info.filename for info, _ in entries}
    if missing:
        raise GateFailure(f"otter generate wrote no {', '.join(sorted(missing))} (otter changed?)")
    with zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in entries:
            if info.filename in edits:
                data = edits[info.filename](data.decode()).encode()
            z.writestr(info, data)


# otter refuses an upload of two .py files (or two notebooks) before any plugin hook runs
# (PythonRunner.resolve_submission_path), so the bundle's run_otter.py sets the upload aside first.
RUN_OTTER_CALL = '    run_autograder("/autograder")\n'
RUN_OTTER_PREPARE = '''    try:  # 18.065: set the upload aside; otter finds one placeholder (autograder/gradescope/upload.py)
        from autograder.gradescope.upload import prepare
        prepare("/autograder", {assignment!r})
    except Exception:  # the plugin sets the upload aside itself and reports what went wrong
        import traceback
        traceback.print_exc()
'''


def _prepare_upload_first(run_otter: str, assignment: str) -> str:
    if run_otter.count(RUN_OTTER_CALL) != 1:
        raise GateFailure("otter's run_otter.py no longer calls run_autograder(\"/autograder\") once: "
                          "autograder/authoring/release.py must learn where the upload is set aside")
    return run_otter.replace(RUN_OTTER_CALL, RUN_OTTER_PREPARE.format(assignment=assignment) + RUN_OTTER_CALL)


# -- the bundle's environment: every package the shipped engine imports, pinned -----------------
OTTER_DISTRIBUTION = "otter-grader"  # otter generate pins it itself (otter-grader[...]==<version>)


def imported_modules(root: Path) -> set[str]:
    """Top-level names of every module imported by the .py files under ``root`` (any nesting:
    imports inside functions count), less the standard library and the packages under ``root``."""
    import ast

    own = {p.stem if p.suffix == ".py" else p.name for p in root.iterdir()}
    names = set()
    for f in root.rglob("*.py"):
        for node in ast.walk(ast.parse(f.read_bytes(), str(f))):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n not in own and n != "__future__"}


def engine_distributions(root: Path) -> dict[str, list[str]]:
    """distribution -> the modules of it imported under ``root``, with every distribution those
    need in turn (their installed requirements, recursively): what the grader must have."""
    import importlib.metadata as md

    from packaging.requirements import Requirement  # a dependency of otter, hence of the project

    by_module = md.packages_distributions()
    needed: dict[str, list[str]] = {}
    for module in sorted(imported_modules(root)):
        for dist in by_module.get(module, [module]):
            needed.setdefault(_canonical(dist), []).append(module)
    todo = list(needed)
    while todo:
        try:
            requires = md.requires(todo.pop()) or []
        except md.PackageNotFoundError:
            continue
        for line in requires:
            req = Requirement(line)
            if req.marker is not None and not req.marker.evaluate({"extra": ""}):
                continue  # an extra, another platform or Python version
            name = _canonical(req.name)
            if name not in needed:
                needed[name] = []
                todo.append(name)
    return needed


def _canonical(name: str) -> str:
    import re

    return re.sub(r"[-_.]+", "-", name).lower()


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if "==" in line:
            pins[_canonical(line.split("==")[0].strip())] = line.strip()
    return pins


def bundle_requirements(root: Path) -> str:
    """The bundle's requirements.txt: the exact pins (requirements.txt) of every distribution the
    engine under ``root`` imports and of what they need, otter's own pin left to otter generate."""
    pins = _pins()
    needed = engine_distributions(root)
    unpinned = sorted(d for d in needed if d not in pins)
    if unpinned:
        raise GateFailure(f"the engine needs {', '.join(unpinned)}, which requirements.txt does not pin")
    return "".join(pins[d] + "\n" for d in sorted(needed) if d != OTTER_DISTRIBUTION)


def build_student_zip(assignment: str, reference: dict, questions, stage: Path, out: Path) -> None:
    """The student kit: every file inside one folder ``<id>/``, so that two kits unzipped into the same
    place stay apart; ``check.py`` finds everything else relative to itself."""
    a = registry.get(assignment)
    src = stage / "student" / assignment
    (src / "tests").mkdir(parents=True)
    public_keys = {c.key for q in questions for c in q.cases if not c.hidden}
    for f in suite_files(assignment):
        (src / "tests" / f.name).write_text(public_only(f.read_text()))
    stage_checking(src, assignment, {k: v for k, v in reference.items() if k in public_keys})
    (src / KIT_FACTS).write_text(json.dumps(kit_facts(assignment, questions), indent=1))
    shutil.copy(a.template, src / f"{assignment}.py")
    shutil.copy(a.handout, src / "handout.md")
    (src / "check.py").write_text(CHECK_PY.format(id=assignment, low=STUDENT_PYTHONS[0], high=STUDENT_PYTHONS[1],
                                                     low_tuple=STUDENT_PYTHONS[0].replace('.', ', ')))
    (src / "requirements.txt").write_text(STUDENT_REQUIREMENTS)
    for name in a.student_files:
        shutil.copy(a.folder / name, src / Path(name).name)
    reference_figures(assignment, src / "figures")  # the handout shows them: figures/<name>.png
    _zip(src, out, prefix=assignment)


KIT_FACTS = Path("autograder") / "checking" / "kit.json"  # what check.py knows of the assignment (local.Kit)


def kit_facts(assignment: str, questions) -> dict:
    """kit.json: the points (public, hidden), the handout's sentence on imports, the names every
    assignment's template defines (to recognise a file of another assignment) and this template
    (to recognise a function still as it was), all read from the sources at build time."""
    a = registry.get(assignment)
    public = sum(c.points for q in questions for c in q.cases if not c.hidden)
    total = sum(c.points for q in questions for c in q.cases)
    return {"assignment": assignment,
            "public_tests": [f.name for f in suite_files(assignment)],
            "public_points": public, "hidden_points": total - public,
            "import_rule": import_rule(a.handout.read_text(encoding="utf-8"), assignment),
            "contracts": {b: contract_names(registry.get(b).template.read_text(encoding="utf-8")) for b in registry.ids()},
            "template": a.template.read_text(encoding="utf-8")}


def contract_names(template: str) -> list[str]:
    """The public top-level names a template defines (its functions and classes), in file order."""
    import ast

    return [n.name for n in ast.parse(template).body
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and not n.name.startswith("_")]


def import_rule(handout: str, assignment: str = "") -> str:
    """The handout's sentence saying what may be imported (``handout.import_sentence``): check.py
    quotes it when a file imports a forbidden package."""
    rule = import_sentence(handout)
    if rule is None:
        raise GateFailure(f"the handout of {assignment or 'this assignment'} has no sentence naming what may be "
                          "imported (\"... the standard library ...\"): check.py quotes it to a student who imports sympy")
    return rule


def build_solutions_zip(assignment: str, stage: Path, out: Path, questions=None) -> None:
    a = registry.get(assignment)
    src = stage / "solutions" / assignment
    src.mkdir(parents=True)
    shutil.copy(a.solution, src / f"{assignment}.py")
    shutil.copy(a.handout, src / "handout.md")
    (src / "staff_notes.md").write_text(staff_notes(assignment, questions or load_suite(assignment)))
    for name in a.solution_files:
        shutil.copy(a.folder / name, src / Path(name).name)
    if a.figure_script:  # the reference figures, drawn by the students' own script
        shutil.copy(a.folder / a.figure_script, src / a.figure_script)
        reference_figures(assignment, src / "figures")  # where the handout shows them
    _zip(src, out)


def reference_figures(assignment: str, dest: Path) -> list[Path]:
    """Run the assignment's figure script (``figure_script`` in assignment.toml) against the reference
    solution in a scratch folder; copy the PNGs it draws into ``dest``.  No script: nothing."""
    a = registry.get(assignment)
    script = a.figure_script
    if not script:
        return []
    with tempfile.TemporaryDirectory(prefix="figures-") as tmp:
        work = Path(tmp)
        shutil.copy(a.solution, work / f"{assignment}.py")
        shutil.copy(a.folder / script, work / script)
        _run([sys.executable, script], cwd=work, what="drawing the reference figures",
             env_extra={"MPLBACKEND": "Agg", "MPLCONFIGDIR": str(work / ".mpl")})
        dest.mkdir(parents=True, exist_ok=True)
        return [Path(shutil.copy(png, dest / png.name)) for png in sorted(work.glob("*.png"))]


def staff_notes(assignment: str, questions) -> str:
    """staff_notes.md: what each question checks (name, points, public or hidden), the bugs of the
    example class each question catches (examples/<id>/expected.toml), and how to regrade one student."""
    names = {q.name for q in questions}
    examples = _example_bugs(assignment)
    everywhere = {s: about for s, (about, loses) in examples.items() if names <= set(loses)}
    lines = [f"# {assignment}: staff notes", "",
             f"Generated by `make release` from the suite (autograder/suites/{assignment}/) and the example "
             f"class (examples/{assignment}/). Students never see this file.", "",
             f"Total: {_pts(sum(q.points for q in questions))} points; public tests (run by the students' "
             f"`check.py`): {_pts(sum(c.points for q in questions for c in q.cases if not c.hidden))} points.", ""]
    for q in questions:
        lines += [f"## {q.name}: {q.title} ({_pts(q.points)} points)", "", "| check | points | |", "|---|---:|---|"]
        lines += [f"| {c.name.replace('|', '/')} | {_pts(c.points)} | {'hidden' if c.hidden else 'public'} |"
                  for c in q.cases]
        caught = [(student, about) for student, (about, loses) in examples.items()
                  if q.name in loses and student not in everywhere]
        lines += ["", "Example bugs it catches (examples/ students who lose points here):" if caught
                  else "No example submission loses points here.", ""]
        lines += [f"- `{student}`: {about}" for student, about in caught] + [""]
    if everywhere:
        lines += ["## Example submissions that lose every question", ""]
        lines += [f"- `{student}`: {about}" for student, about in everywhere.items()] + [""]
    lines += ["## Regrading one student", "",
              "After a fix (a renamed file, a regrade request), from the project folder:", "",
              "```sh",
              f"make grade ASSIGNMENT={assignment} SUBMISSIONS=path/to/submissions STUDENT=alice",
              "# the same without make:",
              f"python -m autograder.engine.grade --submissions path/to/submissions --student alice {assignment}",
              "```", "",
              f"The student is regraded even if unchanged; `grades/{assignment}/grades.csv` and `summary.md` keep "
              "the whole class. The full message of every hidden check a student failed is in "
              f"`grades/{assignment}/alice/results.json` (field `output`; Gradescope hides it from the student). "
              f"To see what the student sees: `grades/{assignment}/alice/feedback.md`, or run the public tests "
              f"on their file yourself with the students' kit: `python check.py {assignment}.py`.", ""]
    return "\n".join(lines)


def _example_bugs(assignment: str) -> dict[str, tuple[str, list[str]]]:
    """student -> (what their bug is, the questions it loses), from examples/<id>/expected.toml."""
    return {student: (entry.get("about", ""), list(entry.get("loses", [])))
            for student, entry in registry.expected_examples(assignment).items()}


def _pts(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def otter_score(autograder_zip: Path, file: Path, assignment: str) -> tuple[float, float, dict]:
    """(score, max score, results.json) of ``file`` graded by ``otter run`` on the bundle."""
    with tempfile.TemporaryDirectory(prefix="otter-run-") as tmp:
        sub = Path(tmp) / "submission" / f"{assignment}.py"
        sub.parent.mkdir()
        shutil.copy(file, sub)
        out = Path(tmp) / "out"
        out.mkdir()  # otter run -o needs the folder to exist
        # No PYTHONPATH: the grader imports the engine from the bundle's own files, as a TA's otter
        # run does (the .venv's finder, autograder/gradescope/bundle_import.py)
        cmd = [sys.executable, "-m", "otter", "run", "--no-logo", "-a", str(autograder_zip), "-o", str(out), str(sub)]
        for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
            try:
                _run(cmd, cwd=sub.parent, what=f"otter run on {file.name}", timeout=OTTER_RUN_TIMEOUT)
                break
            except GateFailure as exc:
                if attempt == KERNEL_START_ATTEMPTS or not any(m in str(exc) for m in KERNEL_NEVER_STARTED):
                    raise
        results = json.loads((out / "results.json").read_text())
    score = sum(t.get("score", 0) for t in results["tests"])
    max_score = sum(t.get("max_score", 0) for t in results["tests"])
    return score, max_score, results


def _zip(folder: Path, out: Path, prefix: str = "") -> None:
    """``folder``'s files into ``out``, under the folder ``prefix/`` if given."""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for f in sorted(folder.rglob("*")):
            if f.is_file() and "__pycache__" not in f.parts:
                z.write(f, Path(prefix) / f.relative_to(folder) if prefix else f.relative_to(folder))


_NOT_INHERITED = {"PYTHONPATH", "AUTOGRADER_SUITES", "AUTOGRADER_SOLUTIONS", "AUTOGRADER_ASSIGNMENTS",
                  "AUTOGRADER_SANDBOX_USER", "AUTOGRADER_BUILD"}


def _run(cmd: list[str], cwd: Path, what: str, timeout: float | None = 600, env_extra: dict | None = None) -> None:
    import os

    # nothing of this repository may leak into what runs (the bundle must work on its own)
    env = {k: v for k, v in os.environ.items() if k not in _NOT_INHERITED} | (env_extra or {})
    try:
        proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        raise GateFailure(f"{what} did not finish within {timeout} s") from None
    if proc.returncode != 0:
        raise GateFailure(f"{what} failed (exit {proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}")
