"""The release gate: every reason a release must not ship, found at once, each in one sentence.

Three passes, each returning a list of sentences (empty: nothing wrong), none raising:

    static_problems(id)          before anything runs: the parts exist, the config reads, every suite
                                 file parses and loads with its ``name = "..."``, every check is worth
                                 points, a public check exists, no probe reaches judge-side code, the
                                 handout agrees with the suite, examples/ and expected.toml agree
    graded_problems(id, ...)     from one ``make grade`` run of the reference, the template, the
                                 degenerate submissions and the example class: the reference fails no
                                 check (with the check's message, and whether the judge itself
                                 raised), the template earns nothing, every check is failed by some
                                 submission that returns a value (a judge that accepts anything is
                                 named), every example loses exactly what expected.toml claims
    bundle_problems(id, ...)     from ``otter run`` on the built autograder.zip: the reference full
                                 marks and the template zero there too, Gradescope's results.json
                                 format, one entry per check, the bundle's environment, no hidden
                                 test in the student kit

These are the rules of an assignment, once: README's "Adding an assignment" lists them, and the
project's tests call these functions rather than repeating them.
"""

from __future__ import annotations

import ast
import re
import tempfile
import tomllib
import traceback
import zipfile
from pathlib import Path

from autograder.checking.checks import JUDGE_RAISED
from autograder.engine import registry
from autograder.engine.probe_world import _is_call_to, _is_probe
from autograder.engine.status import Status
from autograder.engine.suite import ROOT, SUITES, load_suite, suite_files

from .bundle import _canonical, _pins, contract_names, engine_distributions, otter_score
from .strength import test_passed

# Degenerate strategies whose functions return a value (the one left out raises ValueError): a check
# that every one of these passes, and no example fails, accepts any returned value.
RAISING_STRATEGIES = ("raises_value_error",)
PART_NAMES = {"config": "config", "handout": "handout", "suite": "suite", "solution": "reference solution",
              "template": "stub template", "examples": "example class's answer key"}  # registry.PARTS, in words
EXAMPLE_STATUSES = tuple(s.value for s in Status if s is not Status.MISSING)


def _rel(path: Path) -> str:
    return registry.shown(Path(path).resolve())


# -- before anything runs ----------------------------------------------------------------------------
def static_problems(assignment: str) -> tuple[list[str], list | None]:
    """(problems, the loaded suite; None when nothing can be built: a part the build reads is missing
    or the suite does not load.  A missing example class is a problem, but the zips can be built.)"""
    try:
        a = registry.get(assignment)
    except (KeyError, SystemExit) as exc:
        return [str(exc).removeprefix("error: ").strip("'\"")], None
    problems = [f"the {PART_NAMES.get(part, part)} is missing: {_rel(path)} (`make new-assignment` writes a "
                "starting one; README, \"Adding an assignment\", says what it holds)"
                for part, path in a.parts().items() if not path.exists()]
    unreadable = _suite_file_problems(assignment)
    problems += unreadable
    questions = None  # None: nothing can be built (a part the build reads is missing, or the suite is broken)
    if not unreadable and all(path.exists() for part, path in a.parts().items() if part != "examples"):
        try:
            questions = load_suite(assignment)
        except Exception as exc:  # noqa: BLE001 -- a suite that does not load is one sentence
            problems.append(f"the suite of {assignment} does not load: {_where(exc)}")
    if questions is not None:
        problems += _check_problems(questions)
        problems += judge_side_leaks(assignment)
        if a.handout.exists():
            problems += _handout_problems(assignment, questions)
    if a.solution.exists() and a.template.exists():
        problems += _contract_problems(a)
    if a.examples.exists():
        problems += _examples_declared(assignment, questions)
    return problems, questions


