"""``make new-assignment ID=<id> TITLE="..."``: every part of a new assignment, ready to release.

    python -m autograder.authoring.scaffold ID --title "..."

writes each part of ``registry.PARTS`` (config, handout, suite, solution, template, examples) around
one working example function, ``derivative_of_square(x)`` (2x), that the author then replaces: the
reference scores full marks, the stub zero, every check is failed by the example bug and by some
degenerate submission, and the handout agrees with the suite, so ``make release ASSIGNMENT=<id>``
passes at once.  Each file says, in comments marked AUTHOR, what to replace.  Refuses (one sentence,
exit 2, nothing written) an id that is not a new lowercase Python identifier, or an empty title.
"""

from __future__ import annotations

import argparse
import json
import keyword
import re
import shutil
import sys
from pathlib import Path
from string import Template

from autograder.engine import registry
from autograder.engine.suite import ROOT, load_suite

from . import handout

FUNCTION = "derivative_of_square"  # the example every file is written around
QUESTION = f"q1_{FUNCTION}"
EXAMPLE = "isaac_newton"  # the example class's one student: returns the square, not its derivative
# the student's file <id>.py sits in the kit next to these, and imports the packages the kit installs
TAKEN = {"check", "handout", "requirements", "tests", "autograder", "otter", "numpy", "matplotlib"}

CONFIG = '''# The assignment $id (autograder/engine/registry.py reads this file; any other key is an error).
# AUTHOR: the title heads `make release`'s output and the staff notes.
title = $title_toml

# Optional keys (uncomment one to use it; each is shown with its default, or an example value):
# extra files of this folder (paths relative to it) copied into the student kit, and into solutions.zip
# student_files = []
# solution_files = []
# a script of this folder run against the reference solution by the release: the PNGs it draws go
# into solutions.zip and the kit's figures/ (where the handout can show them); default: none
# figure_script = "draw_figures.py"
# when Gradescope shows students the verdicts of hidden checks: $visibilities
# hidden_tests_visibility = "after_published"
# Gradescope: grade nothing unless every isolation layer is on (false: grade with the layers that exist)
# require_isolation = true
'''

SOLUTION = '''"""$id -- $title.

Reference solution (MIT 18.065).  Every check with expect=REFERENCE compares a student's result with
what this file returns, and the release requires it to score full marks.

AUTHOR: replace derivative_of_square by the assignment's functions (the same names and signatures
as in student_template/$id.py).
"""


def derivative_of_square(x: float) -> float:
    """The derivative of x**2 at the real number x: 2x, as a float (also for an int x)."""
    return 2.0 * x
'''

TEMPLATE = '''"""$id -- $title.

MIT 18.065.  Fill in every function below (replace each `raise NotImplementedError`).
Read handout.md first: it states the rules and how you are graded.

You may import only the standard library.  Nothing is printed.
"""
# AUTHOR: the same functions as solutions/$id.py, each with its signature and docstring and the body
# raise NotImplementedError("TODO: <name>"); delete this comment (students get this file).


def derivative_of_square(x: float) -> float:
    """The derivative of x**2 at the real number x: 2x, as a float (also for an int x)."""
    raise NotImplementedError("TODO: derivative_of_square (see handout.md)")
'''

SUITE_INIT = '''"""Test suite of the $id assignment (otter test files q*.py).

EDGES.md (beside this file) lists, rule by rule from the handout, the edges of each rule's domain and
the check that probes each one.  ``SUBJECTS``: the functions of the reference each question grades
(its mutation score in ``python -m autograder.authoring.strength $id`` is over the mutants of these).

AUTHOR: one entry per question file q<k>_<name>.py, naming the functions of solutions/$id.py it grades.
"""

SUBJECTS = {
    "$question": ("derivative_of_square",),
}
'''

EDGES = '''# $id: the edges each check probes

AUTHOR: rule by rule from the handout, the edges of its domain and the check that probes each.

| rule | edge | check |
|---|---|---|
| (x²)' = 2x | x = 0 (the derivative is 0, exactly) | `$question`: by hand |
| (x²)' = 2x | large and negative x | `$question`: random points |
'''

