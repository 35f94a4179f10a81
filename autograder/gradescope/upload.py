"""What a student uploaded, set aside before otter looks at it, and the one file of it that is graded.

Gradescope puts an upload in ``/autograder/submission``: one file, several, or a zip's contents (at
any depth).  otter picks the file it grades itself, *before* any plugin hook runs
(``PythonRunner.resolve_submission_path``): two ``.py`` files, or two notebooks, stop it with "More
than one Python file found in submission" and the student gets "Autograder Error".  So the bundle's
``run_otter.py`` calls ``prepare`` first (``release.py`` adds the call); under ``otter run`` the
plugin's ``before_grading`` calls ``set_aside`` itself (otter run copies one file, so otter's own
choice cannot fail there).

``set_aside`` moves everything uploaded to a root-only folder next to ``submission/``
(``/autograder/upload/``), empties ``submission/`` (the folder otter's Jupyter kernel runs in:
nothing uploaded may shadow a module there) and leaves one placeholder, ``<id>.py``, for otter to
pick.  Run again in the same container (Gradescope's "Debug via SSH", a rerun by hand), it finds its
own placeholder and keeps what it set aside: the second run grades the same upload as the first.

``choose`` gives the verdict ``make grade`` gives a student's folder holding the same files: it calls
``engine/discover.py`` on the set-aside folder, so the two cannot drift apart:

* the file named exactly ``<id>.py`` (else ``<id>.ipynb``: its code cells, ``discover.notebook_source``)
  at the top of the upload is graded; every other file is ignored, never executed, and named in a note;
* none (``forward_mode (1).py``, ``hw/forward_mode.py``): nothing is graded, status ``missing``, with a
  message naming what was found and the file probably meant.  Strict on purpose: the handout says
  "upload ``<id>.py``", a student sees the message at once on Gradescope and can upload again, a
  lenient rule could grade the wrong file (``check.py``, a helper), and ``make grade`` gives the
  folder that Gradescope's export makes of that upload the same verdict;
* under ``otter run`` a TA names one file on the command line: it is graded whatever its name, as
  ``make grade`` grades a top-level ``<student>.py``.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from autograder.engine import discover

ASIDE = "upload"  # /autograder/upload, next to submission/: root-only
PLACEHOLDER_PY = (b"# The upload was set aside by the 18.065 autograder (autograder/gradescope/upload.py):\n"
                  b"# this placeholder is what otter picks; it is never run or graded.\n")
PLACEHOLDER_NB = json.dumps({"cells": [], "metadata": {"autograder_18065": "placeholder: the upload was set aside"},
                             "nbformat": 4, "nbformat_minor": 5}).encode()
IGNORED_PARTS = ("__MACOSX",)
MAX_LISTED = 8


@dataclass
class Choice:
    """What is graded: ``source`` (bytes of a .py file, exactly as uploaded, or a notebook's code cells
    as UTF-8), or nothing (``problem`` says why, for the student)."""

    source: bytes | None
    graded: str = ""  # the uploaded file it came from (relative path)
    problem: str = ""
    notes: list[str] = field(default_factory=list)  # for the student and staff: what was ignored


def prepare(autograder_dir: Path | str, assignment: str) -> Path:
    """Before otter starts (the bundle's run_otter.py): results/ exists, the upload is set aside and
    otter finds exactly one file, the placeholder.  Returns the folder holding the upload."""
    ag = Path(autograder_dir)
    (ag / "results").mkdir(parents=True, exist_ok=True)  # otter writes results/results.pkl there first
    return set_aside(ag, assignment, ag / "submission" / f"{assignment}.py")


def set_aside(autograder_dir: Path, assignment: str, placeholder: Path, otter_copies: set[str] = frozenset()) -> Path:
    """Move the upload out of ``submission/`` (once), empty it, and write the placeholder at
    ``placeholder`` (the path otter resolved: a notebook placeholder if it ends in .ipynb).
    ``otter_copies``: names otter itself put into ``submission/`` (its tests, the bundle's files):
    deleted, never taken for the upload."""
    sub = autograder_dir / "submission"
    aside = autograder_dir / ASIDE
    sub.mkdir(parents=True, exist_ok=True)
    rerun = aside.is_dir() and _is_placeholder(sub / f"{assignment}.py")
    if not rerun:
        if aside.exists():
            shutil.rmtree(aside)
        aside.mkdir(mode=0o700)
        for entry in list(sub.iterdir()):
            if entry.name not in otter_copies:
                shutil.move(entry, aside / entry.name)  # symbolic links stay links, never followed
    for entry in list(sub.iterdir()):  # what otter copied, or left from an earlier run
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    placeholder.write_bytes(PLACEHOLDER_NB if placeholder.suffix == ".ipynb" else PLACEHOLDER_PY)
    if placeholder.name != f"{assignment}.py":  # the mark a rerun looks for
        (sub / f"{assignment}.py").write_bytes(PLACEHOLDER_PY)
    return aside


def _is_placeholder(path: Path) -> bool:
    try:
        return not path.is_symlink() and path.is_file() and path.read_bytes() == PLACEHOLDER_PY
    except OSError:
        return False


def uploaded_files(folder: Path) -> list[str]:
    """Every file of the upload, as relative paths (symbolic links included, never followed)."""
    found = []
    for root, dirs, files in os.walk(folder):  # os.walk does not follow links to folders
        dirs.sort()
        rel = Path(root).relative_to(folder)
        found += [(rel / f).as_posix() for f in files]
        found += [(rel / d).as_posix() for d in dirs if (Path(root) / d).is_symlink()]
    return sorted(found)


def choose(folder: Path, assignment: str, staging: Path, named_by_ta: bool = False) -> Choice:
    """The file of the upload in ``folder`` that is graded: ``make grade``'s verdict on a student's
    folder holding the same files (``discover.submission``: the same names, caps and refusals, the
    same notebook reading), plus a note naming the files that are ignored.  ``named_by_ta``: otter
    run was given one file, graded whatever its name (``make grade``'s top-level ``<student>.py``)."""
    files = uploaded_files(folder)
    listed = [f for f in files if not any(part.startswith(".") or part in IGNORED_PARTS for part in f.split("/"))]
    links = [f for f in files if (folder / f).is_symlink()]
    if links:  # never followed: it could point at the bundle's files (discover refuses it too)
        return Choice(None, problem=f"your upload holds a symbolic link ({_shown(links)}), which is never "
                                    f"followed; upload the file itself")
    entry = folder
    if named_by_ta and len(files) == 1 and "/" not in files[0] and files[0].endswith((".py", ".ipynb")):
        entry = folder / files[0]
    found = _one_entry("submission", entry, assignment, staging)
    if found.source is None:
        return Choice(None, problem=found.problem.replace(f"the folder {ASIDE}/", "your upload"))
    source = Path(found.source)
    graded = source.relative_to(folder).as_posix() if source.is_relative_to(folder) else (
        entry.name if entry != folder else f"{assignment}.ipynb")
    others = [f for f in listed if f != graded]
    notes = [f"graded {graded}; ignored (never run): {_shown(others)}"] if others else []
    return Choice(source.read_bytes(), graded, "", notes)


def _one_entry(student: str, entry: Path, assignment: str, staging: Path):
    """``discover``'s verdict on one entry (a Submission; never raises)."""
    one = getattr(discover, "submission", None)
    if one is not None:
        return one(student, entry, assignment, staging)
    return discover._submission(student, entry, assignment, staging)  # discover before it was public


def _shown(names: list[str]) -> str:
    return ", ".join(names[:MAX_LISTED]) + (f" and {len(names) - MAX_LISTED} more" if len(names) > MAX_LISTED else "")
