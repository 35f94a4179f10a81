"""The Gradescope bundle grades like ``make grade``, outside otter's kernel, check by check.

Unit tests: ``read_source``'s decoding rule, the results.json a student sees (against a schema
written from Gradescope's documented format), the plugin's hooks on a fake autograder folder; every
kind of upload (several files, a notebook, a misnamed file, a rerun), the isolation check, the
bundle's environment and the .venv's finder for otter run (no otter run, no kernel: a few seconds).
Integration (slow): forward_mode's bundle built by the release code, run by ``otter run`` on the
reference, the stub, examples and attacks, compared check by check with ``make grade``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder.checking.source import SourceError, decode_source, read_source
from autograder.engine import discover
from autograder.engine.score import Graded, Outcome
from autograder.gradescope import upload
from autograder.gradescope.plugin import TrustedGrading
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
    from autograder.gradescope import upload
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
        assert (sub / "forward_mode.py").read_bytes() == upload.PLACEHOLDER_PY
        assert plugin.original.read_bytes() == b"x = 1\r\n"  # the bytes as submitted
        assert (tmp_path / "autograder" / "upload" / "otter" / "__init__.py").exists()  # set aside, not run
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
    from autograder.authoring.release import release

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
    from autograder.authoring.bundle import otter_score

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


def test_a_submission_that_is_a_symbolic_link_is_never_followed(tmp_path):
    from autograder.gradescope.plugin import TrustedGrading

    secret = tmp_path / "autograder" / "source" / "files" / "reference" / "forward_mode.json"
    secret.parent.mkdir(parents=True)
    secret.write_text('{"hidden": "values"}')
    sub = tmp_path / "autograder" / "submission"
    sub.mkdir()
    (sub / "forward_mode.py").symlink_to(secret)
    plugin = TrustedGrading(str(sub / "forward_mode.py"), {}, {"assignment": "forward_mode"})
    plugin.before_grading(None)
    try:  # make grade's verdict on a folder holding a link: nothing graded, the link never read
        assert plugin.original is None and plugin.choice.source is None
        assert "symbolic link" in plugin.choice.problem and "hidden" not in plugin.choice.problem
    finally:
        shutil.rmtree(plugin.work)


# == uploads, isolation, the bundle's environment (unit level) ===================================
ID = "forward_mode"


def _layout(tmp_path: Path, files: dict[str, bytes]) -> Path:
    """A Gradescope /autograder folder with ``files`` uploaded; returns it."""
    ag = tmp_path / "autograder"
    for name, data in files.items():
        (ag / "submission" / name).parent.mkdir(parents=True, exist_ok=True)
        (ag / "submission" / name).write_bytes(data)
    (ag / "submission").mkdir(parents=True, exist_ok=True)
    (ag / "source" / "files" / "autograder").mkdir(parents=True)
    (ag / "source" / "otter_config.json").write_text("{}")
    return ag


def _otter_resolves(submission: Path) -> str:
    """The file otter's PythonRunner picks in ``submission`` (raises as otter does)."""
    from otter.run.run_autograder.autograder_config import AutograderConfig
    from otter.run.run_autograder.runners.python_runner import PythonRunner

    cwd = os.getcwd()
    os.chdir(submission)
    try:
        return PythonRunner(AutograderConfig({})).resolve_submission_path()
    finally:
        os.chdir(cwd)


class _Config:  # otter's AutograderConfig, as much as before_grading reads of it
    def __init__(self, otter_run: bool):
        self.otter_run = otter_run


def _plugin(ag: Path, resolved: str, otter_run: bool = False) -> TrustedGrading:
    plugin = TrustedGrading(str(ag / "submission" / resolved), {}, {"assignment": ID})
    plugin.before_grading(_Config(otter_run))
    return plugin


def _notebook(*cells: str) -> bytes:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# my work"),
                                         *[nbformat.v4.new_code_cell(c) for c in cells]])
    return nbformat.writes(nb).encode()


REFERENCE = (ROOT / "solutions" / f"{ID}.py").read_bytes()


# -- several files: otter would refuse them before any plugin hook ------------------------------
@pytest.mark.parametrize("extra", ["helper.py", "sitecustomize.py"])
def test_several_files_the_assignment_is_graded_the_others_ignored_and_named(tmp_path, extra):
    from otter.run.run_autograder.utils import OtterRuntimeError

    ag = _layout(tmp_path, {f"{ID}.py": REFERENCE, extra: b"import os; os.system('touch /tmp/pwned')\n"})
    with pytest.raises(OtterRuntimeError, match="More than one Python file"):
        _otter_resolves(ag / "submission")  # what the student got: "Autograder Error"
    upload.prepare(ag, ID)  # the bundle's run_otter.py, before otter
    assert _otter_resolves(ag / "submission") == f"{ID}.py"
    plugin = _plugin(ag, f"{ID}.py")
    try:
        assert plugin.original.read_bytes() == REFERENCE
        assert plugin.choice.notes == [f"graded {ID}.py; ignored (never run): {extra}"]
        assert sorted(p.name for p in (ag / "submission").iterdir()) == [f"{ID}.py"]
        assert (ag / "submission" / f"{ID}.py").read_bytes() == upload.PLACEHOLDER_PY
    finally:
        shutil.rmtree(plugin.work)