QUESTION_FILE = '''"""Q1 -- derivative_of_square: the power rule (x**2)' = 2x.

AUTHOR: this question shows the format; replace it by the assignment's questions, one file
q<k>_<name>.py each, whose ``name`` below is the file's stem (one gradebook column).  Each check is
an otter ``@test_case`` (its name states the rule; its points; public, or hidden on Gradescope) over an
``@check``: a probe that calls the student's function (``m``: the student's module) on seeded inputs,
an expectation (a hand-derived formula of the inputs, or REFERENCE: the reference solution's result)
and a judge.  After changing points, run ``make handout ASSIGNMENT=$id``: it lists what the handout's
points table must say.
"""

from otter.test_files import test_case

from autograder.checking import REFERENCE, check, close, seeded

OK_FORMAT = False
name = "$question"

# Tolerance: 2x is one multiplication by 2, exact in floating point (so is x + x), and any other
# exact formula differs from it by a rounding or two (~1e-16 relative); 1e-12 leaves a wide margin,
# while a wrong rule (x, x**2, 0) is off by O(1).  At x = 0 the bound is 0: every exact formula
# gives 0 there, exactly.
RTOL = 1e-12


# -- inputs (seeded: the same in every process) -------------------------------------------------

# by hand: small numbers, a negative one, and the edge x = 0 (EDGES.md)
_BY_HAND = [(3.0,), (-1.5,), (0.5,), (0.0,)]

_rng = seeded(101)
_RANDOM = [(round(float(x), 6),) for x in _rng.uniform(-1000.0, 1000.0, 20)] + [(7,), (-12,)]  # ints too


# -- checks --------------------------------------------------------------------------------------

@test_case(name="power rule (x**2)' = 2x at x = 3, -1.5, 0.5 and 0, by hand", points=1, hidden=False)
@check(cases=_BY_HAND, expect=lambda x: 2 * x, judge=close(RTOL), describe=lambda x: f"x = {x}")
def by_hand(m, x):
    return m.derivative_of_square(x)


@test_case(name="power rule at 22 random x in [-1000, 1000], ints too, against the reference solution",
           points=1, hidden=True)
@check(cases=_RANDOM, expect=REFERENCE, judge=close(RTOL), describe=lambda x: f"x = {x}")
def random_points(m, x):
    return m.derivative_of_square(x)
'''

EXPECTED = '''# What each example submission must lose, written from its bug (not copied from grading output):
# every question not in `loses` gets full points, every question in `loses` gets less.
# Questions: $question
# AUTHOR: one <student>.py per realistic bug (and a correct alternative or two, loses = []), each
# with an entry here; status is "ok", or what grading must report ("timeout", "error", ...).

[$example]
about = "returns x * x, the square itself, instead of its derivative 2x"
status = "ok"
loses = ["$question"]
'''

EXAMPLE_FILE = '''"""Example submission: bug -- returns the square, not its derivative.

derivative_of_square(x) returns x * x: right at x = 0 and x = 2 only.  Must lose points in
$question only.
"""


def derivative_of_square(x):
    return x * x
'''

HANDOUT = '''# Assignment: $title (`$id`)

MIT 18.065, Lecture 27. $total points.

## The idea

**TODO (author):** what the lecture does, the idea this assignment practises, and a worked example
the students can follow by hand.

## What to implement (in `$id.py`)

Start from the template: keep every name and signature, replace each `raise NotImplementedError`.
Only the standard library may be imported (no numpy, sympy, …); nothing is printed.

| function | returns |
|---|---|
| `derivative_of_square(x)` | the derivative of x² at the real number x, 2x, as a float (also for an int x) |

## Grading ($total points)

Each line below is one check; a check earns its points only if all its cases pass. Public checks are
the ones you can run yourself (`python check.py`); hidden checks run on Gradescope.

$table

## Check your work, then submit

$check_your_work

Submit by uploading `$id.py` to Gradescope.
'''


