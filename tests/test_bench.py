"""make bench: the class it grades, the table it prints, and a --quick run end to end.

Timings are never asserted (a shared machine moves them by tens of percent): only that every
measured cell is there and is a positive number.
"""

import importlib
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from autograder.bench.grading import COLUMNS, BenchFailure, Row, class_pool, grade_seconds, table, write_class

ROOT = Path(__file__).resolve().parents[1]


def test_class_pool_is_reference_template_and_examples_without_the_hangs():
    pool, skipped = class_pool("reverse_mode")
    expected = tomllib.loads((ROOT / "examples" / "reverse_mode" / "expected.toml").read_text())
    hangs = sorted(s for s, spec in expected.items() if spec["status"] == "timeout")
    labels = [label for label, _ in pool]
    assert labels[:2] == ["reference", "template"]
    assert sorted(skipped) == hangs and hangs  # the examples do contain hangs to leave out
    assert sorted(labels[2:]) == sorted(set(expected) - set(hangs))
    # a student submitted as a folder is graded from the <id>.py inside it
    assert dict(pool)["grace_hopper"] == ROOT / "examples" / "reverse_mode" / "grace_hopper" / "reverse_mode.py"


def test_write_class_takes_the_pool_round_robin(tmp_path):
    a, b = tmp_path / "a.py", tmp_path / "b.py"
    a.write_text("A = 1\n")
    b.write_text("B = 2\n")
    files = write_class([("a", a), ("b", b)], 5, tmp_path / "class")
    assert [f.name for f in files] == ["s000_a.py", "s001_b.py", "s002_a.py", "s003_b.py", "s004_a.py"]
    assert [f.read_text() for f in files] == ["A = 1\n", "B = 2\n"] * 2 + ["A = 1\n"]


def test_table_cells_from_hand_made_numbers():
    # make grade ran at 0.4 s and 0.2 s per submission: mean 300 ms, spread 200 ms; with 2 jobs a
    # submission costs 2 x 300 = 600 ms on its core, 560 above the class's own 40 ms (the
    # reference's 50 ms floor is shown, not subtracted); otter 3 s = 10x; without confinement
    # 250 ms: isolation costs 50 ms = 17 % of 300; without the fork server 450 ms: the fork server
    # saves 150 ms = 50 %; otter's stock in-kernel grading at 6 s is 20x make grade.
    row = Row("forward_mode", floor=0.05, grade_runs=[0.4, 0.2], class_floor=0.04, jobs=2, otter=3.0,
              otter_stock=6.0, no_confine=0.25, no_forkserver=0.45)
    lines = table([row]).splitlines()
    assert lines[0] == "| " + " | ".join(COLUMNS) + " |"
    assert lines[2] == "| forward_mode | 50 | 40 | 300 | 560 | 3000 | 10.0x | 6000 | 20.0x | +50 (+17 %) | +150 (+50 %) | 200 |"


def test_table_without_class_floor_otter_nor_toggles_shows_dashes():
    # no class floor measured: the overhead is taken above the reference's floor, 500 - 100
    row = Row("matrix_chain", floor=0.1, grade_runs=[0.5])
    assert table([row]).splitlines()[2] == "| matrix_chain | 100 | - | 500 | 400 | - | - | - | - | - | - | - |"


def test_class_mean_weights_each_file_by_its_count_in_the_class():
    from autograder.bench.grading import class_mean

    pool = [("a", Path("a.py")), ("b", Path("b.py")), ("c", Path("c.py"))]
    # a class of 5 from a, b, c round-robin is a, b, c, a, b: (2 x 1 + 2 x 2 + 1 x 10) / 5
    assert class_mean({"a": 1.0, "b": 2.0, "c": 10.0}, pool, 5) == pytest.approx(16 / 5)


def test_class_floor_probes_every_file_even_one_that_fails_to_import(tmp_path):
    """Measured seconds (never asserted beyond being positive and finite): a file that raises on
    import is probed on what it defined, as the grading child does, and does not stop the others."""
    from autograder.bench.grading import class_floor_seconds

    pool, _ = class_pool("forward_mode")
    broken = tmp_path / "broken.py"
    broken.write_text("raise RuntimeError('an example bug at import')\n")
    seconds = class_floor_seconds("forward_mode", pool[:2] + [("broken", broken)], size=3, repeats=1)
    assert 0 < seconds < 60


