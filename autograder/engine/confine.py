"""Confine the calling process (a freshly forked grading child) before it reads a submission.

Layers, each applied where the platform allows it and reported either way (``apply`` returns
{layer: "on" | "off: why"}):

* ``limits``   -- rlimits: address space, file size (the output cap), CPU seconds, no core dumps.
* ``uid``      -- when the grader runs as root: drop to an unprivileged user (AUTOGRADER_SANDBOX_USER,
                  default ``nobody``) with no groups, and cap its processes (RLIMIT_NPROC); where that
                  user could not read the interpreter (e.g. under /root), stay uid 0 with every
                  capability dropped instead.
* ``landlock`` -- the kernel's Landlock LSM (through ``landlockpy``): read-only access to the paths
                  given (interpreter, allowed packages, the probe-only world, the submission), no
                  write anywhere, no TCP bind/connect (ABI >= 4), no signals or abstract Unix
                  sockets outside the sandbox (ABI >= 6); sets no_new_privs.
* ``seccomp``  -- a syscall filter (libseccomp through ``pyseccomp``): no new processes (fork,
                  non-thread clone, exec), no sockets, no ptrace, mount, namespaces, bpf, io_uring.

Irreversible by design: a confined process cannot undo any of it, nor can its threads.

Two steps, so that a child pays only for what is its own: ``prepare`` (in the fork server, once)
does every look-up and builds the Landlock ruleset and the seccomp filter; ``enforce`` (in each
freshly forked child) sets the rlimits, drops the uid and enforces the ruleset and the filter.  The
ruleset is the same for every child (the submission comes in through an open file descriptor, not
a path), and each child closes its copy of the ruleset's descriptor as soon as it is enforced, before
any student code runs: rules added through it would apply to every later child.
"""

from __future__ import annotations

import errno
import functools
import os
import resource
import stat
import sysconfig
from dataclasses import dataclass
from pathlib import Path

SYSTEM_READABLE = ("/usr/lib", "/lib", "/lib64", "/usr/lib64", "/etc/ld.so.cache", "/usr/share/zoneinfo",
                   "/etc/localtime", "/dev/null", "/dev/urandom")


@dataclass
class Prepared:
    """What ``prepare`` built: per layer, the thing a child enforces, or why the layer is off."""

    uid: tuple[int, int] | str  # (uid, gid) to drop to; "caps" (stay root, drop capabilities); or "off: ..."
    uid_state: str  # the report line for the uid layer
    ruleset: object | str  # a landlockpy Ruleset, not yet enforced; or "off: ..."
    landlock_state: str
    seccomp: object | str  # a pyseccomp SyscallFilter, not yet loaded; or "off: ..."

    def fds(self) -> list[int]:
        """Descriptors a child must keep open until ``enforce`` (the ruleset's)."""
        return [self.ruleset.fileno()] if not isinstance(self.ruleset, str) else []


def prepare(readable: list[Path], user: str | None = None) -> Prepared:
    """Build every layer once (in the fork server, before any fork): ``readable`` are the paths a
    child may read besides the standard library and the system's shared libraries."""
    paths = stdlib_paths() + [Path(p) for p in SYSTEM_READABLE if os.path.exists(p)] + [Path(p) for p in readable]
    uid, uid_state = _plan_uid(paths, user or os.environ.get("AUTOGRADER_SANDBOX_USER", "nobody"))
    ruleset, landlock_state = _landlock_ruleset(paths)
    return Prepared(uid, uid_state, ruleset, landlock_state, _seccomp_filter())


def enforce(prepared: Prepared, *, memory_mb: int, output_bytes: int, cpu_seconds: int,
            enabled: bool = True) -> dict[str, str]:
    """Confine this process (a freshly forked child); what each layer did.  ``enabled=False``
    applies the rlimits only (benchmarks: AUTOGRADER_CONFINE=0)."""
    layers = {"limits": _limits(memory_mb, output_bytes, cpu_seconds)}
    if not enabled:
        _close(prepared.ruleset)
        return layers | {name: "off: AUTOGRADER_CONFINE=0" for name in ("uid", "landlock", "seccomp")}
    layers["uid"] = _drop_privileges(prepared.uid, prepared.uid_state)
    layers["landlock"] = _enforce_landlock(prepared.ruleset, prepared.landlock_state)
    layers["seccomp"] = _load_seccomp(prepared.seccomp)
    return layers


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
    return "on"


