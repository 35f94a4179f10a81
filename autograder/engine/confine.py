"""Confine the calling process (a freshly forked grading child) before it reads a submission.

Layers, each applied where the platform allows it and reported either way (``enforce`` returns
{layer: "on: ..." | "off: why"}); budgets are set where the kernel accounts them:

* ``limits``     -- rlimits: address space, file size (the output cap), CPU seconds, descriptors
                    (RLIMIT_NOFILE: bounds pipes and every other per-descriptor kernel object), no
                    core dumps.
* ``tasks``      -- how many tasks (threads) the child may run: the pids cgroup (``cgroup``), and
                    RLIMIT_NPROC, per real uid: ``nobody``'s when the uid is dropped or, as root
                    without capabilities, the real uid alone is ``nobody``'s; without root, the
                    grader's own uid's tasks now plus ``TASKS`` (so a thread bomb cannot starve the
                    fork server's next fork).
* ``uid``        -- when the grader runs as root: drop to an unprivileged user (AUTOGRADER_SANDBOX_USER,
                    default ``nobody``) with no groups; where that user could not read the interpreter
                    (e.g. under /root), keep uid 0 as the effective uid (files are read as their owner)
                    with every capability dropped, and ``nobody`` as the real uid (RLIMIT_NPROC counts it).
* ``landlock``   -- the kernel's Landlock LSM (through ``landlockpy``): read-only access to the paths
                    given (interpreter, allowed packages, the probe-only world), no write anywhere,
                    no TCP bind/connect (ABI >= 4), no signals or abstract Unix sockets outside the
                    sandbox (ABI >= 6); sets no_new_privs.
* ``seccomp``    -- a syscall ALLOWLIST (libseccomp through ``pyseccomp``): only what Python, numpy
                    and matplotlib do (``ALLOWED_SYSCALLS``, ``ALLOWED_IF``, ``_clone_rule``); every
                    other syscall fails with EPERM: no new process, socket, SysV IPC, memfd,
                    fallocate, ptrace, mount, namespace, bpf, io_uring, keyctl...
* ``cgroup``     -- as root, a cgroup per child (v1: the memory and pids hierarchies; v2: one folder
                    with both controllers) under ``autograder/``, named ``<server pid>-<child pid>``:
                    a memory limit that counts what RLIMIT_AS misses (shared memory, memfds, page
                    cache, kernel memory) and ``TASKS`` tasks.  The server removes it when it reaps
                    the child (``release``), which also tells whether the cgroup's OOM killer ended it.
* ``namespaces`` -- as root, a private IPC namespace: whatever SysV or POSIX IPC object could be made
                    dies with the child.  (No network namespace: no socket can be opened at all, and
                    one costs ~1 ms per child.)

Irreversible by design: a confined process cannot undo any of it, nor can its threads.

Two steps, so that a child pays only for what is its own: ``prepare`` (in the fork server, once)
does every look-up and builds the Landlock ruleset, the seccomp filter and the cgroups' parent
folders; ``enforce`` (in each freshly forked child) sets the rlimits, joins its cgroup, unshares,
drops the uid and enforces the ruleset and the filter, in that order (each step needs what the next
one takes away).  The ruleset is the same for every child (the submission comes in through an open
file descriptor, not a path), and each child closes its copy of the ruleset's descriptor as soon as
it is enforced, before any student code runs: rules added through it would apply to every later child.
"""

from __future__ import annotations

import atexit
import ctypes
import errno
import functools
import os
import resource
import stat
import sys
import sysconfig
import time
from dataclasses import dataclass
from pathlib import Path

SYSTEM_READABLE = ("/usr/lib", "/lib", "/lib64", "/usr/lib64", "/etc/ld.so.cache", "/usr/share/zoneinfo",
                   "/etc/localtime", "/dev/null", "/dev/urandom")
