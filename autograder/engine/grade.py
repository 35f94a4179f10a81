"""``make grade``: grade a folder of submissions into a gradebook and per-student feedback.

    python -m autograder.engine.grade [--submissions DIR] [--out DIR] [--jobs N] [--force]
                                      [--student NAME]... ID...

``DIR`` holds one entry per student (``discover``: ``<student>.py``, ``.ipynb``, ``.zip`` or a folder
``<student>/``).  With several assignments (or when ``DIR/<id>/`` is a folder of submissions), each
assignment's submissions are read from ``DIR/<id>/`` -- the layout of the bundled example class.

Each submission runs in its own sandboxed child (``sandbox``); verdicts are decided here, in the
parent, against the reference solution's results from a separate run of the same sandbox.  A student
whose stored grading (``report.GRADED_FILE``) matches the submission and the suite (same fingerprint) is not graded
again, so a rerun after an interrupt only finishes the job.  An interrupted student is never
recorded: their child is killed and nothing is written for them.  The gradebook is always rebuilt
from every student's stored result, so ``--student`` regrades a few and keeps the whole class.

The class run always finishes: a student controls one submission and nothing else, so any exception
while discovering, grading, judging or writing one student's results is that student's row (status
``error``, "internal error while <step>: <type>: <message>"), and the others are graded as usual.
Only an interrupt (Ctrl-C, SIGTERM) stops the run.  Whatever this module prints about a student goes
through ``text.visible`` (names are file names the student chose).
"""

from __future__ import annotations

import signal
import sys

if __name__ == "__main__":  # before the slow imports below: Ctrl-C from the first instant is handled
    def _early_stop(signum, frame):
        print("\ninterrupted before grading started; run the same command again", flush=True)
        sys.exit(130)

    signal.signal(signal.SIGINT, _early_stop)
    signal.signal(signal.SIGTERM, _early_stop)

import argparse
import difflib
import hashlib
import os
import shutil
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from . import reference, registry, report, sandbox
from .discover import DiscoveryError, Submission, discover
from .progress import Progress, clock
from .reference import reference_results
from .sandbox import run_submission
from .score import Graded, missing, score_run
from .status import Status
from .suite import ROOT, Question, load_suite
from .text import visible

CHECK_COMMAND = "python check.py {id}.py"
INTERRUPTED_EXIT = 130  # the shell's code for "stopped by Ctrl-C"
_STOPPING = threading.Event()  # set on an interrupt, before the children are killed


def submissions_folder(root: Path, assignment: str, several: bool) -> Path:
    nested = root / assignment
    if several or (nested.is_dir() and not (nested / f"{assignment}.py").exists()):
        return nested
    return root


def fingerprint(submission: Path | None, assignment: str, note: str = "", inputs: str | None = None) -> str:
    """Changes when the submission (or, for a missing one, what was found) or any grading input
    (suite, reference solution, engine, assignment.toml) changes.  ``inputs``: the grading inputs'
    own fingerprint, when the caller computed it once for the whole class."""
    inputs = inputs or reference.fingerprint(assignment)
    h = hashlib.sha256(note.encode("utf-8", "surrogatepass") + b"\0" + inputs.encode() + b"\0")
    if submission is not None:
        h.update(submission.read_bytes())
    return h.hexdigest()[:16]


@dataclass
class Plan:
    """One assignment's class, and who of it this run grades."""

    assignment: str
    folder: Path
    out_dir: Path
    class_: dict[str, Submission]
    fingerprints: dict[str, str]
    selected: bool = False  # --student: todo is the named students
    todo: list[str] = field(default_factory=list)
    done: set[str] = field(default_factory=set)  # graded by this run
    unsaved: dict[str, Graded] = field(default_factory=dict)  # rows whose files could not be written

    def folder_of(self, student: str) -> Path:
        return report.student_folder(self.out_dir, student)


