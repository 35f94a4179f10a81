"""``@check``: one graded behaviour, written once, judged the same way in every grading path.

A check has two halves that never meet in the student's process:

* the **probe** (the decorated function) runs student code on the check's inputs and returns plain
  data.  It receives the student's module ``m`` and one case's arguments; it knows no answers.
* the **expectation** (``expect``: a formula of the inputs, or ``REFERENCE`` for the reference
  solution's result on the same probe) and the **judge** (``judge(got, expected, *args)``) decide.

Under ``make grade`` the probe runs in a sandboxed child process that loads the suite in *probe-only*
mode (``expect`` and ``judge`` are dropped as soon as they are declared), and the judging happens in
the grading parent on decoded plain data.  Under otter (the Gradescope bundle) everything runs in
the student's kernel, the only choice otter offers; the results still cross ``encode``/``decode``
before they are judged, so both paths give the same verdicts.

Example (an otter exception-format test file)::

    _xs = [float(x) for x in seeded(3).uniform(0.2, 3.0, 8)]  # inputs: the same in every process

    @test_case(name="sin rule: (sin u)' = cos(u) u'", points=1, hidden=True)
    @check(cases=[(x,) for x in _xs], expect=lambda x: math.cos(x), judge=close(rtol=1e-13))
    def sin_rule(m, x):
        return m.derivative(m.sin, x)
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from .judges import Mismatch, equal, fmt
from .plain import Raised, decode, encode, encode_exception

# Set to True by the sandboxed child before it loads a suite: expectations and judges are then
# discarded at declaration time and never exist in the student's process.
PROBE_ONLY = False

# Importing any of these earns no points (ASSIGNMENTS.md, common rules).
FORBIDDEN_MODULES = ("jax", "torch", "tensorflow", "autograd", "sympy", "theano", "mxnet",
                     "casadi", "tangent", "paddle", "symengine", "mpmath", "keras")
# A forbidden package that another one imports by itself: the message names only the one imported.
_PULLED_IN_BY = {"mpmath": "sympy", "keras": "tensorflow"}


class _Reference:
    def __repr__(self) -> str:
        return "REFERENCE"


REFERENCE = _Reference()
"""``expect=REFERENCE``: expected = the reference solution's probe result for the same case."""


class Check:
    """A probe, its cases, and (outside the child) how to judge them."""

    def __init__(self, probe: Callable, cases: Sequence[tuple], expect, judge: Callable,
                 timeout: float, describe: Callable | None):
        self.probe = probe
        self.cases = [tuple(c) for c in cases]
        self.timeout = timeout
        self.key = f"{Path(probe.__code__.co_filename).stem}:{probe.__name__}"
        self.describe = describe or (lambda *args: ", ".join(fmt(a) for a in args))
        self.needs_reference = expect is REFERENCE
        if PROBE_ONLY:
            self.expect = self.judge = None
        else:
            self.expect, self.judge = expect, judge

    # -- the student's side ------------------------------------------------------------------
    def run_probes(self, module) -> list[dict]:
        """Run the probe on every case; encoded results (exceptions included), in case order.

        Raises ``CheckTimedOut`` when the cases together run past ``self.timeout`` seconds.
        """
        view = StudentModule(module)
        filename = getattr(module, "__file__", None) or (module.get("__file__") if isinstance(module, dict) else None)
        out = []
        with deadline(self.timeout):
            for args in self.cases:
                try:
                    out.append(encode(self.probe(view, *args)))
                except Exception as exc:  # the student's exception is a result like any other
                    out.append(encode_exception(exc, filename))
        return out

    # -- the judge's side --------------------------------------------------------------------
    def verdict(self, results: list[dict], reference: list[dict] | None = None,
                forbidden: Sequence[str] = ()) -> str | None:
        """None if every case passes, else one feedback line about the first failing case."""
        if self.judge is None:
            raise RuntimeError("verdict() called in probe-only mode")
        if forbidden:
            forbidden = [n for n in forbidden if _PULLED_IN_BY.get(n) not in forbidden] or forbidden
            return (f"Your file imports {', '.join(sorted(forbidden))}; automatic-differentiation and "
                    "computer-algebra packages are not allowed, so this behaviour earns no points.")
        if len(results) != len(self.cases):
            return f"the check ran {len(results)} of its {len(self.cases)} cases"
        failures = []
        for i, (args, data) in enumerate(zip(self.cases, results)):
            got = decode(data)
            try:
                if isinstance(got, Raised) and not getattr(self.judge, "accepts_raised", False):
                    raise Mismatch(_describe_raise(got))
                if self.needs_reference:
                    if reference is None or i >= len(reference):
                        raise RuntimeError(f"no reference result for {self.key} case {i}")
                    expected = decode(reference[i])
                else:
                    expected = self.expect(*args) if callable(self.expect) else self.expect
                self.judge(got, expected, *args)
            except Mismatch as m:
                failures.append((args, str(m)))
        if not failures:
            return None
        args, message = failures[0]
        inputs = self.describe(*args)
        where = f"for {inputs}: " if inputs else ""
        more = f" ({len(failures)} of {len(self.cases)} cases failed)" if len(self.cases) > 1 else ""
        return f"{where}{message}{more}"


