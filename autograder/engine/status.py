"""The one vocabulary of what happened to a submission: its status, worst first, with help text.

Every part of the engine speaks it: the child reports what went wrong while importing a file
(``LoadError.kind``), the sandbox what ended a child (``Incident.kind``), ``score`` derives a
student's status from those and from decoded results (``from_raised``), and ``report`` prints the
help text.  Adding a status is one line in ``Status``, one in ``HELP`` and one in ``FOR_STUDENTS`` (a test
checks that every status has both texts and appears in the README).
"""

from __future__ import annotations

from enum import Enum

from autograder.checking.plain import Raised


class Status(str, Enum):
    """A student's status; the order of the members is the order of severity (worst first)."""

    MISSING = "missing"
    ERROR = "error"
    FORBIDDEN = "forbidden"
    OUTPUT = "output"
    MEMORY = "memory"
    TIMEOUT = "timeout"
    OK = "ok"

    def __str__(self) -> str:
        return self.value

    @property
    def help(self) -> str:
        return HELP[self]

    @property
    def for_students(self) -> str:
        """The same, said to the student (the top line of their Gradescope results)."""
        return FOR_STUDENTS[self]

    @property
    def rank(self) -> int:
        return list(Status).index(self)


HELP = {
    Status.OK: "graded normally",
    Status.ERROR: "the file does not parse, is not UTF-8 text, or crashed while being imported or graded",
    Status.TIMEOUT: "a check (or the import) ran past its time limit; the other checks were still graded",
    Status.MEMORY: "ran out of memory",
    Status.OUTPUT: "printed more than the output cap",
    Status.FORBIDDEN: "imports a package the rules do not allow (automatic differentiation, computer algebra)",
    Status.MISSING: "no file that can be graded was found",
}

FOR_STUDENTS = {
    Status.OK: "Every check ran normally.",
    Status.ERROR: "Your file does not parse, or raised an error while being imported or graded",
    Status.TIMEOUT: "A check (or the import) ran past its time limit; the other checks were still graded",
    Status.MEMORY: "Your code ran out of memory",
    Status.OUTPUT: "Your code printed more than the output cap (nothing should be printed)",
    Status.FORBIDDEN: "Your file imports a package the rules do not allow, so what needs it earns nothing",
    Status.MISSING: "No submission file was found",
}

# The exception the child's import guard raises for a package the rules do not allow.
FORBIDDEN_IMPORT = "ForbiddenImport"


def worst(statuses) -> Status:
    """The most severe of ``statuses`` (``OK`` for none)."""
    return min((Status(s) for s in statuses), key=lambda s: s.rank, default=Status.OK)


def from_raised(got: Raised) -> Status | None:
    """The status a probe's exception implies, if any (decoded data, never the wire format)."""
    if got.is_named(FORBIDDEN_IMPORT):
        return Status.FORBIDDEN
    if got.is_a(MemoryError):
        return Status.MEMORY
    if got.is_named("OSError") and "File too large" in got.message:  # EFBIG: the output cap
        return Status.OUTPUT
    return None