def plan(assignment: str, folder: Path, out: Path, staging: Path, force: bool, only: list[str] | None) -> Plan:
    class_ = discover(folder, assignment, staging / assignment)
    inputs = reference.fingerprint(assignment)  # once: ~40 files, the same for every student
    prints = {s: _fingerprint(class_, s, assignment, inputs) for s in list(class_)}
    p = Plan(assignment, folder, out / assignment, class_, prints, selected=only is not None)
    for student in class_:
        if only is not None:
            if student in only:
                p.todo.append(student)  # named: always regraded
        elif force or not _current(p, student):
            p.todo.append(student)
    return p


def _fingerprint(class_: dict[str, Submission], student: str, assignment: str, inputs: str) -> str:
    """The student's fingerprint; a file that cannot be read makes the entry that student's internal
    error (the rest of the class is planned as usual)."""
    sub = class_[student]
    try:
        return fingerprint(sub.source, assignment, sub.problem, inputs)
    except Exception as exc:
        class_[student] = Submission(student, sub.entry, None, _internal("reading the file", exc), internal=True)
        return fingerprint(None, assignment, class_[student].problem, inputs)


def _internal(doing: str, exc: BaseException) -> str:
    """One line naming what failed, for a student's row: the grader's failure, not the student's."""
    return f"internal error while {doing}: {type(exc).__name__}: {visible(exc)[:200]} (tell the course staff)"


def _stored(p: Plan, student: str) -> Graded | None:
    try:
        return report.read_student(p.folder_of(student))
    except ValueError:  # a name that cannot be a folder: never stored
        return None


def _current(p: Plan, student: str) -> Graded | None:
    """The stored result of ``student`` if it was computed from the very same files."""
    previous = _stored(p, student)
    return previous if previous and previous.fingerprint == p.fingerprints[student] else None


def error_row(student: str, assignment: str, questions: list[Question], message: str) -> Graded:
    """A row with status ``error``, every check failed with ``message``."""
    g = missing(student, assignment, questions, message)
    g.status = Status.ERROR.value
    return g


def grade_student(p: Plan, student: str, questions: list[Question], reference: dict, checks: list) -> Graded | None:
    """``student``'s row; None if an interrupt cut their grading short (nothing of them is recorded).

    Every exception of the grader on this student's data (their files, their child, their results)
    is their row, status ``error``, naming the step and the exception.
    """
    sub = p.class_[student]
    if sub.source is None:
        g = missing(student, p.assignment, questions, sub.problem)
        g.status = Status.ERROR.value if sub.internal else g.status
        return g
    doing = "grading"
    try:
        keep = p.folder_of(student)
        run = run_submission(sub.source, p.assignment, checks, keep)
        doing = "judging"
        return score_run(student, p.assignment, questions, run, reference)
    except Exception as exc:
        if doing == "grading" and (isinstance(exc, sandbox.Interrupted) or _STOPPING.is_set()):
            _forget(p, student)  # cut short: nothing about this student is recorded
            return None
        print(f"   internal error while {doing} {visible(student)}: {type(exc).__name__}: {visible(exc)}",
              file=sys.stderr, flush=True)
        return error_row(student, p.assignment, questions, _internal(doing, exc))


def _forget(p: Plan, student: str) -> None:
    """Remove what an interrupted grading left (a student graded before keeps their results)."""
    try:
        keep = p.folder_of(student)
    except ValueError:  # a name that cannot be a folder: nothing was written
        return
    if not report.is_graded(keep):
        shutil.rmtree(keep, ignore_errors=True)


def record(p: Plan, student: str, g: Graded, questions: list[Question], check_command: str) -> Graded:
    """Write ``g`` as the student's results.  If that fails, the row says so: written if it can be
    (with no fingerprint, so the next run grades them again), else kept for this run's gradebook."""
    g.fingerprint = p.fingerprints[student]
    try:
        report.write_student(p.folder_of(student), g, check_command)
        return g
    except Exception as exc:
        print(f"   internal error while writing the results of {visible(student)}: {type(exc).__name__}: "
              f"{visible(exc)}", file=sys.stderr, flush=True)
        row = error_row(student, p.assignment, questions, _internal("writing the results", exc))
        row.seconds = g.seconds
    try:
        report.write_student(p.folder_of(student), row, check_command)
    except Exception:
        p.unsaved[student] = row
    return row


