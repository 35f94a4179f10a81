"""The regrade log of one assignment: ``grades/<id>/history.csv``, one row per change of a stored result.

    when,student,old_total,new_total,max_total,old_status,new_status,why
    2025-03-04T15:02:11+01:00,alice,31,38,36,ok,ok,changed file

A row is appended whenever a student who already had a stored result is graded again (``why``: any
of "changed file", "suite changed" (the tests, the reference solution or the engine), "forced"
(``--force``), "named with --student", joined by "; "; "changed file or tests" for a result stored
before the log kept the file's own fingerprint), when a student is no longer in the submissions
folder (new total 0, status ``missing``) and when such a student is back.  A first grading is not a
regrade and is not logged.  Nothing is ever rewritten: the log only grows, so a 31 -> 38 is never
lost, and a TA can answer "why did my grade change?" from it.

Text cells (the student's name, which is a file name, statuses, the reason) go through
``text.csv_text``: no cell can start a spreadsheet formula.  Rows are appended by the grading
threads under one lock, each with a single write.
"""

from __future__ import annotations

import csv
import io
import threading
import time
from pathlib import Path

from .text import csv_text

FILE = "history.csv"
COLUMNS = ["when", "student", "old_total", "new_total", "max_total", "old_status", "new_status", "why"]
CHANGED_FILE = "changed file"
SUITE_CHANGED = "suite changed"
FORCED = "forced"
NAMED = "named with --student"
UNKNOWN = "changed file or tests"
REGRADED = "regraded (the stored result was incomplete)"
GONE = "no longer in the submissions folder"
BACK = "back in the submissions folder"
_LOCK = threading.Lock()


def now() -> str:
    """The local time with its UTC offset, to the second (ISO 8601)."""
    return time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime())


def reasons(old_meta: dict, new_meta: dict, forced: bool, named: bool) -> str:
    """Why a stored result is graded again, from the fingerprints kept with each grading ("file":
    the submission's, "inputs": the tests' and the engine's)."""
    why = [NAMED] if named else []
    why += [FORCED] if forced and not named else []
    if old_meta.get("file") and old_meta.get("inputs"):
        why += [CHANGED_FILE] if old_meta["file"] != new_meta.get("file") else []
        why += [SUITE_CHANGED] if old_meta["inputs"] != new_meta.get("inputs") else []
    elif not why:
        why.append(UNKNOWN)
    return "; ".join(why) or REGRADED


def append(out_dir: Path, student: str, old_total: float | None, new_total: float, max_total: float,
           old_status: str, new_status: str, why: str, when: str | None = None) -> None:
    """One row at the end of ``out_dir/history.csv`` (its header first if it is new)."""
    from .report import num

    row = [when or now(), csv_text(student), "" if old_total is None else num(old_total), num(new_total),
           num(max_total), csv_text(old_status), csv_text(new_status), csv_text(why)]
    buf = io.StringIO()
    writer = csv.writer(buf)
    path = out_dir / FILE
    with _LOCK:
        if not path.exists():
            writer.writerow(COLUMNS)
        writer.writerow(row)
        out_dir.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8", newline="") as f:
            f.write(buf.getvalue())


def read(out_dir: Path) -> list[dict[str, str]]:
    """Every row of the log, oldest first ([] if there is none or it cannot be read)."""
    try:
        with open(out_dir / FILE, encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))
    except (OSError, csv.Error, UnicodeDecodeError):
        return []


def last_reason(rows: list[dict[str, str]]) -> dict[str, str]:
    """The student cell -> the reason of their latest row."""
    return {r.get("student", ""): r.get("why", "") for r in rows}


def of(rows: list[dict[str, str]], student: str) -> list[dict[str, str]]:
    """The rows of one student (``student`` as a name; the log holds it through ``csv_text``)."""
    cell = csv_text(student)
    return [r for r in rows if r.get("student") == cell]
