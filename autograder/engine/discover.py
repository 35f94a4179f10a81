"""Find every student's submission in a folder: one entry per student, whatever they handed in.

    discover(folder, "reverse_mode", staging) -> {student: Submission}

An entry of the folder is a student: ``<student>.py``, ``<student>.ipynb`` (its code cells, as otter
grades a notebook), ``<student>.zip`` holding ``<id>.py`` or ``<id>.ipynb``, or a folder
``<student>/`` holding one of those.  A zip or folder holding both is graded from one (``choose``:
the one that is not the untouched template, else the newer, else the ``.py``; ``Submission.note``
says which and why), and an entry whose graded code is the template as handed out is marked
(``Submission.untouched``, ``template_match``).  ``roster.csv`` is the TAs' roster, not a student.  Anything else is still a student, graded ``missing``, with a
message that names what was found (and the file that was probably meant).  Notebooks and zips are
turned into a plain ``<id>.py`` inside ``staging``; nothing is ever extracted.

A student controls the contents of one entry, its names included, so everything read here is data
whose every failure is that student's: ``discover`` never raises because of one entry (only for the
folder as a whole: empty, or two entries for one student).  An entry that cannot be graded becomes a
``Submission`` with ``source=None`` and a one-sentence ``problem`` saying what to do:

* links: a symbolic link -- the entry itself, anywhere inside a folder, or a zip member whose mode
  says link -- refuses the whole entry and is never followed (it could point at another student's
  file or at the solution).  A hard link is not detected: it is the file itself (and no upload form
  carries one: a zip cannot);
* sizes: a ``.py`` (or a zip's ``.py``) of at most ``MAX_SOURCE_BYTES``, a notebook of at most
  ``MAX_NOTEBOOK_BYTES``, a zip of at most ``MAX_ZIP_BYTES`` with at most ``MAX_ZIP_MEMBERS`` members;
  a folder of at most ``MAX_FOLDER_ENTRIES`` files and folders, ``MAX_FOLDER_DEPTH`` levels,
  ``MAX_FOLDER_BYTES`` in all;
* zips: the one member graded is read through a bounded stream (its declared size and the bytes it
  inflates to are both capped); a password, an unknown compression method or damage is refused with
  its reason; a zip inside the zip is **not opened** (one level only: the reason says to zip the file
  itself);
* notebooks: read as JSON here (no nbformat: nothing is validated by mutating, nothing warns); a
  damaged file, cells whose source is not text, and code holding a NUL or a lone surrogate (which no
  Python file can hold) are refused.

Any other exception while reading one entry is that student's row too (``internal=True``: graded
``error``, the message names the exception).
"""

from __future__ import annotations

import difflib
import json
import os
import re
import stat
import time
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from .text import visible

# Not students: hidden files, the example class's answer key, notes a TA may keep beside the files.
IGNORED_PREFIXES = (".", "_")
IGNORED_NAMES = {"expected.toml", "__MACOSX", "roster.csv"}  # roster.csv: the TAs' roster (roster.py)
MB = 2**20
MAX_SOURCE_BYTES = 5 * MB  # a .py larger than this is not a hand-written file
MAX_NOTEBOOK_BYTES = 20 * MB  # a notebook carries its outputs (figures) too
MAX_ZIP_BYTES = 100 * MB
MAX_ZIP_MEMBERS = 10_000
MAX_ZIP_DIRECTORY_BYTES = 300 * MAX_ZIP_MEMBERS  # the central directory, read whole when a zip is opened
MAX_FOLDER_ENTRIES = 10_000
MAX_FOLDER_DEPTH = 32
MAX_FOLDER_BYTES = 500 * MB
MAX_LISTED = 8  # files named in a "missing" message
MAX_NAME_SHOWN = 80  # characters of one name in a message
MAX_PROBLEM_CHARS = 600
ZIP_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
ZIP_ENCRYPTED = 0x1  # general purpose flag bit 0


class DiscoveryError(Exception):
    """The folder cannot be graded as it is (the message says why and what to do)."""


class Refused(Exception):
    """One entry cannot be graded; the message (one sentence) says why and what to do."""


@dataclass
class Submission:
    student: str
    entry: Path  # what the student handed in (file or folder)
    source: Path | None  # the .py file to grade; None: nothing gradable (see problem)
    problem: str = ""  # why source is None
    internal: bool = False  # the grader failed on this entry (status error), rather than refusing it
    note: str = ""  # the entry held both <id>.py and <id>.ipynb: which one is graded, and why
    untouched: str = ""  # the graded code is the template as handed out: how ("byte-identical", ...)


