"""The course roster (who each entry of the submissions folder is) and the gradebook export a
learning-management system imports.

``roster.csv`` is optional; where it is read from: ``--roster FILE``, else ``roster.csv`` in the
assignment's submissions folder, else in the ``--submissions`` folder (one roster for all four
assignments).  A header row, then one row per student; columns are matched by name, in any order,
case and spaces ignored:

| column | holds | also accepted as |
|---|---|---|
| ``entry`` (required) | the student's entry in the submissions folder: the file name without ``.py`` / ``.ipynb`` / ``.zip``, or the folder's name | ``submission``, ``file`` |
| ``name`` | the name shown in the LMS ("Pascal, Blaise") | ``student``, ``display name`` |
| ``id`` | the institution's student id | ``student id``, ``sis user id`` |
| ``email`` | the student's e-mail (Canvas's login unless ``login`` is given) | ``e-mail`` |
| ``login``, ``section``, ``canvas_id`` | optional: Canvas's SIS Login ID, section, user ID | ``sis login id``, ``canvas id`` |

The export is ``grades/<id>/canvas.csv``, in the layout of Canvas's own gradebook CSV (what Grades >
Export writes and Grades > Import reads back): the columns ``Student``, ``ID``, ``SIS User ID``,
``SIS Login ID``, ``Section``, then one column named after the assignment, and a second row
``Points Possible`` holding its maximum.  Canvas matches each row to an enrolled student by its IDs
(``SIS User ID`` from ``id``, ``SIS Login ID`` from ``login`` or ``email``, ``ID`` from
``canvas_id``), so an entry without a roster line cannot be matched and is left out (and listed, in
summary.md and on the console).  Students on the roster with no entry are listed too, and left out
of the export (an empty cell would change nothing in Canvas anyway).

Every text cell goes through ``text.csv_text`` (the roster is the TAs' file, but an entry's name is a
file name a student chose); a roster that cannot be read is an error before anything is graded.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from .text import csv_text, visible

FILE = "roster.csv"
EXPORT = "canvas.csv"
CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
# our field -> the header names it may have (lower case, spaces and _ - removed)
SYNONYMS = {
    "entry": ("entry", "submission", "file"),
    "name": ("name", "student", "displayname", "studentname"),
    "id": ("id", "studentid", "sisuserid", "sisid"),
    "email": ("email", "e-mail", "mail"),
    "login": ("login", "sisloginid", "loginid"),
    "section": ("section",),
    "canvas_id": ("canvasid", "canvasuserid"),
}


class RosterError(Exception):
    """The roster cannot be used as it is (the message says why and what to do)."""


@dataclass
class Person:
    entry: str
    name: str = ""
    id: str = ""
    email: str = ""
    login: str = ""
    section: str = ""
    canvas_id: str = ""

    @property
    def sis_login(self) -> str:
        return self.login or self.email

    def describe(self) -> str:
        """One line: name, id, e-mail (what is known)."""
        return ", ".join(x for x in (self.name, f"id {self.id}" if self.id else "", self.email) if x)


def find(explicit: Path | None, folder: Path, root: Path) -> Path | None:
    """The roster file to use: ``explicit``, else ``folder/roster.csv``, else ``root/roster.csv``."""
    if explicit is not None:
        return explicit
    for candidate in (folder / FILE, root / FILE):
        if candidate.is_file():
            return candidate
    return None


def _key(header: str) -> str:
    return "".join(ch for ch in header.strip().lower() if ch not in " _-") or header


def read(path: Path) -> dict[str, Person]:
    """entry -> Person; RosterError if the file cannot be read, has no ``entry`` column, or lists
    an entry twice."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise RosterError(f"cannot read the roster {path}: {err.strerror or err}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", "replace")  # what a spreadsheet on Windows saves
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise RosterError(f"the roster {path} is empty: it needs a header row (entry,name,id,email)")
    header = [_key(h) for h in rows[0]]
    where = {}
    for field, names in SYNONYMS.items():
        for i, h in enumerate(header):
            if h in names and field not in where:
                where[field] = i
    if "entry" not in where:
        raise RosterError(f"the roster {path} has no column 'entry' (the student's name in the submissions "
                          f"folder); its columns are: {', '.join(visible(h) for h in rows[0])}")
    people: dict[str, Person] = {}
    for number, row in enumerate(rows[1:], 2):
        if not any(cell.strip() for cell in row):
            continue
        values = {f: (row[i].strip() if i < len(row) else "") for f, i in where.items()}
        if not values["entry"]:
            raise RosterError(f"the roster {path}, line {number}: the column 'entry' is empty")
        if values["entry"] in people:
            raise RosterError(f"the roster {path} lists the entry {visible(values['entry'])!r} twice "
                              f"(line {number}); keep one line per student")
        people[values["entry"]] = Person(**values)
    return people


def canvas_csv(people: dict[str, Person], totals: dict[str, float], column: str, max_total: float) -> str:
    """Canvas's gradebook CSV for ``totals`` (entry -> total); entries without a roster line are left
    out (``unmatched`` lists them)."""
    from .report import num

    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([*CANVAS_COLUMNS, csv_text(column)])
    writer.writerow(["Points Possible", "", "", "", "", num(max_total)])
    for entry in sorted(totals, key=lambda e: (people[e].name or e) if e in people else e):
        p = people.get(entry)
        if p is None:
            continue
        writer.writerow([csv_text(p.name or entry), csv_text(p.canvas_id), csv_text(p.id), csv_text(p.sis_login),
                         csv_text(p.section), num(totals[entry])])
    return buf.getvalue()


def unmatched(people: dict[str, Person], entries: list[str]) -> tuple[list[str], list[str]]:
    """(entries with no roster line, roster entries with no entry in the folder), each sorted."""
    return sorted(e for e in entries if e not in people), sorted(e for e in people if e not in set(entries))
