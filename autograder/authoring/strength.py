"""Suite strength: which checks catch the example bugs, the degenerate submissions and mutants.

    python -m autograder.authoring.strength forward_mode [--mutants N] [--seed 0] [--jobs 2] [--min-score 0.95]

grades, in one run of the grade CLI, the reference solution, the example class (examples/<id>/),
the degenerate submissions (``degenerate.py``) and the mutants of the reference (one small AST
change each: an operator flipped, a term dropped, a comparison loosened or negated (``<`` / ``<=``,
``==`` / ``!=``, ``in`` / ``not in``), ``and`` / ``or`` swapped, a minus sign dropped, ``min`` /
``max`` swapped, an index or a small int or float constant shifted; every one by default, or a
seeded sample of ``--mutants``), then prints markdown
tables: per check, how many of each it catches; per question, its **mutation score**; the surviving
mutants (each is a missing test, or a change with no observable effect).

The mutation score of a question: of the mutants of the functions the question grades (its
*subject*, ``SUBJECTS`` in ``autograder/suites/<id>/__init__.py``: names like ``Dual.__pow__`` or
``sgd``, shell patterns allowed), the share the question itself catches (some check of it fails).
A surviving mutant listed in ``autograder/suites/<id>/SURVIVORS.md`` (by its function and change,
e.g. ``Dual.__pow__: `c == 0.0` -> `c != 0.0```, with why it is equivalent) counts as explained:
the score is also given with explained survivors left out.

Exit status 1 when the reference loses a point, a check catches nothing at all (a check that cannot
fail is a defect), or (``--min-score``) a question's score with explained survivors left out is
below the bound.
"""

from __future__ import annotations

import argparse
import ast
import fnmatch
import json
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from autograder.engine import registry

from . import degenerate

ROOT = Path(__file__).resolve().parents[2]

# -- mutants of the reference -----------------------------------------------------------------------

_SWAP = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult, ast.Pow: ast.Mult,
         ast.FloorDiv: ast.Mult, ast.Mod: ast.FloorDiv}
_LOOSEN = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
           ast.NotEq: ast.Eq, ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot, ast.IsNot: ast.Is}
_BOOL = {ast.And: ast.Or, ast.Or: ast.And}
_MINMAX = {"min": "max", "max": "min"}
_SMALL_FLOATS = (0.0, 0.5, 1.0, 2.0)  # a float constant bumped by 1.0 (a seed, a reset, a factor)


def _sites(tree: ast.AST) -> list[tuple[int, str]]:
    """Every (node number, kind) that can be mutated, inside function bodies only."""
    sites = []
    in_messages = {id(n) for s in ast.walk(tree) if isinstance(s, ast.JoinedStr) for n in ast.walk(s)}
    for fn in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)):
        for node in ast.walk(fn):
            if id(node) in in_messages:  # inside an f-string: a changed message, not a changed result
                continue
            if isinstance(node, ast.BinOp) and type(node.op) in _SWAP:
                sites.append((id(node), "swap"))
                if isinstance(node.op, (ast.Add, ast.Sub)):
                    sites.append((id(node), "drop"))
            elif isinstance(node, ast.Compare) and type(node.ops[0]) in _LOOSEN:
                sites.append((id(node), "loosen"))
            elif isinstance(node, ast.Subscript) and isinstance(node.slice, (ast.Name, ast.Constant)):
                sites.append((id(node), "shift"))
            elif (isinstance(node, ast.Constant) and type(node.value) is int and 0 <= node.value <= 2):
                sites.append((id(node), "bump"))
            elif isinstance(node, ast.Constant) and type(node.value) is float and node.value in _SMALL_FLOATS:
                sites.append((id(node), "bump"))
            elif isinstance(node, ast.BoolOp) and type(node.op) in _BOOL:
                sites.append((id(node), "boolop"))
            elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
                sites.append((id(node), "unsign"))
            elif isinstance(node, ast.Call) and _callee(node) in _MINMAX:
                sites.append((id(node), "minmax"))
    # a node's position in one fixed walk names it across re-parses of the same source
    order = {id(n): i for i, n in enumerate(ast.walk(tree))}
    return sorted({(order[i], kind) for i, kind in sites})


def _callee(call: ast.Call) -> str | None:
    """``min`` for ``min(...)`` and ``xs.min()``; None for other calls."""
    return getattr(call.func, "id", None) or getattr(call.func, "attr", None)


