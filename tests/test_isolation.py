"""The isolation of a submission's process (issue: trusted grading under make grade).

* the probe-only world holds no expectation, judge, reference result or solution (grepped);
* the child's rewrite keeps exactly what probes need (a hand-written example);
* the parent's parser refuses every malformed event, the decoder every malformed value;
* attacks on the toy assignment (tests/fixtures/toy/attacks, expected.toml written from the rules)
  get exactly their expected scores, and leave nothing behind.
"""

import ast
import base64
import csv
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest

from autograder.checking.plain import BadData, decode, encode
from autograder.engine import probe_world
from autograder.engine.protocol import CheckDone, Loaded, ProtocolError, parse_event
from autograder.engine import registry
from autograder.engine.suite import load_suite

ROOT = Path(__file__).resolve().parents[1]
TOY = ROOT / "tests" / "fixtures" / "toy"
ENV = {**os.environ, "AUTOGRADER_SUITES": str(TOY / "suites"), "AUTOGRADER_SOLUTIONS": str(TOY / "solutions"),
       "AUTOGRADER_ASSIGNMENTS": str(TOY / "assignments")}


def landlock_available() -> bool:
    try:
        import landlockpy
    except ImportError:
        return False
    return landlockpy.abi_version() >= 1


needs_landlock = pytest.mark.skipif(not landlock_available(), reason="this kernel has no Landlock")


# -- the probe-only world -------------------------------------------------------------------------
def test_probe_only_rewrite_keeps_probes_inputs_and_helpers_only():
    source = '''"""Q9 -- a question."""
import math
from otter.test_files import test_case
from autograder.checking import REFERENCE, check, close, seeded

OK_FORMAT = False
name = "q9"
SECRET = 140.0  # a reference value
_xs = [float(v) for v in seeded(1).uniform(0, 1, 3)]


def formula(x):
    """the hand-derived answer"""
    return math.cos(x) * SECRET


def build(m, x):
    return m.Dual(x, 1.0)


@test_case(name="rule", points=1, hidden=True)
@check(cases=[(x,) for x in _xs], expect=formula, judge=close(rtol=1e-13), describe=lambda x: f"x={x}", timeout=5)
def probe(m, x):
    """doc"""
    return build(m, x).deriv
'''
    text, imported = probe_world.probe_only(source)
    expected = '''from autograder.checking import check, seeded
_xs = [float(v) for v in seeded(1).uniform(0, 1, 3)]

def build(m, x):
    return m.Dual(x, 1.0)

@check(cases=[(x,) for x in _xs], timeout=5)
def probe(m, x):
    return build(m, x).deriv
'''
    assert text == expected
    assert imported == {"autograder.checking": {"check", "seeded"}}


@pytest.mark.parametrize("assignment", registry.ids())
def test_staged_world_holds_no_expectation_judge_or_reference(assignment):
    world = probe_world.build(assignment)
    staged = {p: p.read_text() for p in (world.root / "autograder" / "suites").rglob("*.py")}
    words = set().union(*(re.findall(r"\b\w+\b", text) for text in staged.values()))
    # every name defined at the top of the real suite that the world dropped, and every expectation
    # and judge function a check names, must be absent from the world
    suite_dir = probe_world.SUITES / assignment
    full = set()
    for f in suite_dir.glob("*.py"):
        full |= {n for node in ast.parse(f.read_text()).body for n in probe_world._defined(node)}
    kept = set()
    for f in (world.root / "autograder" / "suites" / assignment).glob("*.py"):
        kept |= {n for node in ast.parse(f.read_text()).body for n in probe_world._defined(node)}
    dropped = full - kept - {"OK_FORMAT", "name"}
    named = set()
    for q in load_suite(assignment):
        for case in q.cases:
            for fn in (case.check.expect, case.check.judge):
                qual = getattr(fn, "__qualname__", "")
                if callable(fn) and "<lambda>" not in qual:
                    named.add(qual.split(".")[0])
    assert dropped, "the rewrite dropped nothing: the judge side is still in the world"
    leaked = (dropped | (named - kept)) & words
    assert not leaked, f"judge-side names in the probe world: {sorted(leaked)}"
    text = "\n".join(staged.values())
    for marker in ("expect=", "judge=", "describe=", "reference_results", "REFERENCE", "test_case", "solutions"):
        assert marker not in text, marker
    assert not list(world.root.rglob("*.json"))


