"""Run a submission's probes in a confined child: the parent side (the child side is ``child.py``).

One fork server per assignment (``Server``) has imported numpy, matplotlib and the probe-only
world's suite (``probe_world``); for each submission it forks a child that confines itself
(``confine``) before reading the file.  The parent (this module) owns every decision about time:

* each check has a deadline in CPU seconds, read from ``/proc`` (so a loaded machine does not make a
  correct submission time out): a child that used ``timeout + KILL_GRACE`` CPU seconds on a check, or
  spent ``WALL_FACTOR`` times that in wall-clock time (a ``sleep``), is killed, whatever it did to
  its own alarm; the check is a timeout, and a fresh child carries on with the rest;
* a child that dies, or writes anything ``protocol.parse_event`` rejects, costs the check it was
  running (status ``error``/``memory``/``output``), never the run;
* the child gets the file's bytes as a sealed (unchangeable) in-memory file, through a descriptor: no
  path of it exists, so no rule of the sandbox names anything per submission.  It sends figures over
  its result pipe (it can write nowhere); the parent saves them.

``AUTOGRADER_FORKSERVER=0`` starts a fresh server for every submission instead (slower, same
result); ``AUTOGRADER_CONFINE=0`` turns the OS layers off (for benchmarks only).
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import selectors
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import probe_world
from .protocol import MAX_LINE, CheckDone, CheckTimedOut, Loaded, LoadError, Part, ProtocolError, Ready, parse_event
from .status import Status

KILL_GRACE = 5.0  # CPU seconds past a check's deadline before its child is killed
POLL = 0.25  # seconds between looks at a child's clocks, whatever it writes meanwhile
WALL_FACTOR = 4.0  # wall-clock backstop, as a multiple of the deadline (where no clock of the child can be read)
MAX_SUBMISSION_BYTES = 1_000_000
SERVER_START_SECONDS = 180.0  # the first start builds matplotlib's font cache


@dataclass(frozen=True)
class Limits:
    memory_mb: int = 2048  # address space of the child; numpy + matplotlib need ~1 GB of it
    output_kb: int = 1024  # what the submission may print, in total
    import_seconds: float = 30.0  # importing the submission
    submission_seconds: float = 300.0  # wall-clock time one submission may hold a worker, in all
    keep_mb: int = 24  # bytes the parent keeps of one submission: results, output, figures (honest: < 8 MB)


@dataclass
class Incident:
    """A check that produced no results, and the status that implies."""

    status: Status
    message: str


@dataclass
class RunResult:
    load_error: LoadError | None = None
    results: dict[str, list | Incident] = field(default_factory=dict)
    seconds: float = 0.0


class Interrupted(Exception):
    """The run was cut short by ``kill_all`` (Ctrl-C): nothing about this submission may be recorded."""


# -- the fork server ------------------------------------------------------------------------------
class Server:
    """A fork server for one assignment (see ``child.py``)."""

    def __init__(self, assignment: str):
        self.assignment = assignment
        self.world = probe_world.build(assignment)
        self.lock = threading.Lock()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        logs = probe_world.BUILD / "logs"
        logs.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.log = logs / f"server-{assignment}-{os.getpid()}.log"
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.world.root),
            "MPLBACKEND": "Agg",
            "MPLCONFIGDIR": str(probe_world.BUILD / "mplconfig"),
            "OPENBLAS_NUM_THREADS": "1",  # predictable memory and timing; one core per child
            "OMP_NUM_THREADS": "1",
            "AUTOGRADER_ASSIGNMENT": assignment,
            "AUTOGRADER_CTL_FD": str(theirs.fileno()),
        }
        for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "LANG", "AUTOGRADER_CONFINE", "AUTOGRADER_SANDBOX_USER"):
            if var in os.environ:
                env[var] = os.environ[var]
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-I", "-S", str(self.world.root / "autograder" / "engine" / "child.py"),
                 str(self.world.root)],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env, pass_fds=(theirs.fileno(),),
                start_new_session=True,
            )
        theirs.close()
        self.sock = ours
        ready = self._receive(SERVER_START_SECONDS)
        if ready.get("event") != "ready":
            self.close()
            raise RuntimeError(f"the grading server for {assignment} did not start: {self._log_tail()}")
        self.probes: dict[str, dict] = ready["probes"]  # key -> {"cases": n, "repeat": r}
        self.layers: dict = ready.get("layers", {})

    def fork(self, request: dict, fds: list[int]) -> int:
        """A confined child's pid; ``ForkFailed`` if the server could not fork or is gone."""
        with self.lock:
            try:
                socket.send_fds(self.sock, [json.dumps(request).encode()], fds)
            except OSError as exc:
                raise ForkFailed(f"the grading server is gone ({exc.strerror})") from None
            reply = self._receive(30.0)
        if "pid" not in reply:
            raise ForkFailed(reply.get("error") or "the grading server did not answer")
        return int(reply["pid"])

    def alive(self) -> bool:
        return self.proc.poll() is None

    def close(self) -> None:
        self.sock.close()  # the server sees EOF, kills its children and exits
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def _receive(self, timeout: float) -> dict:
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(1 << 20)
        except (TimeoutError, OSError):
            data = b""
        try:
            return json.loads(data) if data else {}
        except ValueError:
            return {}

    def _log_tail(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-2000:] or "(no output)"
        except OSError:
            return "(no log)"


