"""Find every student's submission in a folder: one entry per student, whatever they handed in.

    discover(folder, "reverse_mode", staging) -> {student: Submission}

An entry of the folder is a student: ``<student>.py``, ``<student>.ipynb`` (its code cells, as otter
grades a notebook), ``<student>.zip`` holding ``<id>.py`` or ``<id>.ipynb``, or a folder
``<student>/`` holding one of those.  Anything else is still a student, graded ``missing``, with a
message that names what was found (and the file that was probably meant).  Notebooks and zips are
turned into a plain ``<id>.py`` inside ``staging``; nothing is ever extracted outside it.
"""

from __future__ import annotations

import difflib
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

# Not students: hidden files, the example class's answer key, notes a TA may keep beside the files.
IGNORED_PREFIXES = (".", "_")
IGNORED_NAMES = {"expected.toml", "__MACOSX"}
MAX_SOURCE_BYTES = 5 * 2**20  # a submission larger than this is not a hand-written .py file
MAX_LISTED = 8  # files named in a "missing" message


class DiscoveryError(Exception):
    """The folder cannot be graded as it is (the message says why and what to do)."""


@dataclass
class Submission:
    student: str
    entry: Path  # what the student handed in (file or folder)
    source: Path | None  # the .py file to grade; None: nothing gradable (see problem)
    problem: str = ""  # why source is None


def discover(folder: Path, assignment: str, staging: Path) -> dict[str, Submission]:
    """student -> Submission, for every entry of ``folder``; raises DiscoveryError on an empty folder
    or on two entries for one student."""
    found: dict[str, Submission] = {}
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith(IGNORED_PREFIXES) or entry.name in IGNORED_NAMES or entry.name.startswith("README"):
            continue
        student = entry.name if entry.is_dir() else entry.stem
        if student in found:
            raise DiscoveryError(f"two entries for the student {student!r}: {_shown(found[student].entry)} and "
                                 f"{_shown(entry)}; keep one of them (e.g. move the "
                                 f"other out of {folder}) and grade again")
        found[student] = _submission(student, entry, assignment, staging / student)
    if not found:
        raise DiscoveryError(f"{folder} holds no submissions: put one entry per student in it "
                             f"(<student>.py, <student>.ipynb, <student>.zip or a folder <student>/ "
                             f"with {assignment}.py)")
    return found


def _shown(entry: Path) -> str:
    return entry.name + ("/" if entry.is_dir() else "")


def _submission(student: str, entry: Path, assignment: str, staging: Path) -> Submission:
    target = f"{assignment}.py"
    if entry.is_dir():
        for name in (target, f"{assignment}.ipynb"):
            if (entry / name).is_file():
                return _from_file(student, entry, entry / name, assignment, staging)
        return Submission(student, entry, None, f"the folder {entry.name}/ has no {target}; " + _found(
            [p.relative_to(entry).as_posix() for p in sorted(entry.rglob("*")) if p.is_file()
             and not any(part.startswith(IGNORED_PREFIXES) for part in p.relative_to(entry).parts)], target))
    if entry.suffix in (".py", ".ipynb"):
        return _from_file(student, entry, entry, assignment, staging)
    if entry.suffix == ".zip":
        return _from_zip(student, entry, assignment, staging)
    return Submission(student, entry, None, f"found {entry.name}, which is not a submission "
                                            f"(a {target}, a notebook {assignment}.ipynb or a .zip holding {target})")


def _from_file(student: str, entry: Path, path: Path, assignment: str, staging: Path) -> Submission:
    if path.suffix == ".py":
        return Submission(student, entry, path)
    try:
        source = notebook_source(path.read_bytes())
    except ValueError as err:
        return Submission(student, entry, None, f"{path.name} is not a readable notebook ({err})")
    return Submission(student, entry, _stage(staging, assignment, source))


def _from_zip(student: str, entry: Path, assignment: str, staging: Path) -> Submission:
    """Reads only the one member it grades, by name, with a size cap: no path in the archive is
    ever written to disk (no traversal), and a zip bomb is refused before it is inflated."""
    try:
        with zipfile.ZipFile(entry) as z:
            members = [m for m in z.infolist() if not m.is_dir() and "__MACOSX" not in m.filename]
            names = [m.filename for m in members]
            for wanted in (f"{assignment}.py", f"{assignment}.ipynb"):
                hits = [m for m in members if m.filename.rsplit("/", 1)[-1] == wanted]
                if len(hits) > 1:
                    return Submission(student, entry, None, f"{entry.name} holds {len(hits)} files named {wanted} "
                                      f"({', '.join(m.filename for m in hits)}); it must hold one")
                if hits:
                    if hits[0].file_size > MAX_SOURCE_BYTES:
                        return Submission(student, entry, None, f"{entry.name}: {hits[0].filename} is "
                                          f"{hits[0].file_size // 2**20} MB, too large to be a submission")
                    data = z.read(hits[0])
                    source = data.decode("utf-8", "replace") if wanted.endswith(".py") else notebook_source(data)
                    return Submission(student, entry, _stage(staging, assignment, source))
    except (zipfile.BadZipFile, OSError, ValueError) as err:
        return Submission(student, entry, None, f"{entry.name} is not a readable zip file ({err})")
    return Submission(student, entry, None, f"{entry.name} has no {assignment}.py; " + _found(names, f"{assignment}.py"))


def _stage(staging: Path, assignment: str, source: str) -> Path:
    staging.mkdir(parents=True, exist_ok=True)
    path = staging / f"{assignment}.py"
    path.write_text(source)
    return path


def notebook_source(data: bytes) -> str:
    """The code cells of a notebook, in order, as one script: IPython magics (``%``, ``%%``) and shell
    escapes (``!``) are commented out, as otter does before grading a notebook as a script."""
    import nbformat

    try:
        nb = nbformat.reads(data.decode("utf-8"), as_version=4)
    except Exception as err:  # nbformat raises several unrelated types for a damaged file
        raise ValueError(f"{type(err).__name__}: {err}") from None
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        lines = [f"# {line}" if line.lstrip().startswith(("%", "!")) else line for line in cell.source.splitlines()]
        cells.append("\n".join(lines))
    return "\n\n".join(cells) + "\n"


def _found(names: list[str], target: str) -> str:
    """'it holds a.py, b.txt (rename X to target ...)' -- what the TA and the student need to know."""
    if not names:
        return "it is empty"
    shown = ", ".join(names[:MAX_LISTED]) + (f" and {len(names) - MAX_LISTED} more" if len(names) > MAX_LISTED else "")
    text = f"it holds {shown}"
    close = close_names([n for n in names if n.endswith((".py", ".ipynb"))], target)
    if close:
        text += f" (did you mean {' or '.join(close)}? the file must be named exactly {target})"
    return text


def close_names(names: list[str], target: str) -> list[str]:
    """Names that look like ``target`` (``Reverse_Mode.py``, ``my_reverse.py``, ``reverse_mode_v1.py``)."""
    key = _letters(Path(target).stem)
    stem_words = [w for w in re.split(r"[_\W]+", Path(target).stem.lower()) if len(w) > 4]
    close = []
    for name in names:
        stem = _letters(Path(name).name.rsplit(".", 1)[0])
        if (key in stem or stem in key and len(stem) > 3
                or difflib.SequenceMatcher(None, key, stem).ratio() > 0.6
                or any(w in stem for w in stem_words)):
            close.append(name)
    return close


def _letters(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())
