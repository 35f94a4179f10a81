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
from .protocol import MAX_LINE, CheckDone, CheckTimedOut, Loaded, LoadError, ProtocolError, parse_event
from .status import Status

KILL_GRACE = 5.0  # CPU seconds past a check's deadline before its child is killed
POLL = 0.25  # seconds between looks at a silent child's CPU clock
WALL_FACTOR = 4.0  # wall-clock allowance, as a multiple of the CPU deadline (a shared, loaded machine)
MAX_SUBMISSION_BYTES = 1_000_000
SERVER_START_SECONDS = 180.0  # the first start builds matplotlib's font cache


@dataclass(frozen=True)
class Limits:
    memory_mb: int = 2048  # address space of the child; numpy + matplotlib need ~1 GB of it
    output_kb: int = 1024  # what the submission may print, in total
    import_seconds: float = 30.0  # importing the submission


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
        self.probes = set(ready["probes"])
        self.layers: dict = ready.get("layers", {})

    def fork(self, request: dict, fds: list[int]) -> int:
        with self.lock:
            socket.send_fds(self.sock, [json.dumps(request).encode()], fds)
            reply = self._receive(30.0)
        if "pid" not in reply:
            raise RuntimeError(f"the grading server for {self.assignment} failed: {self._log_tail()}")
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
    return (all(str(v).startswith(acceptable) for k, v in layers.items() if k != "verified")
            and all(layers.get("verified", {}).values()) and bool(layers.get("verified")))


def describe_isolation(layers: dict) -> str:
    """The isolation report a TA reads once per run (and summary.md keeps)."""
    lines = ["   isolation of each submission's process:"]
    lines += [f"     {name:<9} {state}" for name, state in layers.items() if name != "verified"]
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

    ``keep`` receives ``output.txt`` (what the submission printed) and ``figures/``.
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
    srv = Server(assignment) if fresh else server(assignment)
    remaining = list(checks)
    log_path = keep / "output.txt"
    figures: dict[str, bytes] = {}
    source_fd = _sealed_copy(source)
    try:
        with open(log_path, "wb") as log:
            while remaining:
                outcome = _one_child(srv, source_fd, f"{assignment}.py", assignment, remaining, run, limits, log,
                                     figures)
                if _STOPPING.is_set():
                    raise Interrupted()
                if outcome == "stop":
                    break
    finally:
        os.close(source_fd)
        if fresh:
            srv.close()
    run.seconds = time.monotonic() - started
    if log_path.stat().st_size == 0:
        log_path.unlink()
    if figures:
        (keep / "figures").mkdir(exist_ok=True)
        for name, png in figures.items():
            (keep / "figures" / f"{name}.png").write_bytes(png)
    return run


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


def _one_child(srv: Server, source_fd: int, filename: str, assignment: str, remaining: list, run: RunResult,
               limits: Limits, log, figures: dict) -> str:
    """Run one child over ``remaining``; "stop" when this submission cannot be graded further."""
    cpu = int(limits.import_seconds + sum(t for _, t in remaining) + KILL_GRACE) + 1
    request = {"module": assignment, "filename": filename, "keys": [[k, t] for k, t in remaining],
               "limits": {"memory_mb": limits.memory_mb, "output_bytes": limits.output_kb * 1024,
                          "cpu_seconds": cpu},
               "confine": os.environ.get("AUTOGRADER_CONFINE", "1") != "0"}
    result_r, result_w = os.pipe()
    status_r, status_w = os.pipe()
    try:
        pid = srv.fork(request, [result_w, log.fileno(), status_w, source_fd])
    finally:
        os.close(result_w)
        os.close(status_w)
    with _LIVE_LOCK:
        _LIVE.add(pid)
    reader = _LineReader(result_r, pid)
    try:
        return _collect(reader, pid, status_r, remaining, run, limits, figures)
    finally:
        _kill(pid)
        with _LIVE_LOCK:
            _LIVE.discard(pid)
        reader.close()
        os.close(status_r)


