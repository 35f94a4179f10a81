"""The progress of a grading run: one result line per student, plus a live status line on a terminal.

    [ 7/31] alice                          29 / 31   ok        (3.1 s)   0:21 elapsed, ~1:12 left

On a terminal the status line (count, elapsed time, estimate of what is left) is redrawn in place
with a carriage return under the result lines; in a log file (not a TTY) each result line carries
the same figures instead.  Plain ``print``: one line of arithmetic does not earn a dependency
(tqdm or rich would also have to be installed wherever the staff grade).

A result line names a student, and a student's name is a file name the student chose: it is written
through ``text.visible``, so no escape sequence, carriage return or bidi override in it reaches the
terminal (the status line's own ``\r\033[K`` is the only control sequence written).
"""

from __future__ import annotations

import sys
import threading
import time

from .text import visible


def clock(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}" if seconds >= 3600 \
        else f"{seconds // 60}:{seconds % 60:02d}"


class Progress:
    def __init__(self, total: int, done: int = 0, stream=None):
        self.total, self.done, self.fresh = total, done, 0  # fresh: graded by this run (drives the estimate)
        self.stream = stream or sys.stdout
        self.live = self.stream.isatty()
        self.started = self.last = time.monotonic()
        self.lock = threading.Lock()
        self.ticking = threading.Event()  # set: the status line stops being redrawn

    def status(self) -> str:
        now = time.monotonic()
        text = f"{clock(now - self.started)} elapsed"
        left = self.total - self.done
        if self.fresh and left:  # the mean time per student so far, counting down since the last one
            per_student = (self.last - self.started) / self.fresh
            text += f", ~{clock(max(0.0, per_student * left - (now - self.last)))} left"
        return text

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

    def finished(self, line: str) -> None:
        """One student graded: ``line`` says who and how (shown with ``visible``)."""
        line = visible(line)
        with self.lock:
            self.done += 1
            self.fresh += 1
            self.last = time.monotonic()
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