_SERVERS: dict[str, Server] = {}
_SERVERS_LOCK = threading.Lock()


def server(assignment: str) -> Server:
    """The running fork server of ``assignment`` (started on first use, restarted if it died)."""
    with _SERVERS_LOCK:
        current = _SERVERS.get(assignment)
        if current is None or not current.alive():
            current = _SERVERS[assignment] = Server(assignment)
        return current


def start(assignment: str) -> None:
    """Start ``assignment``'s fork server in the background (its 0.5 s of imports overlap the
    caller's own start-up); ``server`` then waits for it, or starts it if this failed."""
    def run():
        try:
            server(assignment)
        except Exception:  # server() raises it again, to its caller, when it is needed
            pass

    threading.Thread(target=run, name=f"start-{assignment}", daemon=True).start()


def close_servers() -> None:
    with _SERVERS_LOCK:
        for s in _SERVERS.values():
            s.close()
        _SERVERS.clear()


def isolation(assignment: str) -> dict:
    """{layer: "on: ..." | "off: why"} as the server's self-test found it, plus what it verified."""
    return server(assignment).layers


def fully_isolated(layers: dict) -> bool:
    """Every OS layer on and every forbidden action verified to fail."""
    acceptable = ("on", "off: not running as root", "root without capabilities")
    # second lines behind seccomp (whose denials the self-test verifies): where the platform forbids
    # them (a container without cgroup access or CAP_SYS_ADMIN), reported but not required
    second = acceptable + ("off: not permitted here",)
    return (all(str(v).startswith(second if k in ("cgroup", "namespaces") else acceptable)
                for k, v in layers.items() if k != "verified")
            and all(layers.get("verified", {}).values()) and bool(layers.get("verified")))


def describe_isolation(layers: dict) -> str:
    """The isolation report a TA reads once per run (and summary.md keeps)."""
    lines = ["   isolation of each submission's process:"]
    lines += [f"     {name:<10} {state}" for name, state in layers.items() if name != "verified"]
    verified = layers.get("verified", {})
    if verified:
        lines.append("     verified: " + "; ".join(f"{what}: {'blocked' if ok else 'POSSIBLE'}" for what, ok in verified.items()))
    if not fully_isolated(layers):
        lines.append("     WARNING: not every layer is active here (see README, threat model); "
                     "--require-isolation refuses to grade in that case")
    return "\n".join(lines)


# -- one submission -------------------------------------------------------------------------------
_LIVE: set[int] = set()  # child pids being graded right now
_LIVE_LOCK = threading.Lock()
_STOPPING = threading.Event()


