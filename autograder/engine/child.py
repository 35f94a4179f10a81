"""The fork server and the confined child it forks for each submission (runs inside the probe world).

Started by ``sandbox.Server`` as ``python -I -S child.py WORLD``: the interpreter's standard
library, the world's probe-only suite and its ``site/`` (numpy, matplotlib) are all it can import.
The server imports the heavy modules and the suite once, then serves requests on fd 3 (a Unix
SEQPACKET socket to the grading parent, fd AUTOGRADER_CTL_FD).  The wire format is ``protocol`` (parent side):

    server -> parent   {"event": "ready", "probes": {key: {"cases": n, "repeat": r}}, "layers": {layer: state}}
    parent -> server   {"module", "filename", "keys": [[key, timeout], ...], "limits", "confine"}
                       + fds [result pipe, output pipe, exit-status pipe, the submission (read-only),
                              control pipe (parent -> child: the seeds of measured checks)]
    server -> parent   {"pid": n} | {"error": why}    (the exit status later goes to the status pipe)
    child  -> parent   {"event": "loaded", "error": null | {"kind", "message"}}        (result pipe)
                       {"event": "check", "key", "results": [...], "figures": {name: base64 png}}
                       {"event": "timeout", "key", "message"}
                       {"event": "ready", "key"} ... {"event": "part", "key", "result"}  (measured checks)

What the child prints goes to the output pipe, which the parent reads, caps and writes down: the
child holds no descriptor of any file.

The child confines itself (``confine.enforce``, of what ``confine.prepare`` built once here) right
after the fork, before the submission is read; it reads the submission from the descriptor it was
given (no path of it is readable).  The server never runs student code, and a fork gives every child
the server's state afresh.
"""

from __future__ import annotations

import base64
import errno
import fcntl
import json
import os
import select
import signal
import socket
import sys
import traceback
import types



def serve(world: str) -> None:
    import importlib

    os.environ.setdefault("MPLBACKEND", "Agg")
    import numpy  # noqa: F401  (imported once, shared by every child)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401

    from autograder.checking import probing, source  # noqa: F401  (source: what load_submission uses)
    from autograder.engine import confine

    probing.steady_allocator()  # every child inherits it (probing.py says why)
    confine.preload()  # the OS bindings look for their C libraries now, while that is still allowed
    prepared = confine.prepare(_readable(world))  # every look-up, the ruleset and the filter, once

    assignment = os.environ["AUTOGRADER_ASSIGNMENT"]
    suite = os.path.join(world, "autograder", "suites", assignment)
    for name in sorted(os.listdir(suite)):
        if name.startswith("q") and name.endswith(".py"):
            importlib.import_module(f"autograder.suites.{assignment}.{name[:-3]}")
    _subreaper()
    # Everything loaded so far is permanent: a child's garbage collections skip it, so they neither
    # spend time on the server's ~10^5 objects nor copy their pages (copy-on-write) by touching them.
    import gc

    gc.collect()
    gc.freeze()
    ctl = socket.socket(fileno=int(os.environ.pop("AUTOGRADER_CTL_FD")))
    layers = _self_test(confine, prepared)
    probes = {key: {"cases": len(p.cases), "repeat": p.repeat} for key, p in probing.PROBES.items()}
    ctl.send(json.dumps({"event": "ready", "probes": probes, "layers": layers}).encode())
    pending: dict[int, int] = {}  # child pid -> the write end of its exit-status pipe
    while True:
        ready, _, _ = select.select([ctl], [], [], 0.2)
        if ready:
            try:
                data, fds, _, _ = socket.recv_fds(ctl, 1 << 20, FDS)
            except OSError:
                data, fds = b"", []
            if not data:
                break  # the parent is gone
            try:
                request = json.loads(data)
                pid = os.fork() if len(fds) == FDS else -1
            except (OSError, ValueError) as exc:  # e.g. EAGAIN: no task left; the server goes on
                pid, why = -1, f"{type(exc).__name__}: {exc}"
            else:
                why = f"{len(fds)} descriptors instead of {FDS}"
            if pid == 0:
                ctl.close()
                _child(request, fds, confine, prepared, probing)  # never returns
            status_fd = fds[2] if len(fds) == FDS else None
            for fd in fds:
                if fd != status_fd or pid < 0:
                    os.close(fd)
            if pid < 0:
                ctl.send(json.dumps({"error": why}).encode())
                continue
            pending[pid] = status_fd
            ctl.send(json.dumps({"pid": pid}).encode())
        _reap(pending)
    for pid in pending:
        _kill(pid)
    _reap(pending)


