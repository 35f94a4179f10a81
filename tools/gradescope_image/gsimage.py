#!/usr/bin/env python3
"""A Gradescope-like image, built from Debian's packages, and a fresh container per submission.

    gsimage.py base                                  the cached base root file system (debootstrap)
    gsimage.py install dist/<id>/autograder.zip      base + the bundle installed by its setup.sh (cached)
    gsimage.py run dist/<id>/autograder.zip OUT FILE...   grade an upload of FILE... in a fresh container:
                                                     OUT/results.json, OUT/stdout, OUT/seconds

Needs root, Linux, debootstrap, unshare/setpriv (util-linux), overlayfs; stdlib only.  The recipe,
and every way it departs from Gradescope, is in README.md beside this file.  Cached under
$GRADESCOPE_IMAGE_CACHE (default /var/cache/autograder-18065-gradescope-image), each layer keyed by
what it is built from: a rerun with the same recipe and bundle starts at once.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
STANDIN = HERE / "standin"
CACHE = Path(os.environ.get("GRADESCOPE_IMAGE_CACHE", "/var/cache/autograder-18065-gradescope-image"))

# -- the recipe ---------------------------------------------------------------------------------
# Gradescope's default base image is Ubuntu 22.04 ("gradescope/auto-builds"); Ubuntu's mirrors are
# not reachable from here, Debian's are: Debian 12 (bookworm), the release Ubuntu 22.04 was cut
# from.  minbase is the smallest bootable Debian (Docker's ubuntu image is comparable); on top:
# python3 (Gradescope's harness is Python), and curl, unzip, dos2unix (Gradescope's build installs them).
RECIPE = {
    "version": 1,
    "suite": "bookworm",
    "mirror": os.environ.get("GRADESCOPE_IMAGE_MIRROR", "http://deb.debian.org/debian"),
    "variant": "minbase",
    "include": ["python3", "curl", "unzip", "dos2unix", "ca-certificates"],
}
# Gradescope's build, as its own sample Dockerfile (gradescope/autograder_samples, manual_docker) runs it
BUILD = """set -e
mkdir -p /autograder/source
unzip -n -d /autograder/source /tmp/autograder.zip
cp /autograder/source/run_autograder /autograder/run_autograder
dos2unix /autograder/run_autograder /autograder/source/setup.sh
chmod +x /autograder/run_autograder
cd /autograder
apt-get update && bash /autograder/source/setup.sh && apt-get clean && rm -rf /var/lib/apt/lists/* /tmp/* /var/tmp/*
"""
# Docker's default capability set (moby's oci/caps/defaults.go): every other capability is dropped
DOCKER_CAPS = ["chown", "dac_override", "fsetid", "fowner", "mknod", "net_raw", "setgid", "setuid", "setfcap",
               "setpcap", "net_bind_service", "sys_chroot", "kill", "audit_write"]
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"  # Docker's default
RUN_TIMEOUT = 900.0
HOST_CA = os.environ.get("GRADESCOPE_IMAGE_CA", "/etc/ssl/certs/ca-certificates.crt")
# The Python the Miniforge stand-in installs (conda-forge's is out of reach): a standalone CPython
# 3.11 installation, by default the one this script runs on (the project's own: .venv's base).
# Debian's python3.11 is 3.11.2, too old for some of the project's pins (Requires-Python >=3.11.5).
PYTHON = Path(os.environ.get("GRADESCOPE_IMAGE_PYTHON", sys.base_prefix))


def _digest(*parts) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p if isinstance(p, bytes) else json.dumps(p, sort_keys=True).encode())
        h.update(b"\0")
    return h.hexdigest()[:16]


def base_key() -> str:
    return _digest(RECIPE, BUILD)


def say(text: str) -> None:
    print(f"[gradescope-image] {text}", flush=True)


def base() -> Path:
    """The base root file system (cached): debootstrap, then what Gradescope's base image has."""
    dest = CACHE / f"base-{base_key()}"
    if (dest / "ready").exists():
        return dest
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = Path(str(dest) + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    say(f"debootstrap --variant={RECIPE['variant']} {RECIPE['suite']} (first build only: a few minutes)")
    started = time.monotonic()
    with open(tmp / "debootstrap.log", "wb") as log:
        proc = subprocess.run(["debootstrap", f"--variant={RECIPE['variant']}", f"--include={','.join(RECIPE['include'])}",
                               RECIPE["suite"], str(tmp / "root"), RECIPE["mirror"]], stdout=log, stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        raise SystemExit(f"debootstrap failed (exit {proc.returncode}); see {tmp / 'debootstrap.log'}")
    root = tmp / "root"
    (root / "autograder").mkdir(exist_ok=True)
    (root / "root").chmod(0o700)  # as in Docker's ubuntu image
    for junk in (root / "var" / "cache" / "apt" / "archives").glob("*.deb"):
        junk.unlink()
    (tmp / "ready").write_text(f"{time.monotonic() - started:.0f} s\n")
    tmp.rename(dest)
    return dest


def bundle_key(bundle: Path) -> str:
    """The bundle's content (names and bytes, not the zip's timestamps) and the stand-ins."""
    with zipfile.ZipFile(bundle) as z:
        content = [(i.filename, hashlib.sha256(z.read(i)).hexdigest()) for i in sorted(z.infolist(), key=lambda i: i.filename)]
    standins = [(p.name, hashlib.sha256(p.read_bytes()).hexdigest()) for p in sorted(STANDIN.iterdir())]
    return _digest(base_key(), content, standins, str(PYTHON), python_version())


def install(bundle: Path) -> Path:
    """base + the bundle, installed as Gradescope installs it (cached by the bundle's content)."""
    image = CACHE / f"image-{bundle_key(bundle)}"
    if (image / "ready").exists():
        return image
    base_dir = base()
    tmp = Path(str(image) + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    say(f"installing {bundle} with its setup.sh (first run for this bundle: a few minutes)")
    started = time.monotonic()
    subprocess.run(["cp", "-a", "--reflink=auto", str(base_dir / "root"), str(tmp / "root")], check=True)
    root = tmp / "root"
    shutil.copy(bundle, root / "tmp" / "autograder.zip")
    # the one substitution: Miniforge's installer (github.com) is served by a wget stand-in
    share = root / "usr" / "local" / "share" / "gradescope-image-standin"
    shutil.copytree(STANDIN, share)
    stage_python(share / "python")
    shutil.copy(STANDIN / "wget", root / "usr" / "local" / "bin" / "wget")
    with open(tmp / "setup.log", "wb") as log:
        code = contained(root, ["/bin/bash", "-c", BUILD], log, timeout=3600)
    (root / "usr" / "local" / "bin" / "wget").unlink()
    shutil.rmtree(share)
    if code != 0:
        raise SystemExit(f"the bundle's setup failed (exit {code}); see {tmp / 'setup.log'}")
    (tmp / "ready").write_text(f"{time.monotonic() - started:.0f} s\n")
    tmp.rename(image)
    _prune(keep=image)
    return image


def _prune(keep: Path, images: int = 2) -> None:
    """Installed images are ~2.4 GB each: keep the newest ``images`` (``keep`` among them)."""
    done = sorted((d for d in CACHE.glob("image-*") if (d / "ready").exists() and d != keep),
                  key=lambda d: d.stat().st_mtime, reverse=True)
    for old in done[images - 1:]:
        shutil.rmtree(old, ignore_errors=True)


def python_version() -> str:
    return subprocess.run([str(PYTHON / "bin" / "python3.11"), "-c", "import platform; print(platform.python_version())"],
                          capture_output=True, text=True, check=True).stdout.strip()


def stage_python(dest: Path) -> None:
    """The CPython 3.11 the Miniforge stand-in installs: PYTHON's interpreter, shared library and
    standard library (no site-packages content, no test suite), its library path made relative."""
    if not (PYTHON / "bin" / "python3.11").exists():
        raise SystemExit(f"{PYTHON} is not a CPython 3.11 installation (set GRADESCOPE_IMAGE_PYTHON)")
    (dest / "bin").mkdir(parents=True)
    (dest / "lib").mkdir()
    shutil.copy2(PYTHON / "bin" / "python3.11", dest / "bin" / "python3.11")
    for lib in (PYTHON / "lib").glob("libpython3*.so*"):
        shutil.copy2(lib, dest / "lib" / lib.name, follow_symlinks=False)
    skip = shutil.ignore_patterns("test", "tests", "idle_test", "__pycache__")
    shutil.copytree(PYTHON / "lib" / "python3.11", dest / "lib" / "python3.11", symlinks=True,
                    ignore=lambda d, names: (set(names) if Path(d).name == "site-packages" else skip(d, names)))
    if (dest / "lib" / "libpython3.11.so.1.0").exists():
        subprocess.run(["patchelf", "--set-rpath", "$ORIGIN/../lib", str(dest / "bin" / "python3.11")], check=True)


def metadata(submission_id: int = 123456) -> dict:
    """/autograder/submission_metadata.json, in the format Gradescope documents."""
    return {
        "id": submission_id,
        "created_at": "2026-03-01T14:22:32.365935-05:00",
        "assignment": {"due_date": "2026-03-08T23:00:00.000000-05:00", "group_size": None,
                       "group_submission": False, "id": 25828, "course_id": 1234, "late_due_date": None,
                       "release_date": "2026-03-01T00:00:00.000000-05:00", "title": "forward_mode",
                       "total_points": "38.0"},
        "submission_method": "upload",
        "users": [{"email": "student@example.com", "id": 1234, "name": "Student User"}],
        "previous_submissions": [],
    }


class Container:
    """A fresh container on the installed image: an overlay whose upper layer is this container's
    own (deleted by ``remove``); ``run`` may be called again in the same container."""

    def __init__(self, image: Path, files: dict[str, bytes], results_folder: bool = True):
        (CACHE / "containers").mkdir(parents=True, exist_ok=True)
        self.dir = Path(tempfile.mkdtemp(prefix="c-", dir=CACHE / "containers"))
        self.image = image
        upper = self.dir / "upper"
        ag = upper / "autograder"
        (ag / "submission").mkdir(parents=True)
        for name, data in files.items():
            (ag / "submission" / name).parent.mkdir(parents=True, exist_ok=True)
            (ag / "submission" / name).write_bytes(data)
        (ag / "submission_metadata.json").write_text(json.dumps(metadata(), indent=2))
        if results_folder:
            (ag / "results").mkdir()
        (self.dir / "work").mkdir()
        (self.dir / "merged").mkdir()

    @property
    def upper(self) -> Path:
        return self.dir / "upper"

    def run(self, out: Path, timeout: float = RUN_TIMEOUT) -> dict:
        """/autograder/run_autograder as root in the container; OUT gets results.json (if any),
        stdout and seconds; returns the results (or {})."""
        out.mkdir(parents=True, exist_ok=True)
        overlay = {"lower": str(self.image / "root"), "upper": str(self.upper), "work": str(self.dir / "work")}
        started = time.monotonic()
        with open(out / "stdout", "wb") as log:
            code = contained(self.dir / "merged", ["/bin/sh", "-c", "cd /autograder && exec /autograder/run_autograder"],
                             log, overlay=overlay, timeout=timeout)
        seconds = time.monotonic() - started
        (out / "seconds").write_text(f"{seconds:.2f}\n")
        (out / "exit").write_text(f"{code}\n")
        results = self.upper / "autograder" / "results" / "results.json"
        if results.exists():
            shutil.copy(results, out / "results.json")
            return json.loads(results.read_text())
        return {}

    def remove(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def contained(root: Path, argv: list[str], log, overlay: dict | None = None, timeout: float = RUN_TIMEOUT) -> int:
    """Run ``argv`` as root in ``root`` (or in an overlay mounted there) in new mount, PID, UTS, IPC
    and cgroup namespaces, with Docker's /dev, /proc, read-only /sys, the host's network and
    resolv.conf, and Docker's default capabilities only.  Everything is unmounted when it ends."""
    spec = json.dumps({"root": str(root), "argv": argv, "overlay": overlay})
    cmd = ["unshare", "--mount", "--pid", "--fork", "--uts", "--ipc", "--cgroup", "--propagation", "private",
           sys.executable, str(Path(__file__).resolve()), "_init", spec]
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        proc.wait()
        return -9


def _init(spec: dict) -> None:
    """PID 1 of the container (runs on the host's Python, inside the new namespaces)."""
    root = Path(spec["root"])

    def mount(*args):
        subprocess.run(["mount", *args], check=True)

    if spec["overlay"]:
        o = spec["overlay"]
        mount("-t", "overlay", "overlay", "-o", f"lowerdir={o['lower']},upperdir={o['upper']},workdir={o['work']}", str(root))
    mount("-t", "proc", "-o", "nosuid,nodev,noexec", "proc", str(root / "proc"))
    dev = root / "dev"
    mount("-t", "tmpfs", "-o", "nosuid,mode=755,size=65536k", "tmpfs", str(dev))
    for name, major, minor in (("null", 1, 3), ("zero", 1, 5), ("full", 1, 7), ("random", 1, 8),
                               ("urandom", 1, 9), ("tty", 5, 0)):
        os.mknod(dev / name, 0o20666, os.makedev(major, minor))
        os.chmod(dev / name, 0o666)
    for d in ("pts", "shm", "mqueue"):
        (dev / d).mkdir()
    mount("-t", "devpts", "-o", "newinstance,ptmxmode=0666,mode=620,gid=5", "devpts", str(dev / "pts"))
    os.symlink("pts/ptmx", dev / "ptmx")
    mount("-t", "tmpfs", "-o", "nosuid,nodev,noexec,size=65536k", "shm", str(dev / "shm"))
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
                         ("stderr", "/proc/self/fd/2")):
        os.symlink(target, dev / name)
    mount("-t", "sysfs", "-o", "ro,nosuid,nodev,noexec", "sysfs", str(root / "sys"))
    if (root / "sys" / "fs" / "cgroup").is_dir():
        subprocess.run(["mount", "-t", "cgroup2", "-o", "ro,nosuid,nodev,noexec", "cgroup2",
                        str(root / "sys" / "fs" / "cgroup")], check=False)
    resolv = root / "etc" / "resolv.conf"
    if resolv.is_symlink():
        resolv.unlink()
    if not resolv.exists():
        resolv.write_text("")
    mount("--bind", "/etc/resolv.conf", str(resolv))
    # the host's CA bundle: HTTPS to PyPI passes this machine's egress proxy (read-only, not copied)
    bundle = root / "etc" / "ssl" / "certs" / "ca-certificates.crt"
    if Path(HOST_CA).is_file() and bundle.is_file():
        mount("--bind", "-o", "ro", HOST_CA, str(bundle))
    socket.sethostname("gradescope-image")
    caps = ",".join(["-all"] + [f"+{c}" for c in DOCKER_CAPS])
    env = {"PATH": PATH, "HOME": "/root", "HOSTNAME": "gradescope-image", "DEBIAN_FRONTEND": "noninteractive",
           # pip trusts its own certifi bundle unless told: point it at the system's (the host's, above)
           "PIP_CERT": "/etc/ssl/certs/ca-certificates.crt", "SSL_CERT_FILE": "/etc/ssl/certs/ca-certificates.crt",
           "REQUESTS_CA_BUNDLE": "/etc/ssl/certs/ca-certificates.crt"}
    os.execve("/usr/bin/setpriv", ["setpriv", f"--bounding-set={caps}", "--inh-caps=-all", "--",
                                   "/usr/sbin/chroot", str(root), *spec["argv"]], env)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_init"]:
        _init(json.loads(argv[1]))
        return 1
    parser = argparse.ArgumentParser(prog="gsimage.py", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("base", help="build (or find) the cached base root file system")
    p = sub.add_parser("install", help="build (or find) the image with a bundle installed")
    p.add_argument("bundle", type=Path)
    p = sub.add_parser("run", help="grade an upload (one or more files) in a fresh container")
    p.add_argument("bundle", type=Path)
    p.add_argument("out", type=Path)
    p.add_argument("files", type=Path, nargs="+")
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        parser.error("needs root (debootstrap, mount namespaces, chroot)")
    if args.command == "base":
        print(base())
    elif args.command == "install":
        print(install(args.bundle.resolve()))
    else:
        image = install(args.bundle.resolve())
        container = Container(image, {f.name: f.read_bytes() for f in args.files})
        try:
            results = container.run(args.out)
        finally:
            container.remove()
        print(json.dumps({k: results.get(k) for k in ("score", "output")}, indent=2))
        print(f"{args.out}/results.json, stdout; {(args.out / 'seconds').read_text().strip()} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
