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


def test_cost_guards_time_cpu_not_the_wall_clock():
    """``timed`` reads the process's CPU time: time spent waiting (here a sleep; in grading, other
    processes holding the core) does not count, so load on the machine cannot move a cost ratio."""
    import time

    from autograder.checking.probing import timed

    assert timed(time.sleep, 0.2) < 0.05  # by the wall clock this is 0.2 s
    busy = timed(lambda: sum(i * i for i in range(300_000)))
    assert busy > 0.005  # and real work is still measured (~20 ms here)


def test_cost_guards_measure_a_millisecond_in_a_grading_child(tmp_path):
    """In the child (RLIMIT_CPU set), the process's CPU clock alone moves only at scheduler ticks:
    ``timed`` read 0 s for a 1.7 ms loop there until it read this thread's clock first."""
    submission = tmp_path / "forward_mode.py"
    submission.write_text(
        "import sys\n"
        "timed = sys.modules['autograder.checking.probing'].timed  # the harness's own, as the probes call it\n"
        "def _work():\n"
        "    s = 0.0\n"
        "    for i in range(20_000):\n"
        "        s += i\n"
        "print('timed', min(timed(_work) for _ in range(20)), flush=True)\n")
    key, timeout = next((c.key, c.check.timeout) for q in load_suite("forward_mode") for c in q.cases)
    keep = tmp_path / "keep"
    sandbox.run_submission(submission, "forward_mode", [(key, timeout)], keep)
    seconds = float((keep / "output.txt").read_text().split()[-1])
    assert 1e-5 < seconds < 0.05, f"timed measured {seconds} s for ~0.7 ms of work"
