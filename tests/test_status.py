"""One status vocabulary: every status has help text, a place in the order, and a line in the README."""

import re
from pathlib import Path

from autograder.checking.plain import Raised
from autograder.engine.status import FOR_STUDENTS, FORBIDDEN_IMPORT, HELP, Status, from_raised, worst

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def test_every_status_has_help_text_and_is_documented():
    assert set(HELP) == set(FOR_STUDENTS) == set(Status)
    documented = set(re.findall(r"`(\w+)`", README.split("Statuses:")[1].split("\n\n")[0]))
    assert {s.value for s in Status} <= documented


def test_worst_status_wins():
    assert worst([Status.OK, Status.TIMEOUT, Status.FORBIDDEN]) is Status.FORBIDDEN
    assert worst(["timeout", "memory"]) is Status.MEMORY
    assert worst([]) is Status.OK


def test_statuses_come_from_decoded_exceptions():
    assert from_raised(Raised((FORBIDDEN_IMPORT, "ImportError", "Exception"), "sympy is not allowed")) is Status.FORBIDDEN
    assert from_raised(Raised(("MemoryError", "Exception"), "")) is Status.MEMORY
    assert from_raised(Raised(("OSError", "Exception"), "[Errno 27] File too large")) is Status.OUTPUT
    assert from_raised(Raised(("ValueError", "Exception"), "File too large")) is None
    assert from_raised(Raised(("ZeroDivisionError", "ArithmeticError", "Exception"), "x")) is None
