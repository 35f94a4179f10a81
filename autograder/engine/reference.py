"""The reference solution's probe results: what checks declared with ``expect=REFERENCE`` are judged
against, by ``make grade`` and (shipped in the bundles) by otter.

The reference is trusted code, but still runs in a sandboxed child of its own.  Its results depend
only on the grading inputs (``fingerprint``), so they are computed once per change and cached in
``build/reference/<id>-<fingerprint>.json``.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path

from . import registry
from .probe_world import BUILD
from .sandbox import Limits, run_submission
from .suite import ROOT

CACHE = BUILD / "reference"
ENGINE = ROOT / "autograder" / "engine"
CHECKING = ROOT / "autograder" / "checking"


def grading_inputs(assignment: str) -> list[Path]:
    """Every file a grade of ``assignment`` depends on, besides the submission itself."""
    a = registry.get(assignment)
    return (sorted(a.suite.glob("*.py")) + [a.solution, a.config, ROOT / "requirements.txt"]
            + sorted(CHECKING.glob("*.py")) + sorted(ENGINE.glob("*.py")))


def fingerprint(assignment: str, submission: Path | None = None) -> str:
    """Changes when the submission or any grading input changes (or the Python version)."""
    h = hashlib.sha256(sys.version.encode())
    for p in ([submission] if submission else []) + grading_inputs(assignment):
        h.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def reference_results(assignment: str, questions, limits: Limits = Limits()) -> dict[str, list]:
    """check key -> the reference solution's probe results, for the checks that need them."""
    cached = CACHE / f"{assignment}-{fingerprint(assignment)}.json"
    if cached.exists():
        return json.loads(cached.read_text())
    results = _run(assignment, questions, limits)
    cached.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # never readable by a sandboxed child
    tmp = cached.with_name(f".{cached.name}.tmp{os.getpid()}")
    tmp.write_text(json.dumps(results))
    os.replace(tmp, cached)  # two runs at once both write the same content: either one wins
    for stale in CACHE.glob(f"{assignment}-*.json"):  # results for files as they no longer are
        if stale != cached:
            stale.unlink(missing_ok=True)
    return results


def _run(assignment: str, questions, limits: Limits) -> dict[str, list]:
    solution = registry.get(assignment).solution
    checks = [(c.key, c.check.timeout) for q in questions for c in q.cases if c.check.needs_reference]
    with tempfile.TemporaryDirectory(prefix="reference-") as scratch:
        run = run_submission(solution, assignment, checks, Path(scratch), limits)
    problems = []
    if run.load_error:
        problems.append(run.load_error.message)
    problems += [f"{k}: {v.message}" for k, v in run.results.items() if not isinstance(v, list)]
    if problems:
        raise SystemExit(f"error: the reference solution {solution} fails to run: "
                         f"{'; '.join(problems)}\nFix the solution or the suite before grading.")
    # through JSON, as when read back from the cache: the same values on the first run and the next
    return json.loads(json.dumps(run.results))
