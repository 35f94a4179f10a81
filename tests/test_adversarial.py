"""The adversarial corpus (tests/fixtures/adversarial/forward_mode/) graded as a dishonest class would be.

Each attack file is written so that its only way to earn points is the attack; ``expected.toml`` says
what it must get once the grader is hardened (issues 9 and 10).  The grading runs happen on a copy of
the project (so an attack that rewrites the suite or plants a module only ever touches the copy, which
also carries the ADVERSARIAL_SANDBOX_COPY marker the tampering attacks require before they write
anything), with the command a TA runs:

    python -m autograder.engine.grade --jobs 2 --submissions <copy> --out <tmp> forward_mode

Runs: one class run with every attack of run = "class" plus two honest victims (aaa_victim graded
before the attackers, zzz_zvictim after), then a resumed run of the same class; a run of the victims
alone (the honest baseline); and one run each for the attacks that need their own setup (a symlink to
the solution, loopback listeners, a process scan, a disk-space measurement).  The bundle part (otter
run on the Gradescope bundle) is marked slow.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "fixtures" / "adversarial" / "forward_mode"
EXPECTED = tomllib.loads((CORPUS / "expected.toml").read_text())
PYTHON = str(ROOT / ".venv" / "bin" / "python")
ASSIGNMENT = "forward_mode"
VICTIMS = ("aaa_victim", "zzz_zvictim")
MARKER = "ADVERSARIAL_SANDBOX_COPY"
RUN_TIMEOUT = 1800  # seconds for one grading run; today the class run takes 3-7 min on 2 busy shared cores

# Source lines that exist only in the hidden suite files (hand-derived formulas): none may reach what a
# student sees, nor anything the submission could write down.
HIDDEN_MARKERS = ("def gradient_formula", "def jacobian_formula", "def rule(", "def chain_rule(", "def power_rule(",
                  "def exact(")


def attacks(run: str) -> list[str]:
    return [name for name, spec in EXPECTED.items() if spec.get("run") == run and name not in VICTIMS]


# -- helpers ---------------------------------------------------------------------------------------------

def make_project(dest: Path) -> Path:
    """A copy of the project the grader runs from; attacks may trash it, never the worktree."""
    dest.mkdir(parents=True)
    for part in ("autograder", "solutions", "assignments", "student_template"):
        shutil.copytree(ROOT / part, dest / part, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for top in ROOT.iterdir():  # requirements.txt (pinned by the release), README.md, Makefile
        if top.is_file() and not top.name.startswith("."):
            shutil.copy(top, dest / top.name)
    (dest / MARKER).write_text("the adversarial tests' throwaway copy of the project\n")
    return dest


HONEST_LINE = "# @honest: _honest.py's compact, correct forward mode is inserted here (test_adversarial.corpus_source)\n"


def corpus_source(name: str) -> str:
    """A fixture's submission text: the shared honest implementation (``_honest.py``, without its
    docstring) written out where the fixture has ``HONEST_LINE``."""
    text = (CORPUS / f"{name}.py").read_text()
    if HONEST_LINE in text:
        honest = (CORPUS / "_honest.py").read_text()
        text = text.replace(HONEST_LINE, honest[honest.index('"""\n', 3) + 4:], 1)
    return text


def copy_submissions(names: list[str], dest: Path, substitutions: dict[str, str] | None = None) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for name in names:
        text = corpus_source(name)
        for old, new in (substitutions or {}).items():
            text = text.replace(old, new)
        (dest / f"{name}.py").write_text(text)
    return dest