def _collect(reader, pid: int, status_r: int, remaining: list, run: RunResult, limits: Limits, figures: dict) -> str:
    first = run.load_error is None and not run.results
    if first:
        line = reader.next_line(limits.import_seconds)
        try:
            event = parse_event(line) if isinstance(line, bytes) else None
        except ProtocolError as exc:
            run.load_error = LoadError("import", f"the grading process reported {exc}")
            return "stop"
        if not isinstance(event, Loaded):
            if line == "timeout":
                run.load_error = LoadError("timeout", f"importing the file took more than {limits.import_seconds:g} s "
                                                      "(code at the top level that never ends?)")
            else:
                incident = _death(pid, status_r, limits)
                run.load_error = LoadError(incident.status.value, f"while importing the file: {incident.message}")
            return "stop"
        run.load_error = event.error
        if event.error and event.error.kind in ("syntax", "encoding"):
            return "stop"
    else:  # a fresh child after a killed one: it imports the file again
        line = reader.next_line(limits.import_seconds)
        if not isinstance(line, bytes):
            for key, _ in remaining:
                run.results[key] = Incident(Status.ERROR, "not graded: the file could not be imported again")
            remaining.clear()
            return "stop"
    while remaining:
        key, timeout = remaining[0]
        line = reader.next_line(timeout + KILL_GRACE)  # CPU seconds
        remaining.pop(0)
        if line == "timeout":
            run.results[key] = Incident(Status.TIMEOUT, f"did not finish within {timeout:g} s (an infinite loop, or far too slow)")
            return "restart"
        if line == "too large":
            run.results[key] = Incident(Status.ERROR, f"sent a result larger than {MAX_LINE // 2**20} MB")
            return "restart"
        if line == "eof":
            run.results[key] = _death(pid, status_r, limits)
            return "restart"
        try:
            event = parse_event(line, key, None)
        except ProtocolError as exc:
            run.results[key] = Incident(Status.ERROR, f"the grading process reported {exc}")
            return "restart"
        if isinstance(event, CheckTimedOut):
            run.results[key] = Incident(Status.TIMEOUT, event.message)
        elif isinstance(event, CheckDone):
            run.results[key] = event.results
            figures.update(event.figures)
        else:
            run.results[key] = Incident(Status.ERROR, "the grading process reported an unexpected event")
            return "restart"
    return "done"


class _LineReader:
    """Lines from the child's result pipe, each awaited with its own CPU deadline and size cap."""

    def __init__(self, fd: int, pid: int):
        self.fd, self.pid = fd, pid
        self.buffer = bytearray()
        self.selector = selectors.DefaultSelector()
        self.selector.register(fd, selectors.EVENT_READ)

    def next_line(self, cpu_seconds: float):
        """The line's bytes, or "timeout", "too large" (more than MAX_LINE bytes) or "eof" (the child is gone).

        The child may use ``cpu_seconds`` of CPU (where ``/proc`` tells) and ``WALL_FACTOR`` times
        that of wall-clock time before this gives up on it.
        """
        wall_deadline = time.monotonic() + WALL_FACTOR * cpu_seconds
        # The child's CPU clock is first read once it has been silent for a poll interval, not for
        # every line (a /proc read per check): the deadline may start up to POLL seconds of CPU late,
        # in the child's favour, which is noise next to KILL_GRACE.
        cpu_start, started = None, False
        while b"\n" not in self.buffer:
            if len(self.buffer) > MAX_LINE:
                return "too large"
            left = wall_deadline - time.monotonic()
            if left <= 0:
                return "timeout"
            if not self.selector.select(min(left, POLL)):
                if not started:
                    cpu_start, started = _cpu_seconds(self.pid), True
                used = _cpu_seconds(self.pid)
                if cpu_start is None or used is None:  # no /proc: the wall clock alone decides
                    if time.monotonic() > wall_deadline - (WALL_FACTOR - 1) * cpu_seconds:
                        return "timeout"
                elif used - cpu_start > cpu_seconds:
                    return "timeout"
                continue
            chunk = os.read(self.fd, 1 << 20)
            if not chunk:
                return "eof"
            self.buffer += chunk
        i = self.buffer.index(b"\n")
        line = bytes(self.buffer[:i])
        del self.buffer[:i + 1]
        return line

    def close(self) -> None:
        self.selector.close()
        os.close(self.fd)


_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of a process (None where /proc does not tell)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICKS
    except (OSError, IndexError, ValueError):
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
        code = int(os.read(status_r, 64).decode().strip() or "0")
    except (OSError, ValueError):
        code = 0
    if code == -signal.SIGXFSZ:
        return Incident(Status.OUTPUT, f"printed more than {limits.output_kb} KB (nothing should be printed)")
    if code in (-signal.SIGXCPU, -signal.SIGKILL):
        return Incident(Status.TIMEOUT, "used up its CPU time (an infinite loop, or far too slow)")
    if code in (-signal.SIGSEGV, -signal.SIGABRT, -signal.SIGBUS):
        return Incident(Status.MEMORY, f"the process crashed ({signal.Signals(-code).name}), most often by running "
                                       f"out of memory (limit {limits.memory_mb} MB)")
    return Incident(Status.ERROR, f"the process ended unexpectedly (exit code {code}), e.g. by os._exit()")
