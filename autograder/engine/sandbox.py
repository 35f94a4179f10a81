"""Run a submission's probes in a child process with a wall clock, a memory cap and an output cap.

The child (``child.py``) reports one JSON line per check.  Each check has its own deadline: the
child interrupts a runaway Python loop itself (SIGALRM, see ``checks.deadline``); a child that is
still silent ``KILL_GRACE`` seconds later (a loop in C code) is killed, that check is recorded as a
timeout, and a fresh child carries on with the remaining checks, so a hang in one question leaves
the others their points.  A child that dies for any other reason costs the check it was running,
likewise.  Limits: address space (RLIMIT_AS), and what it may print (RLIMIT_FSIZE on its log file:
writes past the cap fail with EFBIG, reported as status "output").
"""

from __future__ import annotations

import json
import os
import resource
import selectors
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .suite import ROOT, SUITES


KILL_GRACE = 5.0  # seconds past a check's deadline before its child is killed


@dataclass(frozen=True)
class Limits:
    memory_mb: int = 2048  # address space of the child; numpy + matplotlib need ~1 GB of it
    output_kb: int = 1024  # what the submission may print, in total
    import_seconds: float = 30.0  # loading the suite and the submission


@dataclass
class Incident:
    """A check that produced no results: kind is timeout | memory | output | crash."""

    kind: str
    message: str


@dataclass
class RunResult:
    load_error: dict | None = None  # {"kind": "syntax" | "import" | "timeout" | ..., "message"}
    forbidden: list[str] = field(default_factory=list)  # imported at the top of the file
    forbidden_at: dict[str, list[str]] = field(default_factory=dict)  # ... or by the time a check ended
    results: dict[str, list | Incident] = field(default_factory=dict)
    seconds: float = 0.0


def run_submission(submission: Path, assignment: str, checks: list[tuple[str, float]], keep: Path,
                   limits: Limits = Limits()) -> RunResult:
    """Probe results for ``checks`` ([(key, timeout seconds)]) of ``submission``.

    The child works in a scratch folder; ``keep`` receives ``output.txt`` (what the submission
    printed) and ``figures/`` (what the probes saved with ``keep_figure``).
    """
    keep = keep.resolve()  # the child runs elsewhere: relative paths would point into its scratch folder
    (keep / "figures").mkdir(parents=True, exist_ok=True)
    run = RunResult()
    started = time.monotonic()
    remaining = list(checks)
    log_path = keep / "output.txt"
    log_path.write_bytes(b"")
    while remaining:
        with open(log_path, "ab") as log, tempfile.TemporaryDirectory(prefix="grade-") as scratch:
            proc = _start_child(submission, assignment, [k for k, _ in remaining], Path(scratch), keep, log, limits)
            outcome = _collect(proc, run, remaining, limits)
        if _interrupted:  # killed by kill_all(): this run says nothing about the submission
            raise Interrupted(str(submission))
        if outcome == "stop":
            break
    run.seconds = time.monotonic() - started
    if log_path.stat().st_size == 0:
        log_path.unlink()
    if not any((keep / "figures").iterdir()):
        (keep / "figures").rmdir()
    return run


def _collect(proc, run: RunResult, remaining: list, limits: Limits) -> str:
    """Read the child's events into ``run``; "stop" if grading this submission cannot go on."""
    reader = _LineReader(proc)
    try:
        loaded = reader.next_line(limits.import_seconds)
        if not isinstance(loaded, dict):
            run.load_error = _load_failure(loaded, proc, limits)
            return "stop"
        run.forbidden = loaded.get("forbidden", [])
        if loaded.get("error"):
            run.load_error = loaded["error"]
            if loaded["error"]["kind"] != "import":  # only a crash mid-import leaves names to grade
                return "stop"
        while remaining:
            key, timeout = remaining[0]
            # the child stops a runaway Python loop itself at `timeout`; the grace period covers
            # loops that ignore signals (C code), after which the child is killed
            line = reader.next_line(timeout + KILL_GRACE)
            remaining.pop(0)
            if isinstance(line, dict) and "timeout" in line:
                run.results[key] = Incident("timeout", line["timeout"])
            elif isinstance(line, dict):
                run.results[line["key"]] = line["results"]
                run.forbidden_at[line["key"]] = line.get("forbidden", [])
            else:
                run.results[key] = _incident(line, proc, timeout, limits)
                return "restart"  # a fresh child carries on with the rest
        return "done"
    finally:
        _kill(proc)