def check(*, cases: Sequence[tuple] = ((),), expect=REFERENCE, judge: Callable = equal,
          timeout: float = 10.0, describe: Callable | None = None):
    """Declare a check; decorate the probe ``probe(m, *args)``.  Returns an otter test function.

    cases    -- the probe's argument tuples (plain data, seeded: the same in every process).
    expect   -- ``REFERENCE`` (default), a formula ``expect(*args)``, or a constant-free None.
    judge    -- ``judge(got, expected, *args)`` raising ``Mismatch`` (see ``judges``).
    timeout  -- wall-clock seconds for all cases together under ``make grade``.
    describe -- ``describe(*args) -> str`` naming a case's inputs in feedback.
    """

    def decorate(probe: Callable):
        c = Check(probe, cases, expect, judge, timeout, describe)

        def otter_test(env):
            """Otter calls this in the student's kernel with the student's global namespace."""
            reference = load_bundled_reference().get(c.key) if c.needs_reference else None
            try:
                results = c.run_probes(env)
            except CheckTimedOut as exc:
                raise Mismatch(str(exc)) from None
            # after the probes, as in the grading child: an import inside a function counts too
            message = c.verdict(results, reference, forbidden_modules_loaded())
            if message:
                raise Mismatch(message)

        otter_test.check = c
        otter_test.__name__ = probe.__name__
        otter_test.__doc__ = probe.__doc__
        return otter_test

    return decorate


class CheckTimedOut(BaseException):
    """A check ran past its time limit.  A BaseException, so ``except Exception`` in student code
    does not swallow it."""


@contextlib.contextmanager
def deadline(seconds: float):
    """Interrupt the block with ``CheckTimedOut`` after ``seconds`` (SIGALRM; main thread only).

    Stops a runaway Python loop in-process (under otter, the only guard there is).  Under
    ``make grade`` the parent also kills a child that overruns, for loops that ignore signals.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise CheckTimedOut(f"did not finish within {seconds:g} s (an infinite loop, or far too slow)")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _describe_raise(got: Raised) -> str:
    if got.is_a(NotImplementedError):  # where = "line 12 in gradient; line 40 in __mul__": the last raises
        name = got.where.rsplit(" in ", 1)[-1] if got.where else ""
        return f"not implemented yet ({name + '()' if name else 'the function'} still raises NotImplementedError)"
    where = f" ({got.where})" if got.where else ""
    return f"raised {got}{where}"


class StudentModule:
    """Attribute access to the student's names, with a clear error for a missing one."""

    def __init__(self, namespace):
        self._ns = namespace if isinstance(namespace, dict) else vars(namespace)

    def __getattr__(self, name: str):
        try:
            return self._ns[name]
        except KeyError:
            raise AttributeError(f"your file does not define {name!r} (see ASSIGNMENTS.md for the names)") from None


def forbidden_modules_loaded() -> list[str]:
    """Forbidden packages present in ``sys.modules`` (the submission imported them)."""
    return [name for name in FORBIDDEN_MODULES if name in sys.modules]


# -- reference results shipped inside the otter bundle --------------------------------------------
REFERENCE_FILE = Path(__file__).with_name("reference_results.json")
_bundled: dict | None = None


def load_bundled_reference() -> dict:
    """The reference solution's probe results, written by the release build next to this file."""
    global _bundled
    if _bundled is None:
        _bundled = json.loads(REFERENCE_FILE.read_text()) if REFERENCE_FILE.exists() else {}
    return _bundled


def timed(fn: Callable, *args, repeat: int = 1) -> float:
    """Best-of-``repeat`` wall-clock seconds of ``fn(*args)`` (for cost guards inside probes).

    The garbage collector is off while timing, as in ``timeit``: graphs of closures are full of
    reference cycles, and a collection landing in one timing but not the other skews a ratio by 10x.
    """
    best = float("inf")
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        for _ in range(repeat):
            t0 = time.perf_counter()
            fn(*args)
            best = min(best, time.perf_counter() - t0)
    finally:
        if was_enabled:
            gc.enable()
    return best


def keep_figure(fig, name: str) -> None:
    """Save a student's figure beside their feedback (``make grade`` sets AUTOGRADER_ARTIFACTS)."""
    folder = os.environ.get("AUTOGRADER_ARTIFACTS")
    if folder and fig is not None and hasattr(fig, "savefig"):
        try:
            fig.savefig(os.path.join(folder, f"{name}.png"), dpi=80)
        except Exception:  # keeping a copy for the TA must never cost the student a point
            pass
