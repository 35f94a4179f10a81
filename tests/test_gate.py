"""The release gate refuses each deliberate mistake with a sentence naming it, never a traceback.

Every mistake is planted in a fresh assignment made by ``make new-assignment`` (the scaffold) in a
copy of the project, as an instructor would make it:

* fast lane: the static rules (``gate.static_problems``, in a subprocess of the copy), the judges of
  one grade run (``gate.graded_problems`` on results.json written here: each rule against a wrong
  input and a right one), and ``--no-gate``'s "NOT GATED";
* slow lane: one ``make release`` of the copy with four graded mistakes planted at once, which must
  name all four (the gate reports every problem at once) and leave nothing in dist/.
"""

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder.authoring import gate
from test_adversarial import make_project

ID = "gate_fixture_softmax"  # not an id an author would pick: the copy holds the real assignments too
Q = "q1_derivative_of_square"
SUITE_FILE = f"autograder/suites/{ID}/{Q}.py"


@pytest.fixture(scope="module")
def scaffolded(tmp_path_factory) -> Path:
    project = make_project(tmp_path_factory.mktemp("gate") / "project")
    run(project, "-m", "autograder.authoring.scaffold", ID, "--title", "Softmax cross-entropy", check=True)
    return project


@pytest.fixture
def project(scaffolded, tmp_path) -> Path:
    """A fresh copy of the scaffolded project, for one test to plant its mistake in."""
    copy = tmp_path / "project"
    shutil.copytree(scaffolded, copy, ignore=shutil.ignore_patterns("__pycache__", "build", "dist"))
    return copy


def run(project: Path, *args: str, check: bool = False, timeout: float = 600) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-P", *args], cwd=project, capture_output=True, text=True,
                          timeout=timeout, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(project)})
    assert not check or proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def static_problems(project: Path) -> list[str]:
    proc = run(project, "-c", "import json; from autograder.authoring.gate import static_problems; "
                              f"print(json.dumps(static_problems({ID!r})[0]))")
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def edit(project: Path, path: str, old: str, new: str) -> None:
    f = project / path
    text = f.read_text()
    assert old in text, f"{path} no longer holds {old!r}: the scaffold changed, update this test"
    f.write_text(text.replace(old, new, 1))


def one(problems: list[str], *words: str) -> str:
    """The one problem naming all ``words``."""
    found = [p for p in problems if all(w in p for w in words)]
    assert len(found) == 1, f"expected one problem naming {words}, got {problems}"
    return found[0]


# -- fast: the static rules ------------------------------------------------------------------------
def test_the_scaffold_passes_the_static_gate(scaffolded):
    assert static_problems(scaffolded) == []


def test_every_missing_part_is_named_at_once(project):
    (project / "solutions" / f"{ID}.py").unlink()
    shutil.rmtree(project / "examples" / ID)
    problems = static_problems(project)
    one(problems, "reference solution is missing", f"solutions/{ID}.py")
    one(problems, "example class's answer key is missing", f"examples/{ID}/expected.toml")


def test_a_suite_file_without_its_name_is_named(project):
    edit(project, SUITE_FILE, f'name = "{Q}"\n', "")
    assert "no `name = " in one(static_problems(project), SUITE_FILE)


def test_a_suite_file_that_does_not_parse_gives_its_line(project):
    edit(project, SUITE_FILE, "def by_hand(m, x):", "def by_hand(m, x)")
    assert "line" in one(static_problems(project), SUITE_FILE, "does not parse")


def test_a_check_worth_0_points_is_named_as_such(project):
    edit(project, SUITE_FILE, "points=1, hidden=True", "points=0, hidden=True")
    problem = one(static_problems(project), "worth 0 points")
    assert "random x" in problem and "catches nothing" not in problem


def test_a_probe_that_reaches_judge_side_code_is_refused(project):
    edit(project, SUITE_FILE, "# -- checks ---", "def _twice(x):\n    return 2 * x\n\n\n# -- checks ---")
    edit(project, SUITE_FILE, "expect=lambda x: 2 * x,", "expect=lambda x: _twice(x),")
    edit(project, SUITE_FILE, "def by_hand(m, x):\n    return m.derivative_of_square(x)",
         "def by_hand(m, x):\n    _twice(x)\n    return m.derivative_of_square(x)")
    assert "students' sandbox" in one(static_problems(project), "by_hand reaches _twice")


