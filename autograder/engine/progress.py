"""The progress of a grading run: one result line per student, plus a live status line on a terminal.

    [ 7/31] alice                          29 / 31   ok        (3.1 s)   0:21 elapsed, ~1:12 left

On a terminal the status line (count, elapsed time, estimate of what is left) is redrawn in place
with a carriage return under the result lines; in a log file (not a TTY) each result line carries
the same figures instead.

The estimate is honest: it is the time per student so far (the class's throughput, so parallel jobs
count) times the students left, counting down since the last one finished.  A student running far
longer than the others (three times the mean time per submission, and at least ``SLOW_SECONDS``:
a hang waiting out its time limit) is not estimated but named with how long it has run
("hangs running 0:45"); when the estimate has run out while students are still being graded, the
line says "finishing: N running" rather than "~0:00 left".  Plain ``print``: one line of arithmetic does not earn a dependency
(tqdm or rich would also have to be installed wherever the staff grade).

A result line names a student, and a student's name is a file name the student chose: it is written
through ``text.visible``, so no escape sequence, carriage return or bidi override in it reaches the
terminal (the status line's own ``\r\033[K`` is the only control sequence written).
"""

from __future__ import annotations

import math
import sys
import threading
import time

from .text import visible


def clock(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}" if seconds >= 3600 \
        else f"{seconds // 60}:{seconds % 60:02d}"


SLOW_SECONDS = 10.0  # a student running past this and 3x the mean is named, not estimated
MAX_NAMED = 3


class Progress:
    def __init__(self, total: int, done: int = 0, stream=None, jobs: int = 1):
        self.total, self.done, self.fresh = total, done, 0  # fresh: graded by this run (drives the estimate)
        self.jobs = max(1, jobs)
        self.stream = stream or sys.stdout
        self.live = self.stream.isatty()
        self.started = self.last = time.monotonic()
        self.running: dict[str, float] = {}  # student -> when their grading started
        self.durations: list[float] = []  # of the students graded by this run, when known
        self.lock = threading.Lock()
        self.ticking = threading.Event()  # set: the status line stops being redrawn

    def status(self) -> str:
        now = time.monotonic()
        text = f"{clock(now - self.started)} elapsed"
        left = self.total - self.done
        if not left:
            return text
        slow = self._slow(now)
        normal = left - len(slow)
        if self.fresh and normal > 0:  # the mean time per student so far, counting down since the last one
            per_student = (self.last - self.started) / self.fresh
            estimate = per_student * normal - (now - self.last)
            if estimate > 0:  # rounded up: while anything is left, never "~0:00 left"
                text += f", ~{clock(math.ceil(estimate))} left"
            else:
                busy = len(self.running) - len(slow)
                text += f", finishing: {busy} running" if busy > 0 else ", finishing"
        if slow:
            named = ", ".join(f"{visible(name)} running {clock(now - t0)}" for name, t0 in slow[:MAX_NAMED])
            more = f" and {len(slow) - MAX_NAMED} more" if len(slow) > MAX_NAMED else ""
            text += (", waiting for " if normal <= 0 else "; ") + named + more
        return text

    def _slow(self, now: float) -> list[tuple[str, float]]:
        """The running students far slower than the others, longest first."""
        if not self.running:
            return []
        if self.durations:
            typical = sum(self.durations) / len(self.durations)
        elif self.fresh:
            typical = (self.last - self.started) / self.fresh * self.jobs
        else:
            typical = 0.0
        limit = max(SLOW_SECONDS, 3 * typical)
        slow = [(name, t0) for name, t0 in self.running.items() if now - t0 > limit]
        return sorted(slow, key=lambda item: item[1])

    def started_one(self, name: str) -> None:
        """``name``'s grading starts now (a name is shown through ``visible``)."""
        with self.lock:
            self.running[name] = time.monotonic()

    def start(self) -> None:
        """On a terminal, redraw the status line every second (elapsed time ticks between students)."""
        if self.live:
            threading.Thread(target=self._tick, daemon=True).start()

    def _tick(self) -> None:
        while not self.ticking.is_set():
            with self.lock:
                self.stream.write("\r\033[K")
                self._draw()
            self.ticking.wait(1.0)

    def finished(self, line: str, name: str | None = None) -> None:
        """One student graded: ``line`` says who and how (shown with ``visible``); ``name``: as given
        to ``started_one``."""
        line = visible(line)
        with self.lock:
            self.done += 1
            self.fresh += 1
            self.last = time.monotonic()
            t0 = self.running.pop(name, None) if name is not None else None
            if t0 is not None:
                self.durations.append(self.last - t0)
            count = f"[{self.done:>3}/{self.total}]"
            if self.live:
                self.stream.write(f"\r\033[K   {count} {line}\n")
                self._draw()
            else:
                self.stream.write(f"   {count} {line}   {self.status()}\n")
            self.stream.flush()

    def close(self) -> None:
        if self.live:
            self.ticking.set()
            with self.lock:
                self.stream.write("\r\033[K")
                self.stream.flush()

    def _draw(self) -> None:
        self.stream.write(f"   graded {self.done} of {self.total}, {self.status()}")
        self.stream.flush()
