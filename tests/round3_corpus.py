"""Round 3 of the adversarial corpus: the toy attacks (tests/fixtures/adversarial/round3/) written
into a class folder, graded by the grade CLI under watch, and the side effects the rules forbid.

Not a test module: tests/test_round3_fast.py (fast lane) and tests/test_round3.py (slow lane) use it.

``grade_watched`` runs ``python -P -m autograder.engine.grade`` on the toy assignment as a TA does,
and watches it from outside: the grader's own peak memory (VmHWM of its /proc entry, polled), every
process descended from it (so that none may outlive it), the System V IPC objects before and after,
and its stdout as bytes.
"""

from __future__ import annotations

import csv
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote_to_bytes

ROOT = Path(__file__).resolve().parents[1]
TOY = ROOT / "tests" / "fixtures" / "toy"
ADVERSARIAL = ROOT / "tests" / "fixtures" / "adversarial"
CORPUS = ADVERSARIAL / "round3"
EXPECTED: dict[str, dict] = tomllib.loads((CORPUS / "expected.toml").read_text())
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
ENV = {**{k: v for k, v in os.environ.items() if not k.startswith("AUTOGRADER_")},
       "AUTOGRADER_SUITES": str(TOY / "suites"), "AUTOGRADER_SOLUTIONS": str(TOY / "solutions"),
       "AUTOGRADER_ASSIGNMENTS": str(TOY / "assignments"), "PYTHONPATH": str(ROOT)}
VICTIMS = ("aaa_victim", "zzz_victim")
QUESTIONS = ("q1_square", "q2_slow")

# Budgets the rules name (README, "Threat model") or this round assumes where no number is stated yet.
OUTPUT_CAP = 2**20  # output.txt: what the child printed, at most 1 MB
FIGURES_BUDGET = 24 * 2**20  # one student's figures/ (assumed: "a per-submission byte budget")
OUT_DISK_BUDGET = 64 * 2**20  # allocated blocks of the whole out folder (every student of the class)
GRADER_MEMORY = 1536 * 2**20  # the grader's own peak resident memory
MEMORY_BUDGET_MB = 2048  # a child's memory budget (sandbox.Limits.memory_mb)
ESCAPE_MARKER = "r3_escape_marker"  # in every name figures_bad_names tries to write outside its folder
IPC_KEY_BASE = 0x52330000  # sysv_ipc's keys ("R3")
RAW_CONTROL = (b"\x1b", b"\x07", b"\r")


def _load_forms():
    spec = importlib.util.spec_from_file_location("round3_forms", CORPUS / "_forms.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


FORMS = _load_forms()
HONEST = (CORPUS / "_honest.py").read_text()


# -- the class folder ------------------------------------------------------------------------------
def file_names(name: str) -> list[str]:
    """The file names an expected.toml entry of form "py" is handed in under (``names`` and
    ``names_percent``, the latter percent-decoded to bytes and read as the OS reads a name)."""
    spec = EXPECTED[name]
    names = list(spec.get("names", [])) + [os.fsdecode(unquote_to_bytes(n)) for n in spec.get("names_percent", [])]
    return names or [f"{name}.py"]


def students_of(name: str) -> list[str]:
    """The student names (file stems) an expected.toml entry is handed in under."""
    if EXPECTED[name].get("form", "py") != "py":
        return [name]
    return [n[:-3] if n.endswith(".py") else n for n in file_names(name)]


def shown(student: str) -> str:
    """A student's name as a test id (no control or surrogate code point)."""
    return escaped(student).encode("ascii", "backslashreplace").decode()


def spec_of(student: str) -> dict:
    """The expected.toml entry of a student (a stem from ``names`` included)."""
    for name in EXPECTED:
        if student in students_of(name):
            return {**EXPECTED[name], "entry": name}
    raise KeyError(student)


def write_class(folder: Path, entries: list[str], names: dict[str, list[str]] | None = None) -> list[str]:
    """Write the expected.toml ``entries`` into ``folder`` as their students hand them in; ``names``
    narrows an entry's file names (e.g. text_injection as "=1+2.py" only).  The students' names."""
    folder.mkdir(parents=True, exist_ok=True)
    students = []
    for entry in entries:
        spec = EXPECTED[entry]
        form = spec.get("form", "py")
        if form == "py":
            files = (names or {}).get(entry) or file_names(entry)
            for file in files:
                shutil.copy(CORPUS / f"{entry}.py", os.path.join(os.fsencode(folder), os.fsencode(file)))
                students.append(file[:-3])
        elif form == "folder":
            shutil.copytree(CORPUS / entry, folder / entry)
            students.append(entry)
        else:
            getattr(FORMS, form)(folder, HONEST)
            students.append(entry)
    return students


# -- watching a grading run ------------------------------------------------------------------------
def ipc_objects() -> set[tuple[str, str, str]]:
    """(kind, key, id) of every System V IPC object of this machine (/proc/sysvipc)."""
    found = set()
    for kind in ("shm", "sem", "msg"):
        try:
            lines = Path(f"/proc/sysvipc/{kind}").read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) >= 2:
                found.add((kind, fields[0], fields[1]))
    return found


