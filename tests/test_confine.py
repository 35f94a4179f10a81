"""The OS confinement of a grading child (``autograder/engine/confine.py``), layer by layer, in real
confined children: each forbidden thing fails (with the errno the layer gives) and legit work --
numpy, a matplotlib Agg PNG, threads, reading an allowed file -- still runs.

* seccomp is an allowlist: memfds, fallocate, SysV IPC, sockets, new processes, unlisted syscalls
  fail with EPERM (clone3 with ENOSYS, so that the C library falls back to clone);
* RLIMIT_NOFILE and a task budget (the pids cgroup; RLIMIT_NPROC);
* a cgroup per child: its memory limit counts memfds (which RLIMIT_AS does not), its OOM kill is
  reported as "memory" by the fork server (``child._reap``) and read so by the parent
  (``sandbox._death``); its folders are gone once the child is reaped;
* a private IPC namespace: a SysV segment does not outlive the child.

Each test checks one defence, with the others off where they would hide it.
"""

import ctypes
import errno
import io
import json
import os
import signal
import sys
import sysconfig
import threading
import time
from pathlib import Path

import pytest

from autograder.engine import child, confine, sandbox
from autograder.engine.status import Status

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux confinement")

SITE = sysconfig.get_paths()["purelib"]  # numpy, matplotlib and Pillow, readable by the children
GB = 2**30
LIBC = ctypes.CDLL(None, use_errno=True)


def _seccomp_available() -> bool:
    return not isinstance(confine._seccomp_filter(), str)


def _landlock_available() -> bool:
    try:
        import landlockpy
    except ImportError:
        return False
    return landlockpy.abi_version() >= 1


needs_seccomp = pytest.mark.skipif(not _seccomp_available(), reason="libseccomp (pyseccomp) is not available")
needs_landlock = pytest.mark.skipif(not _landlock_available(), reason="this kernel has no Landlock")


@pytest.fixture(scope="module")
def allowed(tmp_path_factory) -> Path:
    """A folder the children may read (Landlock), holding one file."""
    folder = tmp_path_factory.mktemp("readable")
    (folder / "data.txt").write_text("readable\n")
    return folder  # under pytest's 0700 folders: ``prepare`` keeps uid 0 (no capabilities) to read it


@pytest.fixture(scope="module")
def prepared(allowed):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401  (imported once, as the fork server does)
    import numpy  # noqa: F401

    confine.preload()
    return confine.prepare([Path(SITE), allowed])


def in_child(fn, prepared=None, memory_mb: int = 4096, **layers):
    """Run ``fn`` in a forked child confined by ``enforce`` (``prepared``), or, when ``prepared`` is
    None, by the layers named in ``layers`` only (e.g. cgroup=plan; no rlimits then); ``fn``'s JSON
    result (or the exception it raised, as {"error": ...}), the child's exit code, and what
    ``release`` said.  (4 GB of address space by default: this pytest process maps more than 2.)"""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover (the child)
        try:
            os.close(r)
            if prepared is not None:
                out = {"layers": confine.enforce(prepared, memory_mb=memory_mb, output_bytes=1 << 20, cpu_seconds=30)}
            else:
                out = {"layers": {}}
                if "cgroup" in layers:
                    out["layers"]["cgroup"] = confine._join_cgroups(layers["cgroup"], memory_mb)
                if "namespaces" in layers:
                    out["layers"]["namespaces"] = confine._unshare(layers["namespaces"])
                if "seccomp" in layers:
                    out["layers"]["seccomp"] = confine._load_seccomp(layers["seccomp"])
            try:
                out["result"] = fn()
            except OSError as exc:
                out["error"] = errno.errorcode.get(exc.errno, str(exc.errno))
            except BaseException as exc:
                out["error"] = f"{type(exc).__name__}: {exc}"
            os.write(w, json.dumps(out).encode())
        finally:
            os._exit(0)
    os.close(w)
    chunks = []
    while chunk := os.read(r, 1 << 16):
        chunks.append(chunk)
    os.close(r)
    _, status = os.waitpid(pid, 0)
    why = confine.release(pid)
    data = json.loads(b"".join(chunks)) if chunks else {}
    return data, os.waitstatus_to_exitcode(status), why


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def errno_of(call, *args) -> str:
    """The errno name a libc call through ctypes failed with, or "ok"."""
    result = call(*args)
    if result == -1:
        return errno.errorcode[ctypes.get_errno()]
    return "ok"