def grade_plan(p: Plan, jobs: int, require_isolation: bool = False) -> None:
    if p.todo:
        sandbox.start(p.assignment)  # its imports overlap loading the suite here
    questions = load_suite(p.assignment)
    n = len(p.class_)
    print(f"== {p.assignment}: {registry.get(p.assignment).title}\n"
          f"   {n} submission{'' if n == 1 else 's'} in {p.folder} -> {p.out_dir}", flush=True)
    if p.selected:
        print(f"   regrading {_names(p.todo, len(p.todo)) or 'nobody'} (named); the other {n - len(p.todo)} keep their "
              "stored results", flush=True)
    elif len(p.todo) < n:
        print(f"   {n - len(p.todo)} already graded (unchanged since); grading the other {len(p.todo)}", flush=True)
    if not p.todo:
        return
    layers = sandbox.isolation(p.assignment)
    print(sandbox.describe_isolation(layers), flush=True)
    if require_isolation and not sandbox.fully_isolated(layers):
        raise SystemExit("error: --require-isolation: some isolation layers are off (above); grading refused")
    reference = reference_results(p.assignment, questions)
    checks = [(c.key, c.check.timeout) for q in questions for c in q.cases]
    check_command = CHECK_COMMAND.format(id=p.assignment)
    progress = Progress(len(p.todo))

    def one(student: str) -> None:
        g = grade_student(p, student, questions, reference, checks)
        if g is None:
            return
        g = record(p, student, g, questions, check_command)
        p.done.add(student)
        progress.finished(f"{visible(student):<28} {report.num(g.total):>5} / {report.num(g.max_total):<4} "
                          f"{g.status:<9} ({g.seconds:.1f} s)")

    progress.start()
    report.preload_histogram()  # while the children run, not after them
    pool = ThreadPoolExecutor(max_workers=max(1, jobs))
    try:
        for f in as_completed([pool.submit(one, s) for s in p.todo]):
            f.result()
    except BaseException:
        _STOPPING.set()  # first: a worker whose child dies now must not record an error for it
        sandbox.kill_all()  # before waiting: the workers' children die now, the workers return at once
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    finally:
        progress.close()
    pool.shutdown()


def write_gradebook(p: Plan) -> None:
    """grades.csv and summary.md from every student's stored result: the whole class, always."""
    graded, ungraded, stale = [], [], []
    for student in p.class_:
        stored = p.unsaved.get(student) or _stored(p, student)
        if stored is None:
            ungraded.append(student)
            continue
        graded.append(stored)
        if stored.fingerprint != p.fingerprints[student]:
            stale.append(student)
    isolation = sandbox.describe_isolation(sandbox.isolation(p.assignment)) if p.todo else ""
    notes = f"How each submission was isolated (this run):\n\n```\n{isolation}\n```\n" if isolation else ""
    print(report.write_gradebook(p.out_dir, graded, notes))
    if ungraded:
        print(f"note: {len(ungraded)} student{'s have' if len(ungraded) > 1 else ' has'} no result yet and "
              f"{'are' if len(ungraded) > 1 else 'is'} not in the gradebook ({_names(ungraded)}"
              f"{', ...' if len(ungraded) > 5 else ''}): run without --student to grade them")
    if stale:
        print(f"note: the gradebook shows an older result for {_names(stale)}"
              f"{', ...' if len(stale) > 5 else ''} (file or tests changed since): run without --student to regrade")


def _names(students: list[str], n: int = 5) -> str:
    """The first ``n`` names, as the terminal shows them."""
    return ", ".join(visible(s) for s in students[:n])


def unknown_students(names: list[str], plans: list[Plan]) -> str:
    """An error message for the names that are in no class ('' if every name is known)."""
    known = sorted({s for p in plans for s in p.class_})
    lines = []
    for name in names:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
            lines.append(f"error: no student {visible(repr(name))} in {', '.join(str(p.folder) for p in plans)}"
                         + (f"; did you mean {' or '.join(visible(c) for c in close)}?" if close
                            else f" ({len(known)} students)"))
    return "\n".join(lines)


