"""``@check``: one graded behaviour, written once, judged the same way in every grading path.

A check has two halves that never meet in the student's process:

* the **probe** (the decorated function) runs student code on the check's inputs and returns plain
  data.  It receives the student's module ``m`` and one case's arguments; it knows no answers.
* the **expectation** (``expect``: a formula of the inputs, or ``REFERENCE`` for the reference
  solution's result on the same probe) and the **judge** (``judge(got, expected, *args)``) decide.

Under ``make grade`` and on Gradescope the probe runs in a confined child process that sees only
a *probe-only* copy of the suite (``autograder.engine.probe_world``: no expectation, judge or
reference result exists there), and ``Check.verdict`` runs in the grading parent on decoded plain
data.  The otter test function made here runs everything in one process: that is ``check.py`` on a
student's own machine, checking their own work.

Example (an otter exception-format test file)::

    _xs = [float(x) for x in seeded(3).uniform(0.2, 3.0, 8)]  # inputs: the same in every process

    @test_case(name="sin rule: (sin u)' = cos(u) u'", points=1, hidden=True)
    @check(cases=[(x,) for x in _xs], expect=lambda x: math.cos(x), judge=close(rtol=1e-13))
    def sin_rule(m, x):
        return m.derivative(m.sin, x)
"""

from __future__ import annotations

import gc
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from .judges import Mismatch, equal, fmt, labelled
from .plain import BadData, Raised, decode
from .probing import (FORBIDDEN_MODULES, CheckTimedOut, Probe, StudentModule, deadline,  # noqa: F401
                      keep_figure)  # (re-exported)

# A forbidden package that another one imports by itself: the message names only the one imported.
_PULLED_IN_BY = {"mpmath": "sympy", "keras": "tensorflow"}


class _Reference:
    def __repr__(self) -> str:
        return "REFERENCE"


REFERENCE = _Reference()
"""``expect=REFERENCE``: expected = the reference solution's probe result for the same case."""


# A judge (or an expect= formula) that raises on a value is a bug of the suite, not of the student: the
# case fails with these words, which the release gate looks for to say "the judge itself raised".
JUDGE_RAISED = "the result could not be judged"


class Cost:
    """A cost guard's rule (``@check(cost=Cost(...), repeat=r)``): the fastest of the ``r`` measured
    runs, in CPU seconds, is at most ``max_ratio`` times the CPU time of ``baseline(*case)``.

    ``baseline`` is the unit of cost: trusted work of the same size (e.g. one Python loop over the
    inputs), timed by the grader in its own process, never next to student code.  ``too_slow(ratio)``
    says what the student should change.  The runs are timed by the grading parent from the kernel's
    CPU clock of the child (``sandbox``), on inputs drawn from a fresh seed each time, so neither a
    clock the submission replaces nor a cache of an earlier input changes the measure.
    """

    def __init__(self, max_ratio: float, baseline: Callable, too_slow: Callable[[float], str]):
        self.max_ratio, self.baseline, self.too_slow = max_ratio, baseline, too_slow
        self._units: dict[tuple, float] = {}

    def unit(self, args: tuple) -> float:
        """CPU seconds of ``baseline(*args)`` in this thread: best of 5, garbage collector off
        (as ``timeit``), measured once per process."""
        if args not in self._units:
            was_enabled = gc.isenabled()
            gc.collect()
            gc.disable()
            try:
                best = float("inf")
                for _ in range(5):
                    t0 = time.thread_time()
                    self.baseline(*args)
                    best = min(best, time.thread_time() - t0)
            finally:
                if was_enabled:
                    gc.enable()
            self._units[args] = max(best, 1e-6)
        return self._units[args]