def _number(cell: str) -> float:
    match = re.fullmatch(r"([+-]?\d+(?:\.\d+)?)x?(?: \([+-]?\d+ %\))?", cell)
    assert match, f"not a measurement: {cell!r}"
    return float(match.group(1))


@pytest.mark.slow  # 40-100 s: a real bench run (make grade four times, otter run twice)
def test_quick_bench_on_forward_mode_prints_a_full_table(tmp_path):
    """~30-60 s on 2 cores: a class of 10, one otter run of each bundle, the two toggled reruns."""
    latest = tmp_path / "latest.md"
    proc = subprocess.run([sys.executable, "-m", "autograder.bench", "--quick", "--assignments", "forward_mode",
                           "--table", str(latest)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "floor" in proc.stdout and "otter run on 1" in proc.stdout  # progress lines while it runs
    text = latest.read_text()
    assert text in proc.stdout  # the table printed is the table written
    tables = text.split("\n\n")
    lines = [line for line in tables[0].splitlines() if line.startswith("|")]
    assert lines[0] == "| " + " | ".join(COLUMNS) + " |"
    assert len(lines) == 3, "one header, one rule, one row per assignment"
    layers = [line for line in text.split("The isolation layers alone")[1].splitlines() if line.startswith("|")]
    assert len(layers) == 3 and layers[2].startswith("| forward_mode |")
    confined, unconfined = (_number(c.strip()) for c in layers[2].strip("|").split("|")[1:3])
    assert confined > 0 and unconfined > 0
    cells = [c.strip() for c in lines[2].strip("|").split("|")]
    assert cells[0] == "forward_mode"
    floor, class_floor, grade, overhead, otter, ratio, stock, stock_ratio, isolation, gain, spread = \
        map(_number, cells[1:])
    assert floor > 0 and class_floor > 0 and grade > 0 and otter > 0 and ratio > 0 and spread >= 0
    assert stock > 0 and stock_ratio > 0
    assert overhead > 0  # a sandboxed child per submission cannot cost less than the bare probes
    # the toggles' differences are noise-sized today, of either sign: only their presence is checked


def test_bad_arguments_are_refused_without_a_traceback():
    proc = subprocess.run([sys.executable, "-m", "autograder.bench", "--assignments", "backprop"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "unknown assignment backprop" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("name", ["reverse_mode", "matrix_chain"])
def test_algorithm_benchmarks_stay_reachable(name):
    proc = subprocess.run([sys.executable, "-m", "autograder.bench", "algorithms", "--help"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and name in proc.stdout
    assert callable(importlib.import_module(f"autograder.bench.{name}").main)  # what `algorithms` runs


def test_a_failing_assignment_keeps_the_other_rows(tmp_path, monkeypatch, capsys):
    from autograder.bench import __main__ as cli
    from autograder.bench import grading

    def fake(assignment, *args, **kwargs):
        if assignment == "matrix_chain":
            raise grading.BenchFailure("make grade failed on the matrix_chain class (exit 1)")
        return Row(assignment, floor=0.1, grade_runs=[0.2])

    monkeypatch.setattr(grading, "bench_assignment", fake)
    latest = tmp_path / "latest.md"
    status = cli.main(["--assignments", "forward_mode", "matrix_chain", "--table", str(latest), "--no-toggles"])
    assert status == 1
    text = latest.read_text()
    assert "| forward_mode | 100 | - | 200 |" in text and "| matrix_chain |" not in text
    assert "- matrix_chain: not measured: make grade failed" in text


def test_make_grade_that_grades_fewer_than_the_class_is_a_failure(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "s000.py").write_text((ROOT / "solutions" / "forward_mode.py").read_text())
    with pytest.raises(BenchFailure, match="graded 1 of the 2 submissions"):
        grade_seconds("forward_mode", folder, jobs=1, size=2)