def grade(project: Path, submissions: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    cmd = [PYTHON, "-m", "autograder.engine.grade", "--jobs", "2", "--submissions", str(submissions),
           "--out", str(out), *extra, ASSIGNMENT]
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOGRADER_")}
    return subprocess.run(cmd, cwd=project, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT)


def gradebook(out: Path) -> dict[str, dict]:
    path = out / ASSIGNMENT / "grades.csv"
    if not path.exists():
        return {}
    with open(path, newline="") as f:
        return {row["student"]: row for row in csv.DictReader(f)}


def student_result(out: Path, student: str) -> dict | None:
    """(total, status) from results.json when the gradebook was never written (the run aborted)."""
    try:
        return json.loads((out / ASSIGNMENT / student / ".graded.json").read_text())
    except (OSError, ValueError, KeyError):
        return None


def outcome(run: dict, student: str) -> tuple[float | None, str]:
    """(total, status) of one student in a grading run, as the run left it; (None, why) if not graded.

    The gradebook is read only when the run succeeded: after an aborted run, grades.csv may be a
    stale or forged file, and the student's own results.json is the only record.
    """
    if "first" in run:  # captured right after the run, before anything else touched the output
        return run["first"].get(student, (None, "not graded"))
    row = run["book"].get(student)
    if run["proc"].returncode == 0 and row is not None and "status" in row:
        return float(row["total"]), row["status"]
    grading = student_result(run["out"], student)
    if grading is not None:
        total = sum(o["max_points"] for o in grading["outcomes"] if o["passed"])
        return float(total), grading["status"] + " (no gradebook: the run aborted)"
    return None, f"not graded (run exit code {run['proc'].returncode})"


def assert_expected(run: dict, student: str) -> None:
    spec = EXPECTED[student]
    total, status = outcome(run, student)
    allowed = spec["status"] if isinstance(spec["status"], list) else [spec["status"]]
    ok = total == float(spec["total"]) and status in allowed
    if not ok and spec.get("residual"):
        pytest.xfail(f"{student}: residual risk (README): got {total} / {status}")
    assert ok, (f"{student} ({spec['attack']}): expected total {spec['total']} with status {allowed}, "
                f"got {total} / {status}\n{tail(run['proc'])}")


def tail(proc: subprocess.CompletedProcess, n: int = 3000) -> str:
    return f"--- grade stdout (end) ---\n{proc.stdout[-n:]}\n--- grade stderr (end) ---\n{proc.stderr[-n:]}"


def snapshot(folder: Path) -> dict[str, str]:
    """relative path -> sha256 of every file under ``folder`` (bytecode caches and build/ excluded: the
    trusted parent writes those itself -- the probe world, the cached reference results, its logs --
    and the confined child can write nowhere at all)."""
    hashes = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if path.is_file() and "__pycache__" not in path.parts and rel.parts[0] != "build":
            hashes[str(path.relative_to(folder))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return hashes


def processes_matching(*needles: str) -> dict[int, str]:
    """pid -> cmdline of every process whose command line contains one of ``needles`` (no psutil)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if any(n in cmdline for n in needles):
            found[int(entry.name)] = cmdline
    return found


def kill_pids(pids) -> None:
    """Clean-up of what an attack left behind (processes this test's submissions started, by pid)."""
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


# -- the class run -------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    """The honest victims graded alone: what they must get whatever the attackers do."""
    base = tmp_path_factory.mktemp("adv-baseline")
    project = make_project(base / "project")
    subs = copy_submissions(list(VICTIMS), base / "students")
    out = base / "out"
    proc = grade(project, subs, out)
    assert proc.returncode == 0, tail(proc)
    return {"proc": proc, "out": out, "book": gradebook(out)}


@pytest.fixture(scope="module")
def class_run(tmp_path_factory, baseline):
    base = tmp_path_factory.mktemp("adv-class")
    project = make_project(base / "project")
    subs = copy_submissions(list(VICTIMS) + attacks("class"), base / "students",
                            {"/tmp/adv_bundle_pickle_ran": str(base / "pickle_marker")})
    out = base / "out"
    before = snapshot(project)
    proc = grade(project, subs, out)
    after = snapshot(project)
    run = {"proc": proc, "out": out, "book": gradebook(out), "project": project, "base": base,
           "before": before, "after": after, "students": sorted(p.stem for p in subs.glob("*.py"))}
    run["first"] = {s: outcome(run, s) for s in run["students"]}
    (base / "first_run.json").write_text(json.dumps(run["first"], indent=1))  # for the closing note's table
    victim_files = {v: (out / ASSIGNMENT / v / ".graded.json").read_bytes()
                    for v in VICTIMS if (out / ASSIGNMENT / v / ".graded.json").exists()}
    run["victim_files"] = victim_files
    run["book_text"] = (out / ASSIGNMENT / "grades.csv").read_text() if (out / ASSIGNMENT / "grades.csv").exists() else None
    resumed = grade(project, subs, out)
    run["resumed"] = {"proc": resumed, "book_text": (out / ASSIGNMENT / "grades.csv").read_text()
                      if (out / ASSIGNMENT / "grades.csv").exists() else None}
    return run


def test_class_run_finishes_and_grades_everyone(class_run):
    assert class_run["proc"].returncode == 0, tail(class_run["proc"])
    missing = [s for s in class_run["students"] if s not in class_run["book"] or "status" not in class_run["book"][s]]
    assert not missing, f"not in the gradebook: {missing}\n{tail(class_run['proc'])}"


@pytest.mark.parametrize("student", list(VICTIMS) + attacks("class"))
def test_class_attack_gets_exactly_its_expected_score(class_run, student):
    assert_expected(class_run, student)


def test_victims_graded_as_without_attackers(class_run, baseline):
    for victim in VICTIMS:
        want = baseline["book"][victim]
        got = class_run["book"].get(victim)
        assert class_run["proc"].returncode == 0 and got is not None, \
            f"{victim}: no gradebook row (the class run failed)\n{tail(class_run['proc'])}"
        assert got == want, f"{victim}: {got} in the gradebook with attackers, {want} without"
        grading = student_result(class_run["out"], victim)
        clean = student_result(baseline["out"], victim)
        assert [(o["name"], o["passed"]) for o in grading["outcomes"]] == \
               [(o["name"], o["passed"]) for o in clean["outcomes"]], f"{victim}'s results.json was altered"


def test_resumed_run_gives_the_same_gradebook(class_run):
    resumed = class_run["resumed"]
    assert resumed["proc"].returncode == 0, tail(resumed["proc"])
    assert resumed["book_text"] == class_run["book_text"], "a resumed run changed the gradebook"
    for victim, data in class_run["victim_files"].items():
        now = student_result(class_run["out"], victim)
        assert [o["passed"] for o in now["outcomes"]] == \
               [o["passed"] for o in json.loads(data)["outcomes"]]


def test_no_file_of_the_project_changes(class_run):
    before, after = class_run["before"], class_run["after"]
    changed = sorted(k for k in before.keys() & after.keys() if before[k] != after[k])
    added = sorted(after.keys() - before.keys())
    removed = sorted(before.keys() - after.keys())
    assert not (changed or added or removed), f"changed {changed}, added {added}, removed {removed}"


def test_no_planted_module_ever_ran(class_run):
    logs = list(class_run["project"].rglob("planted_ran.log")) + list(class_run["out"].rglob("planted_ran.log"))
    assert not logs, "a planted module ran: " + "; ".join(p.read_text()[:300] for p in logs)


def test_no_hidden_material_is_read_or_shown(class_run):
    """feedback.md is what the student sees; output.txt is what the submission printed (it may not read it)."""
    for student in class_run["students"]:
        folder = class_run["out"] / ASSIGNMENT / student
        for name in ("feedback.md", "output.txt"):
            path = folder / name
            text = path.read_text(errors="replace") if path.exists() else ""
            leaked = [m for m in HIDDEN_MARKERS if m in text]
            assert not leaked, f"{student}/{name} holds hidden suite source ({leaked})"


def test_no_student_reads_another_students_results(class_run):
    output = class_run["out"] / ASSIGNMENT / "zzz_rewriter" / "output.txt"
    text = output.read_text(errors="replace") if output.exists() else ""
    assert "LEAKED FROM aaa_victim" not in text, "zzz_rewriter read aaa_victim's results.json"


def test_no_grader_side_code_from_a_pickle(class_run):
    assert not (class_run["base"] / "pickle_marker").exists()


# -- runs that need their own setup ---------------------------------------------------------------------

def test_symlink_to_the_solution_earns_nothing(tmp_path):
    project = make_project(tmp_path / "project")
    subs = copy_submissions(["aaa_victim"], tmp_path / "students")
    (subs / "sneaky.py").symlink_to(project / "solutions" / f"{ASSIGNMENT}.py")
    out = tmp_path / "out"
    proc = grade(project, subs, out)
    run = {"proc": proc, "out": out, "book": gradebook(out)}
    EXPECTED.setdefault("sneaky", EXPECTED["symlink_to_solution"])
    assert_expected(run, "sneaky")
    assert_expected(run, "aaa_victim")


def test_network_access_is_refused(tmp_path):
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.bind(("127.0.0.1", 0))
    tcp.listen(5)
    tcp.setblocking(False)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    udp.setblocking(False)
    try:
        project = make_project(tmp_path / "project")
        subs = copy_submissions(["aaa_victim", "network_access"], tmp_path / "students",
                                {"TCP_PORT = 0": f"TCP_PORT = {tcp.getsockname()[1]}",
                                 "UDP_PORT = 0": f"UDP_PORT = {udp.getsockname()[1]}"})
        out = tmp_path / "out"
        proc = grade(project, subs, out)
        run = {"proc": proc, "out": out, "book": gradebook(out)}
        reached = []
        try:
            conn, _ = tcp.accept()
            reached.append(f"TCP connection {conn.recv(100)!r}")
            conn.close()
        except BlockingIOError:
            pass
        try:
            reached.append(f"UDP datagram {udp.recv(100)!r}")
        except BlockingIOError:
            pass
    finally:
        tcp.close()
        udp.close()
    log = out / ASSIGNMENT / "network_access" / "output.txt"
    printed = [line for line in (log.read_text().splitlines() if log.exists() else []) if "-OK" in line]
    assert not reached and not printed, f"the submission reached the network: {reached + printed}"
    assert_expected(run, "network_access")
    assert_expected(run, "aaa_victim")


PROCESS_MARKERS = ("987654", "adv-daemon", "30.424242")


def test_no_process_outlives_its_submission(tmp_path):
    assert not processes_matching(*PROCESS_MARKERS), "left over from an earlier run: clean up first"
    project = make_project(tmp_path / "project")
    subs = copy_submissions(["aaa_victim"] + attacks("processes"), tmp_path / "students")
    out = tmp_path / "out"
    proc = grade(project, subs, out)
    run = {"proc": proc, "out": out, "book": gradebook(out)}
    book = out / ASSIGNMENT / "grades.csv"
    book_text = book.read_text() if book.exists() else None
    survivors = processes_matching(*PROCESS_MARKERS)
    time.sleep(4)  # the daemon rewrites the gradebook ~1 s after it appears, if it is alive
    book_later = book.read_text() if book.exists() else None
    kill_pids(processes_matching(*PROCESS_MARKERS))
    assert not survivors, f"{len(survivors)} processes survived, e.g. {list(survivors.values())[:3]}"
    assert book_later == book_text, "the gradebook changed after the run"
    for student in ["aaa_victim"] + attacks("processes"):
        assert_expected(run, student)


def _free_bytes(folder: str) -> int:
    st = os.statvfs(folder)
    return st.f_bavail * st.f_frsize


def _diskfill_leftovers(*folders: Path) -> list[Path]:
    found = []
    for folder in folders:
        found += list(folder.glob("adv_diskfill_*")) if folder.is_dir() else []
    return found


def test_disk_filling_is_contained(tmp_path):
    project = make_project(tmp_path / "project")
    subs = copy_submissions(["aaa_victim", "disk_fill"], tmp_path / "students")
    out = tmp_path / "out"
    free_before = _free_bytes("/tmp")
    try:
        proc = grade(project, subs, out)
        free_after = _free_bytes("/tmp")
        left = _diskfill_leftovers(Path("/tmp"), out, out / ASSIGNMENT, out / ASSIGNMENT / "disk_fill")
    finally:  # the attack's files must never stay on the shared machine
        for path in _diskfill_leftovers(Path("/tmp"), out, out / ASSIGNMENT, out / ASSIGNMENT / "disk_fill"):
            path.unlink(missing_ok=True)
    run = {"proc": proc, "out": out, "book": gradebook(out)}
    # 200 MB: other users of this machine write to /tmp meanwhile; the attack writes 2 GB there
    assert free_after >= free_before - 200 * 2**20, f"/tmp lost {(free_before - free_after) / 2**20:.0f} MB"
    assert not left, f"{len(left)} adv_diskfill_* files outside the scratch folder, e.g. {left[:3]}"
    assert_expected(run, "disk_fill")
    assert_expected(run, "aaa_victim")


# -- the Gradescope bundle ----------------------------------------------------------------------------

BUNDLE_ATTACKS = sorted(name for name in EXPECTED if name.startswith("bundle_"))


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    base = tmp_path_factory.mktemp("adv-bundle")
    project = make_project(base / "project")
    dist = base / "dist"
    code = ("import sys; from pathlib import Path; from autograder.authoring.release import release; "
            f"release({ASSIGNMENT!r}, Path({str(dist)!r}), check=False)")
    proc = subprocess.run([PYTHON, "-c", code], cwd=project, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, tail(proc)
    return {"project": project, "zip": dist / ASSIGNMENT / "autograder.zip", "base": base}


@pytest.mark.slow
@pytest.mark.parametrize("attack", BUNDLE_ATTACKS)
def test_bundle_attack_earns_what_make_grade_gives(bundle, attack, tmp_path):
    marker = tmp_path / "pickle_marker"
    source = corpus_source(attack).replace("/tmp/adv_bundle_pickle_ran", str(marker))
    file = tmp_path / f"{attack}.py"
    file.write_text(source)
    code = ("import json, sys; from pathlib import Path; from autograder.authoring.bundle import otter_score; "
            "s, m, r = otter_score(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]); "
            "print(json.dumps({'score': s, 'max': m, 'results': r}))")
    proc = subprocess.run([PYTHON, "-c", code, str(bundle["zip"]), str(file), ASSIGNMENT], cwd=bundle["project"],
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, tail(proc)
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    problems = []
    if marker.exists():
        problems.append("the bundle's grader process ran code from the submission's pickle")
    visible = json.dumps([t for t in got["results"].get("tests", []) if t.get("visibility") != "hidden"]
                         + [got["results"].get("output", "")])
    leaked = [m for m in HIDDEN_MARKERS if m in visible]
    if leaked:
        problems.append(f"hidden suite source in what the student sees on Gradescope: {leaked}")
    if got["score"] != EXPECTED[attack]["total"]:
        problems.append(f"otter run gives {got['score']} / {got['max']}, make grade must give {EXPECTED[attack]['total']}")
    assert not problems, f"{attack}: " + "; ".join(problems)
