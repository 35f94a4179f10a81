"""``make release``: build, then gate, the three zips of each assignment (``bundle.py``, ``gate.py``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from autograder.engine import registry
from autograder.engine.reference import reference_results
from autograder.engine.suite import load_suite

from . import strength
from .bundle import (DIST, GateFailure, build_autograder_zip, build_solutions_zip, build_student_zip,
                     student_zip_name)
from .gate import gate

def release(assignment: str, dist: Path = DIST, check: bool = True) -> Path:
    print(f"== {assignment}: {registry.get(assignment).title}", flush=True)
    questions = load_suite(assignment)
    reference = reference_results(assignment, questions)
    out = dist / assignment
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    with tempfile.TemporaryDirectory(prefix=f"release-{assignment}-") as tmp:
        stage = Path(tmp)
        build_autograder_zip(assignment, reference, stage, out / "autograder.zip")
        print(f"   built {out / 'autograder.zip'}", flush=True)
        kit = out / student_zip_name(assignment)
        build_student_zip(assignment, reference, questions, stage, kit)
        print(f"   built {kit} (unzips into its own folder {assignment}/)", flush=True)
        build_solutions_zip(assignment, stage, out / "solutions.zip", questions)
        print(f"   built {out / 'solutions.zip'}", flush=True)
    if check:
        print("   gate: otter run on the reference solution and on the stub template ...", flush=True)
        problems = gate(assignment, out / "autograder.zip", out / student_zip_name(assignment))
        if problems:
            shutil.rmtree(out)
            raise GateFailure(f"release of {assignment} refused:\n  - " + "\n  - ".join(problems))
        print("   gate passed: reference full marks, template zero, one Gradescope results.json entry per check, "
              f"no hidden test in {student_zip_name(assignment)}", flush=True)
        print("   suite strength: the example bugs and the degenerate submissions each check catches ...", flush=True)
        text, sound = strength.report(assignment, limit=0, seed=0, jobs=os.cpu_count() or 2)
        (out / "strength.md").write_text(text)
        print("   " + text.replace("\n", "\n   "), flush=True)
        if not sound:
            shutil.rmtree(out)
            raise GateFailure(f"release of {assignment} refused: a check catches nothing, or the reference "
                              "loses a point (the table above; `python -m autograder.authoring.strength` adds mutants)")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m autograder.authoring.release",
        description="Build dist/<id>/{autograder,student,solutions}.zip and gate them through otter run.",
    )
    ids = registry.ids()
    parser.add_argument("assignments", nargs="*", default=ids, metavar="ID",
                        help=f"assignment ids (default: all of {', '.join(ids)})")
    parser.add_argument("--dist", type=Path, default=DIST, help="output folder (default: dist)")
    parser.add_argument("--no-gate", action="store_true", help="skip the otter run gate (for quick iteration only)")
    args = parser.parse_args(argv)
    for assignment in args.assignments:
        if assignment not in ids:
            parser.error(f"unknown assignment {assignment}; choose from {', '.join(ids)}")
        release(assignment, args.dist, check=not args.no_gate)
    print(f"release ready in {args.dist}: upload <id>/autograder.zip to Gradescope; give students <id>/<id>-student.zip "
          "(it unzips into its own folder <id>/; there they run python -m pip install -r requirements.txt once, "
          "then python check.py)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