def remove_ipc(objects) -> None:
    """Clean-up of what an attack left (only objects created during the run, by id)."""
    flag = {"shm": "-m", "sem": "-s", "msg": "-q"}
    for kind, _key, ident in objects:
        subprocess.run(["ipcrm", flag[kind], ident], capture_output=True)


_TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, int, float] | None:
    """(parent pid, start time, CPU seconds so far) of a process, None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        return int(fields[1]), int(fields[19]), (int(fields[11]) + int(fields[12])) / _TICKS
    except (OSError, IndexError, ValueError):
        return None


def _vm_hwm(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


@dataclass
class Run:
    proc: subprocess.CompletedProcess
    out: Path
    seconds: float
    peak_rss: int  # the grader's own VmHWM, bytes
    descendants: dict[int, int] = field(default_factory=dict)  # pid -> start time, every one seen
    cpu: dict[int, float] = field(default_factory=dict)  # pid -> the most CPU seconds seen
    survivors: dict[int, str] = field(default_factory=dict)  # pid -> cmdline, alive after the run
    new_ipc: set = field(default_factory=set)

    @property
    def book(self) -> dict[str, dict]:
        path = self.out / "toy" / "grades.csv"
        if not path.exists():
            return {}
        with open(path, newline="", encoding="utf-8", errors="surrogateescape") as f:
            return {row["student"]: row for row in csv.DictReader(f)}

    def row(self, student: str) -> dict | None:
        """The gradebook row of ``student``, whose cell may be written as data (a leading ', escapes)."""
        book = self.book
        for cell in (student, "'" + student, escaped(student), "'" + escaped(student)):
            if cell in book:
                return book[cell]
        return None

    def results(self, student: str) -> dict | None:
        import json

        path = self.out / "toy" / student / "results.json"
        try:
            return json.loads(path.read_text())
        except (OSError, ValueError):
            return None

    def tail(self, n: int = 3000) -> str:
        out = self.proc.stdout.decode(errors="replace") if isinstance(self.proc.stdout, bytes) else self.proc.stdout
        err = self.proc.stderr.decode(errors="replace") if isinstance(self.proc.stderr, bytes) else self.proc.stderr
        return f"--- grade stdout (end) ---\n{out[-n:]}\n--- grade stderr (end) ---\n{err[-n:]}"


def escaped(text: str) -> str:
    """``text`` with its control characters shown as escapes (\\n, \\r, \\t, \\xNN), as the gradebook
    writes a student's name."""
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}

    def one(c: str) -> str:
        code = ord(c)
        if c in named:
            return named[c]
        if code < 0x20 or 0x7f <= code <= 0x9f:
            return f"\\x{code:02x}"
        if 0xD800 <= code <= 0xDFFF:
            return f"\\u{code:04x}"
        return c

    return "".join(one(c) for c in text)


