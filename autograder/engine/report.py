"""What a grading run leaves behind: per student ``results.json`` (Gradescope's schema) and
``feedback.md``; per assignment ``grades.csv``, ``summary.md`` and ``histogram.png``.

Every file is written atomically (temp file + rename): an interrupted run leaves either the old file
or the new one, never half of one, and the gradebook is rebuilt from the per-student files, so a
rerun can neither lose nor duplicate a row.

Everything derived from a submission (the student's name, which is a file name; every message,
which may hold what the student's code returned or raised; what it printed) is shown through
``text``: Markdown puts it in a code span (``md_code``), CSV cells cannot start a formula
(``csv_text``), JSON text and the terminal carry no control character (``visible``).
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from pathlib import Path

from .score import STATUS_ORDER, Graded
from .status import Status
from .text import csv_text, md_code, visible

STATUS_HELP = {s.value: s.help for s in Status}
# The assignment's own files, beside the student folders: a student of that name gets ``_<name>``
# (no student's name starts with ``_``: discover ignores such entries, so no two students collide).
GRADEBOOK_FILES = {"grades.csv", "summary.md", "histogram.png"}


def write_atomic(path: Path, text: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_bytes(text.encode("utf-8", "backslashreplace") if isinstance(text, str) else text)
    os.replace(tmp, path)


def student_folder(out_dir: Path, student: str) -> Path:
    """Where a student's results go: ``out_dir/<student>``, or ``out_dir/_<student>`` for a student
    named like one of the gradebook's files (``summary.md.py`` is the student ``summary.md``)."""
    if not student or student in (".", "..") or "/" in student or "\0" in student:
        raise ValueError(f"{visible(student)!r} cannot name a folder")
    return out_dir / (f"_{student}" if student in GRADEBOOK_FILES else student)


# -- per student --------------------------------------------------------------------------------
def gradescope_tests(g: Graded, hidden_visibility: str, hidden_failed: str | None = None) -> list[dict]:
    """Gradescope's ``tests``: one entry per check, for both copies of ``results.json``.

    A failed hidden check's ``output`` is ``hidden_failed`` in the student's copy (its inputs and
    expected values never reach a student), its full message in the staff's (``None``).
    """
    def output(o) -> str:
        if o.passed:
            return "passed"
        return hidden_failed if o.hidden and hidden_failed is not None else visible(o.message, keep_newlines=True)

    return [{"name": f"{o.question}: {o.name}",
             "score": o.points,
             "max_score": o.max_points,
             "status": "passed" if o.passed else "failed",
             "output": output(o),
             "visibility": hidden_visibility if o.hidden else "visible"}
            for o in g.outcomes]


def results_json(g: Graded) -> dict:
    """The TA's ``results.json``: Gradescope's format, every message shown (hidden checks are marked
    ``hidden``; the students' copy is ``autograder.gradescope.results``)."""
    return {
        "score": g.total,
        "execution_time": g.seconds,
        "output": f"Status: {g.status}" + (f" ({visible(g.status_message)})" if g.status_message else ""),
        "tests": gradescope_tests(g, "hidden"),
        "extra_data": {"status": g.status},
    }


def feedback_md(g: Graded, check_command: str) -> str:
    out = io.StringIO()
    w = out.write
    w(f"# {g.assignment}: feedback for {md_code(g.student)}\n\n")
    w(f"**Score: {num(g.total)} / {num(g.max_total)}**  ·  status: `{g.status}`\n\n")
    if g.status != "ok":
        w(f"> **{STATUS_HELP.get(g.status, g.status)}**: {md_code(g.status_message)}\n\n")
    w("| question | points |\n|---|---:|\n")
    for q, (pts, mx) in g.question_points().items():
        w(f"| {q}: {g.questions.get(q, '')} | {num(pts)} / {num(mx)} |\n")
    for q, title in g.questions.items():
        pts, mx = g.question_points()[q]
        w(f"\n## {q}: {title} ({num(pts)} / {num(mx)})\n\n")
        for o in (o for o in g.outcomes if o.question == q):
            mark = "✅" if o.passed else "❌"
            if o.hidden:
                w(f"- {mark} {o.name} *(hidden test)*: {num(o.points)} / {num(o.max_points)}\n")
            else:
                detail = "" if o.passed else f"\n  - {md_code(o.message)}"
                w(f"- {mark} {o.name}: {num(o.points)} / {num(o.max_points)}{detail}\n")
    w(f"\nTo reproduce the public tests on your own machine: `{check_command}`\n")
    return out.getvalue()


def write_student(folder: Path, g: Graded, check_command: str) -> None:
    text = feedback_md(g, check_command)
    figures = sorted((folder / "figures").glob("*.png")) if (folder / "figures").is_dir() else []
    if figures:
        shown = ", ".join(md_code(f"figures/{f.name}") for f in figures)
        text += f"\nYour figures, as the grader drew them: {shown}\n"
    write_atomic(folder / "feedback.md", text)
    write_atomic(folder / "results.json", json.dumps(results_json(g), indent=1))
    write_atomic(folder / GRADED_FILE, json.dumps(g.to_dict()))  # last: marks "done" for the resume step


# The resume cache: the whole grading of one student, apart from the Gradescope-format results.json
# (which a TA may open, edit or upload).  A student folder without it was never finished.
GRADED_FILE = ".graded.json"


def is_graded(folder: Path) -> bool:
    return (folder / GRADED_FILE).exists()


def read_student(folder: Path) -> Graded | None:
    try:
        return Graded.from_dict(json.loads((folder / GRADED_FILE).read_text()))
    except (OSError, ValueError, KeyError, TypeError):
        return None


