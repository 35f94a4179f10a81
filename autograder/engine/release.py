"""``make release``: build, then gate, the three zips of each assignment.

    dist/<id>/autograder.zip  -- ``otter generate``: the Gradescope autograder (the engine, the suite,
                                 the reference results; grading by autograder.gradescope.plugin)
    dist/<id>/student.zip     -- stub template, handout, public tests, ``check.py`` to run them
    dist/<id>/solutions.zip   -- reference solution, handout (and reference figures, if any)

The gate runs the built autograder.zip with ``otter run`` (Gradescope's directory layout) on the
reference solution, which must score full marks, and on the stub template, which must score zero,
both with a results.json in Gradescope's format holding one entry per check; and it checks that no
hidden test reached student.zip.  Any failure stops the release with the reason.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from .grade import reference_results
from .suite import ASSIGNMENT_IDS, ASSIGNMENTS, ROOT, SOLUTIONS, SUITES, config, load_suite, suite_files

DIST = ROOT / "dist"
CHECKING = ROOT / "autograder" / "checking"
TEMPLATES = ROOT / "student_template"
OTTER_RUN_TIMEOUT = 900  # otter run has no timeout of its own; the reference must never hang

CHECK_PY = '''"""Run the public tests on your file:   python check.py {id}.py"""
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from autograder.checking.local import main  # noqa: E402

sys.exit(main(sys.argv[1:] + ["--tests", str(HERE / "tests")]))
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


def public_only(source: str) -> str:
    """The test file without its hidden test cases, nor anything only they used (their inputs,
    formulas, helpers): whole top-level statements are removed, with the comments just above them."""
    tree = ast.parse(source)
    hidden = [n for n in tree.body if isinstance(n, ast.FunctionDef) and any(map(_is_hidden_case, n.decorator_list))]
    removed = {id(n) for n in hidden}
    changed = True
    while changed:  # drop definitions nothing kept refers to, until none is left
        changed = False
        kept = [n for n in tree.body if id(n) not in removed]
        loads = {id(n): _names_used(n) for n in kept}
        for node in kept:
            defined = _names_defined(node)
            used_elsewhere = set().union(*(loads[id(k)] for k in kept if k is not node))
            if defined and not defined & (_FILE_VARIABLES | used_elsewhere):
                removed.add(id(node))
                changed = True
    lines = source.splitlines(keepends=True)
    drop = set()
    for node in tree.body:
        if id(node) in removed:
            start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])]) - 1
            while start > 0 and lines[start - 1].lstrip().startswith("#"):
                start -= 1
            drop.update(range(start, node.end_lineno))
    text = "".join(line for i, line in enumerate(lines) if i not in drop)
    return re.sub(r"\n{4,}", "\n\n\n", text)  # no gaping holes where hidden code was


_FILE_VARIABLES = {"OK_FORMAT", "name", "points", "all_or_nothing"}  # otter reads these


def _names_defined(node: ast.stmt) -> set[str]:
    """Names a removable top-level statement defines (public test cases are never removable)."""
    if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
        if any(isinstance(d, ast.Call) and getattr(d.func, "id", "") == "test_case" for d in getattr(node, "decorator_list", [])):
            return set()
        return {node.name}
    if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    return set()


def _names_used(node: ast.AST) -> set[str]:
    """Every name a statement mentions, stores included (``xs += [...]`` in a loop uses ``xs``)."""
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _is_hidden_case(decorator: ast.expr) -> bool:
    return (isinstance(decorator, ast.Call) and getattr(decorator.func, "id", "") == "test_case"
            and any(k.arg == "hidden" and isinstance(k.value, ast.Constant) and k.value.value is True
                    for k in decorator.keywords))


def stage_checking(dest: Path, assignment: str, reference: dict) -> None:
    """The support package next to the submission: autograder/checking/ (with the reference results
    it judges against) and the suite's shared judges, autograder/suites/<id>/shared.py."""
    pkg = dest / "autograder"
    (pkg / "checking").mkdir(parents=True)
    (pkg / "__init__.py").write_text('"""The checking API of the 18.065 Lecture 27 autograder."""\n')
    for f in sorted(CHECKING.glob("*.py")):
        shutil.copy(f, pkg / "checking" / f.name)
    (pkg / "checking" / "reference_results.json").write_text(json.dumps(reference))
    helpers = [f for f in (SUITES / assignment).glob("*.py") if not f.name.startswith("q")]
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
    from autograder.gradescope.results import hidden_visibility

    try:
        hidden_visibility(config(assignment))
    except ValueError as exc:
        raise GateFailure(f"{assignment}: {exc}") from None
    src = stage / "autograder"
    (src / "tests").mkdir(parents=True)  # otter needs one; the plugin deletes it before the kernel starts
    shutil.copy(GRADESCOPE / "otter_placeholder.py", src / "tests" / "trusted_grading.py")
    _stage_engine(src, assignment)
    (src / "reference").mkdir()
    (src / "reference" / f"{assignment}.json").write_text(json.dumps(reference))
    (src / "requirements.txt").write_text(pinned("numpy", "matplotlib"))
    otter_config = {"lang": "python", "show_stdout": False, "show_hidden": False,
                    "plugins": [{PLUGIN_KEY: {"assignment": assignment}}]}
    (src / "otter_config.json").write_text(json.dumps(otter_config, indent=2))
    cmd = [sys.executable, "-m", "otter", "generate", "-t", "tests", "-o", str(out.resolve()),
           "-r", "requirements.txt", "-c", "otter_config.json", "--python-version", GRADESCOPE_PYTHON,
           "autograder", "assignments", "reference"]
    _run(cmd, cwd=src, what="otter generate")
    _append_to_setup(out, (GRADESCOPE / "setup_extra.sh").read_text())


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
    toml = ASSIGNMENTS / assignment / "assignment.toml"
    if toml.exists():
        shutil.copy(toml, dest / "assignments" / assignment / "assignment.toml")


