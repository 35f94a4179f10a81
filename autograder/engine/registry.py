"""The list of assignments: one per ``assignments/<id>/assignment.toml``, and nowhere else.

Each assignment is a frozen ``Assignment``: its id (the folder name), the keys of its
``assignment.toml``, and the paths of every part it is made of (``PARTS``).  The engine, the release
tool, the Makefile and the tests all read the list from here:

    python -m autograder.engine.registry ids      # forward_mode matrix_chain ... (for the Makefile)
"""

from __future__ import annotations

import os
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .suite import ROOT, SOLUTIONS, SUITES

# Overridable, like SUITES and SOLUTIONS, so that the engine's tests can use a toy assignment.
ASSIGNMENTS = Path(os.environ.get("AUTOGRADER_ASSIGNMENTS", ROOT / "assignments")).resolve()
TEMPLATES = ROOT / "student_template"
EXAMPLES = ROOT / "examples"

# Every part of an assignment, as a path pattern.  README.md's "Adding an assignment" lists the same
# parts, and the properties of ``Assignment`` below resolve them (tests/test_registry.py checks both).
PARTS = {
    "config": "assignments/<id>/assignment.toml",
    "handout": "assignments/<id>/handout.md",
    "suite": "autograder/suites/<id>/",
    "solution": "solutions/<id>.py",
    "template": "student_template/<id>.py",
    "examples": "examples/<id>/expected.toml",
}

_KEYS = {"title", "student_files", "solution_files", "figure_script", "hidden_tests_visibility", "require_isolation"}
VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")  # Gradescope's own words


@dataclass(frozen=True)
class Assignment:
    id: str
    title: str
    student_files: tuple[str, ...] = ()  # extra files of assignments/<id>/ for student.zip
    solution_files: tuple[str, ...] = ()  # ... and for solutions.zip
    figure_script: str | None = None  # run against the reference: its PNGs go into solutions.zip
    hidden_tests_visibility: str = "after_published"  # when Gradescope shows hidden checks' verdicts
    require_isolation: bool = True  # Gradescope: grade nothing unless every isolation layer is on

    @property
    def folder(self) -> Path:
        return ASSIGNMENTS / self.id

    @property
    def config(self) -> Path:
        return self.folder / "assignment.toml"

    @property
    def handout(self) -> Path:
        return self.folder / "handout.md"

    @property
    def suite(self) -> Path:
        return SUITES / self.id

    @property
    def solution(self) -> Path:
        return SOLUTIONS / f"{self.id}.py"

    @property
    def template(self) -> Path:
        return TEMPLATES / f"{self.id}.py"

    @property
    def examples(self) -> Path:
        return EXAMPLES / self.id / "expected.toml"

    def parts(self) -> dict[str, Path]:
        """Part name (as in ``PARTS``) -> its path."""
        return {name: getattr(self, name) for name in PARTS}


def shown(path: Path) -> str:
    """A path as messages name it: relative to the project when inside it."""
    path = Path(path)
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def example_entries(assignment: str) -> dict[str, Path]:
    """student -> their file or folder in ``examples/<id>/`` (what ``make grade`` finds there), in
    name order; {} without an example class."""
    folder = get(assignment).examples.parent
    if not folder.is_dir():
        return {}
    return {(p.stem if p.suffix == ".py" else p.name): p for p in sorted(folder.iterdir())
            if p.name != "expected.toml" and not p.name.startswith((".", "_"))}


def expected_examples(assignment: str) -> dict[str, dict]:
    """student -> {about, status, loses}: ``examples/<id>/expected.toml`` ({} without one; invalid
    TOML raises ``tomllib.TOMLDecodeError``)."""
    path = get(assignment).examples
    if not path.exists():
        return {}
    return {k: v for k, v in tomllib.loads(path.read_text(encoding="utf-8")).items() if isinstance(v, dict)}


def read(config: Path) -> Assignment:
    """The assignment described by ``assignments/<id>/assignment.toml``; unknown keys are an error."""
    try:
        keys = tomllib.loads(config.read_text())
    except tomllib.TOMLDecodeError as e:
        raise SystemExit(f"error: {config} is not valid TOML: {e}") from None
    unknown = sorted(set(keys) - _KEYS)
    if unknown or "title" not in keys:
        raise SystemExit(f"error: {config}: needs a title; allowed keys are {', '.join(sorted(_KEYS))}"
                         + (f" (unknown: {', '.join(unknown)})" if unknown else ""))
    visibility = keys.get("hidden_tests_visibility", Assignment.hidden_tests_visibility)
    if visibility not in VISIBILITIES:
        raise SystemExit(f"error: {config}: hidden_tests_visibility = {visibility!r}; choose one of "
                         f"{', '.join(VISIBILITIES)}")
    require = keys.get("require_isolation", Assignment.require_isolation)
    if not isinstance(require, bool):
        raise SystemExit(f"error: {config}: require_isolation = {require!r}; write true or false")
    return Assignment(
        id=config.parent.name,
        require_isolation=require,
        hidden_tests_visibility=visibility,
        title=keys["title"],
        student_files=tuple(keys.get("student_files", ())),
        solution_files=tuple(keys.get("solution_files", ())),
        figure_script=keys.get("figure_script"),
    )


def assignments() -> dict[str, Assignment]:
    """Every assignment, by id, in alphabetical order."""
    return {a.id: a for a in map(read, sorted(ASSIGNMENTS.glob("*/assignment.toml")))}


def ids() -> list[str]:
    return list(assignments())


def get(assignment: str) -> Assignment:
    """The assignment ``assignment``, or a clear error naming the ones that exist."""
    known = assignments()
    if assignment not in known:
        raise KeyError(f"unknown assignment {assignment!r}; choose from {', '.join(known)}")
    return known[assignment]


def main(argv: list[str]) -> int:
    if argv == ["ids"]:
        print(" ".join(ids()))
        return 0
    print("usage: python -m autograder.engine.registry ids", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