def grade_watched(submissions: Path, out: Path, jobs: int = 2, timeout: float = 1500) -> Run:
    """Grade ``submissions`` (toy) with the grade CLI, watched (see the module's docstring)."""
    ipc_before = ipc_objects()
    cmd = [PYTHON, "-P", "-m", "autograder.engine.grade", "--jobs", str(jobs), "--submissions", str(submissions),
           "--out", str(out), "toy"]
    started = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = [0]
    seen: dict[int, int] = {}
    cpu: dict[int, float] = {}
    stop = threading.Event()

    def watch():
        while not stop.is_set():
            peak[0] = max(peak[0], _vm_hwm(proc.pid))
            family = {proc.pid}
            parents = {}
            for entry in os.listdir("/proc"):
                if entry.isdigit():
                    st = _stat(int(entry))
                    if st:
                        parents[int(entry)] = st
            grew = True
            while grew:  # descendants: parent chains that reach the grader
                grew = False
                for pid, (ppid, start, _) in parents.items():
                    if ppid in family and pid not in family:
                        family.add(pid)
                        seen.setdefault(pid, start)
                        grew = True
            for pid in family - {proc.pid}:
                if seen.get(pid) == parents[pid][1]:
                    cpu[pid] = max(cpu.get(pid, 0.0), parents[pid][2])
            stop.wait(0.1)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:  # the run hangs (e.g. reading a named pipe): a failure, not a wait
        proc.kill()
        stdout, stderr = proc.communicate()
        stderr += f"\n[round3_corpus: the run did not finish within {timeout:g} s and was killed]\n".encode()
    finally:
        stop.set()
        watcher.join()
    seconds = time.monotonic() - started
    survivors = {}
    deadline = time.monotonic() + 5  # fork servers exit by themselves once the grader's socket closes
    while True:
        survivors = {pid: _cmdline(pid) for pid, start in seen.items() if (_stat(pid) or (0, -1, 0))[1] == start}
        if not survivors or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    new_ipc = ipc_objects() - ipc_before
    completed = subprocess.CompletedProcess(cmd, proc.returncode, stdout, stderr)
    return Run(completed, out, seconds, peak[0], seen, cpu, survivors, new_ipc)


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")[:200]
    except OSError:
        return "?"


def kill_survivors(run: Run) -> None:
    """Clean-up of processes that outlived the run (by pid, each one this run started)."""
    import signal

    for pid in run.survivors:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


# -- what the rules forbid --------------------------------------------------------------------------
def disk_usage(folder: Path) -> int:
    """Allocated bytes (st_blocks: fallocate'd blocks count even where the size says 0) under ``folder``."""
    total = 0
    for path in folder.rglob("*"):
        try:
            st = path.lstat()
        except OSError:
            continue
        total += st.st_blocks * 512
    return total


def score_problems(run: Run, student: str) -> list[str]:
    """What differs from expected.toml for ``student`` (empty: exactly as expected)."""
    spec = spec_of(student)
    row = run.row(student)
    if run.proc.returncode != 0 or row is None:
        return [f"no gradebook row (run exit code {run.proc.returncode})"]
    allowed = spec["status"] if isinstance(spec["status"], list) else [spec["status"]]
    got = (float(row["q1_square"]), float(row["q2_slow"]), float(row["total"]), row["status"])
    want = (float(spec["q1"]), float(spec["q2"]), float(spec["total"]))
    problems = []
    if got[:3] != want or got[3] not in allowed:
        problems.append(f"got q1 {got[0]:g}, q2 {got[1]:g}, total {got[2]:g}, status {got[3]}; expected "
                        f"q1 {want[0]:g}, q2 {want[1]:g}, total {want[2]:g}, status {' or '.join(allowed)}")
    if "max_seconds" in spec:
        results = run.results(student) or {}
        took = results.get("execution_time")
        if took is None or took >= spec["max_seconds"]:
            problems.append(f"graded in {took} s, the rules' deadlines allow less than {spec['max_seconds']} s")
    if "max_cpu_seconds" in spec:  # the attack prints "r3 pid N" from the child it spins in
        log = run.out / "toy" / student / "output.txt"
        pids = [int(p) for p in re.findall(r"r3 pid (\d+)", log.read_text(errors="replace") if log.exists() else "")]
        if not pids:
            problems.append("the attack's child never said its pid (output.txt): its CPU time is unknown")
        for pid in pids:
            used = run.cpu.get(pid)
            if used is None or used > spec["max_cpu_seconds"]:
                problems.append(f"its child (pid {pid}) used {used} s of CPU before it was stopped; the deadline "
                                f"allows {spec['max_cpu_seconds']} s")
    return problems