# -- legit work -----------------------------------------------------------------------------------
def legit_work():
    import matplotlib.pyplot as plt
    import numpy as np

    out = {}
    a = np.random.default_rng(0).standard_normal((300, 300))
    out["matmul"] = bool(np.allclose((a @ np.linalg.inv(a)), np.eye(300), atol=1e-8))
    out["svd"] = float(np.linalg.svd(a, compute_uv=False)[0]) > 0
    fig, ax = plt.subplots()
    ax.plot(np.linspace(0, 1, 50) ** 2, label="$x^2$")
    ax.set_title("the loss, per epoch")
    ax.legend()
    png = io.BytesIO()
    fig.savefig(png, format="png")
    plt.close(fig)
    out["png"] = png.getvalue()[:8] == b"\x89PNG\r\n\x1a\n" and len(png.getvalue()) > 5000
    done = []
    threads = [threading.Thread(target=lambda: done.append(sum(range(10_000)))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out["threads"] = len(done)
    out["file"] = Path(os.environ["CONFINE_TEST_FILE"]).read_text()
    signal.setitimer(signal.ITIMER_PROF, 5)
    signal.setitimer(signal.ITIMER_PROF, 0)
    time.sleep(0.001)
    out["cpu"] = time.process_time() > 0 and os.cpu_count() >= 1
    return out


def test_legit_work_runs_fully_confined(prepared, allowed, monkeypatch):
    monkeypatch.setenv("CONFINE_TEST_FILE", str(allowed / "data.txt"))
    data, code, _ = in_child(legit_work, prepared)
    assert code == 0 and "error" not in data, data
    assert data["result"] == {"matmul": True, "svd": True, "png": True, "threads": 4, "file": "readable\n",
                              "cpu": True}
    assert all(str(v).startswith(("on", "off: not running as root", "root without capabilities",
                                  "off: not permitted here")) for v in data["layers"].values()), data["layers"]


# -- seccomp: an allowlist ------------------------------------------------------------------------
def test_the_allowlist_leaves_out_every_resource_outside_a_budget():
    allowed = set(confine.allowed_syscalls())
    for name in ("memfd_create", "fallocate", "ftruncate", "shmget", "shmat", "shmctl", "semget", "semop", "semctl",
                 "msgget", "msgsnd", "msgrcv", "msgctl", "mq_open", "socket", "socketpair", "fork", "vfork", "clone3",
                 "execve", "execveat", "ptrace", "process_vm_readv", "process_vm_writev", "mount", "umount2",
                 "unshare", "setns", "pivot_root", "chroot", "bpf", "perf_event_open", "io_uring_setup",
                 "userfaultfd", "keyctl", "add_key", "kexec_load", "init_module", "finit_module", "personality",
                 "sched_setaffinity", "setuid", "setresuid", "setpriority", "flock", "mlock", "open_by_handle_at"):
        assert name not in allowed, name
    assert len(allowed) < 110  # an allowlist, kept short (98 when written)


def forbidden_calls(fd: int) -> dict:
    """Calls that succeed in an unconfined child, tried in a confined one: the errno each gets."""
    out = {}
    try:
        os.close(os.memfd_create("hoard"))
        out["memfd_create"] = "ok"
    except OSError as exc:
        out["memfd_create"] = errno.errorcode[exc.errno]
    fallocate = LIBC.fallocate
    fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_long, ctypes.c_long]
    out["fallocate"] = errno_of(fallocate, fd, 1, 0, 64 << 20)  # FALLOC_FL_KEEP_SIZE: disk past RLIMIT_FSIZE
    out["shmget"] = errno_of(LIBC.shmget, 0, 1 << 20, 0o1600)  # IPC_PRIVATE, IPC_CREAT | 0600
    out["semget"] = errno_of(LIBC.semget, 0, 1, 0o1600)
    out["msgget"] = errno_of(LIBC.msgget, 0, 0o1600)
    fds = (ctypes.c_int * 2)()
    out["socketpair"] = errno_of(LIBC.socketpair, 1, 1, 0, fds)  # AF_UNIX, SOCK_STREAM
    try:
        os.sched_setaffinity(0, os.sched_getaffinity(0))
        out["sched_setaffinity"] = "ok"
    except OSError as exc:
        out["sched_setaffinity"] = errno.errorcode[exc.errno]
    out["personality"] = errno_of(LIBC.personality, 0xFFFFFFFF)  # a query: any process may make it
    try:
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        os.waitpid(pid, 0)
        out["fork"] = "ok"
    except OSError as exc:
        out["fork"] = errno.errorcode[exc.errno]

    class CloneArgs(ctypes.Structure):
        _fields_ = [(n, ctypes.c_uint64) for n in ("flags", "pidfd", "child_tid", "parent_tid", "exit_signal",
                                                     "stack", "stack_size", "tls")]

    args = CloneArgs(exit_signal=signal.SIGCHLD)
    pid = LIBC.syscall(435, ctypes.byref(args), ctypes.sizeof(args))  # clone3 (x86_64 and aarch64 alike)
    if pid == 0:
        os._exit(0)
    if pid > 0:
        os.waitpid(pid, 0)
    out["clone3"] = "ok" if pid > 0 else errno.errorcode[ctypes.get_errno()]
    return out


@needs_seccomp
def test_seccomp_denies_what_is_not_on_the_allowlist(prepared, tmp_path):
    """Only seccomp on: each call fails with EPERM (ENOSYS for clone3), where without the filter
    each succeeds (fallocate would take 64 MB of disk through an inherited writable descriptor)."""
    with open(tmp_path / "inherited", "wb") as f:
        data, code, _ = in_child(lambda: forbidden_calls(f.fileno()), seccomp=prepared.seccomp)
    assert code == 0 and "error" not in data, data
    expected = {name: "EPERM" for name in data["result"]} | {"clone3": "ENOSYS"}
    assert data["result"] == expected
    assert os.stat(tmp_path / "inherited").st_blocks == 0


@needs_seccomp
def test_seccomp_allows_threads_but_not_processes(prepared):
    def both():
        started = []
        t = threading.Thread(target=lambda: started.append(1))
        t.start()
        t.join()
        try:
            os.fork()
            return started, "fork allowed"
        except OSError as exc:
            return started, errno.errorcode[exc.errno]

    data, code, _ = in_child(both, seccomp=prepared.seccomp)
    assert code == 0 and data["result"] == [[1], "EPERM"], data


# -- descriptors and tasks ------------------------------------------------------------------------
def test_descriptors_are_capped(prepared):
    def hoard():
        fds = []
        try:
            while len(fds) < 10_000:
                fds.append(os.open("/dev/null", os.O_RDONLY))
        except OSError as exc:
            return len(fds), errno.errorcode[exc.errno]
        return len(fds), "no limit"

    data, code, _ = in_child(hoard, prepared)
    opened, why = data["result"]
    assert why == "EMFILE" and opened < confine.DESCRIPTORS, data


def start_threads(n: int = 200):
    threading.stack_size(1 << 16)
    stop = threading.Event()
    started = 0
    try:
        for _ in range(n):
            threading.Thread(target=stop.wait, daemon=True).start()
            started += 1
    except RuntimeError:
        pass
    finally:
        stop.set()
    return started


def test_a_child_cannot_start_threads_past_its_task_budget(prepared):
    data, code, _ = in_child(start_threads, prepared)
    assert code == 0, data
    assert data["layers"]["tasks"].startswith("on"), data["layers"]
    if not isinstance(prepared.cgroup, str):  # the process and 31 threads at most (confine.TASKS: 32;
        # fewer if other children of the sandbox user hold much of RLIMIT_NPROC's 64 right now)
        assert 4 <= data["result"] <= 31, data
    else:
        assert data["result"] < 100, data


def test_without_a_pids_cgroup_rlimit_nproc_is_the_task_budget(prepared):
    """As root without capabilities too (uid 0 is exempt from RLIMIT_NPROC only as the real uid)."""
    import dataclasses

    data, code, _ = in_child(start_threads, dataclasses.replace(prepared, cgroup="off: this test"))
    assert code == 0, data
    assert data["layers"]["tasks"].startswith("on: ") and "RLIMIT_NPROC" in data["layers"]["tasks"], data
    assert 4 <= data["result"] < 100, data  # 63 for the sandbox user; 32 more than the grader's user runs


# -- the cgroup -----------------------------------------------------------------------------------
def needs_cgroup(prepared):
    if isinstance(prepared.cgroup, str):
        pytest.skip(f"no cgroup for the children here: {prepared.cgroup}")


def test_each_child_has_its_cgroup_and_it_is_gone_once_reaped(prepared):
    needs_cgroup(prepared)
    go_r, go_w = os.pipe()
    seen = {}

    def wait_for_go():
        os.read(go_r, 1)
        return "done"

    def watch():  # the parent's side, while the child waits
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            found = [p for p in confine._listdir(prepared.cgroup.memory) if p.startswith(f"{prepared.cgroup.server}-")]
            if found:
                pid = int(found[0].split("-")[1])
                folders = prepared.cgroup.folders(pid)
                members = [_read(f / "tasks").split() for f in folders]
                if all(members):  # made, and joined
                    seen["pid"] = pid
                    seen["members"] = members
                    seen["limit"] = (folders[0] / ("memory.limit_in_bytes" if prepared.cgroup.version == 1
                                                   else "memory.max")).read_text().strip()
                    break
            time.sleep(0.01)
        os.write(go_w, b"x")

    watcher = threading.Thread(target=watch)
    watcher.start()
    data, code, _ = in_child(wait_for_go, prepared, memory_mb=1536)
    watcher.join()
    os.close(go_r)
    os.close(go_w)
    assert code == 0 and data["result"] == "done", data
    assert seen["members"] == [[str(seen["pid"])]] * len(seen["members"]), seen
    assert seen["limit"] == str(1536 * 2**20)
    for folder in prepared.cgroup.folders(seen["pid"]):
        assert not folder.exists(), folder


def hoard_memfd(gigabytes: float = 3):
    """3 GB in a memfd: no mapping, so RLIMIT_AS does not see it."""
    fd = os.memfd_create("hoard")
    os.posix_fallocate(fd, 0, int(gigabytes * GB))
    return "held"


def test_a_child_filling_a_memfd_is_killed_by_its_memory_cgroup(prepared):
    """The cgroup alone (seccomp off, which would refuse the memfd first): killed at 512 MB, and
    ``release`` says "memory"."""
    needs_cgroup(prepared)
    data, code, why = in_child(hoard_memfd, memory_mb=512, cgroup=prepared.cgroup)
    assert code == -signal.SIGKILL and why == "memory", (data, code, why)
    assert "result" not in data


@needs_seccomp
def test_fully_confined_a_memfd_hoard_is_refused(prepared):
    data, code, why = in_child(hoard_memfd, prepared)
    assert code == 0 and data.get("error") == "EPERM" and why is None, data


def test_the_fork_server_reports_an_oom_kill_as_memory(prepared):
    """``child._reap`` (in a stand-in fork server: it kills every other child it has) writes
    "<code> memory" on the status pipe; ``sandbox._death`` reads it as Status.MEMORY."""
    needs_cgroup(prepared)
    status_r, status_w = os.pipe()
    server = os.fork()
    if server == 0:  # pragma: no cover (the stand-in server)
        try:
            os.close(status_r)
            victim = os.fork()
            if victim == 0:
                confine._join_cgroups(prepared.cgroup, 512)
                try:
                    hoard_memfd()
                finally:
                    os._exit(0)
            pending = {victim: status_w}
            while pending:
                child._reap(pending)
                time.sleep(0.01)
        finally:
            os._exit(0)
    os.close(status_w)
    try:
        incident = sandbox._death(server, status_r, sandbox.Limits(memory_mb=512))
    finally:
        os.close(status_r)
        os.waitpid(server, 0)
    assert incident.status == Status.MEMORY and "ran out of memory" in incident.message, incident


def test_the_status_line_without_memory_keeps_its_meaning():
    for line, status in ((b"-9 memory\n", Status.MEMORY), (b"-9\n", Status.TIMEOUT), (b"-25\n", Status.OUTPUT),
                         (b"70\n", Status.ERROR)):
        r, w = os.pipe()
        os.write(w, line)
        os.close(w)
        try:
            assert sandbox._death(os.getpid(), r, sandbox.Limits()).status == status, line
        finally:
            os.close(r)


# -- the IPC namespace ----------------------------------------------------------------------------
KEY = 0x18065 + os.getpid() % 1000


def test_a_sysv_segment_does_not_outlive_the_child(prepared):
    """The namespace alone (seccomp off, which would refuse shmget first): the segment the child
    made under a fixed key is gone with it."""
    if isinstance(prepared.namespaces, str):
        pytest.skip(f"no IPC namespace here: {prepared.namespaces}")
    data, code, _ = in_child(lambda: errno_of(LIBC.shmget, KEY, 1 << 20, 0o1600), namespaces=prepared.namespaces)
    left = LIBC.shmget(KEY, 0, 0)
    if left >= 0:
        LIBC.shmctl(left, 0, None)  # IPC_RMID: not left on the machine
    assert data["layers"]["namespaces"].startswith("on") and data["result"] == "ok", data
    assert left == -1 and ctypes.get_errno() == errno.ENOENT


# -- the self-test and the report -----------------------------------------------------------------
@needs_seccomp
@needs_landlock
def test_the_fork_servers_self_test_finds_everything_blocked(prepared):
    layers = child._self_test(confine, prepared)
    assert set(layers["verified"]) >= {"read outside the sandbox", "open a socket", "start a process",
                                       "SysV shared memory", "memfd", "fallocate",
                                       "an unlisted syscall (sched_setaffinity)", "more than 100 threads"}
    assert all(layers["verified"].values()), layers["verified"]
    assert sandbox.fully_isolated(layers), layers


def test_second_lines_may_be_off_where_the_platform_forbids_them():
    full = {"limits": "on", "tasks": "on: 64", "uid": "on: uid 65534", "landlock": "on", "seccomp": "on",
            "cgroup": "on", "namespaces": "on", "verified": {"memfd": True}}
    assert sandbox.fully_isolated(full)
    for layer in ("cgroup", "namespaces"):
        assert sandbox.fully_isolated({**full, layer: "off: not permitted here: read-only"})
        assert sandbox.fully_isolated({**full, layer: "off: not running as root"})
        assert not sandbox.fully_isolated({**full, layer: "off: AUTOGRADER_CONFINE=0"})
    assert not sandbox.fully_isolated({**full, "seccomp": "off: not permitted here"})
    assert not sandbox.fully_isolated({**full, "verified": {"memfd": False}})