def test_the_bundles_run_otter_sets_the_upload_aside_before_otter_runs(tmp_path):
    from autograder.authoring.bundle import RUN_OTTER_CALL, _prepare_upload_first

    stock = 'if __name__ == "__main__":\n' + RUN_OTTER_CALL
    patched = _prepare_upload_first(stock, ID)
    assert patched.index("prepare(\"/autograder\", 'forward_mode')") < patched.index(RUN_OTTER_CALL)
    compile(patched, "run_otter.py", "exec")
    with pytest.raises(SystemExit, match="run_autograder"):
        _prepare_upload_first("something else", ID)


# -- a notebook: its code cells, as make grade reads them ---------------------------------------
def test_a_notebook_is_graded_from_its_code_cells_as_make_grade_reads_it(tmp_path):
    data = _notebook("%matplotlib inline", REFERENCE.decode())
    ag = _layout(tmp_path, {f"{ID}.ipynb": data})
    plugin = _plugin(ag, f"{ID}.ipynb", otter_run=True)  # otter run resolved the notebook itself
    try:
        assert plugin.original.read_bytes() == discover.notebook_source(data).encode()
        assert plugin.choice.graded == f"{ID}.ipynb"
        # otter reads the file it resolved as a notebook before before_execution: it must stay one
        nbformat.read(ag / "submission" / f"{ID}.ipynb", as_version=4)
    finally:
        shutil.rmtree(plugin.work)
    # make grade: a student's folder holding the same notebook grades the same text
    (tmp_path / "class" / "alice").mkdir(parents=True)
    (tmp_path / "class" / "alice" / f"{ID}.ipynb").write_bytes(data)
    found = discover.discover(tmp_path / "class", ID, tmp_path / "staging")["alice"]
    assert found.source.read_bytes() == discover.notebook_source(data).encode()


# -- a misnamed file: the same verdict as make grade ----------------------------------------------
def test_a_misnamed_upload_is_missing_on_both_paths(tmp_path):
    ag = _layout(tmp_path, {f"{ID} (1).py": REFERENCE})
    upload.prepare(ag, ID)
    plugin = _plugin(ag, f"{ID}.py")
    try:
        assert plugin.original is None and plugin.choice.source is None
        assert f"{ID} (1).py" in plugin.choice.problem and f"named exactly {ID}.py" in plugin.choice.problem
        assert plugin.choice.problem.startswith("your upload has no")
    finally:
        shutil.rmtree(plugin.work)
    (tmp_path / "class" / "alice").mkdir(parents=True)
    (tmp_path / "class" / "alice" / f"{ID} (1).py").write_bytes(REFERENCE)
    assert discover.discover(tmp_path / "class", ID, tmp_path / "staging")["alice"].source is None


def test_otter_run_grades_the_one_file_a_ta_names_whatever_its_name(tmp_path):
    ag = _layout(tmp_path, {"alice.py": REFERENCE})
    plugin = _plugin(ag, "alice.py", otter_run=True)
    try:
        assert plugin.original.read_bytes() == REFERENCE
    finally:
        shutil.rmtree(plugin.work)


# -- a second run in the same container, a missing results folder --------------------------------
def test_a_rerun_without_a_new_upload_grades_the_same_file(tmp_path):
    ag = _layout(tmp_path, {f"{ID}.py": REFERENCE, "notes.txt": b"hi"})
    firsts = []
    for run in range(2):
        upload.prepare(ag, ID)
        (ag / "submission" / "tests").mkdir()  # what otter copies in before the plugin runs
        (ag / "submission" / "__init__.py").write_text("")
        plugin = _plugin(ag, f"{ID}.py")
        try:
            firsts.append((plugin.original.read_bytes(), plugin.choice.notes))
        finally:
            shutil.rmtree(plugin.work)
    assert firsts[0] == firsts[1] == (REFERENCE, [f"graded {ID}.py; ignored (never run): notes.txt"])