def _where(exc: BaseException) -> str:
    """``file line N: Type: message`` of the innermost frame in the project (never a traceback)."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if str(ROOT) in f.filename or "suites" in f.filename]
    if isinstance(exc, SyntaxError) and exc.filename:
        return f"{_rel(Path(exc.filename))} line {exc.lineno}: {exc.msg}"
    place = f"{_rel(Path(frames[-1].filename))} line {frames[-1].lineno}: " if frames else ""
    return f"{place}{type(exc).__name__}: {exc}"


def _suite_file_problems(assignment: str) -> list[str]:
    """Each question file parses and names itself (otter's ``name = "..."``: the gradebook column)."""
    problems = []
    files = suite_files(assignment)
    if (SUITES / assignment).exists() and not files:
        problems.append(f"autograder/suites/{assignment}/ holds no question file q*.py")
    for f in files:
        try:
            tree = ast.parse(f.read_text(encoding="utf-8"), str(f))
        except (SyntaxError, UnicodeDecodeError) as exc:
            problems.append(f"{_rel(f)} does not parse: {_where(exc) if isinstance(exc, SyntaxError) else exc}")
            continue
        names = [n for n in tree.body if isinstance(n, ast.Assign) and any(getattr(t, "id", "") == "name" for t in n.targets)]
        if not names:
            problems.append(f"{_rel(f)} has no `name = \"{f.stem}\"` line: otter names the question (its column in "
                            "the gradebook) by it")
        elif not (isinstance(names[0].value, ast.Constant) and names[0].value.value == f.stem):
            problems.append(f"{_rel(f)} sets name = {ast.unparse(names[0].value)}; it must be the file's own name "
                            f"\"{f.stem}\" (the gradebook column, the SUBJECTS key and expected.toml all use it)")
    return problems


def _check_problems(questions) -> list[str]:
    problems = []
    for q in questions:
        if not q.cases:
            problems.append(f"{q.name} declares no check")
        for c in q.cases:
            if not c.points > 0:
                problems.append(f"{q.name}: the check \"{c.name}\" is worth {c.points:g} points: give it points "
                                "(test_case(points=...)) or delete it")
    if questions and not any(not c.hidden for q in questions for c in q.cases):
        problems.append("no check is public: the students' check.py would have nothing to run")
    return problems


def _contract_problems(a) -> list[str]:
    """The template defines the functions the solution defines (students fill in exactly those)."""
    try:
        solution = contract_names(a.solution.read_text(encoding="utf-8"))
        template = contract_names(a.template.read_text(encoding="utf-8"))
    except SyntaxError as exc:
        return [f"{_where(exc)} (the solution and the template must be valid Python)"]
    problems = []
    if set(solution) - set(template):
        problems.append(f"{_rel(a.template)} does not define {', '.join(sorted(set(solution) - set(template)))}, "
                        "which the solution defines")
    if set(template) - set(solution):
        problems.append(f"{_rel(a.solution)} does not define {', '.join(sorted(set(template) - set(solution)))}, "
                        "which the template asks students to write")
    return problems


def _handout_problems(assignment: str, questions) -> list[str]:
    from . import handout

    return handout.handout_problems(assignment, questions)


def _examples_declared(assignment: str, questions) -> list[str]:
    where = f"examples/{assignment}/expected.toml"
    try:
        spec = registry.expected_examples(assignment)
    except tomllib.TOMLDecodeError as exc:
        return [f"{where} is not valid TOML: {exc}"]
    problems = []
    entries = registry.example_entries(assignment)
    if not entries:
        problems.append(f"examples/{assignment}/ holds no example submission: add at least one with a bug, and "
                        "say in expected.toml what it loses")
    for student in sorted(set(entries) - set(spec)):
        problems.append(f"{where} has no entry for the example {student} (say what it loses)")
    for student in sorted(set(spec) - set(entries)):
        problems.append(f"{where} describes {student}, but examples/{assignment}/ holds no such file")
    names = {q.name for q in questions} if questions else None
    for student, entry in sorted(spec.items()):
        missing = [k for k in ("about", "status", "loses") if k not in entry]
        if missing:
            problems.append(f"{where}: [{student}] lacks {', '.join(missing)}")
        if entry.get("status", "ok") not in EXAMPLE_STATUSES:
            problems.append(f"{where}: [{student}] status = {entry['status']!r}; choose one of "
                            f"{', '.join(EXAMPLE_STATUSES)}")
        unknown = sorted(set(entry.get("loses", [])) - names) if names is not None else []
        if unknown:
            problems.append(f"{where}: [{student}] loses {', '.join(unknown)}, which the suite has no question of")
    lost = {q for entry in spec.values() for q in entry.get("loses", [])}
    for q in sorted((names or set()) - lost):
        problems.append(f"no example in examples/{assignment}/ loses points on {q}: add one with a bug there and say "
                        "so in expected.toml (staff_notes.md lists, per question, the example bugs it catches)")
    return problems


SCAFFOLD_NOTES = ("AUTHOR:", "TODO (author)")  # what make new-assignment marks for the author to replace


def scaffold_leftovers(assignment: str) -> list[str]:
    """Files students receive that still hold the scaffold's notes to the author (not a refusal: the
    scaffold releases as it is; the release prints these as notes)."""
    a = registry.get(assignment)
    shipped = [a.template, a.handout] + suite_files(assignment)  # the public tests keep their docstrings
    return [f"{_rel(f)} still holds the scaffold's notes to the author ({', '.join(m for m in SCAFFOLD_NOTES if m in text)}): "
            "students receive it" for f in shipped if f.exists()
            for text in [f.read_text(encoding="utf-8")] if any(m in text for m in SCAFFOLD_NOTES)]


# -- probes must not reach judge-side code -----------------------------------------------------------
def judge_side_leaks(assignment: str) -> list[str]:
    """A probe that reaches a name the suite's ``expect=`` or ``judge=`` uses (a formula, a table of
    expected values, a judge): the probe-only world would copy it into the students' sandbox."""
    problems = []
    for f in suite_files(assignment):
        tree = ast.parse(f.read_text(encoding="utf-8"))
        defined = {}
        for node in tree.body:
            for name in _defined_names(node):
                defined[name] = node
        judged: dict[str, str] = {}  # name -> the check whose expect/judge uses it
        for node in tree.body:
            if not _is_probe(node):
                continue
            for d in node.decorator_list:
                if _is_call_to(d, "check"):
                    for k in d.keywords:
                        if k.arg in ("expect", "judge"):
                            for name in _judging_names(k.value) & set(defined):
                                judged.setdefault(name, node.name)
        for node in tree.body:
            if not _is_probe(node):
                continue
            reached = _reached(node, defined)
            for name in sorted(reached & set(judged)):
                problems.append(f"{_rel(f)}: the probe {node.name} reaches {name}, which expect= or judge= uses "
                                f"(in {judged[name]}): the probe runs in the students' sandbox, so {name} would be "
                                "copied there; compute the inputs in a helper of their own")
    return problems


def _judging_names(value: ast.expr) -> set[str]:
    """The names that compute an ``expect=`` or ``judge=`` value: the value itself (``_TABLE``,
    ``_is_gradient``), or the function a lambda's result comes from (``_expected`` in ``lambda x:
    _expected(x)``), not the arguments it is given (``lambda n, seed: _means(_inputs(n, seed))``
    judges with ``_means``; ``_inputs`` draws the case's inputs, as the probe does too)."""
    if isinstance(value, ast.Lambda):
        return _judging_names(value.body)
    if isinstance(value, ast.Name):
        return {value.id}
    if isinstance(value, ast.Call):
        return _judging_names(value.func)
    if isinstance(value, (ast.Attribute, ast.Subscript, ast.Starred)):
        return _judging_names(value.value)
    names = set()
    for child in ast.iter_child_nodes(value):  # a + b, (a, b), a if c else b: each part computes it
        if isinstance(child, ast.expr):
            names |= _judging_names(child)
    return names


def _defined_names(node: ast.stmt) -> set[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    if isinstance(node, ast.ImportFrom) and node.level > 0 or (
            isinstance(node, ast.ImportFrom) and (node.module or "").startswith("autograder.suites")):
        return {a.asname or a.name for a in node.names}  # the suite's own helpers (shared.py)
    return set()


def _reached(probe: ast.FunctionDef, defined: dict[str, ast.stmt]) -> set[str]:
    """Top-level names the probe's body reaches, following the definitions it uses (not its decorator:
    ``expect=``/``judge=`` stay in the trusted process)."""
    body = ast.Module(body=probe.body, type_ignores=[])
    seen, todo = set(), [body]
    while todo:
        node = todo.pop()
        for n in ast.walk(node):
            if isinstance(n, ast.Name) and n.id in defined and n.id not in seen and n.id != probe.name:
                seen.add(n.id)
                target = defined[n.id]
                todo.append(ast.Module(body=target.body, type_ignores=[]) if _is_probe(target) else target)
    return seen


# -- from one make grade run -------------------------------------------------------------------------
def graded_problems(assignment: str, questions, results: dict[str, dict], who: dict[str, tuple[str, str]]) -> list[str]:
    """``results``: student -> results.json of the grade run; ``who``: student -> (group, what it is),
    groups ``reference``, ``template``, ``degenerate``, ``example``."""
    problems = []
    group = lambda g: [s for s, (grp, _) in who.items() if grp == g]  # noqa: E731
    ref = results.get(group("reference")[0]) if group("reference") else None
    if ref is None:
        problems.append("the reference solution was not graded (the grade run stopped)")
    else:
        if ref.get("status", "ok") != "ok":
            problems.append(f"the reference solution ends with status {ref['status']}: {ref.get('output', '')}")
        for t in _failed(ref):
            problems.append(_reference_failure(t))
    tpl = results.get(group("template")[0]) if group("template") else None
    for t in (tpl or {}).get("tests", []):
        if t.get("score", 0) > 0:
            problems.append(f"the stub template earns {t['score']:g} points on {t['name']}: a check that a stub "
                            "passes measures nothing (the template must score 0)")
    returning = [s for s in group("degenerate") if who[s][1] not in RAISING_STRATEGIES and s in results]
    examples = [s for s in group("example") if s in results]
    for q in questions:
        for c in q.cases:
            name = f"{q.name}: {c.name}"
            caught = [s for s in returning + examples if not _passed(results[s], name)]
            if returning and not caught:
                problems.append(f"{q.name}: the check \"{c.name}\" passes every degenerate submission that returns a "
                                f"value ({', '.join(who[s][1] for s in returning)}) and fails no example: its judge "
                                "accepts any value; make it compare with the expected value")
    problems += _examples_verified(assignment, questions, results, who)
    return problems


def _failed(results: dict) -> list[dict]:
    return [t for t in results.get("tests", []) if t.get("score", 0) < t.get("max_score", 0)]


def _passed(results: dict, test_name: str) -> bool:
    return any(t["name"] == test_name and test_passed(t) for t in results.get("tests", []))


def _reference_failure(test: dict) -> str:
    message = test.get("output", "")
    if f"{JUDGE_RAISED} (" in message:
        raised = message.split(f"{JUDGE_RAISED} (", 1)[1].rsplit(")", 1)[0]
        return (f"the reference solution fails {test['name']} because the judge itself raised {raised}: a bug in "
                "the suite's judge (or expect=), not in the solution")
    return f"the reference solution fails {test['name']}: {message}"


def _examples_verified(assignment: str, questions, results: dict, who: dict) -> list[str]:
    if not any(grp == "example" for grp, _ in who.values()):
        return []
    where = f"examples/{assignment}/expected.toml"
    spec = registry.expected_examples(assignment)
    problems = []
    for student, (grp, example) in who.items():
        if grp != "example" or example not in spec:
            continue
        got, entry = results.get(student), spec[example]
        if got is None:
            problems.append(f"{where}: {example} was not graded (the grade run stopped)")
            continue
        lost = {t["name"].split(":", 1)[0] for t in _failed(got)}
        claimed = set(entry.get("loses", []))
        for q in sorted(claimed - lost):
            problems.append(f"{where}: {example} should lose points on {q}, but keeps full marks there")
        for q in sorted(lost - claimed):
            message = next(t.get("output", "") for t in _failed(got) if t["name"].startswith(q + ":"))
            problems.append(f"{where}: {example} should keep full marks on {q}, but loses points there: {message}")
        status = got.get("status", "ok")
        if status != entry.get("status", "ok"):
            problems.append(f"{where}: {example} should end with status {entry.get('status')}, but ends with {status}"
                            f" ({got.get('output', '')})")
    return problems


# -- from otter run on the built bundle ----------------------------------------------------------------
def bundle_problems(assignment: str, questions, otter_results: dict[str, dict], student_zip: Path,
                    autograder_zip: Path) -> list[str]:
    """``otter_results``: {"reference": results.json, "template": results.json} from ``otter run``."""
    from autograder.gradescope.results import schema_problems

    problems = environment_problems(autograder_zip)
    checks = sum(len(q.cases) for q in questions)
    ref, tpl = otter_results["reference"], otter_results["template"]
    score, mx = _totals(ref)
    if score != mx or mx == 0:
        failed = ", ".join(t["name"] for t in _failed(ref))
        problems.append(f"through otter run (Gradescope's path) the reference solution scores {score:g}/{mx:g}"
                        + (f", failing {failed}" if failed else f": {str(ref.get('output', ''))[:300]}"))
    score, mx = _totals(tpl)
    if score != 0:
        passing = ", ".join(t["name"] for t in tpl["tests"] if t.get("score", 0) > 0)
        problems.append(f"through otter run the stub template scores {score:g}/{mx:g} (must be 0), passing {passing}")
    for who, r in (("reference", ref), ("stub", tpl)):
        problems += [f"otter run's results.json of the {who} is not in Gradescope's format: {p}" for p in schema_problems(r)]
        if len(r.get("tests", [])) != checks:
            problems.append(f"otter run's results.json of the {who} has {len(r.get('tests', []))} test entries, "
                            f"not one per check ({checks})")
    return problems + hidden_tests_in(student_zip)


def _totals(results: dict) -> tuple[float, float]:
    tests = results.get("tests", [])
    return sum(t.get("score", 0) for t in tests), sum(t.get("max_score", 0) for t in tests)


def otter_results(autograder_zip: Path, assignment: str, who: str) -> dict:
    """results.json of ``otter run`` on the reference (``who="reference"``) or the stub template."""
    a = registry.get(assignment)
    return otter_score(autograder_zip, a.solution if who == "reference" else a.template, assignment)[2]


def environment_problems(autograder_zip: Path) -> list[str]:
    """What the bundle's own environment (environment.yml, which setup.sh installs) lacks of the
    packages its shipped engine (files/) imports, or pins at another version than requirements.txt."""
    with tempfile.TemporaryDirectory(prefix="bundle-files-") as tmp:
        with zipfile.ZipFile(autograder_zip) as z:
            z.extractall(tmp, [n for n in z.namelist() if n.startswith("files/") and n.endswith(".py")])
            environment = z.read("environment.yml").decode()
        needed = engine_distributions(Path(tmp) / "files")
    listed = {}
    for line in environment.splitlines():
        m = re.match(r"\s*-\s*([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*==\s*(\S+)\s*$", line)
        if m:
            listed[_canonical(m.group(1))] = m.group(3)
    pins = {name: line.split("==")[1] for name, line in _pins().items()}
    problems = []
    for dist, modules in sorted(needed.items()):
        why = f" (imported as {', '.join(modules)})" if modules else " (needed by what the engine imports)"
        if dist not in listed:
            problems.append(f"the bundle's environment.yml does not install {dist}{why}")
        elif dist in pins and listed[dist] != pins[dist]:
            problems.append(f"the bundle's environment.yml pins {dist}=={listed[dist]}, requirements.txt {pins[dist]}")
    return problems


def hidden_tests_in(student_zip: Path) -> list[str]:
    """A problem for each test file of the student kit (``<id>/tests/q*.py``) holding a hidden test."""
    with zipfile.ZipFile(student_zip) as z:
        return [f"{student_zip.name}:{name} contains a hidden test" for name in z.namelist()
                if "/tests/" in f"/{name}" and "hidden=True" in z.read(name).decode()]