# -- per assignment -----------------------------------------------------------------------------
def write_gradebook(folder: Path, graded: list[Graded], notes: str = "") -> str:
    """grades.csv, summary.md and histogram.png; returns the summary as text for the terminal."""
    graded = sorted(graded, key=lambda g: g.student)
    questions = list(graded[0].questions) if graded else []
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["student", *questions, "total", "max_total", "status"])
    for g in graded:
        qp = g.question_points()
        writer.writerow([csv_text(g.student), *(num(qp.get(q, (0, 0))[0]) for q in questions), num(g.total),
                         num(g.max_total), csv_text(g.status)])
    write_atomic(folder / "grades.csv", buf.getvalue())
    summary = summary_md(graded, questions, {g.student: _printed(folder, g.student) for g in graded})
    summary += f"\n{notes}" if notes else ""
    write_atomic(folder / "summary.md", summary)
    if graded:
        write_atomic(folder / "histogram.png", histogram_png(graded))
    return summary


def _printed(folder: Path, student: str) -> str:
    try:
        return printed_lines(student_folder(folder, student))
    except ValueError:  # a name that cannot be a folder has no output.txt
        return ""


def printed_lines(folder: Path, n: int = 3, width: int = 80) -> str:
    """The first lines the student's file printed (output.txt), each a code span for a table cell
    (``md_code``: a carriage return or an escape sequence is shown, never acted on); '' if none."""
    try:
        with open(folder / "output.txt", "rb") as f:
            head = f.read(64 * 1024).decode("utf-8", "replace").split("\n")[:n + 1]
    except OSError:
        return ""
    head = [line.rstrip(" ")[:width] for line in head]
    head = [line for line in head if line]
    if not head:
        return ""
    more = " ..." if len(head) > n else ""
    return " / ".join(md_code(line, table=True) for line in head[:n]) + more


def summary_md(graded: list[Graded], questions: list[str], printed: dict[str, str] | None = None) -> str:
    if not graded:
        return "No submissions found.\n"
    out = io.StringIO()
    w = out.write
    n = len(graded)
    totals = sorted(g.total for g in graded)
    mx = graded[0].max_total
    w(f"# {graded[0].assignment}: {n} submissions\n\n")
    w(f"median {num(totals[n // 2] if n % 2 else (totals[n // 2 - 1] + totals[n // 2]) / 2)} / {num(mx)}, "
      f"mean {sum(totals) / n:.1f}, full marks {sum(t == mx for t in totals)} of {n}\n\n")
    w("| question | full marks | mean points |\n|---|---:|---:|\n")
    for q in questions:
        pts = [g.question_points().get(q, (0.0, 0.0)) for g in graded]
        full = sum(p == m for p, m in pts)
        w(f"| {q}: {graded[0].questions[q]} | {full}/{n} ({100 * full / n:.0f} %) | "
          f"{sum(p for p, _ in pts) / n:.1f} / {num(pts[0][1])} |\n")
    w("\nScore histogram (also histogram.png):\n\n```\n")
    bins = _bins(mx)
    for lo, hi in bins:
        count = sum(lo <= t < hi or (hi == mx and t == mx) for t in totals)
        w(f"{num(lo):>5}-{num(hi):<5} {'#' * count} {count}\n")
    w("```\n")
    printed = printed or {}
    trouble = [g for g in graded if g.status != "ok" or printed.get(g.student)]
    if trouble:
        w("\nNeeds a look:\n\n| student | status | what happened |\n|---|---|---|\n")
        for g in sorted(trouble, key=lambda g: (_rank(g.status), g.student)):
            what = md_code(g.status_message, table=True)
            if printed.get(g.student):
                output = md_code(f"{student_folder(Path(), g.student)}/output.txt", table=True)
                what += ("; " if what else "") + f"printed (see {output}): {printed[g.student]}"
            w(f"| {md_code(g.student, table=True)} | {g.status} | {what} |\n")
    return out.getvalue()


def _rank(status: str) -> int:
    """Worst first; a status this engine does not know (an old result) last."""
    return STATUS_ORDER.index(status) if status in STATUS_ORDER else len(STATUS_ORDER)


def histogram_png(graded: list[Graded]) -> bytes:
    """The class's totals as a bar chart (matplotlib's object API: no pyplot, no global state)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    mx = graded[0].max_total
    fig = Figure(figsize=(6, 3.2))
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    fig.subplots_adjust(left=0.1, right=0.97, bottom=0.16, top=0.9)
    edges = sorted({lo for lo, _ in _bins(mx)} | {mx})
    ax.hist([g.total for g in graded], bins=edges, color="#4c72b0", edgecolor="white")
    ax.set_xlabel(f"total score (out of {num(mx)})")
    ax.set_ylabel("students")
    ax.set_title(f"{graded[0].assignment}: {len(graded)} submissions")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    return buf.getvalue()


def preload_histogram() -> None:
    """Import what ``histogram_png`` needs (0.4 s of matplotlib) in a background thread, while the
    grading children run: the gradebook is then written without that wait."""
    import threading

    def load():
        try:
            import matplotlib.backends.backend_agg  # noqa: F401
            import matplotlib.figure  # noqa: F401
        except Exception:  # histogram_png imports them again and says what is wrong
            pass

    threading.Thread(target=load, name="preload-matplotlib", daemon=True).start()


def _bins(mx: float, k: int = 10) -> list[tuple[float, float]]:
    step = max(1, math.ceil(mx / k))
    edges = [i * step for i in range(int(mx // step) + 1)]
    if edges[-1] < mx:
        edges.append(mx)
    return list(zip(edges[:-1], edges[1:]))


def num(x: float) -> str:
    """A score as people write it: 3, 2.5, 0.33 (never 3.0)."""
    return str(int(x)) if float(x).is_integer() else f"{x:.2f}".rstrip("0")