def strip_code_spans(line: str) -> str:
    """``line`` without its inline code spans (CommonMark: a run of n backticks up to the next run of
    exactly n), which a renderer shows literally; an unclosed run is literal backticks."""
    out, i = [], 0
    while i < len(line):
        if line[i] != "`":
            out.append(line[i])
            i += 1
            continue
        j = i
        while j < len(line) and line[j] == "`":
            j += 1
        fence = line[i:j]
        close = re.search(r"(?<!`)" + fence + r"(?!`)", line[j:])
        if close is None:
            out.append(fence)
            i = j
        else:
            out.append(" ")
            i = j + close.end()
    return "".join(out)


def text_problems(run: Run, students: list[str]) -> list[str]:
    """Raw control bytes in what a TA or a student reads; student-made Markdown/HTML as structure in
    summary.md; a gradebook cell a spreadsheet reads as a formula."""
    problems = []
    texts = {"the grader's stdout": run.proc.stdout, "the grader's stderr": run.proc.stderr}
    summary = run.out / "toy" / "summary.md"
    if summary.exists():
        texts["summary.md"] = summary.read_bytes()
    for feedback in sorted((run.out / "toy").glob("*/feedback.md")):
        texts[f"{feedback.parent.name!r}/feedback.md"] = feedback.read_bytes()
    for written in ["grades.csv", "summary.md"]:
        if (run.out / "toy" / written).exists():
            texts.setdefault(written, (run.out / "toy" / written).read_bytes())
    for results in sorted((run.out / "toy").glob("*/results.json")):
        texts[f"{results.parent.name!r}/results.json"] = results.read_bytes()
    for where, data in texts.items():
        raw = [repr(c) for c in RAW_CONTROL if c in data.replace(b"\r\n", b"\n")]  # CRLF: a CSV line end
        if raw:
            problems.append(f"raw {', '.join(raw)} in {where}")
        if "the grader's" not in where:
            try:
                data.decode("utf-8")
            except UnicodeDecodeError as exc:
                problems.append(f"{where} is not valid UTF-8 ({exc})")
    if "summary.md" in texts:
        text = texts["summary.md"].decode(errors="replace")
        for line in text.splitlines():
            prose = strip_code_spans(line)  # what a Markdown renderer reads as Markdown and HTML
            if re.match(r"\s{0,3}#+\s*Forged", prose) or re.match(r"\s*\|\s*a\s*\|\s*b\s*\|", prose) \
                    or re.search(r"<\s*/?\s*script", prose, re.I):
                problems.append(f"student-made structure in summary.md: {line[:120]!r}")
    for cell in run.book:
        if cell.startswith(("=", "+", "-", "@", "\t", "\r")):
            problems.append(f"grades.csv student cell {cell!r} starts like a formula")
    for student in students:
        if student[:1] in "=+-@" and run.row(student) is not None and ("'" + student) not in run.book:
            problems.append(f"grades.csv: the cell of {student!r} does not start with '")
    return problems


# -- the cost-guard attacks on real assignments -------------------------------------------------------
SGD = ADVERSARIAL / "sgd_without_replacement"
SGD_EXPECTED: dict[str, dict] = tomllib.loads((SGD / "expected_round3.toml").read_text())
REVERSE = ADVERSARIAL / "reverse_mode"
REVERSE_EXPECTED: dict[str, dict] = tomllib.loads((REVERSE / "expected.toml").read_text())
QUADRATIC_LINE = "# @quadratic_grad\n"


def sgd_source(name: str) -> str:
    """An sgd attack as a submission: the reference solution, then the attack (as the conftest
    fixture ``sgd_attacks`` writes expected.toml's)."""
    return (ROOT / "solutions" / "sgd_without_replacement.py").read_text() + "\n\n" + (SGD / f"{name}.py").read_text()


def reverse_source(name: str) -> str:
    """A reverse_mode attack as a submission: the reference solution, then the attack with
    _quadratic_grad.py (without its docstring) at its ``# @quadratic_grad`` line."""
    quadratic = (REVERSE / "_quadratic_grad.py").read_text()
    quadratic = quadratic[quadratic.index('"""\n', 3) + 4:]
    text = (REVERSE / f"{name}.py").read_text()
    assert QUADRATIC_LINE in text, f"{name}.py has no {QUADRATIC_LINE.strip()!r} line"
    return (ROOT / "solutions" / "reverse_mode.py").read_text() + "\n\n" + text.replace(QUADRATIC_LINE, quadratic, 1)