def kill_all() -> None:
    """Stop grading now (Ctrl-C): kill every child; runs in progress raise ``Interrupted``."""
    _STOPPING.set()
    with _LIVE_LOCK:
        pids = list(_LIVE)
    for pid in pids:
        _kill(pid)


def run_submission(submission: Path, assignment: str, checks: list[tuple[str, float]], keep: Path,
                   limits: Limits = Limits()) -> RunResult:
    """Probe results for ``checks`` ([(key, timeout seconds)]) of ``submission``.

    ``keep`` receives ``output.txt`` (what the submission printed, capped) and ``figures/``.  The whole
    submission may hold a worker for ``limits.submission_seconds`` of wall-clock time: checks not
    started by then are not run (status timeout).
    """
    if _STOPPING.is_set():
        raise Interrupted()
    keep = keep.resolve()
    keep.mkdir(parents=True, exist_ok=True)
    run = RunResult()
    started = time.monotonic()
    source, refused = _read_submission(submission)
    if refused:
        run.load_error = LoadError("refused", refused)
        return run
    fresh = os.environ.get("AUTOGRADER_FORKSERVER", "1") == "0"
    (keep / "output.txt").unlink(missing_ok=True)  # a regrade's output replaces the last one
    kept = _Kept(limits, keep)
    remaining = list(checks)
    source_fd = _sealed_copy(source)
    srv, failures = None, 0
    try:
        while remaining:
            if time.monotonic() - started > limits.submission_seconds:
                _not_run(run, remaining, Status.TIMEOUT, f"not run: this submission used up its "
                         f"{limits.submission_seconds:g} s of grading time (README: time limits)")
                break
            try:
                if srv is None or not srv.alive():  # a dead server is restarted, and the class goes on
                    srv = Server(assignment) if fresh else server(assignment)
                outcome = _one_child(srv, source_fd, assignment, remaining, run, limits, kept, started)
            except ForkFailed as exc:
                # retried twice, a second apart (another child may hold the tasks for a moment); then
                # this submission's remaining checks are errors, and the run goes on with the next one
                failures += 1
                if failures < 3:
                    time.sleep(1.0)
                    continue
                message = f"not graded: no grading process could be started ({str(exc)[:200]}); grade this student again"
                if run.load_error is None and not run.results:
                    run.load_error = LoadError("error", message)
                _not_run(run, remaining, Status.ERROR, message)
                outcome = "stop"
            if _STOPPING.is_set():
                raise Interrupted()
            if outcome == "stop":
                break
    finally:
        os.close(source_fd)
        if fresh and srv is not None:
            srv.close()
    run.seconds = time.monotonic() - started
    kept.write(keep)
    return run


class ForkFailed(Exception):
    """The fork server could not start a child (no task left, or the server died)."""


def _not_run(run: RunResult, remaining: list, status: Status, message: str) -> None:
    for key, _ in remaining:
        run.results[key] = Incident(status, message)
    remaining.clear()


class _Kept:
    """What the parent keeps of one submission, within ``limits.keep_mb`` bytes in all: its printed
    output (capped at ``limits.output_kb``: past that the check is lost, status output), its figures
    (first of each name; past the budget they are dropped: a figure never costs a point) and its
    results (past the budget the check is lost, status error)."""

    def __init__(self, limits: Limits, keep: Path):
        self.budget = limits.keep_mb * 2**20
        self.output_cap = limits.output_kb * 1024
        self.output_path = keep / "output.txt"
        self.output = bytearray()  # also written to output_path as it comes (a TA can follow it)
        self.figures: dict[str, bytes] = {}
        self.used = 0

    def take_output(self, chunk: bytes) -> bool:
        """Keep printed bytes; False once the submission printed more than the cap."""
        room = self.output_cap - len(self.output)
        kept = chunk[:max(room, 0)]
        if kept:
            self.output += kept
            with open(self.output_path, "ab") as f:
                f.write(kept)
        return len(chunk) <= room

    def take_result(self, size: int) -> bool:
        self.used += size
        return self.used + len(self.output) <= self.budget

    def take_figures(self, figures: dict[str, bytes]) -> None:
        for name, png in figures.items():
            if name not in self.figures and self.used + len(self.output) + len(png) <= self.budget:
                self.figures[name] = png
                self.used += len(png)

    def write(self, keep: Path) -> None:
        if self.figures:
            (keep / "figures").mkdir(exist_ok=True)
            for name, png in self.figures.items():  # names checked by protocol.FIGURE_NAME
                (keep / "figures" / f"{name}.png").write_bytes(png)