def discover(folder: Path, assignment: str, staging: Path, template: bytes | None = None) -> dict[str, Submission]:
    """student -> Submission, for every entry of ``folder``; raises DiscoveryError on an empty folder
    or on two entries for one student.  ``staging``: where notebooks and zips become ``<id>.py``
    (one numbered folder per entry: no name from a submission builds a path there).  ``template``:
    the stub students start from (``student_template/<id>.py``), to flag an untouched one and to
    choose between an entry's ``.py`` and ``.ipynb`` (``choose``)."""
    found: dict[str, Submission] = {}
    for number, entry in enumerate(sorted(folder.iterdir())):
        if entry.name.startswith(IGNORED_PREFIXES) or entry.name in IGNORED_NAMES or entry.name.startswith("README"):
            continue
        student = student_name(entry)
        if student in found:
            raise DiscoveryError(f"two entries for the student {shown(student)!r}: "
                                 f"{_shown_entry(found[student].entry)} and {_shown_entry(entry)}; keep one of "
                                 f"them (e.g. move the other out of {folder}) and grade again")
        found[student] = submission(student, entry, assignment, staging / f"{number:05d}", template)
    if not found:
        raise DiscoveryError(f"{folder} holds no submissions: put one entry per student in it "
                             f"(<student>.py, <student>.ipynb, <student>.zip or a folder <student>/ "
                             f"with {assignment}.py)")
    return found


def student_name(entry: Path) -> str:
    """A folder's name, or a file's name without its extension."""
    return entry.name if _is_dir(entry) else entry.stem


def _is_dir(entry: Path) -> bool:
    """A folder, or a link to one (an entry that cannot even be looked at is not: ``submission``
    then says why)."""
    try:
        return entry.is_dir()
    except OSError:
        return False


def submission(student: str, entry: Path, assignment: str, staging: Path,
               template: bytes | None = None) -> Submission:
    """The entry as a Submission; never raises (a refusal or a failure is the ``problem``).
    ``template``: see ``discover`` (without it, an entry's two files are chosen by date alone)."""
    try:
        sub = _submission(student, entry, assignment, staging, template)
        if sub.source is not None and template is not None:
            sub.untouched = template_match(sub.source.read_bytes(), template)
        return sub
    except Refused as why:
        return Submission(student, entry, None, _one_line(str(why)))
    except Exception as exc:  # a grader bug on this entry's data: this student's row, named
        return Submission(student, entry, None, _one_line(f"internal error while reading {shown(entry.name)}: "
                                                          f"{type(exc).__name__}: {exc} (tell the course staff)"),
                          internal=True)


def shown(name: str) -> str:
    """A name from a submission as a message shows it: visible (no control character), at most
    ``MAX_NAME_SHOWN`` characters."""
    name = visible(name)
    return name if len(name) <= MAX_NAME_SHOWN else name[:MAX_NAME_SHOWN - 1] + "…"


def _shown_entry(entry: Path) -> str:
    return shown(entry.name) + ("/" if _is_dir(entry) else "")


def _one_line(text: str) -> str:
    text = visible(text)
    return text if len(text) <= MAX_PROBLEM_CHARS else text[:MAX_PROBLEM_CHARS - 1] + "…"


def _submission(student: str, entry: Path, assignment: str, staging: Path,
                template: bytes | None = None) -> Submission:
    mode = os.lstat(entry).st_mode
    if stat.S_ISLNK(mode):
        raise Refused(f"{shown(entry.name)} is a symbolic link, which is never followed; hand in the file itself")
    if stat.S_ISDIR(mode):
        return _from_folder(student, entry, assignment, staging, template)
    if not stat.S_ISREG(mode):
        raise Refused(f"{shown(entry.name)} is not a regular file; hand in {assignment}.py itself")
    if entry.suffix == ".py":
        return _from_py(student, entry, entry)
    if entry.suffix == ".ipynb":
        return _from_notebook(student, entry, _read_notebook(entry), shown(entry.name),
                              assignment, staging)
    if entry.suffix == ".zip":
        return _from_zip(student, entry, assignment, staging, template)
    raise Refused(f"found {shown(entry.name)}, which is not a submission "
                  f"(a {assignment}.py, a notebook {assignment}.ipynb or a .zip holding {assignment}.py)")


