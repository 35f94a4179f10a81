"""What a grading run leaves behind: per student ``results.json`` (Gradescope's schema) and
``feedback.md``; per assignment ``grades.csv``, ``summary.md`` and ``histogram.png``.  (The staff's
page of one student is ``staff_page``; the regrade log ``history``; the roster and its export
``roster``; the similarity report ``similarity``.)

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
GRADEBOOK_FILES = {"grades.csv", "summary.md", "histogram.png", "history.csv", "similarity.md", "canvas.csv"}


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


def feedback_md(g: Graded, check_command: str, notes: list[str] = ()) -> str:
    """The student's page; ``notes``: what the student should know about what was graded (their
    folder held two files: which one was graded and why)."""
    out = io.StringIO()
    w = out.write
    w(f"# {g.assignment}: feedback for {md_code(g.student)}\n\n")
    w(f"**Score: {num(g.total)} / {num(g.max_total)}**  ·  status: `{g.status}`\n\n")
    if g.status != "ok":
        w(f"> **{STATUS_HELP.get(g.status, g.status)}**: {md_code(g.status_message)}\n\n")
    for note in notes:
        w(f"> Note: {md_code(note)}\n\n")
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


def write_student(folder: Path, g: Graded, check_command: str, meta: dict | None = None,
                  notes: list[str] = ()) -> None:
    """feedback.md, results.json and the resume cache; ``meta`` (plain JSON data: when, the file's and
    the tests' own fingerprints) is kept beside the grading in the cache (``read_meta``)."""
    text = feedback_md(g, check_command, notes)
    figures = sorted((folder / "figures").glob("*.png")) if (folder / "figures").is_dir() else []
    if figures:
        shown = ", ".join(md_code(f"figures/{f.name}") for f in figures)
        text += f"\nYour figures, as the grader drew them: {shown}\n"
    write_atomic(folder / "feedback.md", text)
    write_atomic(folder / "results.json", json.dumps(results_json(g), indent=1))
    write_atomic(folder / GRADED_FILE, json.dumps({**g.to_dict(), META: meta or {}}))  # last: marks "done"


# The resume cache: the whole grading of one student, apart from the Gradescope-format results.json
# (which a TA may open, edit or upload).  A student folder without it was never finished.
GRADED_FILE = ".graded.json"
META = "_meta"  # the cache's key for what is not the grading itself (``write_student``'s meta)


def is_graded(folder: Path) -> bool:
    return (folder / GRADED_FILE).exists()


def read_student(folder: Path) -> Graded | None:
    return read_record(folder)[0]


def read_meta(folder: Path) -> dict:
    """The meta data stored with the student's grading ({} if none: a result from before it was kept)."""
    return read_record(folder)[1]


def read_record(folder: Path) -> tuple[Graded | None, dict]:
    """The stored grading and its meta data; (None, {}) if there is none or it cannot be read."""
    try:
        data = json.loads((folder / GRADED_FILE).read_text())
        meta = data.pop(META, None)
        return Graded.from_dict(data), meta if isinstance(meta, dict) else {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None, {}


# -- per assignment -----------------------------------------------------------------------------
def write_gradebook(folder: Path, graded: list[Graded], notes: str = "",
                    flags: dict[str, list[str]] | None = None) -> str:
    """grades.csv, summary.md and histogram.png; returns the summary as text for the terminal.
    ``flags``: student -> what else needs a look (an untouched template, two files, ...)."""
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
    summary = summary_md(graded, questions, {g.student: _printed(folder, g.student) for g in graded}, flags)
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
    head = output_head(folder, n + 1, width)
    if not head:
        return ""
    more = " ..." if len(head) > n else ""
    return " / ".join(md_code(line, table=True) for line in head[:n]) + more


def output_head(folder: Path, n: int, width: int = 80) -> list[str]:
    """The first ``n`` non-blank lines of output.txt (read as bytes, at most 64 KB), each cut to
    ``width`` characters; [] if the file printed nothing.  Shown by the caller through ``text``."""
    try:
        with open(folder / "output.txt", "rb") as f:
            head = f.read(64 * 1024).decode("utf-8", "replace").split("\n")
    except OSError:
        return []
    head = [line.rstrip(" ")[:width] for line in head]
    return [line for line in head if line][:n]


def counted(g: Graded) -> bool:
    """Whether a row counts in the class's statistics (mean, median, pass rates, the histogram's
    bins): not when nothing was there to grade (status ``missing``) or nothing of it could be run
    (status ``error`` with 0 points: it does not parse, crashed on import, or the grader failed).
    Those are shown apart, never mixed with the real zeros."""
    return not (g.status == "missing" or (g.status == "error" and g.total == 0))


def summary_md(graded: list[Graded], questions: list[str], printed: dict[str, str] | None = None,
               flags: dict[str, list[str]] | None = None) -> str:
    if not graded:
        return "No submissions found.\n"
    out = io.StringIO()
    w = out.write
    n = len(graded)
    real = [g for g in graded if counted(g)]
    apart = n - len(real)
    mx = graded[0].max_total
    w(f"# {graded[0].assignment}: {n} submissions\n\n")
    if real:
        m = len(real)
        totals = sorted(g.total for g in real)
        median = totals[m // 2] if m % 2 else (totals[m // 2 - 1] + totals[m // 2]) / 2
        w(f"Over the {m} graded: median {num(median)} / {num(mx)}, mean {sum(totals) / m:.1f}, "
          f"full marks {sum(t == mx for t in totals)} of {m}.")
    else:
        w("Nothing could be graded.")
    if apart:
        w(f" Not counted in the mean, the median or the tables: {apart} missing or not loadable "
          f"(status `missing`, or `error` with 0 points), shown apart.")
    w("\n\n")
    if real:
        m = len(real)
        w(f"| question | full marks (of {m} graded) | mean points |\n|---|---:|---:|\n")
        for q in questions:
            pts = [g.question_points().get(q, (0.0, 0.0)) for g in real]
            full = sum(p == mx_q for p, mx_q in pts)
            w(f"| {q}: {graded[0].questions[q]} | {full}/{m} ({100 * full / m:.0f} %) | "
              f"{sum(p for p, _ in pts) / m:.1f} / {num(pts[0][1])} |\n")
    w("\nScore histogram (also histogram.png):\n\n```\n")
    for label, count in histogram_counts(graded):
        w(f"{label:>13} {'#' * count} {count}\n")
    w("```\n")
    printed = printed or {}
    flags = flags or {}
    trouble = [g for g in graded if g.status != "ok" or printed.get(g.student) or flags.get(g.student)]
    if trouble:
        w("\nNeeds a look:\n\n| student | status | what happened |\n|---|---|---|\n")
        for g in sorted(trouble, key=lambda g: (_rank(g.status), not flags.get(g.student), g.student)):
            what = [md_code(g.status_message, table=True)] if g.status_message else []
            what += [md_code(flag, table=True) for flag in flags.get(g.student, [])]
            if printed.get(g.student):
                output = md_code(f"{student_folder(Path(), g.student)}/output.txt", table=True)
                what.append(f"printed (see {output}): {printed[g.student]}")
            w(f"| {md_code(g.student, table=True)} | {g.status} | {'; '.join(what)} |\n")
    return out.getvalue()


def _rank(status: str) -> int:
    """Worst first; a status this engine does not know (an old result) last."""
    return STATUS_ORDER.index(status) if status in STATUS_ORDER else len(STATUS_ORDER)


# -- the histogram: whole-point bins, full marks in a bin of its own, the uncounted apart ----------
APART = "missing/error"


def histogram_bins(mx: float, k: int = 10) -> list[tuple[float, float]]:
    """[lo, hi) bins of the same whole number of points (``ceil(mx / k)``) from 0 up to the maximum;
    the maximum itself (full marks) is a last bin of its own, ``(mx, mx)``."""
    step = max(1, math.ceil(mx / k))
    edges = list(range(0, math.ceil(mx), step))
    bins = [(float(lo), float(min(lo + step, mx))) for lo in edges]
    return bins + [(float(mx), float(mx))]


def _bin_of(total: float, bins: list[tuple[float, float]]) -> int:
    for i, (lo, hi) in enumerate(bins):
        if lo <= total < hi or lo == hi == total:
            return i
    return len(bins) - 1 if total >= bins[-1][0] else 0  # past the maximum (an old result): the top


def _bin_label(lo: float, hi: float, whole: bool) -> str:
    if lo == hi:
        return num(lo)
    if whole:  # every score is a whole number: the bin's first and last possible score
        return num(lo) if hi - lo == 1 else f"{num(lo)}-{num(math.ceil(hi) - 1)}"
    return f"{num(lo)} to <{num(hi)}"


def histogram_counts(graded: list[Graded]) -> list[tuple[str, int]]:
    """(label, count) per bin, lowest first, then ``APART``: the rows ``counted`` leaves out."""
    mx = graded[0].max_total
    bins = histogram_bins(mx)
    real = [g.total for g in graded if counted(g)]
    whole = all(float(t).is_integer() for t in real) and float(mx).is_integer()
    counts = [0] * len(bins)
    for t in real:
        counts[_bin_of(t, bins)] += 1
    rows = [(_bin_label(lo, hi, whole), c) for (lo, hi), c in zip(bins, counts)]
    return rows + [(APART, len(graded) - len(real))]


def histogram_layout(graded: list[Graded]) -> dict:
    """Where ``histogram_png`` draws: one bar per bin, all of the same width (``lefts``, ``widths``,
    ``counts``; the bins are side by side, in order: a last regular bin holding fewer points, when the
    maximum is no multiple of the bin width, is drawn as wide as the others, and so is full marks),
    the uncounted bar apart on the left (``apart_at``, ``apart``), a tick under the middle of every bar
    (``ticks``, ``labels``), and the mean of the counted (``mean``, drawn at ``mean_x``, inside its
    bin where it falls; None if nothing counts)."""
    mx = graded[0].max_total
    bins = histogram_bins(mx)
    rows = histogram_counts(graded)
    step = float(max(1, math.ceil(mx / 10)))
    lefts = [i * step for i in range(len(bins))]
    widths = [step] * len(bins)
    apart_at = -2 * step
    real = [g.total for g in graded if counted(g)]
    mean = sum(real) / len(real) if real else None
    mean_x = None
    if mean is not None:
        # a whole score s stands for the cell [s, s + 1) of its bin: the mean goes where its cell would
        whole = all(float(t).is_integer() for t in real)
        t = mean + 0.5 if whole else mean
        i = _bin_of(t, bins)
        lo, hi = bins[i]
        points = (hi - lo) or (1.0 if whole else 0.0)
        mean_x = lefts[i] + step * (min(max((t - lo) / points, 0.0), 1.0) if points else 0.5)
    return {"lefts": lefts, "widths": widths, "counts": [c for _, c in rows[:-1]], "step": step,
            "apart_at": apart_at, "apart": rows[-1][1],
            "ticks": [x + wd / 2 for x, wd in zip([apart_at] + lefts, [step] + widths)],
            "labels": ["missing/\nerror"] + [label for label, _ in rows[:-1]],
            "mean": mean, "mean_x": mean_x, "counted": len(real)}


def histogram_png(graded: list[Graded]) -> bytes:
    """The class's totals as a bar chart (matplotlib's object API: no pyplot, no global state), as
    ``histogram_layout`` places it."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    mx = graded[0].max_total
    lay = histogram_layout(graded)
    fig = Figure(figsize=(7, 3.4))
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.2, top=0.88)
    ax.bar(lay["lefts"], lay["counts"], width=lay["widths"], align="edge", color="#4c72b0", edgecolor="white")
    ax.bar([lay["apart_at"]], [lay["apart"]], width=lay["step"], align="edge", color="#bbbbbb", edgecolor="white",
           hatch="//")
    ax.set_xticks(lay["ticks"], lay["labels"], fontsize=8)
    ax.set_xlim(lay["apart_at"] - lay["step"] / 2, lay["lefts"][-1] + lay["step"] * 1.5)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(0, max(lay["counts"] + [lay["apart"], 1]) * 1.3)  # room for the legend above the bars
    if lay["mean"] is not None:
        ax.axvline(lay["mean_x"], color="#dd8452", linestyle="--", linewidth=1.5,
                   label=f"mean {lay['mean']:.1f} over the {lay['counted']} graded")
        ax.legend(loc="upper center", fontsize=8, frameon=False)
    ax.set_xlabel(f"total score (out of {num(mx)}; full marks in a bar of its own)")
    ax.set_ylabel("students")
    apart = f" ({lay['apart']} missing or not loadable, shown apart)" if lay["apart"] else ""
    ax.set_title(f"{graded[0].assignment}: {len(graded)} submissions{apart}", fontsize=10)
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


def num(x: float) -> str:
    """A score as people write it: 3, 2.5, 0.33 (never 3.0)."""
    return str(int(x)) if float(x).is_integer() else f"{x:.2f}".rstrip("0")