class Check(Probe):
    """A probe, its cases, and how to judge them (the trusted side: never in the student's process
    under ``make grade`` or on Gradescope)."""

    def __init__(self, probe: Callable, cases: Sequence[tuple], expect, judge: Callable,
                 timeout: float, describe: Callable | None, cost: Cost | None = None, repeat: int = 0):
        if (cost is None) != (repeat == 0) or (cost is not None and expect is REFERENCE):
            raise ValueError(f"{probe.__name__}: a cost guard needs cost=Cost(...), repeat=n >= 1 and a formula "
                             "expect(*case, seed) (each run's inputs come from a fresh seed)")
        super().__init__(probe, cases, timeout, repeat)
        self.cost = cost
        self.describe = describe or (lambda *args: ", ".join(fmt(a) for a in args))
        self.needs_reference = expect is REFERENCE
        self.expect, self.judge = expect, judge
        self._decoded_for: list | None = None  # the reference list _expected_values were decoded from
        self._expected_values: dict[int, object] = {}  # case index -> expected value (``_expected``)

    # -- the judge's side --------------------------------------------------------------------
    def verdict(self, results: list[dict], reference: list[dict] | None = None,
                forbidden: Sequence[str] = ()) -> str | None:
        """None if every case passes, else one feedback line about the first failing case."""
        if forbidden:
            forbidden = [n for n in forbidden if _PULLED_IN_BY.get(n) not in forbidden] or forbidden
            return (f"Your file imports {', '.join(sorted(forbidden))}; automatic-differentiation and "
                    "computer-algebra packages are not allowed, so this behaviour earns no points.")
        if not isinstance(results, list) or len(results) != len(self.cases):
            count = len(results) if isinstance(results, list) else 0
            return f"the check ran {count} of its {len(self.cases)} cases"
        failures = []
        for i, (args, data) in enumerate(zip(self.cases, results)):
            try:
                if self.cost is not None:
                    self._judge_measured(args, data)
                    continue
                got = decode(data)
                if isinstance(got, Raised) and not getattr(self.judge, "accepts_raised", False):
                    raise Mismatch(_describe_raise(got))
                self.judge(got, self._expected(i, args, reference), *args)
            except Mismatch as m:
                failures.append((args, str(m)))
            except BadData as exc:  # the child sent something that is not plain data
                failures.append((args, f"the result could not be read ({exc})"))
            except Exception as exc:  # a judge tripping over a strange value fails this case, not the run
                failures.append((args, f"{JUDGE_RAISED} ({type(exc).__name__}: "
                                       f"{str(exc)[:200]})"))
        if not failures:
            return None
        args, message = failures[0]
        inputs = self.describe(*args)
        where = f"for {inputs}: " if inputs else ""
        more = f" ({len(failures)} of {len(self.cases)} cases failed)" if len(self.cases) > 1 else ""
        return f"{where}{message}{more}"


    def _judge_measured(self, args: tuple, data) -> None:
        """A cost guard's case: every run's value first ("wrong value": the speed of a wrong answer
        means nothing), then the fastest run's cost ("too slow")."""
        runs = data.get("measured") if isinstance(data, dict) else None
        if not isinstance(runs, list) or len(runs) != self.repeat:
            raise Mismatch(f"the check ran {len(runs) if isinstance(runs, list) else 0} of its {self.repeat} timed runs")
        for run in runs:
            got = decode(run["result"])
            if isinstance(got, Raised):
                raise Mismatch(f"wrong value: {_describe_raise(got)}")
            labelled("wrong value", self.judge)(got, self.expect(*args, seed=run["seed"]), *args)
        ratio = min(float(run["seconds"]) for run in runs) / self.cost.unit(args)
        if not ratio <= self.cost.max_ratio:
            raise Mismatch(f"too slow: {self.cost.too_slow(ratio)}")

    def _expected(self, i: int, args: tuple, reference: list[dict] | None):
        """Case ``i``'s expected value, computed once per process: a formula of the case's inputs (a
        brute force may take 0.1 s) or the decoded reference result, the same for every student."""
        if not self.needs_reference and not callable(self.expect):
            return self.expect  # a constant
        if self.needs_reference:
            if reference is None or i >= len(reference):
                raise RuntimeError(f"no reference result for {self.key} case {i}")
            if self._decoded_for is not reference:  # holds the list, so its identity stays its own
                self._decoded_for, self._expected_values = reference, {}
        # else a formula: its values are kept for the process's lifetime
        if i not in self._expected_values:
            self._expected_values[i] = decode(reference[i]) if self.needs_reference else self.expect(*args)
        return self._expected_values[i]


def check(*, cases: Sequence[tuple] = ((),), expect=REFERENCE, judge: Callable = equal,
          timeout: float = 10.0, describe: Callable | None = None, cost: Cost | None = None, repeat: int = 0):
    """Declare a check; decorate the probe ``probe(m, *args)``.  Returns an otter test function.

    cases    -- the probe's argument tuples (plain data, seeded: the same in every process).
    expect   -- ``REFERENCE`` (default), a formula ``expect(*args)``, or a constant-free None.
    judge    -- ``judge(got, expected, *args)`` raising ``Mismatch`` (see ``judges``).
    timeout  -- wall-clock seconds for all cases together under ``make grade``.
    describe -- ``describe(*args) -> str`` naming a case's inputs in feedback.
    cost, repeat -- a cost guard (``Cost``): the probe is ``probe(m, *args, seed)``, run ``repeat``
                times per case on inputs drawn from fresh seeds; ``expect(*args, seed)`` and ``judge``
                decide each run's value, ``cost`` its time.
    """

    def decorate(probe: Callable):
        c = Check(probe, cases, expect, judge, timeout, describe, cost, repeat)

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


def _describe_raise(got: Raised) -> str:
    if got.is_a(NotImplementedError):  # where = "line 12 in gradient; line 40 in __mul__": the last raises
        name = got.where.rsplit(" in ", 1)[-1] if got.where else ""
        return f"not implemented yet ({name + '()' if name else 'the function'} still raises NotImplementedError)"
    where = f" ({got.where})" if got.where else ""
    return f"raised {got}{where}"


def forbidden_modules_loaded() -> list[str]:
    """Forbidden packages present in ``sys.modules`` (the submission imported them)."""
    return [name for name in FORBIDDEN_MODULES if name in sys.modules]


# -- reference results for the in-process path (check.py ships the public ones) -----------------
REFERENCE_FILE = Path(__file__).with_name("reference_results.json")
_bundled: dict | None = None


def load_bundled_reference() -> dict:
    """The reference solution's probe results, written by the release build next to this file."""
    global _bundled
    if _bundled is None:
        _bundled = json.loads(REFERENCE_FILE.read_text()) if REFERENCE_FILE.exists() else {}
    return _bundled