# -- a .py file, a notebook ---------------------------------------------------------------------
def _from_py(student: str, entry: Path, path: Path) -> Submission:
    size = os.lstat(path).st_size
    if size > MAX_SOURCE_BYTES:
        raise Refused(f"{shown(path.name)} is too large ({_mb(size)}, more than {_mb(MAX_SOURCE_BYTES)}); "
                      f"hand in the source file only")
    return Submission(student, entry, path)


def _read_notebook(path: Path) -> bytes:
    """A notebook file's bytes, refused past ``MAX_NOTEBOOK_BYTES`` (never more is read)."""
    with open(path, "rb") as f:
        data = f.read(MAX_NOTEBOOK_BYTES + 1)
    if len(data) > MAX_NOTEBOOK_BYTES:
        raise Refused(f"{shown(path.name)} is too large (more than {_mb(MAX_NOTEBOOK_BYTES)}); clear the "
                      f"notebook's outputs (Kernel > Restart & Clear Output), save it and hand it in again")
    return data


def _from_notebook(student: str, entry: Path, data: bytes, name: str, assignment: str, staging: Path) -> Submission:
    try:
        source = notebook_source(data)
    except ValueError as err:
        raise Refused(f"{name} is not a readable notebook ({err}); open it in Jupyter, save it "
                      f"and hand it in again (or hand in {assignment}.py)") from None
    return Submission(student, entry, _stage(staging, assignment, source.encode("utf-8", "backslashreplace")))


def notebook_source(data: bytes) -> str:
    """The code cells of a notebook, in order, as one script: IPython magics (``%``, ``%%``) and shell
    escapes (``!``) are commented out, as otter does before grading a notebook as a script.

    Raises ValueError saying what is wrong: not UTF-8, damaged JSON, no cells, a cell whose source
    is not text, code holding NUL or a lone surrogate.  (Read as JSON, nbformat 4 -- and 3's
    worksheets -- without nbformat: nothing is mutated or validated, so nothing warns.)
    """
    try:
        nb = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ValueError("it is not UTF-8 text") from None
    except RecursionError:
        raise ValueError("its JSON is nested too deeply") from None
    except ValueError as err:
        raise ValueError(f"its JSON is damaged: {err}") from None
    cells = []
    for number, cell in enumerate(_cells(nb), 1):
        source = _cell_source(cell, number)
        if source is not None:
            lines = [f"# {line}" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()]
            cells.append("\n".join(lines))
    return "\n\n".join(cells) + "\n"


def _cells(nb: object) -> list:
    if isinstance(nb, dict) and isinstance(nb.get("cells"), list):
        return nb["cells"]
    if isinstance(nb, dict) and isinstance(nb.get("worksheets"), list):  # nbformat 3
        sheets = nb["worksheets"]
        if all(isinstance(s, dict) and isinstance(s.get("cells", []), list) for s in sheets):
            return [cell for s in sheets for cell in s.get("cells", [])]
    raise ValueError("it has no list of cells")


def _cell_source(cell: object, number: int) -> str | None:
    """A code cell's source as one string (None for other cells); ValueError if it is not text."""
    if not isinstance(cell, dict):
        raise ValueError(f"cell {number} is not a cell")
    if cell.get("cell_type") != "code":
        return None
    source = cell.get("source", cell.get("input", ""))  # nbformat 3 calls it input
    if isinstance(source, list) and all(isinstance(s, str) for s in source):
        source = "".join(source)
    if not isinstance(source, str):
        raise ValueError(f"the source of cell {number} is not text")
    odd = next((ch for ch in source if ch == "\0" or "\ud800" <= ch <= "\udfff"), None)
    if odd is not None:
        raise ValueError(f"cell {number} holds the code point U+{ord(odd):04X} "
                         f"({'NUL' if odd == chr(0) else 'a lone surrogate'}), which no Python file can hold")
    return source


def _stage(staging: Path, assignment: str, data: bytes) -> Path:
    """``data`` as ``staging/<id>.py`` (bytes: the child decodes it as any submitted file)."""
    staging.mkdir(parents=True, exist_ok=True)
    path = staging / f"{assignment}.py"
    path.write_bytes(data)
    return path


