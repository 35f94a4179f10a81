"""Turn a sandboxed run into a verdict per test case and a status per student.

This is the trusted side of the judging rule: the child only ever sent plain data; here each
``Check.verdict`` compares it with the expectation (a formula, or the reference solution's results
from a separate run).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from autograder.checking.plain import BadData, Raised, decode

from .sandbox import Incident, RunResult
from .status import Status, from_raised, worst
from .suite import Question

# Worst first: the status shown for a student when several things went wrong.
STATUS_ORDER = tuple(s.value for s in Status)
# A load error's kind (what went wrong importing the file) -> the student's status.
LOAD_STATUS = {"syntax": Status.ERROR, "encoding": Status.ERROR, "import": Status.ERROR, "refused": Status.ERROR,
               "error": Status.ERROR, "forbidden": Status.FORBIDDEN, "memory": Status.MEMORY,
               "output": Status.OUTPUT, "timeout": Status.TIMEOUT}
FEEDBACK_LIMIT = 600  # characters of one check's message: enough to act on, too short to carry a file


@dataclass
class Outcome:
    question: str
    name: str
    max_points: float
    hidden: bool
    passed: bool
    message: str  # what was expected (empty when passed)

    @property
    def points(self) -> float:
        return self.max_points if self.passed else 0.0


@dataclass
class Graded:
    student: str
    assignment: str
    status: str  # one of STATUS_ORDER
    status_message: str
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0
    fingerprint: str = ""
    questions: dict[str, str] = field(default_factory=dict)  # name -> title, in order

    @property
    def total(self) -> float:
        return sum(o.points for o in self.outcomes)

    @property
    def max_total(self) -> float:
        return sum(o.max_points for o in self.outcomes)

    def question_points(self) -> dict[str, tuple[float, float]]:
        scores = {q: [0.0, 0.0] for q in self.questions}
        for o in self.outcomes:
            scores[o.question][0] += o.points
            scores[o.question][1] += o.max_points
        return {q: (s[0], s[1]) for q, s in scores.items()}

    def to_dict(self) -> dict:
        """As JSON-ready data (every field is a str, number, bool, or a flat dict/list of them)."""
        return {**{f.name: getattr(self, f.name) for f in fields(self)}, "questions": dict(self.questions),
                "outcomes": [{f.name: getattr(o, f.name) for f in fields(o)} for o in self.outcomes]}

    @classmethod
    def from_dict(cls, d: dict) -> "Graded":
        outcomes = [Outcome(**o) for o in d.get("outcomes", [])]
        return cls(**{**d, "outcomes": outcomes})


def score_run(student: str, assignment: str, questions: list[Question], run: RunResult,
              reference: dict[str, list]) -> Graded:
    """Judge every case of every question; the status says what went wrong, if anything.

    Nothing the child sent is trusted: a result that cannot be decoded or judged fails its own case
    (``Check.verdict``), and every message is cut to ``FEEDBACK_LIMIT`` characters.
    """
    graded = Graded(student, assignment, "ok", "", seconds=round(run.seconds, 2),
                    questions={q.name: q.title for q in questions})
    statuses: list[tuple[Status, str]] = []
    if run.load_error:
        kind, message = run.load_error.kind, run.load_error.message
        if run.results:
            message += "; the names defined before that line were still graded"
        statuses.append((LOAD_STATUS.get(kind, Status.ERROR), message))
    for q in questions:
        for case in q.cases:
            outcome = run.results.get(case.key)
            if run.load_error and outcome is None:
                message = f"not graded: {run.load_error.message}"
            elif isinstance(outcome, Incident):
                message = outcome.message
                statuses.append((outcome.status, f"{case.name}: {message}"))
            elif outcome is None:
                message = "not graded (the grading run stopped before this check)"
            else:
                message = case.check.verdict(outcome, reference.get(case.key)) or ""
                for status in _statuses_of(outcome):
                    statuses.append((status, f"{case.name}: {status.help}"))
            graded.outcomes.append(Outcome(q.name, case.name, case.points, case.hidden, not message,
                                           _cut(message)))
    if statuses:
        status = worst(s for s, _ in statuses)
        graded.status = status.value
        graded.status_message = _cut(next(m for s, m in statuses if s == status))
    return graded


def _statuses_of(results: list) -> set[Status]:
    """Statuses the decoded results imply (a forbidden import, memory, the output cap)."""
    found = set()
    for data in _each_result(results):
        if not (isinstance(data, dict) and data.get("t") == "raised"):
            continue  # only a raised exception implies a status: the rest need not be decoded again
        try:
            got = decode(data)
        except BadData:
            continue
        if isinstance(got, Raised) and (status := from_raised(got)):
            found.add(status)
    return found


def _each_result(results: list):
    """Every encoded result: a measured check's case holds one per timed run."""
    for data in results:
        runs = data.get("measured") if isinstance(data, dict) else None
        if isinstance(runs, list):
            yield from (run.get("result") for run in runs if isinstance(run, dict))
        else:
            yield data


def _cut(message: str) -> str:
    return message if len(message) <= FEEDBACK_LIMIT else message[:FEEDBACK_LIMIT - 1] + "…"


def missing(student: str, assignment: str, questions: list[Question], message: str) -> Graded:
    graded = Graded(student, assignment, "missing", message, questions={q.name: q.title for q in questions})
    for q in questions:
        for case in q.cases:
            graded.outcomes.append(Outcome(q.name, case.name, case.points, case.hidden, False, message))
    return graded
