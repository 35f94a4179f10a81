"""The Gradescope bundle grades like ``make grade``, outside otter's kernel, check by check.

Unit tests: ``read_source``'s decoding rule, the results.json a student sees (against a schema
written from Gradescope's documented format), the plugin's hooks on a fake autograder folder.
Integration (slow): forward_mode's bundle built by the release code, run by ``otter run`` on the
reference, the stub, examples and attacks, compared check by check with ``make grade``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from autograder.checking.source import SourceError, decode_source, read_source
from autograder.engine.score import Graded, Outcome
from autograder.gradescope.results import (HIDDEN_FAILED, VISIBILITIES, gradescope_results,
                                           schema_problems)

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "gradescope"
MARKERS = Path("/tmp/autograder-attack-markers")


# -- read_source: one decoding rule for check.py, make grade and the bundle ---------------------
def test_utf8_with_a_bom_and_crlf_reads_as_plain_text(tmp_path):
    f = tmp_path / "a.py"
    f.write_bytes(b"\xef\xbb\xbfx = 'caf\xc3\xa9'\r\ny = 2\r\n")
    assert read_source(f) == "x = 'café'\ny = 2\n"


def test_cp1252_is_accepted_when_utf8_fails():
    # 0xe9 is é and 0x80 is € in cp1252; neither byte can start a UTF-8 sequence here
    assert decode_source(b"# caf\xe9 \x80\nx = 1\n") == "# café €\nx = 1\n"


def test_a_declared_encoding_is_honoured():
    assert decode_source(b"# -*- coding: latin-1 -*-\ns = '\xe9'\n").endswith("s = 'é'\n")


@pytest.mark.parametrize("data", [
    b"x = '\x81'\n",  # 0x81 is undefined in cp1252 and invalid in UTF-8
    b"# coding: klingon\nx = 1\n",  # an encoding Python does not know
    b"# coding: ascii\nx = '\xe9'\n",  # declared ASCII, is not
])
def test_undecodable_files_ask_for_utf8(data):
    with pytest.raises(SourceError, match="save the file as UTF-8"):
        decode_source(data)


def test_lone_cr_line_ends_are_normalized():
    assert decode_source(b"a = 1\rb = 2\r") == "a = 1\nb = 2\n"


# -- results.json: one entry per check -----------------------------------------------------------
def _graded(status="ok", message=""):
    g = Graded("s", "forward_mode", status, message, questions={"q1": "Arithmetic", "q2": "Powers"}, seconds=1.25)
    g.outcomes = [
        Outcome("q1", "sum rule", 1.0, False, True, ""),
        Outcome("q1", "product rule", 2.0, False, False, "for x = Dual(2, 1): expected 140, got 88"),
        Outcome("q2", "powers", 1.5, True, True, ""),
        Outcome("q2", "random powers", 1.0, True, False, "for d = Dual(0.123456, 1): expected 9.87654, got 1"),
    ]
    return g


def test_each_check_is_one_entry_named_as_in_feedback_md():
    res = gradescope_results(_graded())
    assert [t["name"] for t in res["tests"]] == ["q1: sum rule", "q1: product rule", "q2: powers", "q2: random powers"]
    assert [(t["score"], t["max_score"], t["status"]) for t in res["tests"]] == [
        (1.0, 1.0, "passed"), (0.0, 2.0, "failed"), (1.5, 1.5, "passed"), (0.0, 1.0, "failed")]
    assert res["score"] == 2.5
    assert schema_problems(res) == []


def test_public_checks_are_visible_with_their_message_hidden_ones_show_only_a_verdict():
    res = gradescope_results(_graded(), "after_due_date")
    product, hidden_pass, hidden_fail = res["tests"][1], res["tests"][2], res["tests"][3]
    assert product["visibility"] == "visible" and "expected 140, got 88" in product["output"]
    assert hidden_pass["visibility"] == hidden_fail["visibility"] == "after_due_date"
    assert hidden_pass["output"] == "passed" and hidden_fail["output"] == HIDDEN_FAILED
    assert "0.123456" not in json.dumps(res) and "9.87654" not in json.dumps(res)  # the hidden input, the expected value
    assert res["stdout_visibility"] == "hidden"


def test_the_top_level_output_states_the_status_in_one_sentence():
    assert gradescope_results(_graded())["output"] == "Score 2.5 / 5.5. Every check ran normally."
    out = gradescope_results(_graded("timeout", "q2: random powers: did not finish within 5 s"))["output"]
    assert out.startswith("Score 2.5 / 5.5. Status timeout: ") and "did not finish within 5 s" in out
    assert out.count(". ") == 1 and out.endswith(").")  # the score, then one sentence


def test_hidden_visibility_comes_from_assignment_toml_and_is_checked(tmp_path, monkeypatch):
    from autograder.engine import registry

    folder = tmp_path / "assignments"
    for name, line in (("plain", ""), ("shy", 'hidden_tests_visibility = "hidden"\n'),
                       ("typo", 'hidden_tests_visibility = "students"\n')):
        (folder / name).mkdir(parents=True)
        (folder / name / "assignment.toml").write_text(f'title = "T"\n{line}')
    monkeypatch.setattr(registry, "ASSIGNMENTS", folder)
    assert registry.read(folder / "plain" / "assignment.toml").hidden_tests_visibility == "after_published"
    assert registry.read(folder / "shy" / "assignment.toml").hidden_tests_visibility == "hidden"
    with pytest.raises(SystemExit, match="choose one of"):
        registry.read(folder / "typo" / "assignment.toml")
    assert set(VISIBILITIES) == set(registry.VISIBILITIES) == {"hidden", "after_due_date", "after_published", "visible"}


def test_the_schema_rejects_what_gradescope_rejects():
    assert schema_problems({"tests": [{"name": "x", "score": 1, "status": "ok"}]})  # status is passed|failed
    assert schema_problems({"score": 1, "tests": [{"name": "x", "visibility": "public"}]})
    assert schema_problems({"tests": [{"name": "x"}]})  # no score anywhere


# -- the plugin's hooks, on a fake autograder folder ----------------------------------------------
def test_before_grading_sets_the_submission_aside_and_leaves_the_kernel_nothing(tmp_path):
    from autograder.gradescope.plugin import TrustedGrading

    sub = tmp_path / "autograder" / "submission"
    (sub / "otter").mkdir(parents=True)
    (sub / "otter" / "__init__.py").write_text("print('a module that would shadow otter in the kernel')")
    (sub / "tests").mkdir()
    (sub / "tests" / "q1.py").write_text("hidden = True")
    (sub / "forward_mode.py").write_bytes(b"x = 1\r\n")
    (tmp_path / "autograder" / "source").mkdir()
    plugin = TrustedGrading(str(sub / "forward_mode.py"), {}, {"assignment": "forward_mode"})
    plugin.before_grading(None)
    try:
        assert sorted(p.name for p in sub.iterdir()) == ["forward_mode.py"]
        assert (sub / "forward_mode.py").read_text() == ""
        assert plugin.original.read_bytes() == b"x = 1\r\n"  # the bytes as submitted
        nb = plugin.before_execution("import os; os.system('anything')")
        assert nb.cells == []
    finally:
        shutil.rmtree(plugin.work)


# -- the built bundle under otter run, against make grade ----------------------------------------
ATTACKS = ("attack_verdict", "attack_pickle", "attack_reader", "attack_told_where")
# attack_told_where reads the bundle's files from paths it is told: the sandbox's confinement (the
# probe-only world, Landlock, the unprivileged user) stops it, as under make grade.
EXAMPLES = ("ada_lovelace", "bob_smith", "chen_wei")  # correct, loses three questions, loses two


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    from autograder.engine.release import release

    dist = tmp_path_factory.mktemp("dist")
    release("forward_mode", dist, check=False)
    return dist / "forward_mode" / "autograder.zip"


@pytest.fixture(scope="module")
def submissions(tmp_path_factory):
    """A class folder: examples, attacks (stub + attack code) and re-encoded reference solutions."""
    folder = tmp_path_factory.mktemp("class")
    for name in EXAMPLES:
        shutil.copy(ROOT / "examples" / "forward_mode" / f"{name}.py", folder / f"{name}.py")
    stub = (ROOT / "student_template" / "forward_mode.py").read_text()
    for name in ATTACKS:
        (folder / f"{name}.py").write_text(stub + (FIXTURES / f"{name}.py").read_text())
    reference = (ROOT / "solutions" / "forward_mode.py").read_bytes()
    (folder / "bom_crlf.py").write_bytes(b"\xef\xbb\xbf" + reference.replace(b"\n", b"\r\n"))
    return folder


@pytest.fixture(scope="module")
def make_grade(submissions, tmp_path_factory):
    """student -> {check name: passed} and total, from make grade's own code path."""
    from autograder.engine import grade, report

    out = tmp_path_factory.mktemp("grades")
    assert grade.main(["--jobs", "2", "--force", "--submissions", str(submissions), "--out", str(out), "forward_mode"]) == 0
    return {d.name: report.read_student(d) for d in (out / "forward_mode").iterdir() if (d / "results.json").exists()}