# -- a folder -----------------------------------------------------------------------------------
def _from_folder(student: str, entry: Path, assignment: str, staging: Path,
                 template: bytes | None = None) -> Submission:
    files = _folder_files(entry)
    candidates = []
    for name in (f"{assignment}.py", f"{assignment}.ipynb"):
        st = files.get(name)
        if st is None:
            continue
        if not stat.S_ISREG(st.st_mode):
            raise Refused(f"{shown(entry.name)}/{name} is not a regular file; hand in {name} itself")
        if name.endswith(".py"):
            candidates.append(Candidate(name, st.st_mtime, lambda name=name: _from_py(student, entry, entry / name)))
        else:
            candidates.append(Candidate(name, st.st_mtime, lambda name=name: _from_notebook(
                student, entry, _read_notebook(entry / name), f"{shown(entry.name)}/{name}", assignment, staging)))
    if candidates:
        return choose(candidates, f"{shown(entry.name)}/", template)
    listed = [rel for rel in files if not any(part.startswith(IGNORED_PREFIXES) for part in rel.split("/"))]
    raise Refused(f"the folder {shown(entry.name)}/ has no {assignment}.py; " + _found(listed, f"{assignment}.py"))


# -- an entry holding both <id>.py and <id>.ipynb -------------------------------------------------
SAME_TIME_SECONDS = 2  # a zip stores times to 2 s; files written together differ by less


@dataclass
class Candidate:
    """One of an entry's two gradable files: its name, modification time, and how to read it."""

    name: str
    mtime: float
    read: object  # () -> Submission, or Refused


def choose(candidates: list[Candidate], where: str, template: bytes | None) -> Submission:
    """The Submission of the one file graded among an entry's ``<id>.py`` and ``<id>.ipynb`` (the
    rule, in order: the one that is not the untouched template; else the newer, by more than
    ``SAME_TIME_SECONDS``; else the ``.py``).  With both present, ``note`` says which and why; a file
    that cannot be read is set aside (the note says why) and the other is graded."""
    if len(candidates) == 1:
        return candidates[0].read()
    read: dict[str, Submission] = {}
    refused: dict[str, str] = {}
    for c in candidates:
        try:
            read[c.name] = c.read()
        except Refused as why:
            refused[c.name] = str(why)
    if not read:
        raise Refused(refused[candidates[0].name])
    py, nb = candidates
    both = f"{where} holds both {py.name} and {nb.name}"
    if refused:
        (bad, why), = refused.items()
        chosen = read[py.name if nb.name == bad else nb.name]
        chosen.note = _one_line(f"{both}: graded the other, since {why}")
        return chosen
    untouched = {name: template_match(sub.source.read_bytes(), template) if template is not None else ""
                 for name, sub in read.items()}
    if bool(untouched[py.name]) != bool(untouched[nb.name]):
        graded, other = (nb, py) if untouched[py.name] else (py, nb)
        why = f"{other.name} is the untouched template"
    elif abs(py.mtime - nb.mtime) > SAME_TIME_SECONDS:
        graded, other = (py, nb) if py.mtime > nb.mtime else (nb, py)
        why = f"the newer: saved {_when(graded.mtime)}, {other.name} {_when(other.mtime)}"
    else:
        graded, why = py, "both saved at the same time: then the .py"
    chosen = read[graded.name]
    chosen.note = _one_line(f"{both}: graded {graded.name} ({why})")
    return chosen


def _when(mtime: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(mtime))


def template_match(data: bytes, template: bytes | None) -> str:
    """How ``data`` (a file's bytes) is the untouched ``template``: "byte-identical", "identical
    but for whitespace and line ends", or '' (it is not)."""
    if template is None:
        return ""
    if data == template:
        return "byte-identical"
    if _normalised(data) == _normalised(template):
        return "identical but for whitespace and line ends"
    return ""