# -- the parent trusts nothing it reads -----------------------------------------------------------
@pytest.mark.parametrize("line, why", [
    (b'{"event": "check", "key": "other", "results": []}', "while"),
    (b'{"event": "check", "key": "q:k"}', "results"),
    (b'{"event": "check", "key": "q:k", "results": [1, 2, 3]}', "results for a check of 2"),
    (b'{"event": "hello"}', "unknown event"),
    (b"[" * 100000 + b"]" * 100000, "unreadable"),
    (b'{"event": "check", "key": "q:k", "results": [' + b"9" * 5000 + b', 1]}', "unreadable"),
    (b"\xff\xfe garbage", "unreadable"),
    (b'{"event": "loaded", "error": {"kind": "made up", "message": "x"}}', "load error"),
    # millions of small objects in one line: refused before it is parsed (the parent's memory)
    (b'{"event": "check", "key": "q:k", "results": [[' + b"0," * 300_000 + b'0], 1]}', "200,000 values"),
    (b'{"event": "part", "key": "q:k"}', "without a result"),
    (b'{"event": "ready", "key": "other"}', "while"),
])
def test_malformed_events_are_refused_with_a_reason(line, why):
    with pytest.raises(ProtocolError, match=why):
        parse_event(line, "q:k", 2)


PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"0" * 10).decode()


@pytest.mark.parametrize("name, data", [("a" * 65, PNG), ("\u00e9t\u00e9", PNG), ("../x", PNG), ("", PNG),
                                        ("ok", "bm90IGEgcG5n"), ("ok", "not base64!"), ("ok", 3)])
def test_a_malformed_figure_is_dropped_and_the_results_kept(name, data):
    """Figures are kept for the TA and never cost a point: a bad one is not kept, nothing else changes
    (a name becomes a file name: only 1-64 letters, digits and _)."""
    line = json.dumps({"event": "check", "key": "q:k", "results": [1, 2], "figures": {name: data, "good": PNG}})
    done = parse_event(line.encode(), "q:k", 2)
    assert done.results == [1, 2] and list(done.figures) == ["good"]


def test_well_formed_events_parse():
    assert parse_event(b'{"event": "loaded", "error": null}') == Loaded(None)
    done = parse_event(b'{"event": "check", "key": "q:k", "results": [{"t": "int", "v": 3}]}', "q:k", 1)
    assert isinstance(done, CheckDone) and done.results == [{"t": "int", "v": 3}]


@pytest.mark.parametrize("data", [
    {"t": "int", "v": 10**500}, {"t": "float", "v": "1e5"}, {"t": "np", "dtype": "<U3", "v": "abc"},
    {"t": "np", "dtype": "object", "v": 1},
    {"t": "ndarray", "dtype": "<f8", "shape": [3], "v": [1.0, 2.0, 3.0]},  # numbers travel as bytes only
    {"t": "ndarray", "dtype": "<f8", "shape": [3], "b64": "AAAAAAAA8D8="},  # 8 bytes for 3 floats
    {"t": "ndarray", "dtype": "<f8", "shape": [1], "b64": "not base64!"},
    {"t": "ndarray", "dtype": "<U1", "shape": [1], "b64": "YQAAAA=="},  # text is not a numeric dtype
    {"t": "ndarray", "dtype": "|b1", "shape": [1], "b64": "Ag=="},  # a bool stored as the byte 2
    {"t": "ndarray", "dtype": "object", "shape": [2], "v": [{"t": "int", "v": 1}]},
    {"t": "arrays", "dtype": "<i8", "shape": [1], "n": 1, "b64": "AQAAAAAAAAA="},  # encode stacks 2 or more
    {"t": "arrays", "dtype": "<i8", "shape": [], "n": 2, "b64": "AQAAAAAAAAABAAAAAAAAAA=="},  # 0-d items
    {"t": "list", "v": {"a": 1}}, {"t": "raised", "types": [1], "v": "x"}, {"v": 1}, "text", None,
    {"t": "dict", "v": [["k"]]},
])
def test_decode_refuses_what_encode_never_writes(data):
    with pytest.raises(BadData):
        decode(data)