def test_a_new_upload_replaces_what_was_set_aside(tmp_path):
    ag = _layout(tmp_path, {f"{ID}.py": b"x = 1\n"})
    upload.prepare(ag, ID)
    for entry in (ag / "submission").iterdir():
        entry.unlink()
    (ag / "submission" / f"{ID}.py").write_bytes(b"x = 2\n")
    upload.prepare(ag, ID)
    assert (ag / "upload" / f"{ID}.py").read_bytes() == b"x = 2\n"


def test_prepare_creates_a_missing_results_folder(tmp_path):
    ag = _layout(tmp_path, {f"{ID}.py": REFERENCE})
    assert not (ag / "results").exists()
    upload.prepare(ag, ID)
    assert (ag / "results").is_dir()


# -- isolation: checked, printed, refused when a layer is off ------------------------------------
FULL = {"limits": "on", "uid": "on: uid 999", "landlock": "on: ABI 4", "seccomp": "on: no new processes",
        "verified": {"read outside the sandbox": True, "start a process": True}}


def _graded_with_layers(tmp_path, monkeypatch, layers, require=True):
    from autograder.engine import registry
    from autograder.gradescope import grade_one
    from autograder.gradescope.plugin import PLUGIN_KEY
    from otter.test_files import GradingResults

    monkeypatch.setattr(grade_one, "isolation", lambda assignment: layers)
    graded = []
    real_get = registry.get

    def fake_grade(path, assignment, work, **kw):
        graded.append(path)
        return grade_one.grade_missing(assignment, "stand-in")

    monkeypatch.setattr(grade_one, "grade_submission", fake_grade)
    monkeypatch.setattr(registry, "get", lambda a: __import__("dataclasses").replace(real_get(a), require_isolation=require))
    ag = _layout(tmp_path, {f"{ID}.py": REFERENCE})
    plugin = _plugin(ag, f"{ID}.py")
    results = GradingResults([])
    plugin.after_grading(results)
    return results.get_plugin_data(PLUGIN_KEY), plugin.generate_report(), graded


@pytest.mark.parametrize("layer,state", [("landlock", "off: the landlockpy package is not installed"),
                                         ("seccomp", "off: libseccomp is not available (OSError)"),
                                         ("cgroup", "off: no cgroup v2 here")])  # a layer added later
def test_a_layer_that_is_off_means_nothing_is_graded_and_staff_are_told(tmp_path, monkeypatch, layer, state):
    from autograder.gradescope.results import MISCONFIGURED, schema_problems

    data, report, graded = _graded_with_layers(tmp_path, monkeypatch, {**FULL, layer: state})
    assert graded == [], "the student's code ran without every isolation layer"
    assert data["score"] == 0 and data["output"] == MISCONFIGURED
    assert [t["name"] for t in data["tests"]] == [f"autograder misconfigured: {layer} unavailable ({state})"]
    assert all(t["visibility"] == "hidden" for t in data["tests"]) and schema_problems(data) == []
    assert state in report and "NOT GRADED" in report


def test_a_verified_action_that_was_possible_is_a_misconfiguration(tmp_path, monkeypatch):
    layers = {**FULL, "verified": {"read outside the sandbox": True, "start a process": False}}
    data, _, graded = _graded_with_layers(tmp_path, monkeypatch, layers)
    assert graded == [] and [t["name"] for t in data["tests"]] == [
        "autograder misconfigured: start a process not blocked (self-test)"]


def test_full_isolation_grades_and_prints_the_layers_to_staff(tmp_path, monkeypatch):
    data, report, graded = _graded_with_layers(tmp_path, monkeypatch, FULL)
    assert len(graded) == 1 and data["extra_data"]["isolation"] == FULL
    for state in ("on: ABI 4", "on: uid 999", "on: no new processes"):
        assert state in report


def test_require_isolation_false_grades_anyway_and_says_so(tmp_path, monkeypatch):
    data, report, graded = _graded_with_layers(tmp_path, monkeypatch, {**FULL, "landlock": "off: old kernel"},
                                               require=False)
    assert len(graded) == 1 and "off: old kernel" in report and "require_isolation = false" in report


def test_require_isolation_is_a_checked_assignment_key(tmp_path, monkeypatch):
    from autograder.engine import registry

    for name, line in (("plain", ""), ("lax", "require_isolation = false\n"), ("typo", 'require_isolation = "no"\n')):
        (tmp_path / name).mkdir()
        (tmp_path / name / "assignment.toml").write_text(f'title = "T"\n{line}')
    assert registry.read(tmp_path / "plain" / "assignment.toml").require_isolation is True
    assert registry.read(tmp_path / "lax" / "assignment.toml").require_isolation is False
    with pytest.raises(SystemExit, match="true or false"):
        registry.read(tmp_path / "typo" / "assignment.toml")


