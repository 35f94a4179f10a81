"""The probe side of a check: what runs next to the student's code, and nothing that knows an answer.

A *probe* is the function decorated by ``@check``: it calls the student's functions on one case's
inputs and returns plain data.  ``Probe`` holds the probe, its cases and its time limit, and runs
them (``run``), turning every result, exception included, into plain data (``plain.encode``).

This module and ``plain`` are the only parts of ``autograder.checking`` copied into the sandboxed
child's probe-only world (``autograder.engine.probe_world``), where ``check`` below is the whole
decorator: the world's suite files have had their ``expect=``, ``judge=`` and ``describe=`` removed.
"""

from __future__ import annotations

import contextlib
import gc
import io
import re
import signal
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from .plain import encode, encode_exception

# Importing any of these earns no points (the handout's common rules): in the sandboxed child they
# cannot be imported at all (``child``); in-process (check.py) the check says why (``checks``).
FORBIDDEN_MODULES = ("jax", "jaxlib", "torch", "functorch", "tensorflow", "keras", "autograd", "sympy",
                     "symengine", "mpmath", "theano", "mxnet", "casadi", "tangent", "paddle")

# The clock of a measured probe run in-process (``check.py``: the student's own information).  Under
# ``make grade`` and on Gradescope the grading parent times measured probes from the kernel's clock of
# the child (``sandbox``): nothing in the child is read.  CPU seconds of this whole process, every
# thread; with RLIMIT_CPU set, Linux updates the process total only at scheduler ticks, and reading
# this thread's clock first brings it up to date.
_thread_time, _process_time = time.thread_time, time.process_time


def _clock() -> float:
    _thread_time()
    return _process_time()


def seeded(seed: int) -> np.random.Generator:
    """The generator a suite draws its inputs from: fixed seed, so every process sees the same cases."""
    return np.random.default_rng(seed)


class CheckTimedOut(BaseException):
    """A check ran past its time limit.  A BaseException, so ``except Exception`` in student code
    does not swallow it."""


@contextlib.contextmanager
def deadline(seconds: float):
    """Interrupt the block with ``CheckTimedOut`` after ``seconds`` of CPU time (SIGPROF; main thread only).

    Stops a runaway Python loop in-process, so that the other checks keep running.  It is a
    courtesy, not the guard: under ``make grade`` (and on Gradescope) the grading parent kills a
    child that overruns, whatever it did to its own alarm.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise CheckTimedOut(f"did not finish within {seconds:g} s (an infinite loop, or far too slow)")

    # CPU time (ITIMER_PROF), as the parent counts it: a busy machine does not shorten a check
    previous = signal.signal(signal.SIGPROF, expire)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


@contextlib.contextmanager
def collector_off():
    """The garbage collector off while a measured run runs, as in ``timeit``: graphs of closures are
    full of reference cycles, and a collection landing in one run but not another skews a ratio 10x."""
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class StudentModule:
    """Attribute access to the student's names, with a clear error for a missing one."""

    def __init__(self, namespace):
        self._ns = namespace if isinstance(namespace, dict) else vars(namespace)

    def __getattr__(self, name: str):
        try:
            return self._ns[name]
        except KeyError:
            raise AttributeError(f"your file does not define {name!r} (handout.md lists the names)") from None


class Probe:
    """A probe function, its cases (plain data, seeded) and its time limit.

    A *measured* probe (``repeat`` > 0, a cost guard) runs each case ``repeat`` times, each time on
    inputs drawn from a fresh seed (``probe(m, *case, seed=...)``), so that no cache can help, and
    each run's CPU time is measured by whoever runs it: under ``make grade`` and on Gradescope the
    grading parent, from the kernel's clock of the child (``sandbox``); in-process (``check.py``)
    this process's own clock, for the student's information only.
    """

    def __init__(self, probe: Callable, cases: Sequence[tuple], timeout: float, repeat: int = 0):
        self.probe = probe
        self.cases = [tuple(c) for c in cases]
        self.timeout = timeout
        self.repeat = repeat
        self.key = f"{Path(probe.__code__.co_filename).stem}:{probe.__name__}"

    def run_one(self, module, case: int, seed: int):
        """One repetition of a measured probe: the encoded result (an exception included)."""
        view = StudentModule(module)
        try:
            return encode(self.probe(view, *self.cases[case], seed=seed))
        except CheckTimedOut:
            raise
        except BaseException as exc:
            return encode_exception(exc, getattr(module, "__file__", None))

    def run_measured(self, module) -> list[dict]:
        """In-process: every case's repetitions, each timed by this process's CPU clock."""
        import random

        seeds = random.SystemRandom()
        out = []
        with deadline(self.timeout):
            for case in range(len(self.cases)):
                runs = []
                for _ in range(self.repeat):
                    seed = seeds.randrange(2**31)
                    with collector_off():
                        t0 = _clock()
                        result = self.run_one(module, case, seed)
                        seconds = _clock() - t0
                    runs.append({"seconds": seconds, "seed": seed, "result": result})
                out.append({"measured": runs})
        return out

    def run_probes(self, module) -> list[dict]:
        """Run the probe on every case; encoded results (exceptions included), in case order.

        Raises ``CheckTimedOut`` when the cases together run past ``self.timeout`` seconds.
        """
        if self.repeat:
            return self.run_measured(module)
        view = StudentModule(module)
        filename = getattr(module, "__file__", None) or (module.get("__file__") if isinstance(module, dict) else None)
        out = []
        with deadline(self.timeout):
            for args in self.cases:
                try:
                    out.append(encode(self.probe(view, *args)))
                except CheckTimedOut:
                    raise
                except BaseException as exc:  # the student's exception (sys.exit too) is a result like any other
                    out.append(encode_exception(exc, filename))
        return out