def _append_to_setup(bundle: Path, lines: str) -> None:
    """Add ``lines`` at the end of the setup.sh that otter generate wrote into ``bundle``."""
    with zipfile.ZipFile(bundle) as z:
        entries = [(info, z.read(info)) for info in z.infolist()]
    with zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in entries:
            if info.filename == "setup.sh":
                data = data.rstrip(b"\n") + b"\n" + lines.encode()
            z.writestr(info, data)


def build_student_zip(assignment: str, reference: dict, questions, stage: Path, out: Path) -> None:
    src = stage / "student" / assignment
    (src / "tests").mkdir(parents=True)
    public_keys = {c.key for q in questions for c in q.cases if not c.hidden}
    for f in suite_files(assignment):
        (src / "tests" / f.name).write_text(public_only(f.read_text()))
    stage_checking(src, assignment, {k: v for k, v in reference.items() if k in public_keys})
    shutil.copy(TEMPLATES / f"{assignment}.py", src / f"{assignment}.py")
    shutil.copy(ASSIGNMENTS / assignment / "handout.md", src / "handout.md")
    (src / "check.py").write_text(CHECK_PY.format(id=assignment))
    (src / "requirements.txt").write_text(pinned("numpy", "matplotlib", "otter-grader"))
    for name in config(assignment).get("student_files", []):
        shutil.copy(ASSIGNMENTS / assignment / name, src / Path(name).name)
    _zip(src, out)


def build_solutions_zip(assignment: str, stage: Path, out: Path) -> None:
    src = stage / "solutions" / assignment
    src.mkdir(parents=True)
    shutil.copy(SOLUTIONS / f"{assignment}.py", src / f"{assignment}.py")
    shutil.copy(ASSIGNMENTS / assignment / "handout.md", src / "handout.md")
    cfg = config(assignment)
    for name in cfg.get("solution_files", []):
        shutil.copy(ASSIGNMENTS / assignment / name, src / Path(name).name)
    if cfg.get("figure_script"):  # the reference figures, drawn by the students' own script
        shutil.copy(ASSIGNMENTS / assignment / cfg["figure_script"], src / cfg["figure_script"])
        _run([sys.executable, cfg["figure_script"]], cwd=src, what="drawing the reference figures",
             env_extra={"MPLBACKEND": "Agg"})
    _zip(src, out)


def otter_score(autograder_zip: Path, file: Path, assignment: str) -> tuple[float, float, dict]:
    """(score, max score, results.json) of ``file`` graded by ``otter run`` on the bundle."""
    with tempfile.TemporaryDirectory(prefix="otter-run-") as tmp:
        sub = Path(tmp) / "submission" / f"{assignment}.py"
        sub.parent.mkdir()
        shutil.copy(file, sub)
        out = Path(tmp) / "out"
        out.mkdir()  # otter run -o needs the folder to exist
        # The grader imports the engine from the bundle's own files, as on Gradescope (setup_extra.sh)
        files = Path(tmp) / "bundle"
        with zipfile.ZipFile(autograder_zip) as z:
            z.extractall(files, [n for n in z.namelist() if n.startswith("files/")])
        _run([sys.executable, "-m", "otter", "run", "--no-logo", "-a", str(autograder_zip), "-o", str(out), str(sub)],
             cwd=sub.parent, what=f"otter run on {file.name}", timeout=OTTER_RUN_TIMEOUT,
             env_extra={"PYTHONPATH": str(files / "files")})
        results = json.loads((out / "results.json").read_text())
    score = sum(t.get("score", 0) for t in results["tests"])
    max_score = sum(t.get("max_score", 0) for t in results["tests"])
    return score, max_score, results