TASKS = 32  # tasks (the process and its threads) per child: its pids cgroup, or RLIMIT_NPROC's margin
SHARED_TASKS = 64  # RLIMIT_NPROC of the sandbox user, shared by every child running at once
DESCRIPTORS = 64  # RLIMIT_NOFILE: a child uses 5 plus one file at a time (imports, fonts)
CGROUP_FS = Path("/sys/fs/cgroup")
CGROUP_DIR = "autograder"  # under the cgroup root of each hierarchy
CLONE_NEWIPC = 0x08000000


@dataclass
class Prepared:
    """What ``prepare`` built: per layer, the thing a child enforces, or why the layer is off."""

    uid: tuple[int, int] | tuple[str, int] | str  # (uid, gid) to drop to; ("caps", real uid); or "off..."
    uid_state: str  # the report line for the uid layer
    ruleset: object | str  # a landlockpy Ruleset, not yet enforced; or "off: ..."
    landlock_state: str
    seccomp: Program | str  # the compiled filter, not yet loaded; or "off: ..."
    cgroup: Cgroups | str = "off: not prepared"
    namespaces: int | str = "off: not prepared"  # unshare() flags, or why not

    def fds(self) -> list[int]:
        """Descriptors a child must keep open until ``enforce`` (the ruleset's)."""
        return [self.ruleset.fileno()] if not isinstance(self.ruleset, str) else []


def prepare(readable: list[Path], user: str | None = None) -> Prepared:
    """Build every layer once (in the fork server, before any fork): ``readable`` are the paths a
    child may read besides the standard library and the system's shared libraries."""
    paths = stdlib_paths() + [Path(p) for p in SYSTEM_READABLE if os.path.exists(p)] + [Path(p) for p in readable]
    uid, uid_state = _plan_uid(paths, user or os.environ.get("AUTOGRADER_SANDBOX_USER", "nobody"))
    ruleset, landlock_state = _landlock_ruleset(paths)
    prepared = Prepared(uid, uid_state, ruleset, landlock_state, _seccomp_filter(), _plan_cgroups(),
                        _plan_namespaces())
    if sys.platform.startswith("linux"):
        _libc(), _last_cap()  # looked up once, here
    return prepared


def enforce(prepared: Prepared, *, memory_mb: int, output_bytes: int, cpu_seconds: int,
            enabled: bool = True) -> dict[str, str]:
    """Confine this process (a freshly forked child); what each layer did.  ``enabled=False``
    applies the rlimits only (benchmarks: AUTOGRADER_CONFINE=0)."""
    layers = {"limits": _limits(memory_mb, output_bytes, cpu_seconds)}
    if not enabled:
        _close(prepared.ruleset)
        return layers | {name: "off: AUTOGRADER_CONFINE=0"
                         for name in ("tasks", "uid", "landlock", "seccomp", "cgroup", "namespaces")}
    # in this order: joining a cgroup and unsharing need root, which the uid drop gives up, and
    # writing to /sys/fs/cgroup, which Landlock forbids; seccomp (which denies unshare) comes last
    cgroup = _join_cgroups(prepared.cgroup, memory_mb)
    layers["namespaces"] = _unshare(prepared.namespaces)
    layers["uid"], nproc = _drop_privileges(prepared.uid, prepared.uid_state)
    layers["tasks"] = _tasks(prepared.cgroup, nproc)
    layers["landlock"] = _enforce_landlock(prepared.ruleset, prepared.landlock_state)
    layers["seccomp"] = _load_seccomp(prepared.seccomp)
    layers["cgroup"] = cgroup
    return {name: layers[name] for name in ("limits", "tasks", "uid", "landlock", "seccomp", "cgroup", "namespaces")}


def preload() -> None:
    """Import the bindings before confinement: finding libseccomp runs ``ldconfig``."""
    for name in ("landlockpy", "pyseccomp"):
        try:
            __import__(name)
        except Exception:  # reported by ``enforce`` as an inactive layer
            pass


def _limits(memory_mb: int, output_bytes: int, cpu_seconds: int) -> str:
    mem = memory_mb * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
    resource.setrlimit(resource.RLIMIT_FSIZE, (output_bytes, output_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 2))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_NOFILE, (DESCRIPTORS, DESCRIPTORS))
    return f"on: address space, output, CPU seconds, {DESCRIPTORS} descriptors, no core dumps"


