"""``make bench``: what grading one submission costs, next to what it must cost, in one run.

Per assignment, measured side by side:

- **floor**: the probes' own compute on the reference solution, in this process, with no sandbox:
  every check's ``run_probes`` on the reference module, summed (median of a few repeats).  It is
  what the student's code costs when the tests call it; saving the student's figures is not in it.
- **make grade**: the grade CLI (``python -m autograder.engine.grade --jobs N``) as a subprocess on a
  class of copies of the reference, the stub template and the example bugs of ``examples/<id>/``;
  wall time of the whole command (reference run and gradebook included) / class size.
- **otter run**: ``otter run`` on the built autograder.zip, on a sample of the same files (the first
  ones of the pool: reference, template, then the examples), ``--jobs`` at a time so that both
  graders get the same cores; wall time / sample size.
- **isolation cost** and **fork-server gain**: the same make-grade class again with
  ``AUTOGRADER_CONFINE=0`` (no OS confinement layers), then with ``AUTOGRADER_FORKSERVER=0`` (a fresh
  process per submission), then as at first once more; each difference from the mean of make grade's
  two runs, in ms per submission and in % of make grade's time, next to how far those two runs lie
  apart (the machine's noise, which a difference must beat to mean anything).

Example submissions whose ``expected.toml`` status is ``timeout`` are left out of the class: a hang
costs its deadline, not the grader's overhead, and would swamp the numbers.  Timings on a shared
machine move by 10-20 % from run to run: compare rows of one run, not runs of different days.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as in the grading sandbox: one BLAS thread
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MPLBACKEND", "Agg")

import contextlib  # noqa: E402
import gc  # noqa: E402
import io  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import types  # noqa: E402
import tomllib  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

from autograder.engine.suite import ROOT, SOLUTIONS, load_suite, reference_solution  # noqa: E402

EXAMPLES = ROOT / "examples"
TEMPLATES = ROOT / "student_template"
LATEST = ROOT / "build" / "bench" / "latest.md"
TOGGLES = ("AUTOGRADER_CONFINE", "AUTOGRADER_FORKSERVER")  # the lead's switches, read by make grade


class BenchFailure(Exception):
    """A measurement that could not be taken (a grader failed): the other assignments go on."""


@dataclass
class Row:
    """One assignment's measurements, in seconds per submission (None: not measured)."""

    assignment: str
    floor: float
    grade_runs: list[float]  # make grade's wall time / class size, once, or before and after the toggled runs
    class_floor: float | None = None  # the probes' own compute on the class (None: not measured)
    jobs: int = 1  # make grade's --jobs: a submission's own cost on its core is about jobs x its wall share
    otter: float | None = None
    otter_stock: float | None = None  # otter run with otter's default in-kernel grading (build_stock_bundle)
    no_confine: float | None = None
    no_forkserver: float | None = None

    @property
    def grade(self) -> float:
        return statistics.mean(self.grade_runs)

    @property
    def overhead(self) -> float:
        """What grading one submission costs on the core that grades it, beyond its own probes (the
        class's, where measured: its files are what make grade runs)."""
        return self.grade * self.jobs - (self.class_floor if self.class_floor is not None else self.floor)

    @property
    def spread(self) -> float | None:
        """How far make grade's own runs lie apart: the noise the toggles' differences must beat."""
        return max(self.grade_runs) - min(self.grade_runs) if len(self.grade_runs) > 1 else None


# -- the class ---------------------------------------------------------------------------------

def class_pool(assignment: str) -> tuple[list[tuple[str, Path]], list[str]]:
    """([(label, file)] of the reference, the template and the example bugs; the examples left out)."""
    pool = [("reference", SOLUTIONS / f"{assignment}.py"), ("template", TEMPLATES / f"{assignment}.py")]
    expected = tomllib.loads((EXAMPLES / assignment / "expected.toml").read_text())
    skipped = []
    for student, spec in expected.items():
        if spec.get("status") == "timeout":
            skipped.append(student)
            continue
        single, folder = EXAMPLES / assignment / f"{student}.py", EXAMPLES / assignment / student / f"{assignment}.py"
        pool.append((student, single if single.is_file() else folder))
    missing = [str(f) for _, f in pool if not f.is_file()]
    if missing:
        raise SystemExit(f"error: the class pool of {assignment} names files that do not exist: {', '.join(missing)}")
    return pool, skipped