def refusal(assignment: str, title: str) -> str | None:
    """Why ``assignment`` cannot be created with ``title`` (one sentence), or None."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", assignment) or keyword.iskeyword(assignment):
        return (f"{assignment!r} is not a lowercase Python identifier (letters a-z, digits and _, not starting with "
                "a digit, not a keyword): it is the name of the file students upload, <id>.py")
    if assignment in TAKEN or assignment in sys.stdlib_module_names:
        return (f"{assignment!r} is the name of a module the kit or Python already has ({assignment}.py would "
                "shadow it): choose another id")
    parts = _paths(assignment)
    existing = [registry.shown(p) for p in parts.values() if p.exists()]
    if not parts["examples"].exists() and parts["examples"].parent.exists():  # someone else's example class
        existing.append(registry.shown(parts["examples"].parent) + "/")
    if existing:
        return f"assignment {assignment} already exists ({', '.join(existing)}): choose another id"
    if not title.strip():
        return "the title is empty: give one (--title \"...\"; with make, TITLE=\"...\")"
    if not title.isprintable():
        return "the title must be one line of printable text (it heads the handout and assignment.toml)"
    return None


def _paths(assignment: str) -> dict[str, Path]:
    """Part name -> path (as in ``registry.PARTS``)."""
    return registry.Assignment(assignment, "").parts()


def files(assignment: str, title: str) -> dict[Path, str]:
    """Every file of the new assignment but its handout (it needs the suite loaded), by path."""
    parts = _paths(assignment)
    visibilities = ", ".join(f'"{v}"' for v in registry.VISIBILITIES)
    values = {"id": assignment, "title": title.strip(), "title_toml": json.dumps(title.strip(), ensure_ascii=False),
              "question": QUESTION, "example": EXAMPLE, "visibilities": visibilities}
    fill = lambda text: Template(text).substitute(values)  # noqa: E731
    return {parts["config"]: fill(CONFIG),
            parts["solution"]: fill(SOLUTION),
            parts["template"]: fill(TEMPLATE),
            parts["suite"] / "__init__.py": fill(SUITE_INIT),
            parts["suite"] / "EDGES.md": fill(EDGES),
            parts["suite"] / f"{QUESTION}.py": fill(QUESTION_FILE),
            parts["examples"]: fill(EXPECTED),
            parts["examples"].parent / f"{EXAMPLE}.py": fill(EXAMPLE_FILE)}


def handout_text(assignment: str, title: str) -> str:
    """The handout, its points from the suite as written (``load_suite``)."""
    questions = load_suite(assignment)
    return Template(HANDOUT).substitute(
        id=assignment, title=title.strip(), total=handout._pts(sum(q.points for q in questions)),
        table=handout.points_table(questions), check_your_work=handout.check_your_work(assignment))


def scaffold(assignment: str, title: str) -> list[Path]:
    """Write every part of the new assignment; the paths written.  Nothing is left on failure."""
    written: list[Path] = []
    new_folders = []  # the folders this call creates: removed again if it fails
    try:
        for path, text in files(assignment, title).items():
            for folder in reversed(path.parents):
                if not folder.exists():
                    folder.mkdir()
                    new_folders.append(folder)
            path.write_text(text, encoding="utf-8")
            written.append(path)
        path = _paths(assignment)["handout"]
        path.write_text(handout_text(assignment, title), encoding="utf-8")
        written.append(path)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        for folder in reversed(new_folders):
            shutil.rmtree(folder, ignore_errors=True)
        raise
    return written


def next_steps(assignment: str) -> str:
    p = {k: registry.shown(v) for k, v in _paths(assignment).items()}
    return "\n".join([
        "What to fill in next, in this order (the lines marked AUTHOR in each file say what to replace):",
        f"  1. the functions: {p['solution']} (the reference) and {p['template']} (the same names, signatures "
        "and docstrings, each body raise NotImplementedError(\"TODO: <name>\")).",
        f"  2. the suite: one file q<k>_<name>.py per question in {p['suite']} (name = \"q<k>_<name>\", "
        f"checks declared with @check, each public or hidden), SUBJECTS in its __init__.py, and EDGES.md.",
        f"  3. the handout: {p['handout']} (the idea, what to implement, the points table's descriptions).",
        f"  4. the example class: one <student>.py per bug in {registry.shown(_paths(assignment)['examples'].parent)}/, "
        f"each with an entry in {p['examples']}.",
        f"  5. after changing the suite's points: make handout ASSIGNMENT={assignment} (it rewrites the generated "
        "block and lists what the points table must say).",
        f"  6. make release ASSIGNMENT={assignment} (the release gate reports every problem at once).",
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m autograder.authoring.scaffold",
        description="Create every part of a new assignment (config, handout, suite, solution, template, examples) "
                    "around one example function, so that make release ASSIGNMENT=<id> passes at once.")
    parser.add_argument("assignment", metavar="ID", help="a new lowercase Python identifier: students upload <id>.py")
    parser.add_argument("--title", default="", help="the assignment's title (assignment.toml, the handout)")
    args = parser.parse_args(argv)
    why = refusal(args.assignment, args.title)
    if why:
        print(f"error: {why}", file=sys.stderr)
        return 2
    written = scaffold(args.assignment, args.title)
    print(f"Created the assignment {args.assignment} ({args.title.strip()}): {len(written)} files, all working "
          f"around the example function {FUNCTION}, which make release ASSIGNMENT={args.assignment} accepts as it is:")
    for path in sorted(written):
        print(f"  {registry.shown(path)}")
    print(next_steps(args.assignment))
    return 0


if __name__ == "__main__":
    sys.exit(main())