def test_an_input_helper_shared_by_probe_and_expect_is_not_judge_side(project):
    """``expect=lambda n, seed: f(inputs(n, seed))`` judges with f; inputs() draws what the probe
    gets too (sgd's linear_time does this): not a leak."""
    edit(project, SUITE_FILE, "# -- checks ---",
         "def _same(x):\n    return x\n\n\ndef _twice(x):\n    return 2 * x\n\n\n# -- checks ---")
    edit(project, SUITE_FILE, "expect=lambda x: 2 * x,", "expect=lambda x: _twice(_same(x)),")
    edit(project, SUITE_FILE, "return m.derivative_of_square(x)\n\n\n@test_case",
         "return m.derivative_of_square(_same(x))\n\n\n@test_case")
    assert static_problems(project) == []


def test_the_handout_out_of_step_with_the_suite_is_named(project):
    edit(project, SUITE_FILE, "points=1, hidden=True", "points=2, hidden=True")
    problems = static_problems(project)
    assert problems and all("handout.md" in p for p in problems), problems


def test_a_template_missing_a_function_is_named(project):
    with open(project / "solutions" / f"{ID}.py", "a") as f:
        f.write("\n\ndef softmax(xs):\n    return xs\n")
    one(static_problems(project), "does not define softmax")


def test_expected_toml_naming_an_unknown_question_or_file_is_named(project):
    with open(project / "examples" / ID / "expected.toml", "a") as f:
        f.write('\n[ghost]\nabout = "no file"\nstatus = "ok"\nloses = ["q9_nothing"]\n')
    problems = static_problems(project)
    one(problems, "describes ghost", "no such file")
    one(problems, "q9_nothing", "no question")


def test_no_gate_builds_says_what_the_gate_would_refuse_and_ends_loudly_not_gated(project):
    """One --no-gate run: a 0-point check and no examples/ (the adversarial tests' project copies are
    built so) are said, not enforced; the zips are built; the last line is NOT GATED."""
    edit(project, SUITE_FILE, "points=1, hidden=True", "points=0, hidden=True")
    shutil.rmtree(project / "examples")
    proc = run(project, "-m", "autograder.authoring.release", "--no-gate", ID)
    assert proc.returncode == 0 and (project / "dist" / ID / "autograder.zip").exists(), proc.stderr
    assert "NOT GATED, and the gate would refuse it:" in proc.stdout and "worth 0 points" in proc.stdout
    assert "the gate would refuse it: the example class's answer key is missing" in proc.stdout
    # the scaffold's notes to the author, which students would receive, are pointed out (not refused)
    assert f"note: student_template/{ID}.py still holds the scaffold's notes to the author" in proc.stdout
    assert proc.stdout.strip().splitlines()[-1].startswith("NOT GATED:") and "do not upload" in proc.stdout
    assert "release ready" not in proc.stdout


def test_a_missing_part_refuses_the_release_without_a_traceback(project):
    (project / "student_template" / f"{ID}.py").unlink()
    proc = run(project, "-m", "autograder.authoring.release", ID)
    assert proc.returncode == 1 and "Traceback" not in proc.stdout + proc.stderr
    assert f"the stub template is missing: student_template/{ID}.py" in proc.stderr
    assert not (project / "dist" / ID).exists()


# -- fast: the judges of one grade run, on results written here ------------------------------------
class _Case:
    def __init__(self, name, points=1.0, hidden=False):
        self.name, self.points, self.hidden = name, points, hidden


class _Question:
    def __init__(self, name, cases):
        self.name, self.cases = name, cases


QUESTIONS = [_Question("q1", [_Case("exact"), _Case("loose", hidden=True)])]
WHO = {"ref": ("reference", ""), "tpl": ("template", ""), "d0": ("degenerate", "zero"),
       "dn": ("degenerate", "none"), "draise": ("degenerate", "raises_value_error")}


def results(exact: float, loose: float, status: str = "ok", message: str = "wrong") -> dict:
    def test(name, score):
        return {"name": f"q1: {name}", "score": score, "max_score": 1.0, "output": "" if score else message}
    return {"tests": [test("exact", exact), test("loose", loose)], "status": status}


def graded(**overrides) -> list[str]:
    base = {"ref": results(1, 1), "tpl": results(0, 0), "d0": results(0, 0), "dn": results(0, 0),
            "draise": results(0, 0)}
    return gate.graded_problems("toy", QUESTIONS, base | overrides, WHO)


def test_graded_sound_results_have_no_problem():
    assert graded() == []