@functools.lru_cache(maxsize=1)
def stdlib_paths() -> list[Path]:
    """The standard library, minus the interpreter's own site-packages (pip, anything installed)."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    return [p for p in stdlib.iterdir() if p.name != "site-packages"]


# -- uid and tasks --------------------------------------------------------------------------------
def _plan_uid(paths: list[Path], user: str) -> tuple[tuple[int, int] | tuple[str, int] | str, str]:
    if os.geteuid() != 0:
        return "off", "off: not running as root (the child already runs as the grader's own user)"
    import pwd

    try:
        entry = pwd.getpwnam(user)
    except KeyError:
        return "off", f"off: no user {user!r} (set AUTOGRADER_SANDBOX_USER)"
    hidden = [p for p in paths if not _readable_by_others(Path(p))]
    if hidden:
        return ("caps", entry.pw_uid), (f"root without capabilities: {hidden[0]} is not readable by other users, "
                                        f"so {user!r} could not run Python; real uid {entry.pw_uid} ({user})")
    return (entry.pw_uid, entry.pw_gid), f"on: uid {entry.pw_uid} ({user})"


def _drop_privileges(plan, state: str) -> tuple[str, str]:
    """The uid layer's state, and the RLIMIT_NPROC set on the way ("off: why" if none)."""
    if isinstance(plan, tuple) and plan[0] == "caps":
        # RLIMIT_NPROC exempts uid 0 only as the *real* uid: with nobody's as the real uid, the
        # limit applies, and files are still read as root, their owner (the effective uid).  Getting
        # uid 0 back as the real uid takes a set*uid call, which seccomp denies.
        os.setresuid(plan[1], 0, 0)
        resource.setrlimit(resource.RLIMIT_NPROC, (SHARED_TASKS, SHARED_TASKS))
        _drop_capabilities()
        return state, f"{SHARED_TASKS} for real uid {plan[1]} (RLIMIT_NPROC, shared by the children running at once)"
    if isinstance(plan, tuple):
        uid, gid = plan
        os.setgroups([])
        os.setresgid(gid, gid, gid)
        os.setresuid(uid, uid, uid)
        resource.setrlimit(resource.RLIMIT_NPROC, (SHARED_TASKS, SHARED_TASKS))
        return state, f"{SHARED_TASKS} for uid {uid} (RLIMIT_NPROC, shared by the children running at once)"
    if os.geteuid() != 0:
        running = _tasks_of(os.getuid())
        if running is None:
            return state, "off: no /proc to count the tasks RLIMIT_NPROC counts"
        limit = running + TASKS
        resource.setrlimit(resource.RLIMIT_NPROC, (limit, limit))
        return state, f"{TASKS} more than uid {os.getuid()} runs now (RLIMIT_NPROC {limit})"
    return state, "off: RLIMIT_NPROC does not apply to uid 0 (no sandbox user)"


def _tasks(cgroups, nproc: str) -> str:
    ways = ([f"{TASKS} per child (pids cgroup)"] if not isinstance(cgroups, str) else [])
    ways += [] if nproc.startswith("off") else [nproc]
    return "on: " + "; ".join(ways) if ways else f"off: no pids cgroup; {nproc[5:]}"


def _tasks_of(uid: int) -> int | None:
    """Tasks (threads) of ``uid`` now, from /proc (None without it): RLIMIT_NPROC counts those."""
    count = 0
    try:
        names = os.listdir("/proc")
    except OSError:
        return None
    for name in names:
        if name.isdigit():
            try:
                st = os.stat(f"/proc/{name}/task")  # owned by the process's uid; links: 2 + its threads
            except OSError:
                continue
            if st.st_uid == uid:
                count += max(st.st_nlink - 2, 1)
    return count


