"""The sandboxed child: import one submission, run the probes it is asked for, report plain data.

Started by ``sandbox.run_submission`` with resource limits already applied.  It reads one JSON
request on stdin ({"submission", "assignment", "keys"}), and writes JSON lines on the pipe that was
its stdout (the student's own prints go to the capped log file that is its stderr):

    {"event": "loaded", "error": null | {"kind", "message"}, "forbidden": [...]}
    {"event": "check", "key": "...", "results": [<plain data>, ...], "forbidden": [...], "seconds": 0.01}
    {"event": "check", "key": "...", "timeout": "did not finish within ..."}

It loads the suite in probe-only mode *before* the student's code runs, so no expectation or judge
ever exists in this process: it sees a check's inputs and returns outputs, nothing else.
"""

from __future__ import annotations

import errno
import json
import os
import sys
import time
import traceback
import types


def main() -> None:
    results = os.fdopen(os.dup(1), "w", buffering=1)  # the result pipe
    os.dup2(2, 1)  # from now on fd 1 (student prints) goes to the capped log
    sys.stdout = os.fdopen(1, "w", buffering=1, closefd=False)

    request = json.loads(sys.stdin.read())
    sys.stdin = open(os.devnull)  # a submission that reads input() gets EOF, not a hang

    def emit(event: dict) -> None:
        results.write(json.dumps(event) + "\n")
        results.flush()

    import autograder.checking.checks as checking
    from autograder.engine.suite import import_otter_test_files_only, load_suite

    checking.PROBE_ONLY = True
    import_otter_test_files_only()

    checks = {case.key: case.check for q in load_suite(request["assignment"]) for case in q.cases}
    preloaded = set(checking.forbidden_modules_loaded())

    def forbidden() -> list[str]:  # imported by the submission so far (at the top or inside a function)
        return sorted(set(checking.forbidden_modules_loaded()) - preloaded)

    module, error = load_submission(request["submission"], request["assignment"])
    emit({"event": "loaded", "error": error, "forbidden": forbidden()})
    if module is None:
        return
    for key in request["keys"]:
        t0 = time.perf_counter()
        try:
            outputs = checks[key].run_probes(module)
        except checking.CheckTimedOut as exc:
            emit({"event": "check", "key": key, "timeout": str(exc)})
            continue
        emit({"event": "check", "key": key, "results": outputs, "forbidden": forbidden(),
              "seconds": time.perf_counter() - t0})


def load_submission(path: str, name: str):
    """(module or None, error or None) for the student's file.

    A file that raises while being imported still yields its partly filled module (with the error).
    """
    try:
        with open(path, "rb") as f:
            code = compile(f.read(), path, "exec")
    except SyntaxError as exc:
        where = f"line {exc.lineno}" + (f", column {exc.offset}" if exc.offset else "")
        return None, {"kind": "syntax", "message": f"SyntaxError at {where}: {exc.msg}"}
    except (ValueError, RecursionError, MemoryError) as exc:  # NUL bytes, absurd nesting
        return None, {"kind": "syntax", "message": f"the file cannot be parsed: {type(exc).__name__}: {exc}"}

    module = types.ModuleType(name)
    module.__file__ = path
    sys.modules[name] = module  # so dataclasses, pickling and self-imports behave as usual
    try:
        exec(code, module.__dict__)
    except BaseException as exc:  # SystemExit and KeyboardInterrupt included: report, don't die
        kind = error_kind(exc)
        # Like otter (one notebook cell run until it fails), grade the names defined before the
        # crash: both grading paths then agree, and a late typo does not cost every question.
        partial = module if kind == "import" else None
        return partial, {"kind": kind, "message": import_error_message(exc, path)}
    return module, None


def error_kind(exc: BaseException) -> str:
    if isinstance(exc, MemoryError):
        return "memory"
    if isinstance(exc, OSError) and exc.errno == errno.EFBIG:  # RLIMIT_FSIZE: the output cap
        return "output"
    return "import"


def import_error_message(exc: BaseException, path: str) -> str:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == path]
    where = f" at line {frames[-1].lineno}" if frames else ""
    if isinstance(exc, MemoryError):
        return f"ran out of memory while importing the file{where}"
    if isinstance(exc, OSError) and exc.errno == errno.EFBIG:
        return f"printed more than the output cap while importing the file{where} (the contract says nothing is printed)"
    return f"importing the file raised {type(exc).__name__}{where}: {str(exc)[:300]}"


if __name__ == "__main__":
    if len(sys.argv) > 1:  # e.g. --help: this is an internal command, started by sandbox.py
        print(__doc__)
        sys.exit(0 if sys.argv[1] in ("-h", "--help") else 2)
    main()
