"""A ``Graded`` as Gradescope's ``results.json``: one test entry per check, as in ``feedback.md``.

Public checks are ``visible`` with their message; hidden checks show their name and verdict only,
with the visibility set in ``assignment.toml`` (``hidden_tests_visibility``, default
``after_published``): their inputs and expected values never reach a student.  The top-level
``output`` states the status in one sentence.  Staff details (the hidden checks' messages) go to the
autograder's stdout only, which students never see (``stdout_visibility: hidden``).
"""

from __future__ import annotations

import json
from pathlib import Path

from autograder.engine.registry import VISIBILITIES  # Gradescope's words, defined once
from autograder.engine.report import gradescope_tests
from autograder.engine.score import Graded
from autograder.engine.status import Status

DEFAULT_HIDDEN_VISIBILITY = "after_published"
HIDDEN_FAILED = "failed (hidden test: its inputs and expected values are not shown)"

STATUS_SENTENCE = {s.value: s.for_students for s in Status}  # one vocabulary: status.py


def gradescope_results(g: Graded, hidden_tests_visibility: str = DEFAULT_HIDDEN_VISIBILITY,
                       notes: list[str] = ()) -> dict:
    """``notes``: lines about the upload (what was graded, what was ignored), after the status."""
    return {
        "score": g.total,
        "execution_time": round(g.seconds, 2),
        "output": "\n".join([status_sentence(g), *(f"Note: {n}." for n in notes)]),
        "stdout_visibility": "hidden",
        "extra_data": {"status": g.status},
        "tests": gradescope_tests(g, hidden_tests_visibility, HIDDEN_FAILED),
    }


MISCONFIGURED = ("The autograder is misconfigured (part of the sandbox that runs your code is missing), so your "
                 "file was not graded. This is not your fault: the course staff see the details with this "
                 "result. Please tell your instructor, and upload again once it is fixed.")


def misconfigured_results(problems: list[str], layers: dict) -> dict:
    """Nothing graded: score 0, one sentence for the student, and one entry per problem that only
    staff see ("autograder misconfigured: landlock unavailable (off: ...)")."""
    return {
        "score": 0,
        "output": MISCONFIGURED,
        "stdout_visibility": "hidden",
        "extra_data": {"status": "misconfigured", "isolation": layers},
        "tests": [{"name": f"autograder misconfigured: {p}", "score": 0, "max_score": 0, "status": "failed",
                   "output": "the submission was not graded: require_isolation (assignment.toml) refuses to run "
                             "student code without every isolation layer (README, Gradescope)",
                   "visibility": "hidden"} for p in problems],
    }


def status_sentence(g: Graded) -> str:
    score = f"Score {_num(g.total)} / {_num(g.max_total)}."
    if g.status == "ok":
        return f"{score} {STATUS_SENTENCE['ok']}"
    return f"{score} Status {g.status}: {STATUS_SENTENCE.get(g.status, g.status)} ({g.status_message})."


def staff_report(g: Graded) -> str:
    """For the autograder's stdout (hidden from students): every failed check with its full message."""
    lines = [f"status: {g.status}" + (f" ({g.status_message})" if g.status_message else ""),
             f"score: {_num(g.total)} / {_num(g.max_total)} in {g.seconds:.1f} s"]
    for o in g.outcomes:
        if not o.passed:
            lines.append(f"FAILED {o.question}: {o.name}{' (hidden)' if o.hidden else ''}: {o.message}")
    return "\n".join(lines)


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:.2f}".rstrip("0")


SCHEMA = Path(__file__).with_name("results_schema.json")


def schema_problems(data: dict) -> list[str]:
    """Where ``data`` departs from Gradescope's documented results format (empty: it conforms)."""
    import jsonschema  # a dependency of nbformat, hence of otter

    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text()))
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}" for e in validator.iter_errors(data)]