def _drop_capabilities() -> None:
    """Hold no capability (cannot raise an rlimit, set the clock, load modules...)."""
    libc = _libc()
    for cap in range(_last_cap() + 1):
        libc.prctl(24, cap, 0, 0, 0)  # PR_CAPBSET_DROP
    if libc.capset(ctypes.byref(_CapHeader(0x20080522, 0)), _CapData2()) != 0:  # _LINUX_CAPABILITY_VERSION_3
        raise OSError(ctypes.get_errno(), "capset failed")


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


_CapData2 = _CapData * 2  # zeros: no capability, effective, permitted or inheritable


@functools.lru_cache(maxsize=1)
def _last_cap() -> int:
    try:
        return int(Path("/proc/sys/kernel/cap_last_cap").read_text())
    except (OSError, ValueError):
        return 63


@functools.lru_cache(maxsize=1)
def _libc():
    """The C library's prctl, unshare and capset, typed (prctl's arguments are unsigned longs)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl.argtypes = [ctypes.c_int] + [ctypes.c_ulong] * 4
    libc.prctl.restype = ctypes.c_int
    libc.unshare, libc.capset  # looked up now, not in each child  # noqa: B018
    return libc


@functools.lru_cache(maxsize=None)
def _readable_by_others(path: Path) -> bool:
    try:
        st = os.stat(path)
        if not st.st_mode & (stat.S_IROTH | (stat.S_IXOTH if stat.S_ISDIR(st.st_mode) else 0)):
            return False
        return all(os.stat(parent).st_mode & stat.S_IXOTH for parent in Path(path).resolve().parents)
    except OSError:
        return False


# -- cgroup ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Cgroups:
    """Where each child's cgroup goes: ``memory`` and ``pids`` are the parent folders (the same one
    on cgroup v2), ``server`` the fork server's pid (the first half of every child's folder name)."""

    version: int
    memory: Path
    pids: Path
    server: int

    def folders(self, pid: int) -> list[Path]:
        name = f"{self.server}-{pid}"
        return [self.memory / name] if self.version == 2 else [self.memory / name, self.pids / name]


_CGROUPS: Cgroups | None = None  # this server's (``release`` runs in the server)
_LEFT: set[int] = set()  # children whose folders could not be removed yet (retried by ``release``)


def _plan_cgroups() -> Cgroups | str:
    """The parent folders of every child's cgroup, made now; or why there is none."""
    global _CGROUPS
    if not sys.platform.startswith("linux"):
        return "off: not Linux"
    if not CGROUP_FS.is_dir():
        return f"off: not permitted here: no cgroup file system at {CGROUP_FS}"
    try:
        if (CGROUP_FS / "cgroup.controllers").exists():
            plan = _plan_v2()
        else:
            plan = _plan_v1()
    except OSError as exc:
        return _cgroup_refused(exc)
    if isinstance(plan, str):
        return plan
    try:  # what each child will do, once: the parent folders may exist yet be another user's
        for folder in plan.folders(0):
            folder.mkdir()
        _remove(plan.folders(0))
    except FileExistsError:
        _remove(plan.folders(0))
    except OSError as exc:
        _remove(plan.folders(0))
        return _cgroup_refused(exc)
    _CGROUPS = plan
    _prune(plan)
    atexit.register(_release_all, plan)
    return plan


def _plan_v1() -> Cgroups | str:
    memory, pids = CGROUP_FS / "memory", CGROUP_FS / "pids"
    if not (memory / "memory.limit_in_bytes").exists() or not (pids / "cgroup.procs").exists():
        return f"off: not permitted here: no memory and pids hierarchies under {CGROUP_FS} (cgroup v1)"
    for base in (memory, pids):
        (base / CGROUP_DIR).mkdir(exist_ok=True)
    return Cgroups(1, memory / CGROUP_DIR, pids / CGROUP_DIR, os.getpid())