@pytest.mark.parametrize("value", [
    np.array([1.5, -np.inf, np.nan, -0.0]), np.arange(6, dtype=">i4").reshape(2, 3)[:, ::2],
    np.zeros((0, 3)), np.array([True, False]), np.array([1, "a"], dtype=object),
    [np.arange(3), np.arange(3) * 2], [np.arange(3), np.arange(4)], [np.arange(2), [1]], [np.array(1)] * 2,
])
def test_arrays_round_trip_exactly(value):
    """Numeric arrays travel as their bytes (a list of same-shaped ones as one block) and come back
    with the same dtype, shape and bits: nan, -0.0 and a big-endian dtype included."""
    got = decode(encode(value))
    pairs = list(zip(got, value)) if isinstance(value, list) else [(got, value)]
    assert isinstance(got, type(value)) and len(pairs) == (len(value) if isinstance(value, list) else 1)
    for g, v in pairs:
        v = np.asarray(v)
        assert isinstance(g, (np.ndarray, list)) and np.asarray(g).shape == v.shape
        if v.dtype != object:
            assert np.asarray(g).dtype == v.dtype and np.asarray(g).tobytes() == v.tobytes()
        else:
            assert list(g) == list(v)


def test_decode_depth_is_bounded():
    deep = {"t": "list", "v": []}
    for _ in range(500):
        deep = {"t": "list", "v": [deep]}
    with pytest.raises(BadData, match="deeper"):
        decode(deep)


def test_encode_keeps_values_not_what_objects_claim():
    class Liar(float):
        def __eq__(self, other):
            return True

    assert decode(encode(Liar(2.5))) == 2.5 and type(decode(encode(Liar(2.5)))) is float
    assert decode(encode(10**1000))  # an absurd int becomes an opaque description, not a crash


# -- attacks on the toy assignment, end to end ----------------------------------------------------
ATTACKS = tomllib.loads((TOY / "attacks" / "expected.toml").read_text())


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    out = tmp_path_factory.mktemp("attacked")
    marker = Path("/tmp/toy-attack-was-here")
    marker.unlink(missing_ok=True)
    cmd = [sys.executable, "-P", "-m", "autograder.engine.grade", "--jobs", "2", "--verbose",  # the layers in full
           "--submissions", str(TOY / "attacks"), "--out", str(out), "toy"]
    env = {**ENV, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with open(out / "toy" / "grades.csv", newline="") as f:
        rows = {r["student"]: r for r in csv.DictReader(f)}
    return out, rows, proc.stdout, marker.exists()


@needs_landlock
@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_each_attack_gets_exactly_its_expected_score(attacked, attack):
    _, rows, _, _ = attacked
    spec, row = ATTACKS[attack], rows[attack]
    assert (float(row["q1_square"]), float(row["q2_slow"]), row["status"]) == (spec["q1"], spec["q2"], spec["status"]), \
        spec["attack"]


@needs_landlock
def test_attacks_leave_nothing_behind(attacked):
    out, _, stdout, marker_written = attacked
    assert not marker_written
    assert not list((TOY / "attacks").glob("toy-attack-*")) and not list(ROOT.glob("toy-attack-*"))
    assert "isolation of each submission's process" in stdout and "POSSIBLE" not in stdout


@needs_landlock
def test_forged_events_fail_the_check_with_a_reason(attacked):
    out, _, _, _ = attacked
    results = json.loads((out / "toy" / "forge_pipe" / "results.json").read_text())
    square = next(t for t in results["tests"] if t["name"].startswith("q1_square: square matches the formula"))
    # a forged event is what the submission "returned": judged like any result (here: wrong), and
    # every malformed one after it ends that child; a fresh child grades the remaining checks
    assert square["score"] == 0 and square["status"] == "failed"
    sqrt = next(t for t in results["tests"] if "raises ValueError" in t["name"])
    assert sqrt["score"] == 1


@needs_landlock
def test_a_link_to_the_solution_is_refused(tmp_path):
    klass = tmp_path / "class"
    (klass / "folder_link").mkdir(parents=True)
    (klass / "file_link.py").symlink_to(TOY / "solutions" / "toy.py")
    (klass / "dir_link").symlink_to(TOY / "solutions", target_is_directory=True)
    (klass / "folder_link" / "toy.py").symlink_to(TOY / "solutions" / "toy.py")
    cmd = [sys.executable, "-P", "-m", "autograder.engine.grade", "--submissions", str(klass), "--out",
           str(tmp_path / "out"), "toy"]
    proc = subprocess.run(cmd, cwd=ROOT, env={**ENV, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with open(tmp_path / "out" / "toy" / "grades.csv", newline="") as f:
        rows = {r["student"]: r for r in csv.DictReader(f)}
    for student in ("file_link", "dir_link", "folder_link"):
        assert float(rows[student]["total"]) == 0 and rows[student]["status"] in ("error", "missing"), rows[student]