@functools.lru_cache(maxsize=1)
def stdlib_paths() -> list[Path]:
    """The standard library, minus the interpreter's own site-packages (pip, anything installed)."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    return [p for p in stdlib.iterdir() if p.name != "site-packages"]


# -- uid ------------------------------------------------------------------------------------------
def _plan_uid(paths: list[Path], user: str) -> tuple[tuple[int, int] | str, str]:
    if os.geteuid() != 0:
        return "off", "off: not running as root (the child already runs as the grader's own user)"
    import pwd

    try:
        entry = pwd.getpwnam(user)
    except KeyError:
        return "off", f"off: no user {user!r} (set AUTOGRADER_SANDBOX_USER)"
    hidden = [p for p in paths if not _readable_by_others(Path(p))]
    if hidden:
        return "caps", (f"root without capabilities: {hidden[0]} is not readable by other users, so {user!r} "
                        "could not run Python")
    return (entry.pw_uid, entry.pw_gid), f"on: uid {entry.pw_uid} ({user})"


def _drop_privileges(plan: tuple[int, int] | str, state: str) -> str:
    if plan == "caps":
        _drop_capabilities()
    elif not isinstance(plan, str):
        uid, gid = plan
        os.setgroups([])
        os.setresgid(gid, gid, gid)
        os.setresuid(uid, uid, uid)
        resource.setrlimit(resource.RLIMIT_NPROC, (64, 64))
    return state


def _drop_capabilities() -> None:
    """Stay uid 0 but hold no capability (cannot raise an rlimit, set the clock, load modules...)."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for cap in range(64):
        libc.prctl(24, cap, 0, 0, 0)  # PR_CAPBSET_DROP (fails quietly past the last capability)

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]

    if libc.capset(ctypes.byref(Header(0x20080522, 0)), (Data * 2)()) != 0:  # _LINUX_CAPABILITY_VERSION_3
        raise OSError(ctypes.get_errno(), "capset failed")


@functools.lru_cache(maxsize=None)
def _readable_by_others(path: Path) -> bool:
    try:
        st = os.stat(path)
        if not st.st_mode & (stat.S_IROTH | (stat.S_IXOTH if stat.S_ISDIR(st.st_mode) else 0)):
            return False
        return all(os.stat(parent).st_mode & stat.S_IXOTH for parent in Path(path).resolve().parents)
    except OSError:
        return False


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


# -- seccomp --------------------------------------------------------------------------------------
DENIED_SYSCALLS = ("fork", "vfork", "execve", "execveat", "socket", "socketpair", "ptrace",
                   "process_vm_readv", "process_vm_writev", "mount", "umount2", "unshare", "setns",
                   "pivot_root", "chroot", "bpf", "perf_event_open", "keyctl", "add_key", "request_key",
                   "io_uring_setup", "userfaultfd", "kexec_load", "init_module", "finit_module",
                   "delete_module", "reboot", "swapon", "swapoff", "acct", "quotactl")
CLONE_THREAD = 0x00010000


def _seccomp_filter() -> object | str:
    """The syscall filter every child loads, built once."""
    try:
        import pyseccomp as sc

        f = sc.SyscallFilter(defaction=sc.ALLOW)
    except (ImportError, OSError, RuntimeError) as exc:
        return f"off: libseccomp is not available ({type(exc).__name__})"
    deny = sc.ERRNO(errno.EPERM)
    for name in DENIED_SYSCALLS:
        try:
            f.add_rule(deny, name)
        except (RuntimeError, ValueError, OSError):
            pass  # a syscall this architecture does not have
    # threads are clone() with CLONE_THREAD; anything else is a new process.  clone3 passes its flags
    # in memory a filter cannot read: ENOSYS makes the C library fall back to clone.
    f.add_rule(deny, "clone", sc.Arg(0, sc.MASKED_EQ, CLONE_THREAD, 0))
    f.add_rule(sc.ERRNO(errno.ENOSYS), "clone3")
    return f


def _load_seccomp(f) -> str:
    if isinstance(f, str):
        return f
    f.load()
    return "on: no new processes, no sockets, no ptrace"
