"""What a handout repeats from the kit and the suite, with one source of truth for each.

A handout (``assignments/<id>/handout.md``) states facts that live elsewhere: how to check one's work
with the kit (the Python versions and package ranges below, the kit's name), the points of each
question (the suite), and what may be imported (read by the release into ``check.py``'s kit).  This
module generates the first (a block between two marker lines, rewritten by ``make handout``), the
scaffold's points table, and lists every way a handout disagrees with its suite:

    python -m autograder.authoring.handout ID...          rewrite the block, then list what is left
    python -m autograder.authoring.handout --check ID...  list the problems only (exit 1 if any)
"""

from __future__ import annotations

import argparse
import re
import sys
import textwrap
from pathlib import Path

from autograder.engine import registry
from autograder.engine.suite import ROOT, load_suite

# What check.py needs, as ranges that install on every Python of STUDENT_PYTHONS (the kit's
# requirements.txt).  The project itself is tested with the pins of requirements.txt, inside these.
STUDENT_REQUIREMENTS = "numpy>=1.24,<3\nmatplotlib>=3.7,<4\n"
STUDENT_PYTHONS = ("3.10", "3.13")  # the oldest and the newest Python the kit is tested on

BEGIN = ("<!-- check-your-work: generated from the kit by `make handout`; "
         "edit autograder/authoring/handout.py, not this block -->")
END = "<!-- end of check-your-work -->"
WIDTH = 100  # the handouts' line length


def kit_name(assignment: str) -> str:
    """The kit's file name: each assignment's its own, so that two downloads never share a name."""
    return f"{assignment}-student.zip"


def _ranges(requirements: str) -> str:
    """'numpy>=1.24,<3' lines as 'numpy (1.24 or newer, below 3) and ...'."""
    words = {">=": "{} or newer", ">": "newer than {}", "<": "below {}", "<=": "{} at most", "==": "exactly {}"}
    parts = []
    for line in requirements.split():
        name, specs = re.fullmatch(r"([A-Za-z0-9._-]+)(.*)", line).groups()
        said = [words[op].format(v) for op, v in re.findall(r"(>=|<=|==|>|<)\s*([^,\s]+)", specs)]
        parts.append(f"{name} ({', '.join(said)})" if said else name)
    return " and ".join(parts) if len(parts) < 3 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _fill(text: str) -> str:
    """``text`` wrapped at WIDTH; a number never starts a line ('below 4', 'Python 3.10' stay together)."""
    glued = re.sub(r" (?=\d)", "\0", " ".join(text.split()))
    return textwrap.fill(glued, WIDTH, break_on_hyphens=False, break_long_words=False).replace("\0", " ")


def check_your_work(assignment: str) -> str:
    """The handout's block on checking one's work with the kit, between the marker lines BEGIN and END."""
    low, high = STUDENT_PYTHONS
    kit = _fill(f"Your kit, `{kit_name(assignment)}`, unzips into its own folder `{assignment}/`; in that folder:")
    needs = _fill(f"You need Python {low} to {high} with {_ranges(STUDENT_REQUIREMENTS)}: `requirements.txt` "
                  "installs exactly that, and `check.py` needs nothing else. If `check.py` says a package is "
                  "missing, run the first command with the same `python` you run `check.py` with.")
    return f"""{BEGIN}

{kit}

    python -m pip install -r requirements.txt     # once
    python check.py                               # runs the public tests on {assignment}.py

{needs}

`check.py` prints one line per public check as it runs (one that runs long shows a live line),
then your public points, the points the hidden tests still decide on Gradescope, and every
function that is not implemented yet. It says "Submit" only when every public test passes and
no function is left.

{END}"""


def _pts(x: float) -> str:
    return f"{x:g}"


def _number(name: str, index: int) -> int:
    m = re.match(r"q(\d+)_", name)
    return int(m.group(1)) if m else index + 1


def points_table(questions) -> str:
    """The handout's points table, one row per question: its checks, each '(public, k)' or '(k)'.
    The scaffold writes it; the author then rewrites each row's description by hand."""
    rows = ["| question | points | what is checked |", "|---|---:|---|"]
    for i, q in enumerate(questions):
        checks = "; ".join(f"{c.name} ({'public, ' if not c.hidden else ''}{_pts(c.points)})".replace("|", "\\|")
                           for c in q.cases)
        rows.append(f"| Q{_number(q.name, i)} `{q.name}` | {_pts(q.points)} | {checks} |")
    return "\n".join(rows)


def import_sentence(text: str) -> str | None:
    """The handout's sentence saying what may be imported (the first one naming the standard
    library), as plain text; None if there is none."""
    for paragraph in re.split(r"\n\s*\n", text):
        flat = " ".join(paragraph.split())
        for sentence in re.split(r"(?<=[.!?])\s+(?=[A-Z*`(\"])", flat):
            if "standard library" in sentence.lower():
                return re.sub(r"\*\*|`", "", sentence).strip()
    return None


def handout_path(assignment: str) -> Path:
    return registry.ASSIGNMENTS / assignment / "handout.md"  # read at call time: tests redirect it


def handout_problems(assignment: str, questions) -> list[str]:
    """Every way the handout disagrees with the suite ``questions`` and the kit, each one sentence."""
    path = handout_path(assignment)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return [f"{registry.shown(path)} does not exist: write the handout (`make new-assignment` starts one)"]
    return text_problems(text, assignment, questions, registry.shown(path))