def _plan_v2() -> Cgroups | str:
    if not {"memory", "pids"} <= set((CGROUP_FS / "cgroup.controllers").read_text().split()):
        return f"off: not permitted here: no memory and pids controllers in {CGROUP_FS} (cgroup v2)"
    enabled = (CGROUP_FS / "cgroup.subtree_control").read_text().split()
    if not {"memory", "pids"} <= set(enabled):
        _write(CGROUP_FS / "cgroup.subtree_control", "+memory +pids")
    base = CGROUP_FS / CGROUP_DIR
    base.mkdir(exist_ok=True)
    if not {"memory", "pids"} <= set((base / "cgroup.subtree_control").read_text().split()):
        _write(base / "cgroup.subtree_control", "+memory +pids")
    return Cgroups(2, base, base, os.getpid())


def _cgroup_refused(exc: OSError) -> str:
    where = f" ({exc.filename})" if exc.filename else ""
    if os.geteuid() != 0:
        return f"off: not running as root (cgroups not writable{where}: {exc.strerror})"
    return f"off: not permitted here: cgroups not writable{where}: {exc.strerror}"


def _join_cgroups(plan, memory_mb: int) -> str:
    """Make this child's cgroup(s), set its budgets and move in (raises if any step fails: a child
    whose confinement could not be applied must not read the submission)."""
    if isinstance(plan, str):
        return plan
    memory = memory_mb * 2**20
    folders = plan.folders(os.getpid())
    for folder in folders:
        try:
            folder.mkdir()
        except FileExistsError:  # left by an earlier child of this pid: reused
            pass
    if plan.version == 1:
        mem, pids = folders
        # memory + swap may not be below memory: in this order on a fresh folder, the other way
        # round on a reused one whose limits were lower
        names = ["memory.limit_in_bytes", "memory.memsw.limit_in_bytes"]
        try:
            _write(mem / names[0], str(memory))
        except OSError as exc:
            if exc.errno != errno.EINVAL:
                raise
            names.reverse()
        for name in names:
            try:
                _write(mem / name, str(memory))  # memsw: no swapping past the limit either
            except FileNotFoundError:  # no swap accounting
                pass
        _write(pids / "pids.max", str(TASKS))
        # "tasks", not "cgroup.procs": moving the calling thread alone (the child has no other yet)
        # skips the lock of the whole thread group, whose every take waits out an RCU grace period
        # (up to ~15 ms per child here)
        _write(mem / "tasks", "0")
        _write(pids / "tasks", "0")
    else:
        (folder,) = folders
        _write(folder / "memory.max", str(memory))
        try:
            _write(folder / "memory.swap.max", "0")
        except FileNotFoundError:
            pass
        _write(folder / "pids.max", str(TASKS))
        _write(folder / "cgroup.procs", "0")
    return (f"on: v{plan.version}, one per child: its memory (shared memory, memfds, file cache included), "
            f"{TASKS} tasks")


def release(pid: int) -> str | None:
    """In the server, once it has reaped child ``pid``: remove the child's cgroup; "memory" when the
    cgroup's OOM killer ended it, else None.  Folders that cannot go yet are retried next time."""
    plan = _CGROUPS
    if plan is None:
        return None
    why = None
    try:
        why = _oom_killed(plan, plan.folders(pid)[0])
    except OSError:
        pass
    _LEFT.add(pid)
    for left in list(_LEFT):
        if _remove(plan.folders(left)):
            _LEFT.discard(left)
    return why


def _oom_killed(plan: Cgroups, memory: Path) -> str | None:
    name = "memory.oom_control" if plan.version == 1 else "memory.events"
    counters = dict(line.split() for line in (memory / name).read_text().splitlines() if line.strip())
    if int(counters.get("oom_kill", "0")) > 0:
        return "memory"
    return None


def _remove(folders: list[Path]) -> bool:
    done = True
    for folder in folders:
        try:
            folder.rmdir()
        except FileNotFoundError:
            pass
        except OSError:  # EBUSY: a task not yet gone
            done = False
    return done


def _prune(plan: Cgroups) -> None:
    """Remove the folders of fork servers that are gone (killed before they could remove them)."""
    for base in {plan.memory, plan.pids}:
        try:
            names = os.listdir(base)
        except OSError:
            continue
        for name in names:
            server, _, child = name.partition("-")
            if server.isdigit() and child.isdigit() and int(server) != plan.server and not _alive(int(server)):
                _remove([base / name])