class _Replace(ast.NodeTransformer):
    def __init__(self, target: ast.AST, replacement: ast.AST):
        self.target, self.replacement = target, replacement

    def visit(self, node):
        return self.replacement if node is self.target else self.generic_visit(node)


def owners(tree: ast.AST) -> dict[int, str]:
    """node position (in ``ast.walk`` order) -> the function it belongs to: ``name`` for a module-level
    function, ``Class.method`` for a method (nested functions and lambdas belong to the enclosing one)."""
    owner: dict[int, str] = {}

    def visit(node, name):
        for child in ast.iter_child_nodes(node):
            if name is None and isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                prefix = f"{node.name}." if isinstance(node, ast.ClassDef) else ""
                own = prefix + child.name
                owner[id(child)] = own
                visit(child, own)
            elif name is None and isinstance(child, ast.ClassDef):
                visit(child, None)
            else:
                if name is not None:
                    owner[id(child)] = name
                visit(child, name)

    visit(tree, None)
    return {i: owner[id(n)] for i, n in enumerate(ast.walk(tree)) if id(n) in owner}


def _mutate(source: str, position: int, kind: str, owner: str | None = None) -> tuple[str, str] | None:
    """(description, mutated source) for one site, or None if the change does nothing.

    The description reads ``owner line N: `before` -> `after```; without ``line N`` it is the
    mutant's key (``survivor_key``), stable when other lines of the reference move."""
    tree = ast.parse(source)
    owner = owner or owners(tree).get(position, "?")
    node = list(ast.walk(tree))[position]
    before = ast.unparse(node)
    if kind == "swap":
        node.op = _SWAP[type(node.op)]()
    elif kind == "drop":  # a + b -> a: the term b dropped
        tree = _Replace(node, node.left).visit(tree)
        node = node.left
    elif kind == "loosen":
        node.ops[0] = _LOOSEN[type(node.ops[0])]()
    elif kind == "shift":
        node.slice = ast.BinOp(left=node.slice, op=ast.Add(), right=ast.Constant(1))
    elif kind == "bump":
        node.value += 1
    elif kind == "boolop":  # a and b -> a or b
        node.op = _BOOL[type(node.op)]()
    elif kind == "unsign":  # -x -> x
        tree = _Replace(node, node.operand).visit(tree)
        node = node.operand
    elif kind == "minmax":  # min(...) -> max(...), xs.min() -> xs.max()
        if isinstance(node.func, ast.Name):
            node.func.id = _MINMAX[node.func.id]
        else:
            node.func.attr = _MINMAX[node.func.attr]
    after = ast.unparse(node)
    if before == after:
        return None
    line = getattr(node, "lineno", "?")
    return (f"{owner} line {line}: `{before[:60]}` -> `{after[:60]}`",
            ast.unparse(ast.fix_missing_locations(tree)) + "\n")


def owner_of(description: str) -> str:
    """The function a mutant changes, from its description."""
    return description.split(" line ", 1)[0]


def survivor_key(description: str) -> str:
    """``owner: `before` -> `after```: how SURVIVORS.md names a mutant (no line number)."""
    return f"{owner_of(description)}: {description.split(': ', 1)[1]}"


def mutants(source: str, limit: int | None = None, seed: int = 0) -> list[tuple[str, str]]:
    """Up to ``limit`` mutants of ``source`` (every one when None), sampled with a fixed seed:
    (description, source)."""
    tree = ast.parse(source)
    sites, owner = _sites(tree), owners(tree)
    random.Random(seed).shuffle(sites)
    limit = len(sites) if limit is None else limit
    out = []
    for position, kind in sites:
        if len(out) >= limit:
            break
        made = _mutate(source, position, kind, owner.get(position, "?"))
        if made is not None:
            out.append(made)
    return out


# -- grading everything in one run -------------------------------------------------------------------

def subjects(assignment: str) -> dict[str, tuple[str, ...]]:
    """question -> the functions it grades (``SUBJECTS`` of the suite's ``__init__.py``, read as a
    literal: the suite is not imported)."""
    init = ROOT / "autograder" / "suites" / assignment / "__init__.py"
    for node in ast.parse(init.read_text()).body if init.exists() else []:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "SUBJECTS" for t in node.targets):
            return {q: tuple(names) for q, names in ast.literal_eval(node.value).items()}
    return {}


def explained_survivors(assignment: str) -> str:
    """The text of ``SURVIVORS.md`` beside the suite ('' if there is none)."""
    path = ROOT / "autograder" / "suites" / assignment / "SURVIVORS.md"
    return path.read_text() if path.exists() else ""