def _otter(bundle, path):
    from autograder.engine.release import otter_score

    score, _, res = otter_score(bundle, path, "forward_mode")
    return score, res


@pytest.mark.slow
def test_reference_full_marks_stub_zero_one_valid_entry_per_check(bundle):
    from autograder.engine.suite import load_suite

    questions = load_suite("forward_mode")
    checks = [f"{q.name}: {c.name}" for q in questions for c in q.cases]
    score, res = _otter(bundle, ROOT / "solutions" / "forward_mode.py")
    assert score == sum(q.points for q in questions) > 0 and [t["name"] for t in res["tests"]] == checks
    assert schema_problems(res) == []
    score, res = _otter(bundle, ROOT / "student_template" / "forward_mode.py")
    assert score == 0 and schema_problems(res) == []


@pytest.mark.slow
@pytest.mark.parametrize("student", EXAMPLES + ATTACKS + ("bom_crlf",))
def test_the_bundle_gives_what_make_grade_gives_check_by_check(bundle, submissions, make_grade, student):
    for marker in ("ran-in-kernel", "pickle-ran-in-grader"):
        (MARKERS / marker).unlink(missing_ok=True)
    score, res = _otter(bundle, submissions / f"{student}.py")
    g = make_grade[student]
    assert score == g.total
    assert {t["name"]: t["status"] == "passed" for t in res["tests"]} == {
        f"{o.question}: {o.name}": o.passed for o in g.outcomes}
    assert schema_problems(res) == []
    if student.startswith("attack"):
        assert score == 0, "a pure cheat on the stub earns nothing"
        assert not (MARKERS / "ran-in-kernel").exists(), "the submission ran in otter's kernel"
        assert not (MARKERS / "pickle-ran-in-grader").exists(), "code from the submission ran in the grader"
    text = json.dumps(res)
    assert "hidden=True" not in text and "test_case(" not in text  # no test source reached results.json
    with zipfile.ZipFile(bundle) as z:
        reference = json.loads(z.read("files/reference/forward_mode.json"))
    assert not [key for key in reference if key in text], "reference results reached results.json"
    if student == "attack_reader":
        assert "LOOT none found" in text  # it ran, and found nothing in its folder or above