# Children alive right now, so that an interrupted grading run leaves no orphan behind.
_LIVE: set[subprocess.Popen] = set()
_LIVE_LOCK = threading.Lock()
_interrupted = False  # set by kill_all(): no child starts after it, no run is reported


class Interrupted(Exception):
    """run_submission was cut short by kill_all(): record nothing for this submission."""


def kill_all() -> None:
    global _interrupted
    with _LIVE_LOCK:
        _interrupted = True
        procs = list(_LIVE)
    for proc in procs:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _start_child(submission, assignment, keys, scratch, keep, log, limits):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(scratch),
        "PYTHONPATH": str(ROOT),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": str(scratch / ".mpl"),
        "OPENBLAS_NUM_THREADS": "1",  # predictable memory and timing; one core per child
        "OMP_NUM_THREADS": "1",
        "AUTOGRADER_ARTIFACTS": str(keep / "figures"),
    }
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "LANG", ):
        if var in os.environ:
            env[var] = os.environ[var]
    env["AUTOGRADER_SUITES"] = str(SUITES)
    mem = limits.memory_mb * 2**20
    fsize = limits.output_kb * 1024 + 64 * 1024  # + room for the figures the probes save

    def apply_limits():
        resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
        resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    proc = subprocess.Popen(
        [sys.executable, "-m", "autograder.engine.child"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, cwd=scratch, env=env,
        preexec_fn=apply_limits, start_new_session=True,
    )
    with _LIVE_LOCK:
        _LIVE.add(proc)
        late = _interrupted
    if late:  # kill_all() ran while this child was starting
        _kill(proc)
        raise Interrupted(str(submission))
    request = {"submission": str(submission.resolve()), "assignment": assignment, "keys": keys}
    proc.stdin.write(json.dumps(request).encode())
    proc.stdin.close()
    return proc


class _LineReader:
    """JSON lines from the child's result pipe, each awaited with its own deadline."""

    def __init__(self, proc: subprocess.Popen):
        self.proc = proc
        self.buffer = b""
        self.selector = selectors.DefaultSelector()
        self.selector.register(proc.stdout, selectors.EVENT_READ)

    def next_line(self, timeout: float):
        """A decoded event, or "timeout", or "eof" (the child is gone)."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not self.selector.select(left):
                return "timeout"
            chunk = os.read(self.proc.stdout.fileno(), 1 << 20)
            if not chunk:
                return "eof"
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        try:
            return json.loads(line)
        except ValueError:  # something other than the harness wrote to the pipe
            return "eof"


def _kill(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.wait()
    proc.stdout.close()
    with _LIVE_LOCK:
        _LIVE.discard(proc)


def _incident(reason: str, proc: subprocess.Popen, timeout: float, limits: Limits) -> Incident:
    if reason == "timeout":
        return Incident("timeout", f"did not finish within {timeout:g} s (an infinite loop, or far too slow)")
    return _death(proc, limits)


def _death(proc: subprocess.Popen, limits: Limits) -> Incident:
    try:
        code = proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        _kill(proc)
        code = proc.returncode
    if code == -signal.SIGXFSZ:
        return Incident("output", f"printed more than {limits.output_kb} KB (the contract says nothing is printed)")
    if code in (-signal.SIGSEGV, -signal.SIGABRT, -signal.SIGBUS):
        return Incident("memory", f"the process crashed ({signal.Signals(-code).name}), most often by running "
                                  f"out of memory (limit {limits.memory_mb} MB)")
    return Incident("crash", f"the process ended unexpectedly (exit code {code}), e.g. by sys.exit() or os._exit()")


def _load_failure(reason: str, proc: subprocess.Popen, limits: Limits) -> dict:
    if reason == "timeout":
        return {"kind": "timeout", "message": f"importing the file took more than {limits.import_seconds:g} s "
                                              "(code at the top level that never ends?)"}
    incident = _death(proc, limits)
    return {"kind": incident.kind, "message": f"while importing the file: {incident.message}"}
