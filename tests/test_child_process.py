"""The process state grading children start in: glibc malloc's steady state, and the fork server's
objects frozen out of the garbage collector.

**malloc** (``probing.steady_allocator``).

A freshly forked child starts with glibc's cold malloc: every block over 128 KB is a fresh mmap,
page-faulted in and unmapped again on free.  Code that grows arrays (``np.concatenate`` in a loop,
a common student pattern) then costs 4-20x what it costs in any warmed-up process, and a correct
but naive submission could time out under the grader only.  Counted in page faults, not seconds:
the counts are exact and do not move with the machine's load.

**gc.freeze** (``child.serve``).  Without it, every full collection in a child walks the server's
~10^5 objects (numpy, matplotlib, the suite) and writes to each, copying their pages: reverse_mode's
probes, which build graphs of closures, took 450-650 ms per submission instead of 290-330.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder.engine import sandbox
from autograder.engine.suite import load_suite

ROOT = Path(__file__).resolve().parents[1]

# Grow an array by 256 floats 2,000 times (to 4 MB), as `idx = np.concatenate([idx, more])` does,
# and print the page faults it took.  Cold malloc: about 1,000,000 (every copy faulted in afresh);
# steady: about 3,000 (the heap is reused).
GROW = """
import resource
import numpy as np
def _faults():  # getrusage: the confined child may not read /proc
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt
_before = _faults()
_idx, _step = np.empty(0), np.ones(256)
for _ in range(2000):
    _idx = np.concatenate([_idx, _step])
print("faults", _faults() - _before, flush=True)
"""
STEADY, COLD = 100_000, 500_000  # far from both measured counts (3e3, 1e6) in their direction

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc, Linux's counts")


def _faults_in_fresh_process(steady: bool) -> int:
    setup = "from autograder.checking.probing import steady_allocator\nassert steady_allocator()\n" if steady else ""
    proc = subprocess.run([sys.executable, "-c", setup + GROW], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return int(proc.stdout.split()[-1])


def test_steady_allocator_removes_the_page_faults_of_growing_arrays():
    assert _faults_in_fresh_process(steady=False) > COLD  # the cost exists (this test can fail)
    assert _faults_in_fresh_process(steady=True) < STEADY


def test_grading_children_start_with_the_steady_allocator(tmp_path):
    """The fork server sets it before forking: a submission growing arrays at import pays no faults."""
    submission = tmp_path / "forward_mode.py"
    submission.write_text(GROW)
    key, timeout = next((c.key, c.check.timeout) for q in load_suite("forward_mode") for c in q.cases)
    keep = tmp_path / "keep"
    run = sandbox.run_submission(submission, "forward_mode", [(key, timeout)], keep)
    assert run.load_error is None
    faults = int((keep / "output.txt").read_text().split()[-1])
    assert faults < STEADY, f"{faults} page faults: the child started with a cold malloc"


def test_grading_children_start_with_the_servers_objects_frozen(tmp_path):
    submission = tmp_path / "forward_mode.py"
    submission.write_text("import gc\nprint('frozen', gc.get_freeze_count(), flush=True)\n")
    key, timeout = next((c.key, c.check.timeout) for q in load_suite("forward_mode") for c in q.cases)
    keep = tmp_path / "keep"
    sandbox.run_submission(submission, "forward_mode", [(key, timeout)], keep)
    frozen = int((keep / "output.txt").read_text().split()[-1])
    assert frozen > 10_000, f"only {frozen} objects frozen: children's collections walk the server's heap"


def test_without_memfd_the_submission_comes_through_a_read_only_temporary_file(tmp_path, monkeypatch):
    """Where os.memfd_create does not exist (not Linux), the child reads the same bytes from an
    unlinked temporary file opened read-only, and grades them the same."""
    submission = tmp_path / "forward_mode.py"
    submission.write_text("import gc\nprint('graded from a copy', flush=True)\n")
    monkeypatch.delattr(sandbox.os, "memfd_create")
    fd = sandbox._sealed_copy(b"some bytes")
    try:
        assert os.pread(fd, 100, 0) == b"some bytes"
        with pytest.raises(OSError):
            os.write(fd, b"changed")  # read-only
    finally:
        os.close(fd)
    key, timeout = next((c.key, c.check.timeout) for q in load_suite("forward_mode") for c in q.cases)
    run = sandbox.run_submission(submission, "forward_mode", [(key, timeout)], tmp_path / "keep")
    assert run.load_error is None and key in run.results
    assert "graded from a copy" in (tmp_path / "keep" / "output.txt").read_text()


def test_the_sealed_copy_cannot_be_changed():
    if not hasattr(os, "memfd_create"):
        pytest.skip("memfd is Linux's")
    fd = sandbox._sealed_copy(b"print(1)\n")
    try:
        with pytest.raises(OSError):
            os.write(fd, b"x")  # F_SEAL_WRITE
        with pytest.raises(OSError):
            os.ftruncate(fd, 0)  # F_SEAL_SHRINK
        assert os.pread(fd, 100, 0) == b"print(1)\n"
    finally:
        os.close(fd)


def test_the_parent_reads_a_childs_cpu_clock_from_the_kernel():
    """``sandbox._cpu_clock``: the CPU seconds of another process, every thread, read by the parent;
    a sleeping process's clock stands still (load and sleep do not count, work does)."""
    busy = subprocess.Popen([sys.executable, "-c", "import threading\n"
                             "def spin():\n    x = 0\n    for i in range(10**8): x += i\n"
                             "threading.Thread(target=spin, daemon=True).start()\nspin()"])
    idle = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(5)"])
    try:
        time.sleep(0.5)  # both started (an interpreter's start is work)
        busy_clock, idle_clock = sandbox._cpu_clock(busy.pid), sandbox._cpu_clock(idle.pid)
        b0, i0 = busy_clock(), idle_clock()
        time.sleep(1.0)
        assert busy_clock() - b0 > 0.1 and idle_clock() - i0 < 0.02  # (a shared machine: ~1 s when quiet)
    finally:
        busy.kill()
        idle.kill()
        busy.wait()
        idle.wait()
    assert sandbox._cpu_clock(busy.pid)() is None  # gone: no clock