def _normalised(data: bytes) -> list[str]:
    """The non-blank lines with every run of white space as one space (BOM and line ends ignored)."""
    text = data.decode("utf-8-sig", "replace")
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def _folder_files(folder: Path) -> dict[str, os.stat_result]:
    """Every file inside ``folder`` (relative POSIX path -> lstat, sorted), walked without following
    anything; Refused on a symbolic link anywhere in it, and past the folder caps."""
    files: dict[str, os.stat_result] = {}
    entries, size = 0, 0
    todo = [(folder, 0)]
    while todo:
        current, depth = todo.pop()
        with os.scandir(current) as items:
            for item in items:
                rel = Path(item.path).relative_to(folder).as_posix()
                entries += 1
                if entries > MAX_FOLDER_ENTRIES:
                    raise Refused(f"the folder {shown(folder.name)}/ holds more than {MAX_FOLDER_ENTRIES} files and "
                                  f"folders; hand in the file alone")
                if item.is_symlink():
                    raise Refused(f"the folder {shown(folder.name)}/ holds a symbolic link ({shown(rel)}), which is "
                                  f"never followed; put the file itself there, not a link")
                if item.is_dir(follow_symlinks=False):
                    if depth + 1 > MAX_FOLDER_DEPTH:
                        raise Refused(f"the folder {shown(folder.name)}/ is nested more than {MAX_FOLDER_DEPTH} "
                                      f"folders deep; hand in the file alone")
                    todo.append((Path(item.path), depth + 1))
                    continue
                st = item.stat(follow_symlinks=False)
                files[rel] = st
                size += st.st_size
                if size > MAX_FOLDER_BYTES:
                    raise Refused(f"the folder {shown(folder.name)}/ is too large (more than "
                                  f"{_mb(MAX_FOLDER_BYTES)}); hand in the file alone")
    return dict(sorted(files.items()))


# -- a zip --------------------------------------------------------------------------------------
def _from_zip(student: str, entry: Path, assignment: str, staging: Path,
              template: bytes | None = None) -> Submission:
    """Reads only the one member it grades, by name, through a bounded stream: no path in the archive
    is ever written to disk (no traversal), and a zip bomb is refused before it is inflated."""
    name, target = shown(entry.name), f"{assignment}.py"
    size = os.lstat(entry).st_size
    if size > MAX_ZIP_BYTES:
        raise Refused(f"{name} is too large ({_mb(size)}, more than {_mb(MAX_ZIP_BYTES)}); hand in {target} alone")
    read: dict[str, bytes | Refused] = {}
    try:
        _check_zip_directory(entry, name, target)
        with zipfile.ZipFile(entry) as z:
            members = _zip_members(z, name, assignment)
            for member in members:
                try:
                    read[member.filename] = _read_member(z, member, name, target)
                except Refused as why:
                    if len(members) == 1:
                        raise
                    read[member.filename] = why
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as err:
        raise Refused(f"{name} is not a readable zip file (damaged: {err}); zip it again or hand in "
                      f"{target} alone") from None

    def reader(member: zipfile.ZipInfo):
        def read_it() -> Submission:
            data = read[member.filename]
            if isinstance(data, Refused):
                raise data
            if member.filename.endswith(".py"):
                return Submission(student, entry, _stage(staging / "py", assignment, data))
            return _from_notebook(student, entry, data, f"{name}: {shown(member.filename)}", assignment,
                                  staging / "ipynb")
        return read_it

    return choose([Candidate(shown(m.filename), _zip_time(m), reader(m)) for m in members], name, template)


def _zip_time(member: zipfile.ZipInfo) -> float:
    """A member's modification time (a zip keeps local time, to 2 s), as seconds since the epoch."""
    try:
        return time.mktime(member.date_time + (0, 0, -1))
    except (OverflowError, ValueError):
        return 0.0


def _check_zip_directory(path: Path, name: str, target: str) -> None:
    """Refuses a zip whose end record declares more than ``MAX_ZIP_MEMBERS`` members or a central
    directory past ``MAX_ZIP_DIRECTORY_BYTES``: opening a zip parses that directory whole (1M empty
    members, 88 MB of zip: 19 s and 1 GB), so it is checked first, with the very reader
    ``ZipFile`` uses (ZIP64 included).  A zip without an end record is left to ``ZipFile``."""
    end_record = getattr(zipfile, "_EndRecData", None)  # private, but the one definition of the format
    if end_record is None:
        return
    with open(path, "rb") as f:
        record = end_record(f)
    if record and (record[zipfile._ECD_ENTRIES_TOTAL] > MAX_ZIP_MEMBERS
                   or record[zipfile._ECD_SIZE] > MAX_ZIP_DIRECTORY_BYTES):
        raise Refused(_too_many(name, target))


def _too_many(name: str, target: str) -> str:
    return f"{name} holds more than {MAX_ZIP_MEMBERS} files; hand in {target} alone (or zip only it)"