def _subreaper() -> None:
    """Orphans of a child (if it ever made any) are adopted here and killed by ``_reap``."""
    import ctypes

    try:
        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        pass


def _reap(pending: dict[int, int]) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            break
        fd = pending.pop(pid, None)
        if fd is not None:
            code = os.waitstatus_to_exitcode(status)
            from autograder.engine import confine

            why = confine.release(pid)  # its cgroup goes; "memory" if the cgroup's OOM killer ended it
            try:
                os.write(fd, (f"{code} {why}\n" if why else f"{code}\n").encode())
            except OSError:
                pass  # the parent stopped listening (it had what it needed)
            finally:
                os.close(fd)
    for pid in _adopted(set(pending)):
        _kill(pid)


def _adopted(known: set[int]) -> list[int]:
    """Processes this server did not fork but now parents (orphans of a child's children)."""
    me = str(os.getpid())
    try:
        with open(f"/proc/{os.getpid()}/task/{os.getpid()}/children") as f:
            children = [int(p) for p in f.read().split()]
    except OSError:
        children = []
    del me
    return [pid for pid in children if pid not in known]


def _kill(pid: int) -> None:
    for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        try:
            target()
        except (ProcessLookupError, PermissionError):
            pass


def _self_test(confine, prepared) -> dict:
    """Confine a throwaway child exactly as a submission's, and try what it must not be able to do."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            layers = confine.enforce(prepared, memory_mb=4096, output_bytes=1 << 20, cpu_seconds=10,
                                     enabled=os.environ.get("AUTOGRADER_CONFINE", "1") != "0")
            blocked = {}
            for what, attempt in (("read outside the sandbox", lambda: open("/etc/passwd").close()),
                                  ("open a socket", lambda: socket.socket().close()),
                                  ("start a process", _fork_and_exit),
                                  ("SysV shared memory", _shmget),
                                  ("memfd", lambda: os.close(os.memfd_create("self-test"))),
                                  # on a pipe, the kernel refuses it anyway (ESPIPE): only the filter's
                                  # EPERM says it would be refused on a writable file too
                                  ("fallocate", lambda: _filtered(os.posix_fallocate, w, 0, 1 << 20)),
                                  ("an unlisted syscall (sched_setaffinity)",
                                   lambda: os.sched_setaffinity(0, os.sched_getaffinity(0))),
                                  (f"more than {SELF_TEST_THREADS} threads", _many_threads)):
                try:
                    attempt()
                    blocked[what] = False
                except OSError:
                    blocked[what] = True
            os.write(w, json.dumps({**layers, "verified": blocked}).encode())
        finally:
            os._exit(0)
    os.close(w)
    chunks = []
    while chunk := os.read(r, 65536):
        chunks.append(chunk)
    os.close(r)
    os.waitpid(pid, 0)
    confine.release(pid)
    try:
        return json.loads(b"".join(chunks))
    except ValueError:
        return {"limits": "off: the self-test child failed"}


SELF_TEST_THREADS = 100  # more than any task budget of confine (32 per child; 64 per sandbox user)


def _shmget() -> None:
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    shm = libc.shmget(0, 1 << 20, 0o1600)  # IPC_PRIVATE, IPC_CREAT | 0600
    if shm < 0:
        raise OSError(ctypes.get_errno(), "shmget")
    libc.shmctl(shm, 0, None)  # IPC_RMID: made, so not blocked; but not left behind


def _filtered(call, *args) -> None:
    """``call``, where only seccomp's EPERM (or ENOSYS) counts as blocked."""
    try:
        call(*args)
    except OSError as exc:
        if exc.errno in (errno.EPERM, errno.ENOSYS):
            raise