def gate(assignment: str, autograder_zip: Path, student_zip: Path) -> list[str]:
    """Reasons this release must not ship (empty list: it may)."""
    from autograder.gradescope.results import schema_problems

    problems = []
    checks = sum(len(q.cases) for q in load_suite(assignment))
    score, mx, res = otter_score(autograder_zip, SOLUTIONS / f"{assignment}.py", assignment)
    if score != mx or mx == 0:
        failed = [t["name"] for t in res["tests"] if t.get("score", 0) < t.get("max_score", 0)]
        problems.append(f"the reference solution scores {score:g}/{mx:g} through otter run ({res.get('output')}); "
                        f"failing: {failed}")
    score, mx, res_stub = otter_score(autograder_zip, TEMPLATES / f"{assignment}.py", assignment)
    if score != 0:
        passed = [t["name"] for t in res_stub["tests"] if t.get("score", 0) > 0]
        problems.append(f"the stub template scores {score:g}/{mx:g} through otter run (must be 0); passing: {passed}")
    for who, r in (("reference", res), ("stub", res_stub)):
        problems += [f"results.json of the {who} is not in Gradescope's format: {p}" for p in schema_problems(r)]
        if len(r["tests"]) != checks:
            problems.append(f"results.json of the {who} has {len(r['tests'])} test entries, not one per check ({checks})")
    with zipfile.ZipFile(student_zip) as z:
        for name in z.namelist():
            if name.startswith("tests/") and "hidden=True" in z.read(name).decode():
                problems.append(f"student.zip:{name} contains a hidden test")
    return problems


def release(assignment: str, dist: Path = DIST, check: bool = True) -> Path:
    print(f"== {assignment}", flush=True)
    questions = load_suite(assignment)
    reference = reference_results(assignment, questions)
    out = dist / assignment
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    with tempfile.TemporaryDirectory(prefix=f"release-{assignment}-") as tmp:
        stage = Path(tmp)
        build_autograder_zip(assignment, reference, stage, out / "autograder.zip")
        print(f"   built {out / 'autograder.zip'}", flush=True)
        build_student_zip(assignment, reference, questions, stage, out / "student.zip")
        print(f"   built {out / 'student.zip'}", flush=True)
        build_solutions_zip(assignment, stage, out / "solutions.zip")
        print(f"   built {out / 'solutions.zip'}", flush=True)
    if check:
        print("   gate: otter run on the reference solution and on the stub template ...", flush=True)
        problems = gate(assignment, out / "autograder.zip", out / "student.zip")
        if problems:
            shutil.rmtree(out)
            raise GateFailure(f"release of {assignment} refused:\n  - " + "\n  - ".join(problems))
        print("   gate passed: reference full marks, template zero, one Gradescope results.json entry per check, "
              "no hidden test in student.zip", flush=True)
    return out


def _zip(folder: Path, out: Path) -> None:
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for f in sorted(folder.rglob("*")):
            if f.is_file() and "__pycache__" not in f.parts:
                z.write(f, f.relative_to(folder))


_NOT_INHERITED = {"PYTHONPATH", "AUTOGRADER_SUITES", "AUTOGRADER_SOLUTIONS", "AUTOGRADER_SANDBOX_USER"}


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m autograder.engine.release",
        description="Build dist/<id>/{autograder,student,solutions}.zip and gate them through otter run.",
    )
    parser.add_argument("assignments", nargs="*", default=list(ASSIGNMENT_IDS), metavar="ID",
                        help=f"assignment ids (default: all of {', '.join(ASSIGNMENT_IDS)})")
    parser.add_argument("--dist", type=Path, default=DIST, help="output folder (default: dist)")
    parser.add_argument("--no-gate", action="store_true", help="skip the otter run gate (for quick iteration only)")
    args = parser.parse_args(argv)
    for assignment in args.assignments:
        if assignment not in ASSIGNMENT_IDS:
            parser.error(f"unknown assignment {assignment}; choose from {', '.join(ASSIGNMENT_IDS)}")
        release(assignment, args.dist, check=not args.no_gate)
    print(f"release ready in {args.dist}: upload autograder.zip to Gradescope, give students student.zip")
    return 0


if __name__ == "__main__":
    sys.exit(main())