def _stop(signum, frame):
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not break the clean-up
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m autograder.engine.grade",
        description="Grade a folder of submissions: writes OUT/<id>/grades.csv, summary.md, histogram.png\n"
                    "and OUT/<id>/<student>/{results.json,feedback.md}. Ctrl-C stops at once; the same\n"
                    "command then finishes the job (students already graded are kept).",
        epilog="examples (make variables for every option):\n"
               "  make grade ASSIGNMENT=forward_mode SUBMISSIONS=~/hw1 OUT=grades\n"
               "  make grade ASSIGNMENT=forward_mode SUBMISSIONS=~/hw1 STUDENT=alice   # regrade one student\n"
               "  make grade ... FORCE=1 JOBS=4 ARGS=\"...\"                           # --force, --jobs 4, anything else",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ids = registry.ids()
    parser.add_argument("assignments", nargs="*", default=ids, metavar="ID",
                        help=f"assignment ids (default: all of {', '.join(ids)})")
    parser.add_argument("--submissions", default=str(ROOT / "examples"), type=Path,
                        help="folder with one entry per student: <student>.py, <student>.ipynb, <student>.zip "
                             "or a folder <student>/ holding <id>.py (with several ids: one such folder per id); "
                             "default: the example class")
    parser.add_argument("--out", default=Path("grades"), type=Path, help="output folder (default: grades)")
    parser.add_argument("--jobs", default=os.cpu_count() or 2, type=int,
                        help="submissions graded in parallel (default: the number of cores)")
    parser.add_argument("--force", action="store_true", help="regrade even unchanged submissions")
    parser.add_argument("--student", action="append", metavar="NAME",
                        help="regrade only this student, even if unchanged (repeatable); the gradebook keeps "
                             "everyone else's stored result")
    parser.add_argument("--require-isolation", action="store_true",
                        help="refuse to grade unless every OS isolation layer (Landlock, seccomp, uid) is active")
    args = parser.parse_args(argv)

    unknown = [a for a in args.assignments if a not in ids]
    if unknown:
        parser.error(f"unknown assignment {', '.join(unknown)}; choose from {', '.join(ids)}")
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)  # make forwards SIGTERM (not SIGINT) to its children
    several = len(args.assignments) > 1
    started = time.monotonic()
    plans: list[Plan] = []
    interrupted = False
    with tempfile.TemporaryDirectory(prefix="submissions-") as staging:
        try:
            for assignment in args.assignments:
                folder = submissions_folder(args.submissions, assignment, several)
                if not folder.is_dir():
                    print(f"error: no folder {folder} with submissions for {assignment}", file=sys.stderr)
                    return 2
                try:
                    plans.append(plan(assignment, folder, args.out, Path(staging), args.force, args.student))
                except DiscoveryError as err:
                    print(f"error: {visible(err)}", file=sys.stderr)
                    return 2
            problem = unknown_students(args.student or [], plans)
            if problem:
                print(problem, file=sys.stderr)
                return 2
            for p in plans:
                grade_plan(p, args.jobs, args.require_isolation)
                write_gradebook(p)
        except KeyboardInterrupt:
            sandbox.kill_all()
            left = sum(len(set(p.todo) - p.done) for p in plans)
            total = sum(len(p.class_) if args.student is None else len(p.todo) for p in plans)
            print(f"\ninterrupted: {total - left} graded, {left} left; run the same command again to finish",
                  flush=True)
            interrupted = True
    if interrupted:
        # Everything is written and every child is dead: skip the interpreter's teardown, which takes
        # over a second with numpy and matplotlib loaded (the promise is to stop within a second).
        sys.stderr.flush()
        os._exit(INTERRUPTED_EXIT)
    print(f"done in {clock(time.monotonic() - started)}; gradebooks: "
          + ", ".join(str(args.out / a / "grades.csv") for a in args.assignments))
    return 0


if __name__ == "__main__":
    code = main()
    # Everything is written: skip the interpreter's teardown of numpy and matplotlib (0.2 s a run);
    # the fork servers see their socket close and exit by themselves.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