def _many_threads() -> None:
    """Start SELF_TEST_THREADS threads that wait; OSError at the first that cannot start."""
    import threading

    threading.stack_size(1 << 16)
    stop = threading.Event()
    try:
        for _ in range(SELF_TEST_THREADS):
            threading.Thread(target=stop.wait, daemon=True).start()
    except RuntimeError as exc:  # "can't start new thread"
        raise OSError(errno.EAGAIN, str(exc)) from None
    finally:
        stop.set()


def _fork_and_exit() -> None:
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)


def _readable(world: str) -> list:
    """The world and its real packages behind site/: what a child may read (besides the stdlib)."""
    site = os.path.join(world, "site")
    return [world] + [os.path.realpath(os.path.join(site, n)) for n in os.listdir(site)]


# -- the confined child ---------------------------------------------------------------------------
FDS = 5  # result pipe, output pipe, exit-status pipe, the submission, control pipe
CONTROL_FD = 4  # where the child reads the seeds of measured checks


def _child(request: dict, fds: list[int], confine, prepared, probing) -> None:
    try:
        os.close(fds[2])  # the exit-status pipe is the server's
        # above every number dup2 targets below, so that no descriptor is overwritten before it is moved
        result_fd, output_fd, source_fd, control_fd = (fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
                                                       for fd in (fds[0], fds[1], fds[3], fds[4]))
        for fd in (fds[0], fds[1], fds[3], fds[4]):
            os.close(fd)
        limits = request["limits"]
        confine.enforce(prepared, memory_mb=limits["memory_mb"], output_bytes=limits["output_bytes"],
                        cpu_seconds=limits["cpu_seconds"], enabled=request.get("confine", True))
        # confined first, only then is the submission read (at offset 0: the descriptor's offset is
        # shared with the parent and any earlier child of this submission)
        source = os.pread(source_fd, os.fstat(source_fd).st_size, 0)
        os.close(source_fd)
        os.dup2(result_fd, 3)
        os.dup2(control_fd, CONTROL_FD)
        os.dup2(output_fd, 1)
        os.dup2(output_fd, 2)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.closerange(CONTROL_FD + 1, 1 << 16)  # nothing of the server's (its control socket above all) survives
        os.setsid()
        os.chdir("/")  # no folder of its own: it can write nowhere, and read only what Landlock allows
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        sys.stdout = os.fdopen(1, "w", buffering=1, closefd=False)
        sys.stderr = os.fdopen(2, "w", buffering=1, closefd=False)
        sys.stdin = os.fdopen(0, "r", closefd=False)
        results = os.fdopen(3, "w", buffering=1)
        sys.meta_path.insert(0, _ImportGuard())
        _run(request, source, results, probing)
    except BaseException:
        traceback.print_exc()
        os._exit(70)
    os._exit(0)


def _run(request: dict, source: bytes, results, probing) -> None:
    def emit(event: dict) -> None:
        results.write(json.dumps(event) + "\n")
        results.flush()

    module, error = load_submission(source, request["filename"], request["module"])
    emit({"event": "loaded", "error": error})
    if module is None:
        return
    for key, _timeout in request["keys"]:
        probe = probing.PROBES[key]
        try:
            if probe.repeat:
                _measured(probe, module, emit, probing)
                continue
            outputs = probe.run_probes(module)
        except probing.CheckTimedOut as exc:
            emit({"event": "timeout", "key": key, "message": str(exc)})
            continue
        figures = {name: base64.b64encode(png).decode() for name, png in probing.take_kept_figures().items()}
        emit({"event": "check", "key": key, "results": outputs, "figures": figures})