def write_class(pool: list[tuple[str, Path]], size: int, folder: Path) -> list[Path]:
    """``size`` submissions ``folder/sNNN_<label>.py``, taking the pool round-robin."""
    folder.mkdir(parents=True)
    files = []
    for i in range(size):
        label, source = pool[i % len(pool)]
        files.append(folder / f"s{i:03d}_{label}.py")
        shutil.copy(source, files[-1])
    return files


# -- the three measurements ---------------------------------------------------------------------

@contextlib.contextmanager
def _as_in_a_child(assignment: str):
    """The assignment's checks, in this process set up as the fork server sets up a grading child:
    malloc's steady state, what is loaded frozen out of the GC, a scratch folder as the working
    directory (whatever probes write lands there)."""
    from autograder.checking.probing import steady_allocator

    steady_allocator()  # probing.py says why
    checks = [c.check for q in load_suite(assignment) for c in q.cases]
    gc.collect()
    gc.freeze()  # child.serve says why
    here = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="bench-floor-") as scratch:
        os.chdir(scratch)
        try:
            yield checks
        finally:
            os.chdir(here)


def _probe_seconds(checks: list, module) -> float:
    """One submission's probes, as one child runs them: every check under its time limit, each kept
    figure rendered once."""
    from autograder.checking.probing import CheckTimedOut, forget_kept_figures

    forget_kept_figures()
    t0 = time.perf_counter()
    for check in checks:
        with contextlib.suppress(CheckTimedOut):
            check.run_probes(module)
    return time.perf_counter() - t0


def floor_seconds(assignment: str, repeats: int = 3) -> float:
    """The probes' own compute on the reference, per submission: the median over ``repeats`` (the
    first repeat also pays lazy imports; the median drops it)."""
    with _as_in_a_child(assignment) as checks:
        module = reference_solution(assignment)
        return statistics.median(_probe_seconds(checks, module) for _ in range(repeats))


def class_floor_seconds(assignment: str, pool: list[tuple[str, Path]], size: int, repeats: int = 2) -> float:
    """The probes' own compute on the class itself, per submission: every file of the pool run
    in-process as ``floor_seconds`` runs the reference (a file that raises on import is probed on
    the names it defined, as the grading child does), weighted by how often it occurs in the class
    of ``size``.  The template computes almost nothing and some example bugs compute more than the
    reference: overhead is measured against this."""
    seconds = {}
    with _as_in_a_child(assignment) as checks:
        try:
            for label, path in pool:
                module = types.ModuleType(assignment)
                module.__file__ = str(path)
                sys.modules[assignment] = module
                quiet = io.StringIO()
                with contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet):
                    with contextlib.suppress(BaseException):  # an example bug's import error, on purpose
                        exec(compile(path.read_bytes(), str(path), "exec"), module.__dict__)
                    seconds[label] = min(_probe_seconds(checks, module) for _ in range(repeats))
        finally:
            sys.modules.pop(assignment, None)
    return class_mean(seconds, pool, size)


def class_mean(per_file: dict[str, float], pool: list[tuple[str, Path]], size: int) -> float:
    """The mean over a class of ``size`` written by ``write_class`` (the pool round-robin) of a
    per-file quantity, ``per_file[label]``."""
    return sum(per_file[pool[i % len(pool)][0]] for i in range(size)) / size