def _zip_members(z: zipfile.ZipFile, name: str, assignment: str) -> list[zipfile.ZipInfo]:
    """The members that may be graded (``<id>.py`` and ``<id>.ipynb``, at any depth: ``choose`` picks
    one); Refused on a link anywhere in the zip, on two of one name, and when there is none (naming
    what there is)."""
    members = z.infolist()
    if len(members) > MAX_ZIP_MEMBERS:
        raise Refused(_too_many(name, f"{assignment}.py"))
    link = next((m for m in members if stat.S_ISLNK(m.external_attr >> 16)), None)
    if link is not None:
        raise Refused(f"{name} holds a symbolic link ({shown(link.filename)}), which is never followed; "
                      f"zip the file itself (not with zip -y / --symlinks)")
    files = [m for m in members if not m.is_dir() and _parts(m.filename)[0] != "__MACOSX"]
    found = []
    for wanted in (f"{assignment}.py", f"{assignment}.ipynb"):
        hits = [m for m in files if _parts(m.filename)[-1] == wanted]
        if len(hits) > 1:
            raise Refused(f"{name} holds {len(hits)} files named {wanted} "
                          f"({', '.join(shown(m.filename) for m in hits[:MAX_LISTED])}); it must hold one")
        found += hits
    if found:
        return found
    nested = [m.filename for m in files if m.filename.lower().endswith(".zip")]
    if nested:
        raise Refused(f"{name} has no {assignment}.py but a zip inside it ({shown(nested[0])}), which is not "
                      f"opened (one level only); zip {assignment}.py itself, or hand it in alone")
    raise Refused(f"{name} has no {assignment}.py; " + _found([m.filename for m in files], f"{assignment}.py"))


def _parts(filename: str) -> list[str]:
    """A member's path, split on / and \\ (zips made on Windows may use either)."""
    return re.split(r"[/\\]", filename)


def _read_member(z: zipfile.ZipFile, member: zipfile.ZipInfo, name: str, target: str) -> bytes:
    """The member's bytes through a bounded stream: its declared size and the bytes it inflates to
    are both capped (a notebook's cap for a notebook, a source file's for a .py)."""
    cap = MAX_SOURCE_BYTES if member.filename.endswith(".py") else MAX_NOTEBOOK_BYTES
    if member.flag_bits & ZIP_ENCRYPTED:
        raise Refused(f"{name} is password-protected; upload it without a password")
    if member.compress_type not in ZIP_METHODS:
        raise Refused(f"{name} compresses {shown(member.filename)} with a method that cannot be read "
                      f"(method {member.compress_type}); zip it again with the usual method (deflate)")
    if member.file_size > cap:
        raise Refused(f"{name}: {shown(member.filename)} is too large ({_mb(member.file_size)}, more than "
                      f"{_mb(cap)}); hand in {target} alone")
    try:
        with z.open(member) as f:
            data = f.read(cap + 1)
    except (NotImplementedError, RuntimeError) as err:  # a compression module missing from this Python
        raise Refused(f"{name} cannot be unzipped here ({err}); zip it again with the usual method (deflate)") \
            from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as err:  # a damaged stream, a CRC
        raise Refused(f"{name} is not a readable zip file (damaged: {shown(str(err))}); zip it again or hand in "
                      f"{target} alone") from None
    if len(data) > cap:
        raise Refused(f"{name}: {shown(member.filename)} is too large (it inflates to more than {_mb(cap)}); "
                      f"hand in {target} alone")
    return data


# -- what a "missing" message says --------------------------------------------------------------
def _found(names: list[str], target: str) -> str:
    """'it holds a.py, b.txt (rename X to target ...)' -- what the TA and the student need to know."""
    if not names:
        return "it is empty"
    listed = ", ".join(shown(n) for n in names[:MAX_LISTED])
    text = f"it holds {listed}" + (f" and {len(names) - MAX_LISTED} more" if len(names) > MAX_LISTED else "")
    close = close_names([n for n in names if n.endswith((".py", ".ipynb"))], target)
    if close:
        text += f" (did you mean {' or '.join(shown(n) for n in close[:3])}? the file must be named exactly {target})"
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


def _mb(size: int) -> str:
    return f"{size / MB:.0f} MB" if size >= MB else f"{size / 2**10:.0f} KB" if size >= 2**10 else f"{size} bytes"