def _measured(probe, module, emit, probing) -> None:
    """A cost guard: each repetition runs on the seed the parent sends once this child is ready; the
    parent times it with the kernel's CPU clock of this process (every thread counts)."""
    control = os.fdopen(CONTROL_FD, "rb", buffering=0, closefd=False)
    with probing.deadline(probe.timeout):
        for _ in range(len(probe.cases) * probe.repeat):
            with probing.collector_off():  # it collects now, before the parent's clock starts
                emit({"event": "ready", "key": probe.key})
                line = control.readline(64)
                if not line:
                    return  # the parent stopped listening
                case, seed = (int(v) for v in line.split())
                result = probe.run_one(module, case, seed)
            emit({"event": "part", "key": probe.key, "result": result})


class ForbiddenImport(ImportError):
    """A package the rules do not allow (the name ``status.FORBIDDEN_IMPORT`` refers to)."""


class _ImportGuard:
    """First on sys.meta_path: an import of a forbidden package fails with a clear message (the
    packages are not installed in the world anyway; this only says why)."""

    def find_spec(self, name, path=None, target=None):
        top = name.partition(".")[0]
        from autograder.checking.probing import FORBIDDEN_MODULES

        if top in FORBIDDEN_MODULES:
            raise ForbiddenImport(f"{top} is not allowed in this assignment: automatic-differentiation and "
                                  "computer-algebra packages are off limits (handout.md); use only the "
                                  "standard library and numpy", name=top)
        return None


def load_submission(data: bytes, shown: str, name: str):
    """(module or None, error or None) for the student's file: its bytes, the file name tracebacks
    and warnings show (the student's own), and the module name.

    A file that raises while being imported still yields its partly filled module (with the error).
    """
    import linecache

    from autograder.checking.source import SourceError, decode_source

    try:
        text = decode_source(data)  # as check.py and the bundle read it (BOM, CRLF, cp1252)
        code = compile(text, shown, "exec")
    except SourceError as exc:
        return None, {"kind": "encoding", "message": str(exc)}
    except SyntaxError as exc:
        where = f"line {exc.lineno}" + (f", column {exc.offset}" if exc.offset else "")
        return None, {"kind": "syntax", "message": f"SyntaxError at {where}: {exc.msg}"}
    except (ValueError, RecursionError, MemoryError) as exc:  # NUL bytes, absurd nesting
        return None, {"kind": "syntax", "message": f"the file cannot be parsed: {type(exc).__name__}: {str(exc)[:200]}"}

    # Tracebacks show the student's lines without reading any file (the child can read none of its own).
    linecache.cache[shown] = (len(text), None, text.splitlines(True), shown)
    module = types.ModuleType(name)
    module.__file__ = shown
    sys.modules[name] = module  # so dataclasses, pickling and self-imports behave as usual
    try:
        exec(code, module.__dict__)
    except BaseException as exc:  # SystemExit and KeyboardInterrupt included: report, don't die
        kind = error_kind(exc)
        # Like otter (one notebook cell run until it fails), grade the names defined before the crash.
        return module, {"kind": kind, "message": import_error_message(exc, shown)}
    return module, None


def error_kind(exc: BaseException) -> str:
    if isinstance(exc, MemoryError):
        return "memory"
    if isinstance(exc, OSError) and exc.errno == errno.EFBIG:  # RLIMIT_FSIZE: the output cap
        return "output"
    if isinstance(exc, ForbiddenImport):
        return "forbidden"
    return "import"


def import_error_message(exc: BaseException, path: str) -> str:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == path]
    where = f" at line {frames[-1].lineno}" if frames else ""
    if isinstance(exc, MemoryError):
        return f"ran out of memory while importing the file{where}"
    if isinstance(exc, OSError) and exc.errno == errno.EFBIG:
        return f"printed more than the output cap while importing the file{where} (nothing should be printed)"
    try:
        text = str(exc)[:300]
    except Exception:
        text = "<unprintable message>"
    return f"importing the file raised {type(exc).__name__}{where}: {text}"


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1].startswith("-"):  # e.g. --help: started by sandbox.py only
        print(__doc__)
        sys.exit(0 if sys.argv[1:] in (["-h"], ["--help"]) else 2)
    sys.path[:0] = [sys.argv[1], os.path.join(sys.argv[1], "site")]
    serve(sys.argv[1])