def _in_subject(owner: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatchcase(owner, p) for p in patterns)


def stage(assignment: str, folder: Path, limit: int | None = 0, seed: int = 0,
          template: bool = False) -> dict[str, tuple[str, str]]:
    """Write into ``folder`` the reference, (with ``template``) the stub template, the example class
    (files and folders), the degenerate submissions and up to ``limit`` mutants of the reference
    (every one when None); return student -> (group, description)."""
    a = registry.get(assignment)
    folder.mkdir(parents=True)
    who = {"reference": ("reference", "the reference solution")}
    shutil.copy(a.solution, folder / "reference.py")
    if template:
        shutil.copy(a.template, folder / "template.py")
        who["template"] = ("template", "the stub template")
    for name, path in registry.example_entries(assignment).items():
        if path.is_dir():
            shutil.copytree(path, folder / f"example_{name}")
        else:
            shutil.copy(path, folder / f"example_{path.name}")
        who[f"example_{name}"] = ("example", name)
    for strategy in degenerate.STRATEGIES:
        (folder / f"degenerate_{strategy}.py").write_text(degenerate.variant(assignment, strategy))
        who[f"degenerate_{strategy}"] = ("degenerate", strategy)
    for k, (description, source) in enumerate(mutants(a.solution.read_text(), limit, seed)):
        (folder / f"mutant_{k:03d}.py").write_text(source)
        who[f"mutant_{k:03d}"] = ("mutant", description)
    return who


def test_passed(test: dict) -> bool:
    """One entry of a results.json: full marks on a check worth points."""
    return test.get("score", 0) >= test.get("max_score", 0) > 0


def outcomes(results: dict[str, dict], students) -> dict[str, dict[str, bool]]:
    """student -> {test name: passed}, from their results.json (``results``); a student without one
    (the grade run stopped) failed them all."""
    return {s: {t["name"]: test_passed(t) for t in results.get(s, {}).get("tests", [])} for s in students}


def read_results(out: Path, assignment: str, students) -> dict[str, dict]:
    """student -> their results.json in a grade run's ``out`` folder (those that have one)."""
    found = {}
    for student in students:
        path = out / assignment / student / "results.json"
        if path.exists():
            found[student] = json.loads(path.read_text())
    return found


def report(assignment: str, limit: int | None = None, seed: int = 0, jobs: int = 2,
           min_score: float | None = None) -> tuple[str, bool]:
    """(markdown report, ok): ok is False when the reference loses a point, a check catches nothing,
    or (``min_score``) a question's mutation score, explained survivors left out, is below it."""
    with tempfile.TemporaryDirectory() as tmp:
        folder, out = Path(tmp) / "submissions", Path(tmp) / "out"
        who = stage(assignment, folder, limit, seed)
        subprocess.run([sys.executable, "-m", "autograder.engine.grade", "--jobs", str(jobs), "--submissions",
                        str(folder), "--out", str(out), assignment], cwd=ROOT, check=True,
                       capture_output=True, text=True)
        passed = outcomes(read_results(out, assignment, who), who)
    return table(assignment, who, passed, seed, min_score)