# -- the probe-only world: ``@check`` registers the probe and nothing else ------------------------
PROBES: dict[str, Probe] = {}


def check(*, cases: Sequence[tuple] = ((),), timeout: float = 10.0, repeat: int = 0):
    """``@check`` as the sandboxed child sees it (the world's rewrite removed every other argument)."""

    def register(probe: Callable) -> Probe:
        p = Probe(probe, cases, timeout, repeat)
        PROBES[p.key] = p
        return p

    return register


# -- the process the probes run in ---------------------------------------------------------------
# glibc's malloc starts by serving every block over 128 KB with a fresh mmap and giving it back on
# free: numpy code that makes many mid-sized arrays (np.concatenate in a loop, 50,000-value
# running means) then page-faults on every array, 4-8x slower than in a process whose malloc has
# already raised that threshold by itself (any long-lived Python process, the in-process floor,
# otter's kernel).  A freshly forked child is always in the cold state; these two settings put it
# in the steady state from the start, so the graded timings are the code's own.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # mallopt parameters, <malloc.h>
MMAP_THRESHOLD = 32 * 2**20  # glibc's own ceiling for the threshold it raises by itself
TRIM_THRESHOLD = 2 * MMAP_THRESHOLD  # the ratio glibc keeps when it raises them itself


def steady_allocator() -> bool:
    """Set malloc to its steady state (above); False where the C library is not glibc."""
    import ctypes

    try:
        libc = ctypes.CDLL(None)
        return bool(libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
                    and libc.mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
    except (OSError, AttributeError):
        return False


# -- helpers that probes call ---------------------------------------------------------------------
# Figures kept for the TA: PNG bytes by name.  The child sends them to the parent with the check's
# results (it cannot write files); in-process (check.py, otter) they go to AUTOGRADER_ARTIFACTS.
KEPT_FIGURES: dict[str, bytes] = {}
MAX_FIGURE_BYTES = 2_000_000
MAX_FIGURES_SENT = 8  # per check
MAX_FIGURE_BYTES_SENT = 6_000_000  # per check, before base64: the event stays far below its 16 MB cap
FIGURE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")  # a figure's name becomes a file name: <name>.png
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def take_kept_figures() -> dict[str, bytes]:
    """The figures kept since the last call that may cross to the parent (a name of 1-64 letters,
    digits or _, a PNG of at most 2 MB; at most 8 and 6 MB per check); the rest are dropped: a figure
    is kept for the TA and never costs a point, whatever the submission put in ``KEPT_FIGURES``."""
    sent, size = {}, 0
    for name, png in list(KEPT_FIGURES.items()):
        if len(sent) >= MAX_FIGURES_SENT:
            break
        if (isinstance(name, str) and FIGURE_NAME.fullmatch(name) and isinstance(png, bytes)
                and png.startswith(PNG_SIGNATURE) and len(png) <= MAX_FIGURE_BYTES
                and size + len(png) <= MAX_FIGURE_BYTES_SENT):
            sent[name] = png
            size += len(png)
    KEPT_FIGURES.clear()
    return sent
_KEPT_NAMES: set[str] = set()  # names kept by this process: the first figure of a name is the one kept


def forget_kept_figures() -> None:
    """As in a fresh process: the next figure of every name is rendered and kept again (benchmarks
    that run many submissions' probes in one process)."""
    _KEPT_NAMES.clear()
    KEPT_FIGURES.clear()


def keep_figure(fig, name: str) -> None:
    """Keep a PNG of a student's figure beside their feedback; never costs the student a point.

    Once per name and process: two checks that draw the same figure (its structure, its data) keep
    the first one, and the second does not pay for rendering it again (100-150 ms)."""
    import os

    if fig is None or not hasattr(fig, "savefig") or name in _KEPT_NAMES:
        return
    _KEPT_NAMES.add(name)
    try:
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=80)
    except Exception:  # keeping a copy for the TA must never cost the student a point
        return
    data = buf.getvalue()
    if len(data) > MAX_FIGURE_BYTES:
        return
    folder = os.environ.get("AUTOGRADER_ARTIFACTS")
    if folder:
        with contextlib.suppress(OSError):
            Path(folder, f"{name}.png").write_bytes(data)
    else:
        KEPT_FIGURES[name] = data