def _release_all(plan: Cgroups) -> None:
    """At the server's exit: every folder of its own, once its children are reaped (2 s at most)."""
    if os.getpid() != plan.server:
        return
    deadline = time.monotonic() + 2.0
    while True:
        try:
            while os.waitpid(-1, os.WNOHANG)[0] > 0:
                pass
        except ChildProcessError:
            pass
        left = [base / n for base in {plan.memory, plan.pids} for n in _listdir(base)
                if n.startswith(f"{plan.server}-")]
        if _remove(left) or time.monotonic() > deadline:
            return
        time.sleep(0.05)


def _listdir(path: Path) -> list[str]:
    try:
        return os.listdir(path)
    except OSError:
        return []


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


def _write(path: Path, value: str) -> None:
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, value.encode())
    finally:
        os.close(fd)


# -- namespaces -----------------------------------------------------------------------------------
def _plan_namespaces() -> int | str:
    if not sys.platform.startswith("linux"):
        return "off: not Linux"
    if os.geteuid() != 0:
        return "off: not running as root (SysV IPC is denied by seccomp)"
    if not _has_capability(21):  # CAP_SYS_ADMIN: Docker's default set lacks it
        return "off: not permitted here: no CAP_SYS_ADMIN to unshare (SysV IPC is denied by seccomp)"
    return CLONE_NEWIPC


def _has_capability(cap: int) -> bool:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("CapEff:"):
                return bool(int(line.split()[1], 16) >> cap & 1)
    except (OSError, ValueError):
        pass
    return True  # unknown: unshare will tell


def _unshare(flags) -> str:
    if isinstance(flags, str):
        return flags
    if _libc().unshare(flags) != 0:
        err = ctypes.get_errno()
        return f"off: not permitted here: unshare(CLONE_NEWIPC): {errno.errorcode.get(err, err)} (SysV IPC is denied by seccomp)"
    return "on: ipc (no IPC object outlives the child)"


# -- landlock -------------------------------------------------------------------------------------
def _landlock_ruleset(paths: list[Path]) -> tuple[object | str, str]:
    """The ruleset every child enforces (read-only ``paths``, no TCP, scoped), built once."""
    try:
        import landlockpy as ll
    except ImportError:
        return "off", "off: the landlockpy package is not installed"
    abi = ll.abi_version()
    if abi < 1:
        return "off", "off: this kernel has no Landlock (Linux >= 5.13 with Landlock enabled is needed)"
    ruleset = ll.Ruleset(handled_fs=ll.fs_for_abi(abi), handled_net=ll.net_for_abi(abi), scoped=ll.scope_for_abi(abi))
    read = ll.AccessFS.READ_FILE | ll.AccessFS.READ_DIR
    ruleset.allow_path(sysconfig.get_paths()["stdlib"], ll.AccessFS.READ_DIR)  # listing only
    for path in paths:
        try:
            access = read if os.path.isdir(path) else ll.AccessFS.READ_FILE
            ruleset.allow_path(path, access)
        except OSError:
            continue
    what = ["read-only files"]
    if ruleset.handled_net:
        what.append("no TCP")
    if ruleset.scoped:
        what.append("signals and abstract sockets scoped")
    return ruleset, f"on: ABI {abi}, {', '.join(what)}"


def _enforce_landlock(ruleset, state: str) -> str:
    if isinstance(ruleset, str):
        return state
    try:
        ruleset.restrict(no_new_privs=True)
    finally:
        _close(ruleset)  # at once: rules added through this descriptor would reach every later child
    return state


def _close(ruleset) -> None:
    if not isinstance(ruleset, str):
        ruleset.close()