def test_a_judge_that_accepts_any_value_is_named():
    problem = one(graded(d0=results(0, 1), dn=results(0, 1)), "loose", "accepts any value")
    assert "zero, none" in problem


def test_a_check_failed_only_by_the_raising_degenerate_still_counts_as_accepting_anything():
    one(graded(d0=results(1, 1), dn=results(1, 1)), "exact", "accepts any value")


def test_the_reference_failing_a_check_gives_the_checks_message():
    assert "for x = 3: expected 6" in one(graded(ref=results(1, 0, message="for x = 3: expected 6")), "reference")


def test_a_judge_that_raised_is_said_to_be_the_suites_bug():
    message = "for x = 3: the result could not be judged (NameError: name 'toll' is not defined)"
    problem = one(graded(ref=results(0, 1, message=message)), "reference")
    assert "the judge itself raised NameError: name 'toll' is not defined" in problem


def test_a_template_earning_a_point_is_named():
    one(graded(tpl=results(1, 0)), "stub template earns", "q1: exact")


# -- slow: four graded mistakes in one release -----------------------------------------------------
@pytest.mark.slow
def test_one_release_names_every_graded_mistake_at_once(project):
    extra = '''

def _close_enough(got, expected, x):
    if abs(got - expected) > tolerance_typo:
        raise AssertionError("far")


@test_case(name="anything goes", points=1, hidden=True)
@check(cases=_BY_HAND, expect=lambda x: 2 * x, judge=lambda got, expected, x: None)
def accepts_anything(m, x):
    return m.derivative_of_square(x)


@test_case(name="off by one", points=1, hidden=True)
@check(cases=_BY_HAND, expect=lambda x: 2 * x + 1, judge=close(RTOL))
def wrong_expectation(m, x):
    return m.derivative_of_square(x)


@test_case(name="typo in the judge", points=1, hidden=True)
@check(cases=_BY_HAND, expect=lambda x: 2 * x, judge=_close_enough)
def judge_typo(m, x):
    return m.derivative_of_square(x)
'''
    with open(project / SUITE_FILE, "a") as f:
        f.write(extra)
    toml = project / "examples" / ID / "expected.toml"
    toml.write_text(toml.read_text().replace(f'loses = ["{Q}"]', "loses = []"))
    proc = run(project, "-m", "autograder.authoring.release", ID)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1 and "Traceback" not in out, out
    problems = [line[4:] for line in proc.stderr.splitlines() if line.startswith("  - ")]
    one(problems, "anything goes", "accepts any value")
    one(problems, "reference solution fails", "off by one")
    one(problems, "typo in the judge", "the judge itself raised NameError")
    one(problems, "expected.toml", "should keep full marks on " + Q)
    assert not (project / "dist" / ID).exists()


@pytest.mark.slow
def test_a_release_reuses_exactly_what_did_not_change(project):
    """Nothing unchanged is redone, and nothing changed is kept: the record of the last gated release,
    the otter results by the bundle's inputs, the grades by make grade's own fingerprints."""
    release = lambda: run(project, "-m", "autograder.authoring.release", ID)  # noqa: E731
    first = release()
    assert first.returncode == 0 and "otter run on the reference and on the template: started" in first.stdout, first.stderr
    again = release()
    assert "unchanged since its last gated release" in again.stdout and "grade run started" not in again.stdout
    handout = project / "assignments" / ID / "handout.md"
    handout.write_text(handout.read_text() + "\nOne more sentence for students.\n")
    edited = release()  # the zips are rebuilt; the bundle's inputs and the grading inputs are the same
    assert edited.returncode == 0 and "otter run: the bundle's inputs are unchanged, its last results reused" in edited.stdout
    with zipfile.ZipFile(project / "dist" / ID / f"{ID}-student.zip") as z:
        assert "One more sentence for students." in z.read(f"{ID}/handout.md").decode()
    (project / "dist" / ID / "solutions.zip").unlink()  # a zip gone: not "unchanged"
    assert "unchanged since its last gated release" not in release().stdout
    assert (project / "dist" / ID / "solutions.zip").exists()
    with open(project / "solutions" / f"{ID}.py", "a") as f:
        f.write("\n# the reference changed\n")
    changed = release()  # a bundle input: otter runs again
    assert changed.returncode == 0 and "otter run on the reference and on the template: started" in changed.stdout
    edit(project, SUITE_FILE, "points=1, hidden=True", "points=0, hidden=True")
    refused = release()  # a refused release removes the earlier gated one: it no longer matches the sources
    assert refused.returncode == 1 and not (project / "dist" / ID).exists()