# A quadratic running_mean that remembers its answers by the values' bytes (identical repeated calls
# would be free), and replaces every clock a probe in its own process could read.
CACHED_QUADRATIC = """
import sys, time
import numpy as np
_memo = {}
def running_mean(values):
    values = np.asarray(values, dtype=float)
    key = values.tobytes()
    if key not in _memo:
        _memo[key] = np.array([values[:k + 1].mean() for k in range(len(values))])
    return _memo[key]
for name in ("process_time", "thread_time", "perf_counter", "monotonic", "time"):
    setattr(time, name, lambda: 0.0)
probing = sys.modules.get("autograder.checking.probing")
if probing is not None:
    probing._clock = lambda: 0.0
"""
LINEAR = "import numpy as np\ndef running_mean(values):\n    return np.cumsum(values) / np.arange(1, len(values) + 1)\n"


@pytest.mark.parametrize("source, slow", [(CACHED_QUADRATIC, True), (LINEAR, False)], ids=["cached-quadratic", "linear"])
def test_a_cost_is_measured_by_the_parent_on_fresh_inputs(tmp_path, source, slow):
    """sgd Q2's O(n) guard: each of the 3 runs gets its own seed, so the memo never hits, and the time
    is the kernel's (the replaced clocks are never read): the quadratic loses the check as too slow,
    the linear one passes."""
    assignment = "sgd_without_replacement"
    case = next(c for q in load_suite(assignment) for c in q.cases if c.key.endswith(":linear_time"))
    submission = tmp_path / f"{assignment}.py"
    submission.write_text(source)
    run = sandbox.run_submission(submission, assignment, [(case.key, case.check.timeout)], tmp_path / "keep")
    runs = run.results[case.key][0]["measured"]
    assert len(runs) == 3 and len({r["seed"] for r in runs}) == 3
    verdict = case.check.verdict(run.results[case.key])
    if slow:
        assert min(r["seconds"] for r in runs) > 0.1, runs  # ~0.5-1 s each: no run was a memo hit
        assert verdict.startswith("for ") and "too slow:" in verdict, verdict
    else:
        assert verdict is None, verdict