def text_problems(text: str, assignment: str, questions, where: str = "the handout") -> list[str]:
    """``handout_problems`` on the handout's text (``where`` names it in each sentence)."""
    total = sum(q.points for q in questions)
    problems = []
    preamble = text.split("\n## ", 1)[0]
    stated = [(line.strip(), m.group(1)) for line in text.splitlines() if line.startswith("#")
              for m in [re.search(r"\((\d+(?:\.\d+)?) points?\)", line)] if m]
    stated += [(" ".join(m.group(0).split()), m.group(1) or m.group(2))
               for m in re.finditer(r"\b(\d+(?:\.\d+)?) points\.|\bPoints: (\d+(?:\.\d+)?)", preamble)]
    for said, n in stated:
        if float(n) != total:
            problems.append(f"{where}: \"{said}\" says {n} points, the suite totals {_pts(total)}: correct the handout")
    problems += _table_problems(text, questions, total, where)
    block = _block(text)
    if block is None:
        problems.append(f"{where} has no check-your-work block: put the two lines {BEGIN} and {END} where it "
                        f"belongs, then run `make handout ASSIGNMENT={assignment}`")
    elif block.group(0) != check_your_work(assignment):
        problems.append(f"{where}: the check-your-work block differs from what the kit needs: "
                        f"run `make handout ASSIGNMENT={assignment}`")
    if import_sentence(text) is None:
        problems.append(f"{where} has no sentence saying what may be imported (one naming \"the standard library\", "
                        "e.g. \"Only the standard library and numpy may be imported.\"): check.py quotes it to a "
                        "student who imports a package that is not allowed")
    return problems


def _block(text: str) -> re.Match | None:
    return re.search(re.escape(BEGIN) + r".*?" + re.escape(END), text, re.S)


def _cells(line: str) -> list[str]:
    return [c.strip() for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]


def _table_problems(text: str, questions, total: float, where: str) -> list[str]:
    """The points table (every table with a 'question' and a 'points' column): one row per question
    of the suite, naming it as `q<k>_name` or Q<k>, with its points; a 'total' row, if any, the total."""
    by_name = {q.name: q for q in questions}
    by_number = {_number(q.name, i): q.name for i, q in enumerate(questions)}
    problems, rows, tables = [], [], 0
    for table in re.findall(r"(?m)(?:^\|.*\n?)+", text):
        lines = table.splitlines()
        header = [c.lower() for c in _cells(lines[0])]
        if "question" in header and "points" in header:
            tables += 1
            rows += [(cells[header.index("question")], cells[header.index("points")].strip("* "))
                     for cells in map(_cells, lines[2:]) if len(cells) == len(header)]
    if not tables:
        return [f"{where} has no points table (a table with the columns question, points and what is checked): "
                "add one (`make new-assignment` writes one from the suite)"]
    seen = []
    for label, points in rows:
        name = re.search(r"`(q\d+_\w*)`", label)
        number = re.match(r"\**Q(\d+)\b", label)
        if label.strip("* ").lower() == "total":
            said, want = "the total", total
        elif name or number:
            said = f"`{name.group(1)}`" if name else f"Q{number.group(1)}"
            q = name.group(1) if name else by_number.get(int(number.group(1)), said)
            if q not in by_name:
                problems.append(f"{where}: the points table has a row for {said}, which is not a question of the "
                                f"suite ({', '.join(by_name)}): remove or rename it")
                continue
            seen.append(q)
            want = by_name[q].points
        else:
            problems.append(f"{where}: the points table's row \"{label}\" names no question (write Q<k> `q<k>_name`)")
            continue
        if not re.fullmatch(r"\d+(\.\d+)?", points) or float(points) != want:
            problems.append(f"{where}: the points table gives {said} \"{points}\" points, the suite {_pts(want)}: "
                            "correct the row")
    for i, q in enumerate(questions):
        if q.name not in seen:
            problems.append(f"{where}: the points table has no row for {q.name} ({_pts(q.points)} points): add "
                            f"\"| Q{_number(q.name, i)} `{q.name}` | {_pts(q.points)} | ... |\"")
        elif seen.count(q.name) > 1:
            problems.append(f"{where}: the points table has {seen.count(q.name)} rows for {q.name}: keep one")
    return problems


def write(assignment: str) -> bool:
    """Rewrite the check-your-work block of the handout in place; True if it changed."""
    path = handout_path(assignment)
    text = path.read_text(encoding="utf-8")
    block = _block(text)
    if block is None:
        raise SystemExit(f"error: {registry.shown(path)} has no check-your-work block: put the two lines {BEGIN} and {END} "
                         "where it belongs, then run this again")
    new = text[:block.start()] + check_your_work(assignment) + text[block.end():]
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m autograder.authoring.handout",
        description="Rewrite each handout's check-your-work block (assignments/<id>/handout.md), then list "
                    "every way the handout disagrees with its suite (points) or lacks what the kit needs.")
    parser.add_argument("assignments", nargs="+", metavar="ID")
    parser.add_argument("--check", action="store_true", help="change nothing: list the problems, exit 1 if any")
    args = parser.parse_args(argv)
    ids = registry.ids()
    bad = False
    for assignment in args.assignments:
        if assignment not in ids:
            parser.error(f"unknown assignment {assignment!r}; choose from {', '.join(ids)}")
        path = handout_path(assignment)
        if not args.check and path.exists() and _block(path.read_text(encoding="utf-8")):  # else: a problem below
            print(f"{assignment}: the check-your-work block of {registry.shown(path)} "
                  f"{'was rewritten' if write(assignment) else 'is up to date'}")
        try:
            questions = load_suite(assignment)
        except Exception as e:  # a suite that does not load: one sentence, not a traceback
            print(f"{assignment}: its suite does not load ({type(e).__name__}: {e})")
            bad = True
            continue
        problems = handout_problems(assignment, questions)
        for p in problems:
            print(f"{assignment}: {p}")
        bad = bad or bool(problems)
        if not problems:
            print(f"{assignment}: the handout agrees with the suite ({_pts(sum(q.points for q in questions))} points)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