# -- seccomp: an allowlist ------------------------------------------------------------------------
# Every syscall a grading child may make, by group.  Found with strace (-f, every syscall after the
# filter is loaded) over `make grade` of the four assignments' example classes and the project's
# tests, and completed by reading what the same code does on its other paths (errors, threads,
# signals, lazy imports).  Names this architecture lacks are skipped.  Everything else fails with
# EPERM -- among them fork, vfork, non-thread clone, execve(at), socket(pair), SysV IPC (shm*, sem*,
# msg*), POSIX message queues, memfd_create, fallocate, ftruncate, flock, ptrace, process_vm_*,
# mount and its family, unshare, setns, chroot, bpf, perf_event_open, io_uring_*, userfaultfd,
# keyctl, kexec, modules, personality, sched_set*, set*uid and set*gid, setpriority, mlock...
ALLOWED_SYSCALLS = {
    # the interpreter's and numpy's allocator (anonymous memory is capped by RLIMIT_AS)
    "memory": ("brk", "mmap", "munmap", "mremap", "mprotect", "madvise"),
    # descriptors it holds (pipes to the parent, /dev/null) and files Landlock lets it read
    "files": ("read", "readv", "pread64", "write", "writev", "lseek", "close", "close_range", "dup", "dup2",
              "dup3", "pipe", "pipe2", "open", "openat", "stat", "fstat", "lstat", "newfstatat", "statx",
              "access", "faccessat", "faccessat2", "readlink", "readlinkat", "getdents64", "getcwd", "chdir",
              "fchdir"),
    # waiting, the clocks the probes read, the interval timer a check's deadline uses
    "time": ("futex", "nanosleep", "clock_nanosleep", "clock_gettime", "clock_getres", "gettimeofday", "time",
             "setitimer", "getitimer", "alarm", "times", "getrusage", "sched_yield", "select", "pselect6",
             "poll", "ppoll", "epoll_create1", "epoll_ctl", "epoll_wait", "epoll_pwait"),
    # signals: handlers, masks, raise() and abort() (Landlock keeps them inside the sandbox)
    "signals": ("rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigpending", "rt_sigsuspend",
                "rt_sigtimedwait", "sigaltstack", "pause", "restart_syscall", "kill", "tgkill", "tkill"),
    # a thread's start and end (clone itself: ``_clone_rule``)
    "threads": ("set_robust_list", "rseq", "set_tid_address", "gettid", "exit", "exit_group"),
    # facts about itself and the machine, read-only; setsid is the child's own (a session of its own)
    "identity": ("getpid", "getppid", "getuid", "geteuid", "getgid", "getegid", "getresuid", "getresgid",
                 "getgroups", "getpgrp", "getpgid", "getsid", "setsid", "uname", "sysinfo", "getrandom",
                 "getrlimit", "sched_getaffinity", "getcpu"),
}
F_DUPFD, F_GETFD, F_SETFD, F_GETFL, F_SETFL, F_DUPFD_CLOEXEC, F_GETPIPE_SZ, F_GET_SEALS = 0, 1, 2, 3, 4, 1030, 1032, 1034
TCGETS, TIOCGWINSZ, FIONREAD, FIONBIO, FIONCLEX, FIOCLEX = 0x5401, 0x5413, 0x541B, 0x5421, 0x5450, 0x5451
PR_GET_DUMPABLE, PR_SET_NAME, PR_GET_NAME, PR_SET_VMA = 3, 15, 16, 0x53564D41
# syscall: (argument, the values allowed) -- the rest of what these calls can do is denied
ALLOWED_IF = {
    # descriptor flags only: no locks (a channel between two children), leases, pipe resizing, owners
    "fcntl": (1, (F_DUPFD, F_GETFD, F_SETFD, F_GETFL, F_SETFL, F_DUPFD_CLOEXEC, F_GETPIPE_SZ, F_GET_SEALS)),
    # isatty(), the terminal's size, non-blocking mode and close-on-exec: no device control
    "ioctl": (1, (TCGETS, TIOCGWINSZ, FIONREAD, FIONBIO, FIONCLEX, FIOCLEX)),
    # thread names and the C library's names for its mappings: nothing that changes privileges
    "prctl": (0, (PR_GET_DUMPABLE, PR_SET_NAME, PR_GET_NAME, PR_SET_VMA)),
    # its own rlimits (pid 0; lowering only: no capability to raise them), never another process's
    "prlimit64": (0, (0,)),
}
CLONE_VM, CLONE_SIGHAND, CLONE_THREAD, CLONE_PTRACE = 0x00000100, 0x00000800, 0x00010000, 0x00002000
CLONE_NAMESPACES = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000


