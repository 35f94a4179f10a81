"""The progress line (autograder/engine/progress.py): count, elapsed time, estimate of what is left."""

import io

from autograder.engine import progress
from autograder.engine.progress import Progress, clock


def test_clock():
    assert clock(0) == "0:00" and clock(75) == "1:15" and clock(3725) == "1:02:05"


def test_one_line_per_student_with_an_estimate_from_the_mean_time(monkeypatch):
    now = [100.0]
    monkeypatch.setattr(progress.time, "monotonic", lambda: now[0])
    out = io.StringIO()  # not a TTY: one line per student
    p = Progress(total=4, stream=out)
    now[0] = 110.0  # first student took 10 s: 3 left -> ~30 s
    p.finished("alice")
    now[0] = 130.0  # 2 students in 30 s: 15 s each, 2 left -> ~30 s
    p.finished("bob")
    now[0] = 140.0  # 10 s after bob, no new student: the estimate counts down to ~20 s
    assert p.status() == "0:40 elapsed, ~0:20 left"
    lines = out.getvalue().splitlines()
    assert lines == ["   [  1/4] alice   0:10 elapsed, ~0:30 left", "   [  2/4] bob   0:30 elapsed, ~0:30 left"]