def table(assignment: str, who: dict[str, tuple[str, str]], passed: dict[str, dict[str, bool]], seed: int = 0,
          min_score: float | None = None) -> tuple[str, bool]:
    """The report of one grade run: ``who`` is student -> (group, description), groups ``reference``,
    ``example``, ``degenerate``, ``mutant`` (others are left out); ``passed`` student -> {test: passed}."""
    reference = next(s for s, (g, _) in who.items() if g == "reference")
    checks = list(passed[reference])
    groups = {g: [s for s, (grp, _) in who.items() if grp == g] for g in ("example", "degenerate", "mutant")}
    caught = {c: {g: [s for s in groups[g] if not passed[s].get(c, False)] for g in groups} for c in checks}
    lines = [f"## Suite strength: {assignment}", "",
             f"{len(groups['example'])} examples, {len(groups['degenerate'])} degenerate submissions, "
             f"{len(groups['mutant'])} mutants of the reference (seed {seed}).", "",
             "| check | examples caught | degenerate caught | mutants killed |", "|---|---:|---:|---:|"]
    defects = [c for c in checks if not passed[reference][c]]
    for c in checks:
        counts = [len(caught[c][g]) for g in groups]
        if not any(counts):
            defects.append(c)
        lines.append(f"| {c} | " + " | ".join(f"{n}/{len(groups[g])}" for n, g in zip(counts, groups)) + " |")
    questions = sorted({c.split(":", 1)[0] for c in checks})
    killed = {s for s in groups["mutant"] if not all(passed[s].get(c, False) for c in checks)}
    low = []
    if groups["mutant"]:  # (make release grades none: the mutation score is the strength command's)
        scores, survivor_lines, low = _mutation_scores(assignment, questions, checks, caught, who, groups["mutant"],
                                                       min_score)
        lines += ["", "| question | mutants killed | share of all mutants |", "|---|---:|---:|"]
        for q in questions:
            mine = {s for c in checks if c.startswith(q + ":") for s in caught[c]["mutant"]}
            lines.append(f"| {q} | {len(mine)} | {len(mine) / max(1, len(groups['mutant'])):.0%} |")
        lines.append(f"| all | {len(killed)} | {len(killed) / max(1, len(groups['mutant'])):.0%} |")
        lines += scores + survivor_lines
    survivors = [who[s][1] for s in groups["mutant"] if s not in killed]
    if survivors:
        lines += ["", "Mutants no check catches (a missing test, or no observable change):", ""]
        lines += [f"- {d}" for d in survivors]
    if defects:
        lines += ["", "**Defects** (the reference fails it, or it catches nothing):", ""]
        lines += [f"- {c}" for c in defects]
    if low:
        lines += ["", f"**Below the mutation score {min_score:.0%}** (explained survivors left out):", ""]
        lines += [f"- {q}" for q in low]
    return "\n".join(lines) + "\n", not defects and not low


def _mutation_scores(assignment, questions, checks, caught, who, mutant_names, min_score):
    """The per-question mutation score table, each question's surviving mutants, and the questions
    whose score (explained survivors left out) is below ``min_score``."""
    subject = subjects(assignment)
    explained = explained_survivors(assignment)
    table = ["", "Mutation score per question: of the mutants of the functions the question grades (its subject, "
             "SUBJECTS in the suite's __init__.py), the share its own checks catch; explained survivors "
             "(SURVIVORS.md) left out in the last column.", "",
             "| question | subject | mutants | killed by it | score | explained | score, explained left out |",
             "|---|---|---:|---:|---:|---:|---:|"]
    survivor_lines, low = [], []
    assigned = set()
    for q in questions:
        patterns = subject.get(q, ())
        mine = [s for s in mutant_names if _in_subject(owner_of(who[s][1]), patterns)]
        assigned.update(mine)
        hit = {s for c in checks if c.startswith(q + ":") for s in caught[c]["mutant"]}
        alive = [s for s in mine if s not in hit]
        known = [s for s in alive if survivor_key(who[s][1]) in explained]
        score = (len(mine) - len(alive)) / len(mine) if mine else 1.0
        counted = len(mine) - len(known)
        net = (len(mine) - len(alive)) / counted if counted else 1.0
        if min_score is not None and net < min_score:
            low.append(f"{q}: {net:.0%}")
        table.append(f"| {q} | {', '.join(patterns) or '(none declared)'} | {len(mine)} | {len(mine) - len(alive)} | "
                     f"{score:.0%} | {len(known)} | {net:.0%} |")
        if alive:
            survivor_lines += ["", f"Survivors of {q}:", ""]
            survivor_lines += [f"- {survivor_key(who[s][1])}" + (" (explained in SURVIVORS.md)" if s in known else "")
                               for s in alive]
    orphans = [s for s in mutant_names if s not in assigned]
    if orphans:
        table.append(f"| (no question) | functions in no SUBJECTS entry | {len(orphans)} | | | | |")
    return table, survivor_lines, low


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.authoring.strength", description=__doc__.split("\n\n")[0])
    parser.add_argument("assignments", nargs="+", metavar="ID")
    parser.add_argument("--mutants", type=int, default=None,
                        help="a seeded sample of this many mutants of the reference (default: every mutant)")
    parser.add_argument("--seed", type=int, default=0, help="which mutants are sampled (default 0)")
    parser.add_argument("--jobs", type=int, default=2, help="submissions graded in parallel (default 2)")
    parser.add_argument("--min-score", type=float, default=None,
                        help="fail when a question's mutation score (explained survivors left out) is below this")
    args = parser.parse_args(argv)
    ok = True
    for assignment in args.assignments:
        if not (ROOT / "solutions" / f"{assignment}.py").exists():
            parser.error(f"unknown assignment {assignment!r}")
        text, fine = report(assignment, args.mutants, args.seed, args.jobs, args.min_score)
        print(text)
        ok = ok and fine
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
