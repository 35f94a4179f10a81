"""Turn a sandboxed run into a verdict per test case and a status per student.

This is the trusted side of the judging rule: the child only ever sent plain data; here each
``Check.verdict`` compares it with the expectation (a formula, or the reference solution's results
from a separate run).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from .sandbox import Incident, RunResult
from .suite import Question

# Worst first: the status shown for a student when several things went wrong.
STATUS_ORDER = ("missing", "error", "forbidden", "output", "memory", "timeout", "ok")


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
        return {**asdict(self), "outcomes": [asdict(o) for o in self.outcomes]}

    @classmethod
    def from_dict(cls, d: dict) -> "Graded":
        outcomes = [Outcome(**o) for o in d.get("outcomes", [])]
        return cls(**{**d, "outcomes": outcomes})


def score_run(student: str, assignment: str, questions: list[Question], run: RunResult,
              reference: dict[str, list]) -> Graded:
    """Judge every case of every question; the status says what went wrong, if anything."""
    graded = Graded(student, assignment, "ok", "", seconds=round(run.seconds, 2),
                    questions={q.name: q.title for q in questions})
    statuses = []
    if run.load_error:
        kind = run.load_error["kind"]
        message = run.load_error["message"]
        if kind == "import":
            message += "; the names defined before that line were still graded"
        statuses.append(("error" if kind in ("syntax", "import", "crash") else kind, message))
    forbidden = sorted(set(run.forbidden).union(*run.forbidden_at.values()))
    if forbidden:
        statuses.append(("forbidden", f"imports {', '.join(forbidden)}, which the rules do not allow"))
    for q in questions:
        for case in q.cases:
            outcome = run.results.get(case.key)
            if run.load_error and outcome is None:
                message = f"not graded: {run.load_error['message']}"
            elif isinstance(outcome, Incident):
                message = outcome.message
                statuses.append((outcome.kind if outcome.kind != "crash" else "error", f"{case.name}: {message}"))
            elif outcome is None:
                message = "not graded (the grading run stopped before this check)"
            else:
                message = case.check.verdict(outcome, reference.get(case.key), run.forbidden_at.get(case.key, ())) or ""
                raised = [r for r in outcome if r.get("t") == "raised"]
                if any("MemoryError" in r["types"] for r in raised):
                    statuses.append(("memory", f"{case.name}: ran out of memory"))
                if any("File too large" in r["v"] for r in raised):  # EFBIG: the output cap
                    statuses.append(("output", f"{case.name}: printed more than the output cap"))
            graded.outcomes.append(Outcome(q.name, case.name, case.points, case.hidden, not message, message))
    if statuses:
        graded.status, graded.status_message = min(statuses, key=lambda s: STATUS_ORDER.index(s[0]))
    return graded


def missing(student: str, assignment: str, questions: list[Question], message: str) -> Graded:
    graded = Graded(student, assignment, "missing", message, questions={q.name: q.title for q in questions})
    for q in questions:
        for case in q.cases:
            graded.outcomes.append(Outcome(q.name, case.name, case.points, case.hidden, False, message))
    return graded