def allowed_syscalls() -> list[str]:
    """Every syscall name the filter allows in some form (for the report and the tests)."""
    return sorted({n for group in ALLOWED_SYSCALLS.values() for n in group} | set(ALLOWED_IF) | {"clone"})


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


@dataclass
class Program:
    """The filter as the kernel takes it (BPF), compiled once by libseccomp: a child only hands it
    to prctl (compiling it in each child took ~1.5 ms)."""

    code: ctypes.Array
    fprog: _SockFprog


def _seccomp_filter() -> Program | str:
    """The syscall filter every child loads, built and compiled once."""
    try:
        import pyseccomp as sc

        f = sc.SyscallFilter(defaction=sc.ERRNO(errno.EPERM))
    except (ImportError, OSError, RuntimeError) as exc:
        return f"off: libseccomp is not available ({type(exc).__name__})"
    try:
        f.set_attr(sc.Attr.ACT_BADARCH, sc.KILL_PROCESS)  # a 32-bit syscall from a 64-bit process: no
        f.set_attr(sc.Attr.CTL_OPTIMIZE, 2)  # a binary tree rather than a list of ~100 comparisons
    except OSError:
        pass
    for name in (n for group in ALLOWED_SYSCALLS.values() for n in group):
        _rule(sc, f, sc.ALLOW, name)
    for name, (arg, values) in ALLOWED_IF.items():
        for value in values:
            _rule(sc, f, sc.ALLOW, name, sc.Arg(arg, sc.EQ, value))
    _clone_rule(sc, f)
    r, w = os.pipe()
    try:
        with os.fdopen(w, "wb") as out:
            f.export_bpf(out)
        chunks = []
        while chunk := os.read(r, 65536):
            chunks.append(chunk)
    finally:
        os.close(r)
    raw = b"".join(chunks)
    code = (ctypes.c_char * len(raw)).from_buffer_copy(raw)
    return Program(code, _SockFprog(len(raw) // 8, ctypes.addressof(code)))  # sock_filter: 8 bytes


def _clone_rule(sc, f) -> None:
    """Threads only: clone() with CLONE_THREAD and CLONE_VM, without CLONE_PTRACE or any new
    namespace; anything else would be a new process.  clone3 passes its flags in memory a filter
    cannot read: ENOSYS makes the C library fall back to clone."""
    mask = CLONE_THREAD | CLONE_VM | CLONE_SIGHAND | CLONE_PTRACE | CLONE_NAMESPACES
    _rule(sc, f, sc.ALLOW, "clone", sc.Arg(0, sc.MASKED_EQ, mask, CLONE_THREAD | CLONE_VM | CLONE_SIGHAND))
    _rule(sc, f, sc.ERRNO(errno.ENOSYS), "clone3")


def _rule(sc, f, action: int, name: str, *args) -> None:
    if sc.resolve_syscall(sc.Arch.NATIVE, name) < 0:
        return  # a syscall this architecture does not have
    f.add_rule(action, name, *args)


def _load_seccomp(program) -> str:
    if isinstance(program, str):
        return program
    libc = _libc()
    # no_new_privs (Landlock set it already, if on): what lets an unprivileged process load a filter
    for args in ((38, 1, 0, 0, 0), (22, 2, ctypes.addressof(program.fprog), 0, 0)):  # PR_SET_NO_NEW_PRIVS,
        if libc.prctl(*args) != 0:  # PR_SET_SECCOMP SECCOMP_MODE_FILTER
            raise OSError(ctypes.get_errno(), "the seccomp filter could not be loaded")
    return (f"on: an allowlist of {len(allowed_syscalls())} syscalls: no new processes, sockets, SysV IPC, "
            "memfds, fallocate, ptrace")
