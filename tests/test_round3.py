"""Round 3 of the adversarial corpus, slow lane (the cheap cases also run in the fast lane:
tests/test_round3_fast.py).

1. The toy corpus (tests/fixtures/adversarial/round3/, expected.toml): one class run of every attack
   with two honest victims, aaa_victim (a folder, graded first) and zzz_victim (graded last), under
   watch (round3_corpus.grade_watched), against a run of the victims alone.  Checked: each attack's
   exact score and status; the victims exactly as without the attackers; and every side effect the
   rules forbid: the run fails; a System V IPC object survives; a file appears outside the out
   folder; a process outlives the run; output.txt over 1 MB, a student's figures over their budget,
   the out folder's allocated disk over its bound; the grader's own peak memory at 1.5 GB; a child
   holds more memory than its budget; raw control bytes, forged Markdown/HTML or a formula cell in
   what a TA or a student reads.
2. The cost-guard attacks on real assignments (sgd_without_replacement's O(n) check:
   expected_round3.toml; reverse_mode's cheap-gradient check: reverse_mode/expected.toml), each
   appended to the reference solution, graded by make grade's CLI and, for a few, by otter run on a
   bundle built from a copy of the project (test_adversarial's helpers).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from autograder.engine import report

from round3_corpus import (ESCAPE_MARKER, EXPECTED, FIGURES_BUDGET, GRADER_MEMORY, IPC_KEY_BASE,
                           MEMORY_BUDGET_MB, OUT_DISK_BUDGET, OUTPUT_CAP, REVERSE_EXPECTED, ROOT, SGD_EXPECTED,
                           VICTIMS, disk_usage, grade_watched, kill_survivors, remove_ipc, reverse_source,
                           score_problems, sgd_source, shown, students_of, text_problems, write_class)
from test_adversarial import PYTHON, make_project, tail

pytestmark = pytest.mark.slow

ALL_STUDENTS = [s for name in EXPECTED for s in students_of(name)]
ATTACKERS = [s for s in ALL_STUDENTS if s not in VICTIMS]


# -- 1. the toy corpus, one class run ----------------------------------------------------------------
@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    """The victims graded alone: what they must get whatever the attackers do."""
    base = tmp_path_factory.mktemp("round3-baseline")
    write_class(base / "class", list(VICTIMS))
    run = grade_watched(base / "class", base / "out")
    kill_survivors(run)
    assert run.proc.returncode == 0, run.tail()
    return run


def _marker_files(*roots: Path, depth: int | None = None) -> list[Path]:
    found = []
    for root in roots:
        if not root.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(root):
            rel = Path(dirpath).relative_to(root)
            if depth is not None and len(rel.parts) >= depth:
                dirnames[:] = []
            dirnames[:] = [d for d in dirnames if d not in (".venv", ".git", "node_modules")]
            found += [Path(dirpath) / n for n in filenames + dirnames if ESCAPE_MARKER in n]
    return found


@pytest.fixture(scope="module")
def class_run(tmp_path_factory, baseline):
    base = tmp_path_factory.mktemp("round3-class")
    students = write_class(base / "class", list(EXPECTED))
    tmp_before = set(_marker_files(Path("/tmp"), depth=2))
    run = grade_watched(base / "class", base / "out", jobs=2, timeout=600)  # it takes ~1 min
    kill_survivors(run)
    allowed = base / "out" / "toy" / "figures_bad_names"
    escaped = [p for p in _marker_files(base, ROOT / "tests", ROOT / "build", depth=8) + _marker_files(Path("/tmp"), depth=2)
               if allowed not in p.parents and p not in tmp_before]
    ours = {o for o in run.new_ipc if int(o[1], 0) & 0xFFFF0000 == IPC_KEY_BASE}
    remove_ipc(ours)  # the attack's objects never stay on the machine
    for path in escaped:  # nor its files
        if path.is_file() or path.is_symlink():
            path.unlink(missing_ok=True)
    return {"run": run, "students": students, "escaped": escaped, "base": base}


def test_class_run_finishes_and_grades_everyone(class_run):
    run = class_run["run"]
    assert run.proc.returncode == 0, run.tail()
    missing = [s for s in class_run["students"] if run.row(s) is None]
    assert not missing, f"not in the gradebook: {missing}\n{run.tail()}"


@pytest.mark.parametrize("student", ALL_STUDENTS, ids=[shown(s) for s in ALL_STUDENTS])
def test_class_attack_gets_exactly_its_expected_score(class_run, student):
    run = class_run["run"]
    problems = score_problems(run, student)
    assert not problems, f"{student}: " + "; ".join(problems) + "\n" + run.tail(1500)


def test_victims_graded_as_without_attackers(class_run, baseline):
    run = class_run["run"]
    for victim in VICTIMS:
        got, want = run.row(victim), baseline.row(victim)
        assert got is not None, f"{victim}: no gradebook row\n{run.tail()}"
        assert got == want, f"{victim}: {got} with attackers, {want} without"
        outcomes = lambda r: [(t["name"], t["score"], t["status"]) for t in (r.results(victim) or {}).get("tests", [])]
        assert outcomes(run) == outcomes(baseline), f"{victim}'s results.json differs from the victims-only run"


def test_no_sysv_ipc_object_survives(class_run):
    new = class_run["run"].new_ipc
    assert not new, f"System V IPC objects created during the run and still there after it: {sorted(new)}"


def test_no_file_outside_the_out_folder(class_run):
    escaped = class_run["escaped"]
    assert not escaped, f"files written outside the student's folder: {escaped[:5]}"
    out = class_run["run"].out
    assert sorted(p.name for p in out.iterdir()) == ["toy"], sorted(p.name for p in out.iterdir())
    top = {p.name for p in (out / "toy").iterdir() if not p.is_dir()}
    # the class's own files (report.py and the course tools write them): none named by a student
    assert not top - report.GRADEBOOK_FILES, f"files the grader does not write: {sorted(top - report.GRADEBOOK_FILES)}"


def test_no_process_outlives_the_run(class_run):
    run = class_run["run"]
    assert run.descendants, "the watcher saw no process of the grader: the test is blind"
    assert not run.survivors, f"{len(run.survivors)} processes outlived the run, e.g. {list(run.survivors.values())[:3]}"


def test_output_figures_and_disk_stay_within_their_budgets(class_run):
    out = class_run["run"].out / "toy"
    problems = []
    for output in out.glob("*/output.txt"):
        if output.stat().st_size > OUTPUT_CAP or output.stat().st_blocks * 512 > OUTPUT_CAP + 2**20:
            problems.append(f"{output.parent.name}/output.txt: {output.stat().st_size} bytes, "
                            f"{output.stat().st_blocks * 512} allocated")
    for figures in out.glob("*/figures"):
        size = sum(p.stat().st_size for p in figures.rglob("*") if p.is_file())
        if size > FIGURES_BUDGET:
            problems.append(f"{figures.parent.name}/figures: {size / 2**20:.0f} MB")
    used = disk_usage(class_run["run"].out)
    if used > OUT_DISK_BUDGET:
        problems.append(f"the out folder uses {used / 2**20:.0f} MB of disk")
    assert not problems, "; ".join(problems)


def test_the_graders_own_memory_stays_bounded(class_run):
    run = class_run["run"]
    assert run.peak_rss, "VmHWM of the grader was never read: the test is blind"
    assert run.peak_rss < GRADER_MEMORY, f"the grader's peak resident memory reached {run.peak_rss / 2**20:.0f} MB"


def test_no_child_holds_more_than_its_memory_budget(class_run):
    out = class_run["run"].out / "toy"
    problems = []
    for student in ("memfd_hog", "sysv_ipc"):
        log = out / student / "output.txt"
        text = log.read_text(errors="replace") if log.exists() else ""
        held = [int(a or b) for a, b in re.findall(r"(\d+) MB held|held (\d+) MB", text)]
        if held and max(held) > MEMORY_BUDGET_MB:
            problems.append(f"{student} held {max(held)} MB (budget {MEMORY_BUDGET_MB} MB)")
    assert not problems, "; ".join(problems)


def test_no_fallocate_reaches_a_file(class_run):
    log = class_run["run"].out / "toy" / "fallocate_fds" / "output.txt"
    text = log.read_text(errors="replace") if log.exists() else ""
    won = re.search(r"allocated on descriptors \[([^\]]+)\]", text)
    assert not won, f"fallocate succeeded on descriptors {won.group(1)} of the child"


def test_printed_text_and_odd_names_stay_text(class_run):
    run = class_run["run"]
    assert run.proc.returncode == 0, run.tail()
    problems = text_problems(run, class_run["students"])
    assert not problems, "\n".join(problems)


# -- 2. cost guards on real assignments -------------------------------------------------------------
def _write(folder: Path, sources: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in sources.items():
        (folder / f"{name}.py").write_text(text)
    return folder


def test_sgd_cost_guard_attacks_lose_exactly_the_o_n_check(tmp_path, grade_cli):
    folder = _write(tmp_path / "sgd", {name: sgd_source(name) for name in SGD_EXPECTED})
    rows = grade_cli("sgd_without_replacement", folder, tmp_path / "out")
    got = {n: (float(r["q2_running_mean"]), float(r["total"]), r["status"]) for n, r in rows.items()}
    want = {n: (float(e["q2_running_mean"]), float(e["total"]), e["status"]) for n, e in SGD_EXPECTED.items()}
    wrong = {n: f"got {got.get(n)}, expected {want[n]} ({SGD_EXPECTED[n]['attack']})" for n in want if got.get(n) != want[n]}
    assert not wrong, "\n".join(f"{n}: {w}" for n, w in wrong.items())


def test_reverse_mode_cost_guard_attacks_lose_exactly_the_cheap_gradient_check(tmp_path, grade_cli):
    folder = _write(tmp_path / "reverse", {name: reverse_source(name) for name in REVERSE_EXPECTED})
    rows = grade_cli("reverse_mode", folder, tmp_path / "out")
    got = {n: (float(r["q6_scale_and_cost"]), float(r["total"]), r["status"]) for n, r in rows.items()}
    want = {n: (float(e["q6_scale_and_cost"]), float(e["total"]), e["status"]) for n, e in REVERSE_EXPECTED.items()}
    wrong = {n: f"got {got.get(n)}, expected {want[n]} ({REVERSE_EXPECTED[n]['attack']})" for n in want if got.get(n) != want[n]}
    assert not wrong, "\n".join(f"{n}: {w}" for n, w in wrong.items())


# -- the bundle side: otter run on a bundle released from a copy of the project -------------------------
BUNDLE_ATTACKS = {"sgd_without_replacement": ["memo_running_mean", "clock_rebind_probing", "baseline_settrace"],
                  "reverse_mode": ["memo_grad", "clock_rebind_timed", "slow_f_outside_grad"]}


@pytest.fixture(scope="module")
def bundles(tmp_path_factory):
    """assignment -> its autograder.zip, built by the release code (no gate) in a copy of the project,
    as test_adversarial's bundle fixture builds forward_mode's."""
    base = tmp_path_factory.mktemp("round3-bundles")
    project = make_project(base / "project")
    dist = base / "dist"
    code = ("from pathlib import Path; from autograder.authoring.release import release; "
            + "; ".join(f"release({a!r}, Path({str(dist)!r}), check=False)" for a in BUNDLE_ATTACKS))
    proc = subprocess.run([PYTHON, "-c", code], cwd=project, capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, tail(proc)
    return {"project": project, **{a: dist / a / "autograder.zip" for a in BUNDLE_ATTACKS}}


def _otter_total(bundles, assignment: str, file: Path) -> float:
    code = ("import json, sys; from pathlib import Path; from autograder.authoring.bundle import otter_score; "
            "s, m, r = otter_score(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]); print(json.dumps({'score': s}))")
    proc = subprocess.run([PYTHON, "-c", code, str(bundles[assignment]), str(file), assignment], cwd=bundles["project"],
                          capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, tail(proc)
    return float(json.loads(proc.stdout.strip().splitlines()[-1])["score"])


@pytest.mark.parametrize("assignment", sorted(BUNDLE_ATTACKS))
def test_bundle_cost_guard_attacks_earn_what_make_grade_must_give(bundles, assignment, tmp_path):
    expected = SGD_EXPECTED if assignment == "sgd_without_replacement" else REVERSE_EXPECTED
    source = sgd_source if assignment == "sgd_without_replacement" else reverse_source
    files = {}
    for name in BUNDLE_ATTACKS[assignment]:
        files[name] = tmp_path / name / f"{assignment}.py"
        files[name].parent.mkdir()
        files[name].write_text(source(name))
    with ThreadPoolExecutor(max_workers=2) as pool:
        totals = dict(zip(files, pool.map(lambda n: _otter_total(bundles, assignment, files[n]), files)))
    want = {n: float(expected[n]["total"]) for n in files}
    assert totals == want, f"otter run gives {totals}; the rules give {want}"
