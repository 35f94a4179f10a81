"""``make grade``: grade a folder of submissions into a gradebook and per-student feedback.

    python -m autograder.engine.grade [--submissions DIR] [--out DIR] [--jobs N] [--force]
                                      [--student NAME]... [--students "A B,C"] [--roster FILE]
                                      [--verbose] ID...

``DIR`` holds one entry per student (``discover``: ``<student>.py``, ``.ipynb``, ``.zip`` or a folder
``<student>/``).  With several assignments (or when ``DIR/<id>/`` is a folder of submissions), each
assignment's submissions are read from ``DIR/<id>/`` -- the layout of the bundled example class.

Each submission runs in its own sandboxed child (``sandbox``); verdicts are decided here, in the
parent, against the reference solution's results from a separate run of the same sandbox.  A student
whose stored grading (``report.GRADED_FILE``) matches the submission and the suite (same fingerprint) is not graded
again, so a rerun after an interrupt only finishes the job.  An interrupted student is never
recorded: their child is killed and nothing is written for them.  The gradebook is always rebuilt
from every student's stored result, so ``--student`` regrades a few and keeps the whole class.

A ``--force`` run records its start (``FORCED_FILE`` in the assignment's out folder) and removes
the record when it finishes: the same command after an interrupt regrades only the students whose
stored result is older than that start.  Every regrade is a row of ``history.csv`` (``history``);
a student who was graded before and is no longer in the folder stays in the gradebook (status
``missing``, "no longer in the submissions folder").  With the gradebook come each student's
``staff.md`` (``staff_page``), ``similarity.md`` (``similarity``) and, with a roster, ``canvas.csv``
(``roster``).

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
import json
import os
import shutil
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from . import history, reference, registry, report, roster, sandbox, similarity, staff_page
from .discover import DiscoveryError, Submission, discover
from .progress import Progress, clock
from .reference import reference_results
from .sandbox import run_submission
from .score import Graded, Outcome, missing, score_run
from .status import Status
from .suite import ROOT, Question, load_suite
from .text import csv_text, md_code, visible

CHECK_COMMAND = "python check.py {id}.py"
INTERRUPTED_EXIT = 130  # the shell's code for "stopped by Ctrl-C"
FORCED_FILE = ".forced.json"  # in OUT/<id>/: a --force run under way (its start), removed when it finishes
GONE = "no longer in the submissions folder"
_STOPPING = threading.Event()  # set on an interrupt, before the children are killed


def template_of(assignment: str) -> bytes | None:
    """The stub students start from (``student_template/<id>.py``; the tests' toy assignment points
    ``AUTOGRADER_TEMPLATES`` at its own), None if there is none."""
    folder = os.environ.get("AUTOGRADER_TEMPLATES")
    path = Path(folder) / f"{assignment}.py" if folder else registry.get(assignment).template
    try:
        return path.read_bytes()
    except OSError:
        return None


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


def file_fingerprint(submission: Path | None, note: str = "") -> str:
    """The submission's own part of ``fingerprint`` (kept with each result: history tells a changed
    file from changed tests)."""
    h = hashlib.sha256(note.encode("utf-8", "surrogatepass") + b"\0")
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
    inputs: str = ""  # the grading inputs' fingerprint (suite, reference, engine)
    files: dict[str, str] = field(default_factory=dict)  # student -> file_fingerprint
    stored: dict[str, tuple[Graded | None, dict]] = field(default_factory=dict)  # before this run
    forced: float | None = None  # --force: when the forced run started (resumed from FORCED_FILE)
    resumed: bool = False  # ... an interrupted forced run, resumed
    template: bytes | None = None
    people: dict[str, roster.Person] | None = None  # the roster, if there is one
    roster_file: Path | None = None
    verbose: bool = False
    sources: dict[str, str] = field(default_factory=dict)  # student -> code, as compared for similarity

    def folder_of(self, student: str) -> Path:
        return report.student_folder(self.out_dir, student)


def plan(assignment: str, folder: Path, out: Path, staging: Path, force: bool, only: list[str] | None,
         scheduled: bool = True) -> Plan:
    """The class in ``folder`` and who of it to grade (``schedule``; ``only``: --student names;
    ``scheduled=False``: nobody yet, the caller schedules once the names are known)."""
    template = template_of(assignment)
    class_ = discover(folder, assignment, staging / assignment, template)
    inputs = reference.fingerprint(assignment)  # once: ~40 files, the same for every student
    prints = {s: _fingerprint(class_, s, assignment, inputs) for s in list(class_)}
    p = Plan(assignment, folder, out / assignment, class_, prints, inputs=inputs, template=template)
    p.files = {s: _file_fingerprint(class_[s]) for s in class_}
    p.stored = {s: _stored_record(p, s) for s in class_}
    if scheduled:
        schedule(p, force, only)
    return p


def schedule(p: Plan, force: bool, only: list[str] | None) -> None:
    """``p.todo``: the named students (``only``), else everyone whose stored result is not current,
    and with ``force`` everyone not graded since the forced run started (``forced_start``)."""
    p.selected, p.todo = only is not None, []
    p.forced = forced_start(p) if force and only is None else None
    for student in p.class_:
        if only is not None:
            if student in only:
                p.todo.append(student)  # named: always regraded
        elif not _current(p, student) or (p.forced is not None and not _graded_since(p, student, p.forced)):
            p.todo.append(student)


def forced_start(p: Plan) -> float:
    """When the --force run started: read from ``FORCED_FILE`` if an interrupted one left it (the same
    command then finishes that run), else now (and recorded)."""
    path = p.out_dir / FORCED_FILE
    try:
        started = float(json.loads(path.read_text())["started"])
        p.resumed = True
        return started
    except (OSError, ValueError, KeyError, TypeError):
        started = time.time()
        report.write_atomic(path, json.dumps({"started": started, "at": history.now()}))
        return started


def finish_forced(p: Plan) -> None:
    """The forced run is complete: the next --force starts over."""
    if p.forced is not None:
        (p.out_dir / FORCED_FILE).unlink(missing_ok=True)


def _graded_since(p: Plan, student: str, since: float) -> bool:
    graded, meta = p.stored.get(student, (None, {}))
    if graded is None:
        return False
    at = meta.get("graded_at_epoch")
    if not isinstance(at, (int, float)):
        try:
            at = (p.folder_of(student) / report.GRADED_FILE).stat().st_mtime
        except (OSError, ValueError):
            return False
    return at >= since


def _file_fingerprint(sub: Submission) -> str:
    try:
        return file_fingerprint(sub.source, sub.problem)
    except Exception:  # unreadable: _fingerprint already made it an internal error
        return file_fingerprint(None, sub.problem)


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
    return _stored_record(p, student)[0]


def _stored_record(p: Plan, student: str) -> tuple[Graded | None, dict]:
    try:
        return report.read_record(p.folder_of(student))
    except ValueError:  # a name that cannot be a folder: never stored
        return None, {}


def _current(p: Plan, student: str) -> Graded | None:
    """The stored result of ``student`` if it was computed from the very same files."""
    previous = p.stored[student][0] if student in p.stored else _stored(p, student)
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
    sub = p.class_.get(student)
    notes = [sub.note] if sub is not None and sub.note else []
    try:
        report.write_student(p.folder_of(student), g, check_command, _meta(p, student), notes)
        return g
    except Exception as exc:
        print(f"   internal error while writing the results of {visible(student)}: {type(exc).__name__}: "
              f"{visible(exc)}", file=sys.stderr, flush=True)
        row = error_row(student, p.assignment, questions, _internal("writing the results", exc))
        row.seconds = g.seconds
    try:
        report.write_student(p.folder_of(student), row, check_command, _meta(p, student), notes)
    except Exception:
        p.unsaved[student] = row
    return row


def _meta(p: Plan, student: str) -> dict:
    """What is kept with a result besides the grading: when, and the file's and the tests' own
    fingerprints (``history.reasons`` reads them at the next regrade)."""
    return {"graded_at": history.now(), "graded_at_epoch": time.time(), "file": p.files.get(student, ""),
            "inputs": p.inputs}


def log_regrade(p: Plan, student: str, g: Graded) -> None:
    """A row of history.csv if ``student`` had a stored result before this run (a first grading is
    not logged); a failure to write it is said, never the student's or the class's."""
    old, old_meta = p.stored.get(student, (None, {}))
    if old is None:
        return
    try:
        why = history.reasons(old_meta, _meta(p, student), forced=p.forced is not None, named=p.selected)
        history.append(p.out_dir, student, old.total, g.total, g.max_total, old.status, g.status, why)
    except Exception as exc:
        print(f"   note: could not log the regrade of {visible(student)} in {history.FILE}: "
              f"{type(exc).__name__}: {visible(exc)}", file=sys.stderr, flush=True)


def isolation_line(layers: dict) -> str:
    """The isolation layers in one line (``--verbose``: ``sandbox.describe_isolation``'s table)."""
    on, partial, not_root, off = [], [], [], []
    for name, state in layers.items():
        if name == "verified":
            continue
        state = visible(state)
        if state.startswith("on"):
            on.append(name)
        elif state.startswith("root without capabilities"):
            partial.append(f"{name} (root without capabilities)")
        elif state.startswith("off: not running as root"):
            not_root.append(name)
        else:
            off.append(f"{name} ({state[:80]})")
    verified = layers.get("verified", {})
    text = f"   isolation: {len(on) + len(partial)} layers on: {', '.join(on + partial)}"
    text += f"; root only, not root here: {', '.join(not_root)}" if not_root else ""
    text += f"; OFF: {', '.join(off)}" if off else ""
    text += f"; self-test: {sum(bool(v) for v in verified.values())} of {len(verified)} forbidden actions blocked"
    possible = [visible(what) for what, blocked in verified.items() if not blocked]
    text += f" (POSSIBLE: {', '.join(possible)})" if possible else ""
    if not sandbox.fully_isolated(layers):
        text += "; WARNING: not every layer is active (README, threat model)"
    return text + " (--verbose: details)"


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
    elif p.resumed:
        print(f"   finishing the --force run started {time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(p.forced))} "
              f"(interrupted): {n - len(p.todo)} graded since are kept, {len(p.todo)} left (to force everyone "
              f"again, delete {p.out_dir / FORCED_FILE})", flush=True)
    elif not p.todo:
        print(f"   all {n} already graded (unchanged since): nothing to grade", flush=True)
    elif len(p.todo) < n:
        print(f"   {n - len(p.todo)} already graded (unchanged since); grading the other {len(p.todo)}", flush=True)
    if not p.todo:
        return
    layers = sandbox.isolation(p.assignment)
    print(sandbox.describe_isolation(layers) if p.verbose else isolation_line(layers), flush=True)
    if require_isolation and not sandbox.fully_isolated(layers):
        raise SystemExit("error: --require-isolation: some isolation layers are off (above); grading refused")
    reference = reference_results(p.assignment, questions)
    checks = [(c.key, c.check.timeout) for q in questions for c in q.cases]
    check_command = CHECK_COMMAND.format(id=p.assignment)
    progress = Progress(len(p.todo), jobs=max(1, jobs))

    def one(student: str) -> None:
        progress.started_one(student)
        g = grade_student(p, student, questions, reference, checks)
        if g is None:
            return
        g = record(p, student, g, questions, check_command)
        log_regrade(p, student, g)
        p.done.add(student)
        progress.finished(f"{visible(student):<28} {report.num(g.total):>5} / {report.num(g.max_total):<4} "
                          f"{g.status:<9} ({g.seconds:.1f} s)", student)

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
    """grades.csv and summary.md from every student's stored result: the whole class, always (and a
    student graded before who is no longer in the folder, as ``missing``); then each student's
    staff.md, similarity.md and, with a roster, canvas.csv."""
    graded, ungraded, stale = [], [], []
    records: dict[str, tuple[Graded, dict]] = {}
    for student in p.class_:
        stored, meta = (p.unsaved[student], {}) if student in p.unsaved else _stored_record(p, student)
        if stored is None:
            ungraded.append(student)
            continue
        graded.append(stored)
        records[student] = (stored, meta)
        if stored.fingerprint != p.fingerprints[student]:
            stale.append(student)
    log = history.read(p.out_dir)
    gone = gone_students(p, log)
    graded += gone
    _log_back(p, records, log)
    flags = _flags(p)
    pairs, compared, skipped = _similarity(p)  # a lead for the staff, not a "needs a look": similarity.md
    if p.todo:
        layers = sandbox.isolation(p.assignment)
        notes = (f"How each submission was isolated (this run):\n\n```\n{sandbox.describe_isolation(layers)}\n```\n"
                 if p.verbose else f"Isolation (this run): {isolation_line(layers).strip().removeprefix('isolation: ')}\n")
    else:
        notes = ""
    notes += _roster_notes(p, [g.student for g in graded], graded)
    notes += (f"\nCode similarity: {len(pairs)} pair{'' if len(pairs) == 1 else 's'} of the {compared} "
              f"submissions compared at or above {similarity.THRESHOLD:.2f} (similarity.md).\n")
    print(report.write_gradebook(p.out_dir, graded, notes, flags))
    _write_similarity(p, pairs, compared, skipped)
    _write_staff_pages(p, records, log, pairs, set(stale))
    if ungraded:
        print(f"note: {len(ungraded)} student{'s have' if len(ungraded) > 1 else ' has'} no result yet and "
              f"{'are' if len(ungraded) > 1 else 'is'} not in the gradebook ({_names(ungraded)}"
              f"{', ...' if len(ungraded) > 5 else ''}): run without --student to grade them")
    if stale:
        print(f"note: the gradebook shows an older result for {_names(stale)}"
              f"{', ...' if len(stale) > 5 else ''} (file or tests changed since): run without --student to regrade")
    if gone:
        print(f"note: {len(gone)} student{'s are' if len(gone) > 1 else ' is'} {GONE} ({_names([g.student for g in gone])}"
              f"{', ...' if len(gone) > 5 else ''}): kept in the gradebook as missing, 0 points")


def gone_students(p: Plan, log: list[dict[str, str]]) -> list[Graded]:
    """Students with a stored result in the out folder and no entry in the submissions folder: each a
    row with status ``missing`` (0 points; the message keeps their last result), logged once in
    history.csv."""
    rows = []
    last = history.last_reason(log)
    try:
        folders = sorted(d for d in p.out_dir.iterdir() if d.is_dir() and report.is_graded(d))
    except OSError:
        return rows
    for folder in folders:
        old, meta = report.read_record(folder)
        if old is None or old.assignment != p.assignment or old.student in p.class_:
            continue
        when = meta.get("graded_at", "")[:16].replace("T", " ") or "earlier"
        message = (f"{GONE} (last graded {when}: {report.num(old.total)} / {report.num(old.max_total)}, status "
                   f"{old.status}); kept in the gradebook with 0 points")
        row = Graded(old.student, old.assignment, Status.MISSING.value, message,
                     [Outcome(o.question, o.name, o.max_points, o.hidden, False, message) for o in old.outcomes],
                     questions=dict(old.questions))
        rows.append(row)
        if last.get(csv_text(old.student)) != history.GONE:
            try:
                history.append(p.out_dir, old.student, old.total, 0, old.max_total, old.status, row.status,
                               history.GONE)
            except OSError as exc:
                print(f"   note: could not log {visible(old.student)} in {history.FILE}: {visible(exc)}",
                      file=sys.stderr)
    return rows


def _log_back(p: Plan, records: dict[str, tuple[Graded, dict]], log: list[dict[str, str]]) -> None:
    """A student logged as gone who is in the folder again: one row saying so."""
    last = history.last_reason(log)
    for student, (g, _) in records.items():
        if last.get(csv_text(student)) == history.GONE:
            try:
                history.append(p.out_dir, student, 0, g.total, g.max_total, Status.MISSING.value, g.status,
                               history.BACK)
            except OSError:
                pass


def _flags(p: Plan) -> dict[str, list[str]]:
    """student -> what needs a look besides the status: an untouched template, two files."""
    flags: dict[str, list[str]] = {}
    for student, sub in p.class_.items():
        if sub.untouched:
            flags.setdefault(student, []).append(
                f"untouched template: the graded code is student_template/{p.assignment}.py as handed out "
                f"({sub.untouched})")
        if sub.note:
            flags.setdefault(student, []).append(sub.note)
    return flags


def _similarity(p: Plan) -> tuple[list, int, dict[str, str]]:
    """The class's similar pairs (``similarity.compare``), the number compared, and who was not."""
    from autograder.checking.source import decode_source

    sources, skipped = {}, {}
    for student, sub in p.class_.items():
        if sub.source is None:
            continue
        if sub.untouched:
            skipped[student] = "untouched template"
            continue
        try:
            sources[student] = decode_source(sub.source.read_bytes())
        except Exception as exc:  # not text: that student is not compared, the others are
            skipped[student] = f"cannot be read as text: {type(exc).__name__}"
    try:
        template = p.template.decode("utf-8", "replace") if p.template else None
        result = similarity.compare(sources, template)
    except Exception as exc:
        print(f"   note: the similarity report failed: {type(exc).__name__}: {visible(exc)}", file=sys.stderr)
        return [], 0, skipped
    skipped.update({s: "too little code of its own" for s in result.too_small})
    p.sources = sources
    return result.pairs, len(sources) - len(result.too_small), skipped


def _similar(pairs: list) -> dict[str, list[tuple[str, float]]]:
    """student -> [(other student, score)], most alike first."""
    similar: dict[str, list[tuple[str, float]]] = {}
    for pair in pairs:  # already most alike first
        similar.setdefault(pair.a, []).append((pair.b, pair.score))
        similar.setdefault(pair.b, []).append((pair.a, pair.score))
    return similar


def _write_similarity(p: Plan, pairs: list, compared: int, skipped: dict[str, str]) -> None:
    try:
        report.write_atomic(p.out_dir / "similarity.md", similarity.similarity_md(
            p.assignment, pairs, p.sources, compared, skipped))
    except Exception as exc:
        print(f"   note: could not write similarity.md: {type(exc).__name__}: {visible(exc)}", file=sys.stderr)


def _roster_notes(p: Plan, students: list[str], graded: list[Graded]) -> str:
    """The roster's part of the summary (and canvas.csv); '' without a roster."""
    if p.people is None:
        return ("\nNo roster (roster.csv in the submissions folder, or --roster FILE: README, TAs), so no "
                f"{roster.EXPORT} for the LMS.\n")
    no_line, no_entry = roster.unmatched(p.people, students)
    totals = {g.student: g.total for g in graded}
    mx = graded[0].max_total if graded else 0
    try:
        report.write_atomic(p.out_dir / roster.EXPORT, roster.canvas_csv(p.people, totals, p.assignment, mx))
    except OSError as exc:
        print(f"   note: could not write {roster.EXPORT}: {visible(exc)}", file=sys.stderr)
    text = (f"\nRoster ({md_code(str(p.roster_file))}): {len(students) - len(no_line)} of {len(students)} entries "
            f"matched, exported to {roster.EXPORT} (Canvas's gradebook import).\n")
    if no_line:
        text += (f"\nNo roster line (not in {roster.EXPORT}): "
                 + ", ".join(md_code(s) for s in no_line) + "\n")
        print(f"note: {len(no_line)} entr{'ies have' if len(no_line) > 1 else 'y has'} no line in the roster "
              f"{p.roster_file} and {'are' if len(no_line) > 1 else 'is'} not in {roster.EXPORT}: "
              f"{_names(no_line, len(no_line))}")
    if no_entry:
        text += ("\nOn the roster with no entry in the submissions folder: "
                 + ", ".join(md_code(s) for s in no_entry) + "\n")
        print(f"note: on the roster with no entry: {_names(no_entry, len(no_entry))}")
    return text


def _write_staff_pages(p: Plan, records: dict[str, tuple[Graded, dict]], log: list[dict[str, str]],
                       pairs: list, stale: set[str]) -> None:
    """Every student's staff.md; a page that cannot be written is said, and the others are written."""
    log = history.read(p.out_dir)  # with this run's rows
    similar = _similar(pairs)
    failed = []
    for student, (g, _) in records.items():
        sub = p.class_[student]
        try:
            folder = p.folder_of(student)
            figures = sorted(f.name for f in (folder / "figures").glob("*.png")) if (folder / "figures").is_dir() else []
            person = p.people.get(student) if p.people else None
            entry = sub.entry.name + ("/" if sub.entry.is_dir() and not sub.entry.is_symlink() else "")
            page = staff_page.staff_md(
                g, entry=entry, note=sub.note, untouched=sub.untouched, person=person.describe() if person else "",
                printed=report.output_head(folder, staff_page.PRINTED_LINES, 200), figures=figures,
                history=history.of(log, student), similar=similar.get(student, []), stale=student in stale)
            report.write_atomic(folder / "staff.md", page)
        except Exception:
            failed.append(student)
    if failed:
        print(f"note: could not write staff.md for {_names(failed)}", file=sys.stderr)


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


def split_students(value: str, known: set[str]) -> list[str]:
    """``STUDENT="Blaise Pascal,alice"`` (``--students``): names separated by commas, each as it is (a
    name may hold spaces).  A value without a comma that is no student's name but whose words all are
    is those words (``STUDENT="alice bob"``, the form before names could hold spaces)."""
    names = [n.strip() for n in value.split(",") if n.strip()]
    if len(names) == 1 and names[0] not in known and len(names[0].split()) > 1 \
            and all(w in known for w in names[0].split()):
        return names[0].split()
    return names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m autograder.engine.grade",
        description="Grade a folder of submissions: writes OUT/<id>/grades.csv, summary.md, histogram.png,\n"
                    "history.csv, similarity.md (canvas.csv with a roster) and OUT/<id>/<student>/\n"
                    "{feedback.md,staff.md,results.json}. Ctrl-C stops at once; the same command then\n"
                    "finishes the job (students already graded are kept).",
        epilog="examples (make variables for every option):\n"
               "  make grade ASSIGNMENT=forward_mode SUBMISSIONS=~/hw1 OUT=grades\n"
               "  make grade ASSIGNMENT=forward_mode SUBMISSIONS=~/hw1 STUDENT=alice   # regrade one student\n"
               "  make grade ... STUDENT=\"Blaise Pascal,alice\"                       # names with spaces: commas\n"
               "  make grade ... FORCE=1 JOBS=4 ARGS=\"--roster roster.csv\"            # --force, --jobs 4, anything else",
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
    parser.add_argument("--force", action="store_true",
                        help="regrade even unchanged submissions (after an interrupt, the same command regrades "
                             "only those not graded since the forced run started)")
    parser.add_argument("--student", action="append", metavar="NAME",
                        help="regrade only this student, even if unchanged (repeatable; the name exactly as in "
                             "the folder, spaces included); the gradebook keeps everyone else's stored result")
    parser.add_argument("--students", metavar="LIST", default="",
                        help="the same for several students, separated by commas: \"Blaise Pascal,alice\" "
                             "(make's STUDENT=)")
    parser.add_argument("--roster", type=Path, metavar="FILE",
                        help="the course roster: entry,name,id,email (default: roster.csv in the submissions "
                             "folder, if any); writes OUT/<id>/canvas.csv, Canvas's gradebook import format")
    parser.add_argument("--verbose", action="store_true",
                        help="the isolation layers in full (default: one line)")
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
                    p = plan(assignment, folder, args.out, Path(staging), args.force, None, scheduled=False)
                except DiscoveryError as err:
                    print(f"error: {visible(err)}", file=sys.stderr)
                    return 2
                p.verbose = args.verbose
                p.roster_file = roster.find(args.roster, folder, args.submissions)
                if p.roster_file is not None:
                    try:
                        p.people = roster.read(p.roster_file)
                    except roster.RosterError as err:
                        print(f"error: {visible(err)}", file=sys.stderr)
                        return 2
                plans.append(p)
            known = {s for p in plans for s in p.class_}
            named = (args.student or []) + split_students(args.students, known)
            problem = unknown_students(named, plans)
            if problem:
                print(problem, file=sys.stderr)
                return 2
            for p in plans:
                schedule(p, args.force, named or None)
            for p in plans:
                grade_plan(p, args.jobs, args.require_isolation)
                finish_forced(p)
                write_gradebook(p)
        except KeyboardInterrupt:
            sandbox.kill_all()
            left = sum(len(set(p.todo) - p.done) for p in plans)
            total = sum(len(p.class_) if not p.selected else len(p.todo) for p in plans)
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