def _read_submission(path: Path) -> tuple[bytes, str | None]:
    """The file's bytes, or why it is refused (a link could point at anything: the solution)."""
    try:
        if os.path.islink(path) or os.path.islink(path.parent):
            return b"", "the submission is a symbolic link; submit the file itself"
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode):
            return b"", "the submission is not a regular file"
        if st.st_size > MAX_SUBMISSION_BYTES:
            return b"", f"the file is larger than {MAX_SUBMISSION_BYTES // 1000} KB"
        with open(path, "rb") as f:
            return f.read(MAX_SUBMISSION_BYTES + 1), None
    except OSError as exc:
        return b"", f"the file cannot be read ({exc.strerror})"


def _sealed_copy(data: bytes) -> int:
    """A read-only descriptor of ``data``: a sealed memfd (nobody can change it), else an unlinked
    temporary file opened read-only."""
    if hasattr(os, "memfd_create") and hasattr(fcntl, "F_ADD_SEALS"):
        fd = os.memfd_create("submission", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        fcntl.fcntl(fd, fcntl.F_ADD_SEALS, fcntl.F_SEAL_WRITE | fcntl.F_SEAL_GROW | fcntl.F_SEAL_SHRINK
                    | fcntl.F_SEAL_SEAL)
        return fd
    with tempfile.NamedTemporaryFile(prefix="submission-") as f:
        f.write(data)
        f.flush()
        return os.open(f.name, os.O_RDONLY)


def _one_child(srv: Server, source_fd: int, assignment: str, remaining: list, run: RunResult,
               limits: Limits, kept: _Kept, started: float) -> str:
    """Run one child over ``remaining``; "stop" when this submission cannot be graded further."""
    cpu = int(limits.import_seconds + sum(t for _, t in remaining) + KILL_GRACE) + 1
    request = {"module": assignment, "filename": f"{assignment}.py", "keys": [[k, t] for k, t in remaining],
               "limits": {"memory_mb": limits.memory_mb, "output_bytes": limits.output_kb * 1024,
                          "cpu_seconds": cpu},
               "confine": os.environ.get("AUTOGRADER_CONFINE", "1") != "0"}
    pipes = [os.pipe() for _ in range(4)]  # result, output, exit status: child -> parent; control: parent -> child
    (result_r, result_w), (output_r, output_w), (status_r, status_w), (control_r, control_w) = pipes
    try:
        pid = srv.fork(request, [result_w, output_w, status_w, source_fd, control_r])
    except BaseException:
        for fd in (result_r, output_r, status_r, control_w):
            os.close(fd)
        raise
    finally:
        for fd in (result_w, output_w, status_w, control_r):
            os.close(fd)
    with _LIVE_LOCK:
        _LIVE.add(pid)
    channel = _Channel(pid, result_r, output_r, control_w, kept, started + limits.submission_seconds)
    try:
        return _collect(channel, srv, status_r, remaining, run, limits)
    finally:
        _kill(pid)
        with _LIVE_LOCK:
            _LIVE.discard(pid)
        channel.close()
        os.close(status_r)


def _collect(channel: "_Channel", srv: Server, status_r: int, remaining: list, run: RunResult, limits: Limits) -> str:
    first = run.load_error is None and not run.results
    line = channel.next_line(limits.import_seconds)
    if first:
        try:
            event = parse_event(line) if isinstance(line, bytes) else None
        except ProtocolError as exc:
            run.load_error = LoadError("import", f"the grading process reported {exc}")
            return "stop"
        if not isinstance(event, Loaded):
            if line in ("timeout", "idle"):
                run.load_error = LoadError("timeout", f"importing the file took more than {limits.import_seconds:g} s "
                                                      "(code at the top level that never ends, or waits?)")
            elif line == "output":
                run.load_error = LoadError("output", f"printed more than the output cap ({limits.output_kb} KB) "
                                                     "while importing the file (nothing should be printed)")
            else:
                incident = _death(channel.pid, status_r, limits)
                run.load_error = LoadError(incident.status.value, f"while importing the file: {incident.message}")
            return "stop"
        run.load_error = event.error
        if event.error and event.error.kind in ("syntax", "encoding"):
            return "stop"
    elif not isinstance(line, bytes):  # a fresh child after a killed one: it imports the file again
        _not_run(run, remaining, Status.ERROR, "not graded: the file could not be imported again")
        return "stop"
    while remaining:
        key, timeout = remaining[0]
        spec = srv.probes.get(key, {})
        if spec.get("repeat"):
            result = _measured(channel, key, timeout, spec["cases"], spec["repeat"])
        else:
            result = _check(channel, key, timeout, spec.get("cases"))
        remaining.pop(0)
        if isinstance(result, str):  # the line reader's verdict: this child is done
            run.results[key] = _incident(result, timeout, channel, status_r, limits)
            return "restart"
        run.results[key] = result
        if isinstance(result, Incident) and result.status is not Status.TIMEOUT:
            return "restart"  # it said something malformed: nothing more it says is believed
    return "done"


def _event(channel: "_Channel", key: str, expected: type, *, cases: int | None = None, seconds: float = 0.0,
           budget: "_Budget | None" = None):
    """The child's next event if it is an ``expected`` one for ``key`` (within the submission's keep
    budget); else an Incident, or the line reader's verdict ("timeout", "eof", ...)."""
    line = channel.next_line(seconds, budget)
    if not isinstance(line, bytes):
        return line
    try:
        event = parse_event(line, key, cases)
    except ProtocolError as exc:
        return Incident(Status.ERROR, f"the grading process reported {exc}")
    if isinstance(event, CheckTimedOut):
        return Incident(Status.TIMEOUT, event.message)
    if not isinstance(event, expected):
        return Incident(Status.ERROR, "the grading process reported an unexpected event")
    if not channel.kept.take_result(len(line)):
        return Incident(Status.ERROR, f"its results exceed the {channel.kept.budget // 2**20} MB kept per submission")
    return event


def _check(channel: "_Channel", key: str, timeout: float, cases: int | None):
    """One check's results, an Incident, or the line reader's verdict ("timeout", "eof", ...)."""
    done = _event(channel, key, CheckDone, cases=cases, seconds=timeout + KILL_GRACE)
    if not isinstance(done, CheckDone):
        return done
    channel.kept.take_figures(done.figures)
    return done.results


def _measured(channel: "_Channel", key: str, timeout: float, cases: int, repeat: int):
    """A cost guard: every repetition runs on a fresh seed sent when the child is ready, and its CPU
    time is read here from the kernel's clock of the child, before the seed goes and after the
    result comes (so nothing the child does can shorten it, and no cache of an earlier input helps).
    The repetitions share the check's time limit."""
    budget = _Budget(channel, timeout + KILL_GRACE)
    records: list[list[dict]] = [[] for _ in range(cases)]
    for case in range(cases):
        for _ in range(repeat):
            ready = _event(channel, key, Ready, budget=budget)
            if not isinstance(ready, Ready):
                return ready
            seed = secrets.randbelow(2**31)
            before, wall = channel.clock(), time.monotonic()
            channel.send(f"{case} {seed}\n")
            part = _event(channel, key, Part, budget=budget)
            if not isinstance(part, Part):
                return part
            after = channel.clock()
            # where no CPU clock of the child can be read (no /proc), the wall clock is the measure
            seconds = after - before if before is not None and after is not None else time.monotonic() - wall
            records[case].append({"seconds": seconds, "seed": seed, "result": part.result})
    return [{"measured": runs} for runs in records]


def _incident(verdict: str, timeout: float, channel: "_Channel", status_r: int, limits: Limits) -> Incident:
    if verdict == "timeout":
        return Incident(Status.TIMEOUT, f"did not finish within {timeout:g} s (an infinite loop, or far too slow)")
    if verdict == "idle":
        return Incident(Status.TIMEOUT, f"did not finish within {timeout:g} s: it was waiting or sleeping "
                                        "(time spent blocked counts against the time limit)")
    if verdict == "budget":
        return Incident(Status.TIMEOUT, f"stopped: this submission used up its {limits.submission_seconds:g} s "
                                        "of grading time (README: time limits)")
    if verdict == "output":
        return Incident(Status.OUTPUT, f"printed more than the output cap ({limits.output_kb} KB; nothing should "
                                       "be printed)")
    if verdict == "too large":
        return Incident(Status.ERROR, f"sent a result larger than {MAX_LINE // 2**20} MB")
    return _death(channel.pid, status_r, limits)


class _Budget:
    """A check's time, read on the parent's own clocks every POLL seconds, whatever the child writes:

    * CPU: the child's process CPU clock (every thread) from the kernel (``clock_gettime`` of the
      child's CPU clock; ``/proc/<pid>/stat`` ticks where that is refused);
    * idle: wall-clock time in which the child's main thread neither ran nor waited for a core
      (``/proc/<pid>/schedstat``): sleeping, blocking; it counts against the same limit;
    * wall: WALL_FACTOR times the limit, a backstop where neither clock can be read.
    """

    def __init__(self, channel: "_Channel", seconds: float):
        self.channel, self.seconds = channel, seconds
        self.wall0 = time.monotonic()
        self.cpu0 = channel.clock()
        self.busy0 = _busy_seconds(channel.pid)

    def over(self) -> str | None:
        elapsed = time.monotonic() - self.wall0
        if elapsed > WALL_FACTOR * self.seconds:
            return "timeout"
        if time.monotonic() > self.channel.submission_deadline:
            return "budget"
        cpu = self.channel.clock()
        if self.cpu0 is None or cpu is None:
            return "timeout" if elapsed > self.seconds else None  # no clock: the wall clock decides
        if cpu - self.cpu0 > self.seconds:
            return "timeout"
        busy = _busy_seconds(self.channel.pid)
        if self.busy0 is not None and busy is not None and elapsed - (busy - self.busy0) > self.seconds:
            return "idle"
        return None


class _Channel:
    """The parent's end of one child: its result lines, its printed output (kept in ``kept``, capped)
    and its control pipe; every wait on it is bounded by a ``_Budget``."""

    def __init__(self, pid: int, result_fd: int, output_fd: int, control_fd: int, kept: _Kept,
                 submission_deadline: float):
        self.pid, self.result_fd, self.output_fd, self.control_fd = pid, result_fd, output_fd, control_fd
        self.kept, self.submission_deadline = kept, submission_deadline
        self.buffer = bytearray()
        self.selector = selectors.DefaultSelector()
        self.selector.register(result_fd, selectors.EVENT_READ)
        self.selector.register(output_fd, selectors.EVENT_READ)
        self.clock = _cpu_clock(pid)

    def next_line(self, seconds: float = 0.0, budget: _Budget | None = None):
        """The next complete line's bytes, or why there is none: "timeout" / "idle" (its time is up),
        "budget" (the submission's), "too large" (more than MAX_LINE bytes), "output" (printed more
        than the cap) or "eof" (the child is gone)."""
        budget = budget or _Budget(self, seconds)
        while b"\n" not in self.buffer:
            if len(self.buffer) > MAX_LINE:
                return "too large"
            verdict = budget.over()
            if verdict:
                return verdict
            for key, _ in self.selector.select(POLL):
                chunk = os.read(key.fd, 1 << 20)
                if key.fd == self.output_fd:
                    if not chunk:
                        self.selector.unregister(self.output_fd)
                    elif not self.kept.take_output(chunk):
                        return "output"
                elif not chunk:
                    return "eof"
                else:
                    self.buffer += chunk
        i = self.buffer.index(b"\n")
        line = bytes(self.buffer[:i])
        del self.buffer[:i + 1]
        return line

    def send(self, text: str) -> None:
        try:
            os.write(self.control_fd, text.encode())
        except OSError:  # the child is gone: the next read says so
            pass

    def close(self) -> None:
        """Keep what the (now dead) child printed last, then close every descriptor."""
        try:
            os.set_blocking(self.output_fd, False)
            while chunk := os.read(self.output_fd, 1 << 16):
                if not self.kept.take_output(chunk):
                    break
        except (BlockingIOError, OSError):
            pass
        self.selector.close()
        for fd in (self.result_fd, self.output_fd, self.control_fd):
            os.close(fd)


_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_clock(pid: int):
    """A function returning the CPU seconds of process ``pid`` (every thread), or None once it is gone.

    Linux lets any process read another's CPU clock (clockid ``(~pid << 3) | 2``, CPUCLOCK_SCHED of
    the whole thread group: nanoseconds, no /proc read); elsewhere ``/proc/<pid>/stat``'s ticks."""
    clock_id = (~pid << 3) | 2
    try:
        time.clock_gettime(clock_id)
    except (AttributeError, OSError, OverflowError):
        return lambda: _cpu_seconds(pid)

    def read() -> float | None:
        try:
            return time.clock_gettime(clock_id)
        except OSError:
            return None

    return read


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of a process (None where /proc does not tell)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICKS
    except (OSError, IndexError, ValueError):
        return None


def _busy_seconds(pid: int) -> float | None:
    """Seconds the main thread of ``pid`` ran or waited for a core (/proc/<pid>/schedstat), or None."""
    try:
        with open(f"/proc/{pid}/schedstat", "rb") as f:
            ran, waited = f.read().split()[:2]
        return (int(ran) + int(waited)) / 1e9
    except (OSError, ValueError):
        return None


def _kill(pid: int) -> None:
    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def _death(pid: int, status_r: int, limits: Limits) -> Incident:
    """Why a child ended, from the exit status its server reports."""
    ready = selectors.DefaultSelector()
    ready.register(status_r, selectors.EVENT_READ)
    alive = not ready.select(5.0)
    if alive:  # it closed its result pipe but goes on: stopped here, by us
        _kill(pid)
        ready.select(5.0)
    ready.close()
    if alive:
        return Incident(Status.ERROR, "closed its result pipe and kept running (the grader stopped it)")
    try:
        # "<exit code>", or "<exit code> memory" when its cgroup's OOM killer ended it (child._reap)
        words = os.read(status_r, 64).decode().split()
        code, why = int(words[0]) if words else 0, words[1] if len(words) > 1 else None
    except (OSError, ValueError):
        code, why = 0, None
    if why == "memory":
        return Incident(Status.MEMORY, f"ran out of memory (limit {limits.memory_mb} MB, shared memory and files "
                                       "it made included): the kernel stopped it")
    if code == -signal.SIGXFSZ:
        return Incident(Status.OUTPUT, f"printed more than {limits.output_kb} KB (nothing should be printed)")
    if code in (-signal.SIGXCPU, -signal.SIGKILL):
        return Incident(Status.TIMEOUT, "used up its CPU time (an infinite loop, or far too slow)")
    if code in (-signal.SIGSEGV, -signal.SIGABRT, -signal.SIGBUS):
        return Incident(Status.MEMORY, f"the process crashed ({signal.Signals(-code).name}), most often by running "
                                       f"out of memory (limit {limits.memory_mb} MB)")
    return Incident(Status.ERROR, f"the process ended unexpectedly (exit code {code}), e.g. by os._exit()")
