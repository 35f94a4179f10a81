"""``make bench``: the grading benchmark, or the algorithms' benchmarks.

    python -m autograder.bench [--assignments ID ...] [--class-size N] [--otter-sample K] [--jobs N] [--quick]
    python -m autograder.bench algorithms [NAME ...]
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy loads: one BLAS thread, as in the sandbox

import argparse  # noqa: E402
import importlib  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from functools import partial  # noqa: E402
from pathlib import Path  # noqa: E402

from autograder.engine import registry  # noqa: E402

ASSIGNMENT_IDS = registry.ids()

ALGORITHMS = ("reverse_mode", "matrix_chain")  # autograder/bench/<name>.py, each with a main()


def algorithms(argv) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.bench algorithms",
                                     description="The student-facing algorithms' benchmarks: medians and "
                                                 "ratios measured side by side on the reference solutions.")
    parser.add_argument("names", nargs="*", default=list(ALGORITHMS), metavar="NAME",
                        help=f"benchmarks to run (default: {', '.join(ALGORITHMS)})")
    args = parser.parse_args(argv)
    for name in args.names:
        if name not in ALGORITHMS:
            parser.error(f"no benchmark {name!r}; available: {', '.join(ALGORITHMS)}")
    for name in args.names:
        print(f"== {name}", flush=True)
        importlib.import_module(f"autograder.bench.{name}").main()
        print()
    return 0


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {value}")
    return value


def grading(argv) -> int:
    cores = os.cpu_count() or 1
    parser = argparse.ArgumentParser(
        prog="python -m autograder.bench",
        description="Per assignment: the floor (the probes' own compute on the reference), make grade's "
                    "and otter run's time per submission, their ratio, the overhead above the floor, and "
                    "the cost of isolation. Takes minutes; writes the table to build/bench/latest.md.",
        epilog="The algorithms' benchmarks (reverse mode's cheap gradient, matrix-chain orders): "
               "python -m autograder.bench algorithms")
    parser.add_argument("--assignments", nargs="+", default=list(ASSIGNMENT_IDS), metavar="ID",
                        help=f"assignments to measure (default: all of {', '.join(ASSIGNMENT_IDS)})")
    parser.add_argument("--class-size", type=_positive, default=None, help="submissions graded by make grade (default: 100)")
    parser.add_argument("--otter-sample", type=_count, default=None,
                        help="of them, graded by otter run too (default: 5; 0 skips otter)")
    parser.add_argument("--jobs", type=_positive, default=cores, help=f"parallelism of both graders (default: the {cores} cores)")
    parser.add_argument("--no-toggles", action="store_true",
                        help="skip the reruns with AUTOGRADER_CONFINE=0 and AUTOGRADER_FORKSERVER=0")
    parser.add_argument("--table", type=Path, default=None, metavar="PATH",
                        help="where to write the markdown table too (default: build/bench/latest.md)")
    parser.add_argument("--quick", action="store_true", help="smoke test: class of 10, otter sample of 1, floor once")
    args = parser.parse_args(argv)
    unknown = [a for a in args.assignments if a not in ASSIGNMENT_IDS]
    if unknown:
        parser.error(f"unknown assignment {', '.join(unknown)}; choose from {', '.join(ASSIGNMENT_IDS)}")
    class_size = args.class_size or (10 if args.quick else 100)
    otter_sample = min(class_size, args.otter_sample if args.otter_sample is not None else (1 if args.quick else 5))

    from autograder.bench import grading as g

    started = time.monotonic()
    say = partial(print, flush=True)
    rows, failures = [], []
    for assignment in args.assignments:
        try:
            rows.append(g.bench_assignment(assignment, class_size, otter_sample, args.jobs, not args.no_toggles,
                                           floor_repeats=1 if args.quick else 3, say=say))
        except g.BenchFailure as exc:  # one grader failing must not throw away the other rows
            failures.append(f"- {assignment}: not measured: {str(exc).strip()}")
            say(f"   error: {str(exc).strip()}")
    text = g.table(rows) + "\n\n" + g.legend(class_size, otter_sample, args.jobs) + "\n"
    if not args.no_toggles and rows:
        from autograder.bench import layers

        measured = [row.assignment for row in rows]
        text += ("\nThe isolation layers alone (the reference, one submission at a time, confined and not, "
                 "interleaved; medians):\n\n" + layers.table(measured, 3 if args.quick else 9, say) + "\n")
    if failures:
        text += "\nNot measured:\n" + "\n".join(failures) + "\n"
    table_path = args.table or g.LATEST
    table_path.parent.mkdir(parents=True, exist_ok=True)
    table_path.write_text(text)
    print(f"\ndone in {time.monotonic() - started:.0f} s; table written to {table_path}\n")
    print(text)
    return 1 if failures else 0


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        return algorithms(argv[1:]) if argv[:1] == ["algorithms"] else grading(argv)
    except KeyboardInterrupt:
        print("\ninterrupted: no table written", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