FULL_MARKS = 38  # forward_mode: the handout's points table (Q1 10, Q2 5, Q3 9, Q4 4, Q5 6, Q6 4)


@pytest.mark.slow
def test_latin1_and_undecodable_files(bundle, tmp_path):
    reference = (ROOT / "solutions" / "forward_mode.py").read_text()
    latin = tmp_path / "latin" / "forward_mode.py"
    latin.parent.mkdir()
    # the solution's few non-cp1252 characters (Greek letters in docstrings) become "?"
    latin.write_bytes(("# Ren\u00e9e's version, \u00a9 2026\n" + reference).encode("cp1252", errors="replace"))
    score, res = _otter(bundle, latin)
    assert score == FULL_MARKS, res["output"]
    broken = tmp_path / "broken" / "forward_mode.py"
    broken.parent.mkdir()
    broken.write_bytes(b"# \x81\x8d\n" + reference.encode())
    score, res = _otter(bundle, broken)
    assert score == 0 and "save the file as UTF-8" in res["output"]


def test_the_bundle_carries_the_engine_and_this_suite_but_no_solution_and_no_real_otter_test(bundle):
    with zipfile.ZipFile(bundle) as z:
        names = set(z.namelist())
        config = json.loads(z.read("otter_config.json"))
        setup = z.read("setup.sh").decode()
        solution = (ROOT / "solutions" / "forward_mode.py").read_bytes()
        assert all(z.read(n) != solution for n in names)
    assert [n for n in names if n.startswith("tests/")] == ["tests/trusted_grading.py"]
    for needed in ("files/autograder/engine/sandbox.py", "files/autograder/checking/checks.py",
                   "files/autograder/gradescope/plugin.py", "files/autograder/suites/forward_mode/q1_arithmetic.py",
                   "files/assignments/forward_mode/assignment.toml", "files/reference/forward_mode.json"):
        assert needed in names
    assert not [n for n in names if "solutions" in n or "/suites/reverse_mode" in n or "student_template" in n]
    assert config["plugins"] == [{"autograder.gradescope.plugin.TrustedGrading": {"assignment": "forward_mode"}}]
    # otter's setup.sh, then ours: the sandbox user, the engine on the grader's path, root-only files
    assert setup.index("mamba env create") < setup.index("useradd --system --no-create-home")
    assert "chmod -R go-rwx /autograder/source" in setup and "autograder_18065.pth" in setup
    assert subprocess.run(["bash", "-n"], input=setup, text=True).returncode == 0


def test_a_submission_that_is_a_symbolic_link_is_graded_as_empty(tmp_path):
    from autograder.gradescope.plugin import TrustedGrading

    secret = tmp_path / "autograder" / "source" / "files" / "reference" / "forward_mode.json"
    secret.parent.mkdir(parents=True)
    secret.write_text('{"hidden": "values"}')
    sub = tmp_path / "autograder" / "submission"
    sub.mkdir()
    (sub / "forward_mode.py").symlink_to(secret)
    plugin = TrustedGrading(str(sub / "forward_mode.py"), {}, {"assignment": "forward_mode"})
    plugin.before_grading(None)
    try:
        assert plugin.original.read_bytes() == b""
    finally:
        shutil.rmtree(plugin.work)
