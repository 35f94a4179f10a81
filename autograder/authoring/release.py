"""``make release``: build, then gate, the three zips of each assignment (``bundle.py``, ``gate.py``).

Per assignment, the steps (each prints one progress line when it ends, with its time):

    check     the static gate: every part, the suite, the handout, examples/ (``gate.static_problems``)
    build     the reference results, then autograder.zip, the student kit and solutions.zip
    otter     ``otter run`` on the built autograder.zip: the reference, then the stub template
    grade     one ``make grade`` run of the reference, the template, the degenerate submissions and the
              example class (``gate.graded_problems``; its table is ``dist/<id>/strength.md``)

``otter`` and ``grade`` of every assignment run side by side, ``--jobs`` at a time (default: the
number of cores).  Nothing is redone that did not change: the grade run resumes from the grades of
its last run (``make grade``'s own fingerprint per submission, under ``build/release/<id>/``), the
otter runs are kept by the fingerprint of what the bundle is built from, and an assignment whose
every input is unchanged since its last gated release is not rebuilt at all.  All problems of an
assignment are reported together.  The zips are built in ``dist/.<id>.unreleased/`` and moved to
``dist/<id>/`` only once gated (or, with ``--no-gate``, marked NOT GATED): an interrupted release
leaves no ungated zip where one is uploaded from, and a refused one leaves none at all.

The expensive strength run (every mutant of the reference, 2-6 minutes per assignment) is not part
of the release: ``python -m autograder.authoring.strength <id>``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from autograder.engine import registry
from autograder.engine.probe_world import BUILD
from autograder.engine.reference import reference_results
from autograder.engine.suite import ROOT

from . import degenerate, gate, strength
from .bundle import (DIST, GateFailure, build_autograder_zip, build_solutions_zip, build_student_zip,
                     student_zip_name)

WORK = BUILD / "release"  # per assignment: the grade run's submissions and grades, the otter results
RECORD = ".release.json"  # in dist/<id>/: the fingerprint of what was released, and whether it was gated
_print_lock = threading.Lock()


class Progress:
    """One line per finished step, prefixed by the time since the release started."""

    def __init__(self):
        self.start = time.monotonic()

    def say(self, assignment: str, text: str) -> None:
        with _print_lock:
            print(f"[{time.monotonic() - self.start:5.0f} s] {assignment}: {text}", flush=True)


# -- what a release depends on -----------------------------------------------------------------------
def _digest(paths) -> str:
    h = hashlib.sha256(sys.version.encode())
    for p in sorted(set(paths)):
        if p.is_file() and "__pycache__" not in p.parts:
            h.update(str(p.relative_to(ROOT) if p.is_relative_to(ROOT) else p).encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def _tree(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def bundle_fingerprint(assignment: str) -> str:
    """What autograder.zip is built from: the packages it ships, the suite, the solution, the template."""
    a = registry.get(assignment)
    packages = [ROOT / "autograder" / sub for sub in ("checking", "engine", "gradescope")]
    return _digest([p for d in packages for p in d.glob("*.py")] + [ROOT / "autograder" / "authoring" / "bundle.py",
                   ROOT / "requirements.txt", a.config, a.solution, a.template] + _tree(a.suite))


def release_fingerprint(assignment: str) -> str:
    """Everything the three zips and the gate depend on (the bundle's inputs, the handout, the
    assignment's folder, the example class, and the authoring code)."""
    a = registry.get(assignment)
    code = [p for sub in ("checking", "engine", "gradescope", "authoring") for p in (ROOT / "autograder" / sub).glob("*.py")]
    return _digest(code + [ROOT / "autograder" / "__init__.py", ROOT / "autograder" / "suites" / "__init__.py",
                           ROOT / "requirements.txt"]
                   + _tree(a.folder) + _tree(a.suite) + _tree(a.examples.parent) + [a.solution, a.template])


def _record(out: Path) -> dict:
    try:
        return json.loads((out / RECORD).read_text())
    except (OSError, ValueError):
        return {}


# -- one assignment -----------------------------------------------------------------------------------
class Prepared:
    """An assignment checked and built, waiting for its gate runs."""

    def __init__(self, assignment, out, final, questions, problems, fingerprint, say):
        self.assignment, self.out, self.final, self.questions = assignment, out, final, questions
        self.problems, self.fingerprint, self.say = problems, fingerprint, say


def prepare(assignment: str, dist: Path, check: bool, progress: Progress) -> Prepared | None:
    """The static gate and the build (in this thread: loading suites is not thread-safe); None when
    the assignment is unchanged since its last gated release.  Raises ``GateFailure``."""
    say = lambda text: progress.say(assignment, text)  # noqa: E731
    final = dist / assignment
    out = dist / f".{assignment}.unreleased"  # built here; moved to dist/<id>/ once gated (or NOT GATED)
    t0 = time.monotonic()
    problems, questions = gate.static_problems(assignment)
    if questions is None:  # a part is missing, or the suite does not load: nothing can be built
        _refuse(out, assignment, problems)
    fingerprint = release_fingerprint(assignment)
    kept = _record(final)
    built = all((final / name).exists() for name in ("autograder.zip", student_zip_name(assignment), "solutions.zip"))
    if check and kept.get("fingerprint") == fingerprint and kept.get("gated") and built and not problems:
        say(f"unchanged since its last gated release ({fingerprint}): dist/{assignment}/ kept as it is")
        return None
    say(f"checked every part, the suite, the handout and examples/ ({time.monotonic() - t0:.1f} s)")
    for note in gate.scaffold_leftovers(assignment):
        say(f"note: {note}")
    t0 = time.monotonic()
    try:
        reference = reference_results(assignment, questions)
    except SystemExit as exc:
        _refuse(out, assignment, problems + [str(exc).removeprefix("error: ")])
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    try:
        with tempfile.TemporaryDirectory(prefix=f"release-{assignment}-") as tmp:
            stage = Path(tmp)
            build_autograder_zip(assignment, reference, stage, out / "autograder.zip")
            build_student_zip(assignment, reference, questions, stage, out / student_zip_name(assignment))
            build_solutions_zip(assignment, stage, out / "solutions.zip", questions)
    except GateFailure as exc:
        _refuse(out, assignment, problems + [str(exc)])
    say(f"built autograder.zip, {student_zip_name(assignment)}, solutions.zip ({time.monotonic() - t0:.1f} s)")
    if not check:  # built for iteration: what the gate would already refuse is said, not enforced
        for problem in problems:
            say(f"NOT GATED, and the gate would refuse it: {problem}")
        (out / RECORD).write_text(json.dumps({"fingerprint": fingerprint, "gated": False}))
        _publish(out, final)
    return Prepared(assignment, out, final, questions, problems, fingerprint, say)


def finish(p: Prepared, graded: tuple[dict, dict], otter_results: dict) -> Path:
    """Every problem of the gate at once (``GateFailure``), or the gated release recorded."""
    results, who = graded
    problems = p.problems + gate.graded_problems(p.assignment, p.questions, results, who)
    problems += gate.bundle_problems(p.assignment, p.questions, otter_results,
                                     p.out / student_zip_name(p.assignment), p.out / "autograder.zip")
    if problems:
        _refuse(p.out, p.assignment, problems)
    text, _ = strength.table(p.assignment, who, strength.outcomes(results, who))
    (p.out / "strength.md").write_text(text)
    (p.out / RECORD).write_text(json.dumps({"fingerprint": p.fingerprint, "gated": True}))
    _publish(p.out, p.final)
    p.say("gate passed: the reference full marks and the template zero through make grade and otter run, every "
          "check fails some wrong submission, every example loses what expected.toml says")
    return p.final


def _publish(built: Path, final: Path) -> None:
    shutil.rmtree(final, ignore_errors=True)
    os.replace(built, final)


def release(assignment: str, dist: Path = DIST, check: bool = True) -> Path:
    """Build (and, with ``check``, gate) ``dist/<id>/``; raises ``GateFailure`` listing every problem."""
    progress = Progress()
    p = prepare(assignment, dist, check, progress)
    if p is None or not check:
        return dist / assignment
    with ThreadPoolExecutor(max_workers=2) as pool:
        graded = pool.submit(_grade_run, assignment, p.say)
        otter = pool.submit(_otter_runs, assignment, p.out / "autograder.zip", p.say)
        return finish(p, graded.result(), otter.result())


def _refuse(out: Path, assignment: str, problems: list[str]):
    shutil.rmtree(out, ignore_errors=True)  # nothing refused may be uploaded by mistake: neither what
    shutil.rmtree(out.parent / assignment, ignore_errors=True)  # was built now nor an older release
    raise GateFailure(f"release of {assignment} refused ({len(problems)} problem{'s' * (len(problems) != 1)}):\n  - "
                      + "\n  - ".join(problems))


def _otter_runs(assignment: str, autograder_zip: Path, say) -> dict[str, dict]:
    """results.json of otter run on the reference and the template, kept by the bundle's fingerprint."""
    t0 = time.monotonic()
    cache = WORK / assignment / f"otter-{bundle_fingerprint(assignment)}.json"
    if cache.exists():
        say("otter run: the bundle's inputs are unchanged, its last results reused")
        return json.loads(cache.read_text())
    say("otter run on the reference and on the template: started")
    results = {who: gate.otter_results(autograder_zip, assignment, who) for who in ("reference", "template")}
    cache.parent.mkdir(parents=True, exist_ok=True)
    for stale in cache.parent.glob("otter-*.json"):
        stale.unlink()
    cache.write_text(json.dumps(results))
    say(f"otter run on the reference and on the template ({time.monotonic() - t0:.0f} s)")
    return results


def _grade_run(assignment: str, say) -> tuple[dict[str, dict], dict[str, tuple[str, str]]]:
    """One make grade run (resumed: unchanged submissions keep their grades) of the reference, the
    template, the degenerate submissions and the examples: (student -> results.json, who)."""
    t0 = time.monotonic()
    folder, out = WORK / assignment / "submissions", WORK / assignment / "grades"
    shutil.rmtree(folder, ignore_errors=True)
    who = strength.stage(assignment, folder, template=True)
    say(f"grade run started ({len(who)} submissions; an example that hangs waits out its time limit, unless "
        "graded before with the same suite)")
    proc = subprocess.run([sys.executable, "-m", "autograder.engine.grade", "--jobs", "1", "--submissions",
                           str(folder), "--out", str(out), assignment], cwd=ROOT, capture_output=True, text=True)
    statuses = _statuses(out / assignment / "grades.csv")
    results = {s: r | {"status": statuses.get(s, "missing")} for s, r in strength.read_results(out, assignment, who).items()}
    if proc.returncode != 0 and not results:
        raise GateFailure(f"make grade failed on {assignment} (exit {proc.returncode}): {proc.stderr[-1500:]}")
    say(f"graded the reference, the template, {len(degenerate.STRATEGIES)} degenerate submissions and "
        f"{sum(g == 'example' for g, _ in who.values())} examples ({time.monotonic() - t0:.0f} s)")
    return results, who


def _guarded(refused: dict, assignment: str, step, *args):
    """``step(*args)``; a refusal or an error of this tool itself is recorded in ``refused`` (and
    re-raised as ``GateFailure``), never a traceback that stops the other assignments."""
    try:
        return step(*args)
    except GateFailure as exc:
        refused[assignment] = str(exc)
        raise
    except Exception:  # noqa: BLE001 -- a bug of this tool, not of the assignment: say so, go on
        import traceback

        refused[assignment] = (f"release of {assignment} stopped by an error of the release tool itself (not a "
                               f"problem of the assignment; please report it):\n{traceback.format_exc()}")
        raise GateFailure(refused[assignment]) from None


def _statuses(grades_csv: Path) -> dict[str, str]:
    import csv

    if not grades_csv.exists():
        return {}
    with open(grades_csv, newline="", encoding="utf-8") as f:
        return {row["student"]: row["status"] for row in csv.DictReader(f)}


# -- the command --------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m autograder.authoring.release",
        description="Build dist/<id>/{autograder.zip,<id>-student.zip,solutions.zip} and gate them: the static "
                    "checks, one make grade run (reference, template, degenerate submissions, examples) and "
                    "otter run on the built bundle.  Every problem is reported at once.")
    ids = registry.ids()
    parser.add_argument("assignments", nargs="*", default=ids, metavar="ID",
                        help=f"assignment ids (default: all of {', '.join(ids)})")
    parser.add_argument("--dist", type=Path, default=DIST, help="output folder (default: dist)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2,
                        help="gate runs (otter run, make grade) side by side (default: the number of cores)")
    parser.add_argument("--no-gate", action="store_true",
                        help="build only, for quick iteration: the zips are NOT GATED and must not be uploaded")
    args = parser.parse_args(argv)
    unknown = [a for a in args.assignments if a not in ids]
    if unknown:
        parser.error(f"unknown assignment {', '.join(unknown)}; choose from {', '.join(ids)}")
    progress = Progress()
    refused: dict[str, str] = {}
    running = {}
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for a in args.assignments:  # checked and built one by one; each one's gate runs start at once
            try:
                p = _guarded(refused, a, prepare, a, args.dist, not args.no_gate, progress)
            except GateFailure:
                continue
            if p is not None and not args.no_gate:
                running[a] = (p, pool.submit(_grade_run, a, p.say), pool.submit(_otter_runs, a, p.out / "autograder.zip", p.say))
        for a, (p, graded, otter) in running.items():
            try:
                _guarded(refused, a, lambda: finish(p, graded.result(), otter.result()))
            except GateFailure:
                pass
    for a, why in refused.items():
        print(f"\n{why}", file=sys.stderr)
    elapsed = time.monotonic() - progress.start
    if refused:
        print(f"\nrelease refused for {', '.join(refused)} ({elapsed:.0f} s); fix the problems listed above and run "
              "make release again (what did not change is not redone)", file=sys.stderr)
        return 1
    if args.no_gate:
        print(f"\nNOT GATED: built in {args.dist} in {elapsed:.0f} s without the gate -- do not upload these zips "
              "to Gradescope or give them to students; run make release without --no-gate first")
        return 0
    print(f"\nrelease ready in {args.dist} ({elapsed:.0f} s): upload <id>/autograder.zip to Gradescope; give "
          "students <id>/<id>-student.zip (it unzips into its own folder <id>/; there they run python -m pip "
          "install -r requirements.txt once, then python check.py)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
