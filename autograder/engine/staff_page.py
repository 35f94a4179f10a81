"""The staff's page of one student: ``grades/<id>/<student>/staff.md``.

Everything a TA needs about one student on one readable page, rewritten with the gradebook on
every run: who it is (the roster's line), what was handed in and what was graded (the entry, which
of two files and why, an untouched template), the score and the status with its meaning, every
check with its points and its full message -- hidden checks included, so this page is for the
staff only, never for the student (``feedback.md`` is theirs) --, the first lines of what the file
printed, its figures (linked), the student's regrade history and the submissions whose code is
unusually alike (``similarity``).

Everything that comes from the submission (names, messages, printed lines, figure names that are not
the sandbox's own form) is shown through ``text.md_code``: no heading, link, image or HTML in it is
live.  The only links are the page's own, to files of the student's folder whose names it chose.
"""

from __future__ import annotations

import io
import re

from .report import STATUS_HELP, num
from .score import Graded
from .text import md_code

PRINTED_LINES = 20  # lines of output.txt shown
FIGURE_NAME = re.compile(r"[A-Za-z0-9_]{1,64}\.png")  # the form the sandbox accepts for a figure


def staff_md(g: Graded, *, entry: str = "", note: str = "", untouched: str = "", person: str = "",
             printed: list[str] = (), figures: list[str] = (), history: list[dict[str, str]] = (),
             similar: list[tuple[str, float]] = (), stale: bool = False) -> str:
    """The page.  ``entry``: what the student handed in (its name); ``note``: which of two files was
    graded and why; ``untouched``: how the graded file is the template; ``person``: the roster's
    line ('' if none); ``printed``: output.txt's first lines; ``figures``: file names in figures/;
    ``history``: the student's rows of history.csv; ``similar``: (other student, score);
    ``stale``: the stored result is older than the file or the tests."""
    out = io.StringIO()
    w = out.write
    w(f"# {g.assignment}: {md_code(g.student)} (staff only)\n\n")
    w("This page holds the hidden checks' full messages: never send it to the student "
      "(their page is [feedback.md](feedback.md)).\n\n")
    w(f"- **Score**: {num(g.total)} / {num(g.max_total)}\n")
    w(f"- **Status**: `{g.status}` ({STATUS_HELP.get(g.status, g.status)})"
      + (f": {md_code(g.status_message)}" if g.status_message else "") + "\n")
    w(f"- **Roster**: {md_code(person) if person else 'no roster line for this entry'}\n")
    if entry:
        w(f"- **Handed in**: {md_code(entry)}\n")
    if note:
        w(f"- **Graded file**: {md_code(note)}\n")
    if untouched:
        w(f"- **Untouched template**: the graded code is the template as handed out ({untouched})\n")
    if stale:
        w("- **Stale**: the file or the tests changed since this result; grade again without --student\n")
    w(f"- **Graded in**: {g.seconds:.1f} s; files: [feedback.md](feedback.md), [results.json](results.json)"
      + (", [output.txt](output.txt)" if printed else "") + "\n")
    w("\n| question | points |\n|---|---:|\n")
    points = g.question_points()
    for q, (pts, mx) in points.items():
        w(f"| {q}: {g.questions.get(q, '')} | {num(pts)} / {num(mx)} |\n")
    for q, title in g.questions.items():
        pts, mx = points[q]
        w(f"\n## {q}: {title} ({num(pts)} / {num(mx)})\n\n")
        for o in (o for o in g.outcomes if o.question == q):
            mark = "passed" if o.passed else "FAILED"
            hidden = " *(hidden)*" if o.hidden else ""
            w(f"- {mark}{hidden} {o.name}: {num(o.points)} / {num(o.max_points)}\n")
            if not o.passed and o.message:
                w(f"  - {md_code(o.message)}\n")
    w("\n## Printed output\n\n")
    if printed:
        w(f"The first {len(printed)} lines of [output.txt](output.txt):\n\n")
        for line in printed:
            w(f"1. {md_code(line)}\n")
    else:
        w("Nothing.\n")
    if figures:
        w("\n## Figures\n\n")
        for name in figures:
            w(f"- [{name}](figures/{name})\n" if FIGURE_NAME.fullmatch(name) else f"- {md_code(name)}\n")
    w("\n## Regrade history\n\n")
    if history:
        w("| when | old total | new total | status | why |\n|---|---:|---:|---|---|\n")
        for r in history:
            w(f"| {md_code(r.get('when', ''), table=True)} | {md_code(r.get('old_total', ''), table=True)} | "
              f"{md_code(r.get('new_total', ''), table=True)} | {md_code(r.get('new_status', ''), table=True)} | "
              f"{md_code(r.get('why', ''), table=True)} |\n")
    else:
        w("Graded once (no regrade).\n")
    if similar:
        w("\n## Unusually alike (see [similarity.md](../similarity.md))\n\n")
        for other, score in similar:
            w(f"- {md_code(other)}: {score:.2f}\n")
    return out.getvalue()
