"""What the isolation layers cost per submission, measured precisely: the reference solution graded
``repeats`` times in this process, one at a time, confined and not (``AUTOGRADER_CONFINE``), the two
interleaved so that a change of load on the machine touches both alike; the medians and their
difference.  A class run's difference (the grading table's "isolation cost") is the same quantity
under the noise of two parallel jobs; this one is what a single child pays: the rlimits, the uid
drop, Landlock, the seccomp allowlist, the per-child cgroup and the IPC namespace, and reaping them.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

from autograder.engine import registry, sandbox
from autograder.engine.suite import load_suite


def measure(assignment: str, repeats: int = 9) -> tuple[float, float]:
    """(confined, unconfined) median wall seconds per submission."""
    checks = [(c.key, c.check.timeout) for q in load_suite(assignment) for c in q.cases]
    times: dict[str, list[float]] = {"1": [], "0": []}
    before = os.environ.get("AUTOGRADER_CONFINE")
    with tempfile.TemporaryDirectory(prefix="bench-layers-") as tmp:
        submission = Path(tmp) / f"{assignment}.py"
        submission.write_bytes(registry.get(assignment).solution.read_bytes())
        sandbox.run_submission(submission, assignment, checks, Path(tmp) / "warm-up")
        try:
            for i in range(repeats):
                for flag in ("1", "0"):
                    os.environ["AUTOGRADER_CONFINE"] = flag
                    started = time.perf_counter()
                    sandbox.run_submission(submission, assignment, checks, Path(tmp) / f"{i}-{flag}")
                    times[flag].append(time.perf_counter() - started)
        finally:
            os.environ.pop("AUTOGRADER_CONFINE", None) if before is None else os.environ.update(AUTOGRADER_CONFINE=before)
    return statistics.median(times["1"]), statistics.median(times["0"])


def table(assignments: list[str], repeats: int, say=print) -> str:
    lines = ["| assignment | confined (ms/sub) | unconfined (ms/sub) | isolation layers (ms, %) |",
             "|---|---:|---:|---:|"]
    for assignment in assignments:
        say(f"== {assignment}: isolation layers, the reference graded {repeats}x each way, one at a time ...")
        on, off = measure(assignment, repeats)
        lines.append(f"| {assignment} | {on * 1000:.0f} | {off * 1000:.0f} | "
                     f"{(on - off) * 1000:+.0f} ({100 * (on - off) / off:+.1f} %) |")
    return "\n".join(lines)