def grade_seconds(assignment: str, folder: Path, jobs: int, size: int, toggle: str | None = None) -> float:
    """make grade's wall time per submission on ``folder`` (``toggle``: one variable set to 0)."""
    env = {k: v for k, v in os.environ.items() if k not in TOGGLES} | ({toggle: "0"} if toggle else {})
    with tempfile.TemporaryDirectory(prefix="bench-grades-") as out:
        cmd = [sys.executable, "-m", "autograder.engine.grade", "--jobs", str(jobs),
               "--submissions", str(folder), "--out", out, assignment]
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        if proc.returncode != 0:
            raise BenchFailure(f"make grade failed on the {assignment} class (exit {proc.returncode}):\n"
                               f"{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
        rows = (Path(out) / assignment / "grades.csv").read_text().splitlines()[1:]
        if len(rows) != size:
            raise BenchFailure(f"make grade graded {len(rows)} of the {size} submissions of {assignment}")
    return wall / size


def build_stock_bundle(assignment: str, reference: dict, stage: Path, out: Path) -> None:
    """An autograder.zip as otter grades by default, for comparison only (never shipped): the suite's
    test files run in the student's kernel (the support package and the reference results beside
    them, as in student.zip), no plugin.  This is what ``otter run`` costs without this project's
    engine, the baseline the speed issue was measured against."""
    from autograder.authoring.bundle import _run, pinned, stage_checking
    from autograder.engine.suite import suite_files

    src = stage / "stock"
    (src / "tests").mkdir(parents=True)
    for f in suite_files(assignment):
        shutil.copy(f, src / "tests" / f.name)
    stage_checking(src, assignment, reference)
    (src / "requirements.txt").write_text(pinned("numpy", "matplotlib"))
    (src / "otter_config.json").write_text('{"lang": "python", "show_stdout": false, "show_hidden": false}')
    _run([sys.executable, "-m", "otter", "generate", "-t", "tests", "-o", str(out.resolve()), "-r", "requirements.txt",
          "-c", "otter_config.json", "autograder"], cwd=src, what="otter generate (stock bundle)")


def otter_seconds(assignment: str, files: list[Path], jobs: int, stock: bool = False) -> float:
    """``otter run``'s wall time per submission on ``files``, through a freshly built autograder.zip:
    the one ``make release`` ships, or with ``stock`` otter's default in-kernel grading of the suite."""
    from autograder.engine.reference import reference_results
    from autograder.authoring.bundle import GateFailure, build_autograder_zip, otter_score

    with tempfile.TemporaryDirectory(prefix="bench-otter-") as tmp:
        bundle = Path(tmp) / "autograder.zip"
        try:
            build = build_stock_bundle if stock else build_autograder_zip
            reference = reference_results(assignment, load_suite(assignment))
            build(assignment, reference, Path(tmp), bundle)
            if stock:  # a wrong baseline would be worse than none: the reference must get full marks
                score, top, _ = otter_score(bundle, files[0], assignment)
                if "reference" in files[0].stem and score != top:
                    raise BenchFailure(f"the stock otter bundle of {assignment} gives the reference {score:g}/{top:g}")
            t0 = time.perf_counter()
            with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
                list(pool.map(lambda f: otter_score(bundle, f, assignment), files))
        except (GateFailure, SystemExit) as exc:  # reference_results exits when the reference fails
            raise BenchFailure(f"otter run could not be measured on {assignment}: {exc}") from None
        return (time.perf_counter() - t0) / len(files)


# -- one assignment, and the table ----------------------------------------------------------------

def bench_assignment(assignment: str, class_size: int, otter_sample: int, jobs: int, toggles: bool,
                     floor_repeats: int, say=print) -> Row:
    pool, skipped = class_pool(assignment)
    say(f"== {assignment}: class of {class_size} from {len(pool)} files (reference, template, "
        f"{len(pool) - 2} examples; left out, status timeout: {', '.join(skipped) or 'none'})")
    say("   floor: the probes on the reference, in-process ...")
    row = Row(assignment, floor_seconds(assignment, floor_repeats), [], jobs=jobs)
    say(f"   floor {row.floor * 1e3:.0f} ms per submission")
    say("   class floor: the probes on every file of the class, in-process ...")
    row.class_floor = class_floor_seconds(assignment, pool, class_size, min(floor_repeats, 2))
    say(f"   class floor {row.class_floor * 1e3:.0f} ms per submission")
    with tempfile.TemporaryDirectory(prefix="bench-class-") as tmp:
        files = write_class(pool, class_size, Path(tmp) / "class")
        say("   warm-up: make grade on one submission (disk caches, bytecode) ...")
        grade_seconds(assignment, write_class(pool[:1], 1, Path(tmp) / "warm-up")[0].parent, jobs, 1)
        say(f"   make grade --jobs {jobs} on {class_size} submissions ...")
        row.grade_runs.append(grade_seconds(assignment, files[0].parent, jobs, class_size))
        say(f"   make grade {row.grade_runs[-1] * 1e3:.0f} ms per submission")
        if toggles:
            for toggle, field in zip(TOGGLES, ("no_confine", "no_forkserver")):
                say(f"   make grade again with {toggle}=0 ...")
                setattr(row, field, grade_seconds(assignment, files[0].parent, jobs, class_size, toggle))
                say(f"   with {toggle}=0: {getattr(row, field) * 1e3:.0f} ms per submission")
            say("   make grade once more, as at first (the toggles are compared with the mean of both) ...")
            row.grade_runs.append(grade_seconds(assignment, files[0].parent, jobs, class_size))
            say(f"   make grade {row.grade_runs[-1] * 1e3:.0f} ms per submission")
        if otter_sample:
            sample = files[:otter_sample]
            say(f"   otter run on {len(sample)} of them ({', '.join(f.stem for f in sample)}), {jobs} at a time ...")
            row.otter = otter_seconds(assignment, sample, jobs)
            say(f"   otter run {row.otter * 1e3:.0f} ms per submission")
            say(f"   otter run on the same files with otter's default in-kernel grading (stock bundle) ...")
            row.otter_stock = otter_seconds(assignment, sample, jobs, stock=True)
            say(f"   otter run, stock: {row.otter_stock * 1e3:.0f} ms per submission")
    return row


COLUMNS = ("assignment", "floor (ms/sub)", "class floor (ms/sub)", "make grade (ms/sub)",
           "overhead above class floor (core-ms/sub)",
           "otter run (ms/sub)", "otter / make grade", "otter run, stock (ms/sub)", "stock / make grade",
           "isolation cost (ms, %)", "fork-server gain (ms, %)",
           "make grade run-to-run (ms)")


def _delta(without: float | None, row: Row, sign: int) -> str:
    if without is None:
        return "-"
    ms = sign * (row.grade - without) * 1e3
    return f"{ms:+.0f} ({ms / (row.grade * 1e3) * 100:+.0f} %)"


def table(rows: list[Row]) -> str:
    """The markdown table: one line per assignment, times in ms per submission."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|---" + "|---:" * (len(COLUMNS) - 1) + "|"]
    for r in rows:
        cells = [r.assignment, f"{r.floor * 1e3:.0f}",
                 f"{r.class_floor * 1e3:.0f}" if r.class_floor is not None else "-",
                 f"{r.grade * 1e3:.0f}", f"{r.overhead * 1e3:.0f}",
                 f"{r.otter * 1e3:.0f}" if r.otter else "-", f"{r.otter / r.grade:.1f}x" if r.otter else "-",
                 f"{r.otter_stock * 1e3:.0f}" if r.otter_stock else "-",
                 f"{r.otter_stock / r.grade:.1f}x" if r.otter_stock else "-",
                 _delta(r.no_confine, r, +1), _delta(r.no_forkserver, r, -1),
                 f"{r.spread * 1e3:.0f}" if r.spread is not None else "-"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def legend(class_size: int, otter_sample: int, jobs: int) -> str:
    """What the table's columns mean, under it."""
    return "\n".join([
        f"- Class of {class_size} per assignment: the reference, the template and the example bugs, "
        f"round-robin (examples that time out left out); make grade --jobs {jobs} on {os.cpu_count()} cores; "
        f"otter run on {otter_sample} of the same files, {jobs} at a time.",
        "- floor: the probes' own compute on the reference, in-process, on one core.",
        "- class floor: the same on the class's own files (each as often as in the class): the template "
        "computes almost nothing, some example bugs more than the reference.",
        "- make grade: wall time / class size (with the toggles: the mean of a run before and a run after them).",
        f"- overhead above class floor: make grade x {jobs} (jobs) minus the class floor: what a submission "
        "costs beyond its own probes on the core that grades it (the issue's goal: at most 50 ms).",
        "- otter run: the shipped autograder.zip (its plugin runs this same engine, so it is otter's start-up "
        "plus the same sandboxed probes); otter run, stock: a bundle of the same suite graded the way otter does "
        "by default, in the student's kernel (the baseline the speed issue was measured against; never shipped, "
        "as it trusts the submission's process).",
        "- isolation cost: make grade minus make grade with AUTOGRADER_CONFINE=0; fork-server gain: make grade "
        "with AUTOGRADER_FORKSERVER=0 minus make grade (both 0 up to noise until make grade reads those "
        "switches); run-to-run: how far make grade's two runs lie apart, the noise a difference must beat.",
        "- Shared, noisy machine: compare the rows of one run, not runs of different days.",
    ])