# -- the bundle's environment: every package the engine imports, pinned ------------------------
def test_the_engines_imports_are_scanned_from_the_shipped_files(tmp_path):
    from autograder.authoring.bundle import _stage_engine, bundle_requirements, engine_distributions, imported_modules

    _stage_engine(tmp_path, ID)  # what the bundle's files/ holds
    modules = imported_modules(tmp_path)
    assert {"landlockpy", "pyseccomp", "numpy", "matplotlib", "nbformat", "otter"} <= modules
    assert not modules & {"os", "json", "autograder", "__future__"}
    pins = bundle_requirements(tmp_path).splitlines()
    for dist in ("landlockpy", "pyseccomp", "numpy", "matplotlib"):
        assert [p for p in pins if p.lower().startswith(dist + "==")], dist
    assert "pillow" in engine_distributions(tmp_path)  # what matplotlib needs, pinned too


def test_the_release_gate_refuses_an_environment_without_a_confinement_package(tmp_path):
    from autograder.authoring.gate import environment_problems

    files = {"files/autograder/__init__.py": "", "files/autograder/engine/confine.py": "import landlockpy\nimport pyseccomp\n"}
    for listed, expected in ((["landlockpy==0.2.0", "pyseccomp==0.1.2"], []),
                             (["landlockpy==0.2.0"], ["pyseccomp"]),
                             (["landlockpy==0.1.0", "pyseccomp==0.1.2"], ["landlockpy==0.1.0"])):
        bundle = tmp_path / "autograder.zip"
        with zipfile.ZipFile(bundle, "w") as z:
            for name, text in files.items():
                z.writestr(name, text)
            z.writestr("environment.yml", "dependencies:\n  - pip:\n" + "".join(f"      - {p}\n" for p in listed))
        problems = environment_problems(bundle)
        assert len(problems) == len(expected) and all(e in p for e, p in zip(expected, problems)), problems


# -- otter run on a TA's machine: the bundle's engine without PYTHONPATH --------------------------
def test_the_venv_finds_the_bundles_engine_inside_otters_layout(tmp_path):
    from autograder.gradescope import bundle_import

    ag = _layout(tmp_path, {"x.py": b""})
    (ag / "source" / "files" / "autograder" / "__init__.py").write_text("WHERE = 'bundle'\n")
    code = ("import sys; sys.path[:] = [p for p in sys.path if p not in ('', %r)]; "
            "import bundle_import; bundle_import.install(); import autograder; print(autograder.WHERE)") % str(ROOT)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {
        "PYTHONPATH": str(ROOT / "autograder" / "gradescope")}
    out = subprocess.run([sys.executable, "-c", code], cwd=ag / "submission", env=env, capture_output=True, text=True)
    assert out.stdout.strip() == "bundle", out.stderr
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert "ModuleNotFoundError" in out.stderr  # outside otter's layout it answers nothing


def test_make_setup_installs_the_finder_in_the_venv():
    site = subprocess.run([sys.executable, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True).stdout.strip()
    if not Path(site, "_autograder_bundle_import.pth").exists():
        pytest.skip("this Python is not the project's .venv set up by make")
    out = subprocess.run([sys.executable, "-c", "import sys; print([f.__name__ for f in sys.meta_path if isinstance(f, type)])"],
                         capture_output=True, text=True)
    assert "BundleFinder" in out.stdout
    assert Path(site, "_autograder_bundle_import.py").read_text() == (ROOT / "autograder/gradescope/bundle_import.py").read_text()


@pytest.mark.slow
def test_otter_run_on_a_ta_machine_grades_a_notebook_with_no_pythonpath(bundle, make_grade, tmp_path):
    """`otter run -a autograder.zip alice.ipynb` from any folder, the project's .venv, no PYTHONPATH:
    the notebook's code cells are graded as make grade grades them (it used to give no results.json)."""
    source = (ROOT / "examples" / ID / "bob_smith.py").read_bytes()
    nb = tmp_path / "alice.ipynb"
    nb.write_bytes(_notebook("%matplotlib inline", source.decode()))
    out = tmp_path / "out"
    out.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "AUTOGRADER_BUILD")}
    proc = subprocess.run([str(Path(sys.executable).with_name("otter")), "run", "--no-logo", "-a", str(bundle),
                           "-o", str(out), str(nb)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900)
    assert "ModuleNotFoundError" not in proc.stdout + proc.stderr, proc.stderr[-2000:]
    res = json.loads((out / "results.json").read_text())
    g = make_grade["bob_smith"]
    assert res["score"] == g.total > 0 and schema_problems(res) == []
    assert {t["name"]: t["status"] == "passed" for t in res["tests"]} == {
        f"{o.question}: {o.name}": o.passed for o in g.outcomes}
