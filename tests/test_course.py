"""The TA's course (issue: roster and LMS export, regrade history, flags that matter, similarity):

* ``STUDENT="Blaise Pascal,bob"``: names with spaces, through make and the grader;
* flags in summary.md's "Needs a look": the untouched template, an entry holding both ``<id>.py`` and
  ``<id>.ipynb`` (which was graded and why), a student no longer in the folder (kept, ``missing``);
* an interrupted ``--force`` run resumed by the same command: only what is left;
* ``staff.md``, ``history.csv``, ``roster.csv`` and ``canvas.csv``;
* the histogram (whole-point bins, full marks apart, missing/error apart and out of the mean);
* a quiet run: no library warning, the isolation layers in one line, an honest estimate.

Most tests run in process on the toy assignment (tests/fixtures/toy); one class run (``course_run``)
grades a small toy class twice with the grader CLI, the second time through ``make grade``.
"""

import csv
import io
import json
import os
import shlex
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from autograder.engine import discover as discover_module
from autograder.engine import grade, history, progress, report, roster
from autograder.engine.discover import discover, template_match
from autograder.engine.progress import Progress
from autograder.engine.score import Graded, Outcome
from autograder.engine.staff_page import staff_md
from autograder.engine.suite import Case, Question
from autograder.engine.text import csv_text

ROOT = Path(__file__).resolve().parents[1]
TOY = ROOT / "tests" / "fixtures" / "toy"
CORRECT = (TOY / "solutions" / "toy.py").read_text()
TEMPLATE = '''"""The toy assignment: fill in each function."""
import math


def square(x):
    raise NotImplementedError("TODO")


def checked_sqrt(x):
    raise NotImplementedError("TODO")


def slow_identity(x):
    raise NotImplementedError("TODO")
'''
QUESTIONS = [Question("q1", "one", Path("q1.py"), [Case("q1", "works", 5, False, None),
                                                    Case("q1", "hidden", 5, True, None)])]


def notebook(source: str) -> str:
    """nbformat 4.5 without cell ids, as older Jupyters write it (nbformat itself would warn)."""
    return json.dumps({"cells": [{"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
                                  "source": source}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def make_class(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return folder


def row(student: str, points: float, status: str = "ok", message: str = "") -> Graded:
    return Graded(student, "toy", status, message,
                  [Outcome("q1", "works", 5, False, points >= 5, "" if points >= 5 else "wrong value"),
                   Outcome("q1", "hidden", 5, True, points >= 10, "" if points >= 10 else "hidden: got 3, expected 4")],
                  questions={"q1": "one"})


# -- STUDENT= with spaces -----------------------------------------------------------------------------
def test_make_passes_names_with_spaces_and_quotes_as_one_option():
    proc = subprocess.run(["make", "-n", "-s", "-o", ".venv/.ready", "-o", ".venv/.bundle-import", "grade",
                           "ASSIGNMENT=forward_mode", "STUDENT=Blaise Pascal,O'Brien,bob"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    argv = shlex.split(proc.stdout.strip().splitlines()[-1])
    assert argv[argv.index("--students") + 1] == "Blaise Pascal,O'Brien,bob", proc.stdout


def test_student_names_are_split_on_commas_and_the_old_space_form_still_works():
    known = {"Blaise Pascal", "alice", "bob"}
    assert grade.split_students("Blaise Pascal, bob", known) == ["Blaise Pascal", "bob"]
    assert grade.split_students("Blaise Pascal", known) == ["Blaise Pascal"]
    assert grade.split_students("alice bob", known) == ["alice", "bob"]  # STUDENT="alice bob", as before
    assert grade.split_students("alice carol", known) == ["alice carol"]  # unknown: the error lists close names


# -- discover: the untouched template, an entry's two files ----------------------------------------------
def test_the_untouched_template_is_recognised_byte_for_byte_or_but_for_whitespace():
    stub = TEMPLATE.encode()
    assert template_match(stub, stub) == "byte-identical"
    messy = "\ufeff" + TEMPLATE.replace("\n", "  \r\n").replace("    raise", "\traise") + "\n\n"
    assert template_match(messy.encode(), stub) == "identical but for whitespace and line ends"
    assert template_match(stub.replace(b'raise NotImplementedError("TODO")', b"return x * x", 1), stub) == ""
    assert template_match(stub, None) == ""


def test_a_folder_with_the_template_py_and_a_real_notebook_is_graded_from_the_notebook(tmp_path):
    subs = make_class(tmp_path / "subs", {"ann/toy.py": TEMPLATE, "ann/toy.ipynb": notebook(CORRECT),
                                          "bob/toy.py": TEMPLATE})
    os.utime(subs / "ann" / "toy.py", (time.time() + 60,) * 2)  # the stub is even the newer one
    found = discover(subs, "toy", tmp_path / "stage", TEMPLATE.encode())
    assert found["ann"].source.read_text() == CORRECT
    assert found["ann"].note == "ann/ holds both toy.py and toy.ipynb: graded toy.ipynb (toy.py is the untouched template)"
    assert found["ann"].untouched == "" and found["bob"].untouched == "byte-identical"


def test_two_real_files_the_newer_is_graded_and_at_the_same_time_the_py(tmp_path):
    subs = make_class(tmp_path / "subs", {"ann/toy.py": CORRECT, "ann/toy.ipynb": notebook(CORRECT + "# newer\n"),
                                          "bob/toy.py": CORRECT, "bob/toy.ipynb": notebook(CORRECT + "# nb\n")})
    now = time.time()
    os.utime(subs / "ann" / "toy.py", (now - 3600,) * 2)
    for f in ("toy.py", "toy.ipynb"):
        os.utime(subs / "bob" / f, (now,) * 2)
    found = discover(subs, "toy", tmp_path / "stage", TEMPLATE.encode())
    assert "# newer" in found["ann"].source.read_text()
    assert found["ann"].note.startswith("ann/ holds both toy.py and toy.ipynb: graded toy.ipynb (the newer: saved ")
    assert found["bob"].source == subs / "bob" / "toy.py"
    assert found["bob"].note.endswith("graded toy.py (both saved at the same time: then the .py)")


def test_a_zip_with_both_files_follows_the_same_rule_and_one_unreadable_file_is_set_aside(tmp_path):
    (tmp_path / "subs").mkdir()
    with zipfile.ZipFile(tmp_path / "subs" / "ann.zip", "w") as z:
        z.writestr(zipfile.ZipInfo("hw/toy.py", (2025, 3, 1, 12, 0, 0)), TEMPLATE)
        z.writestr(zipfile.ZipInfo("hw/toy.ipynb", (2025, 3, 1, 11, 0, 0)), notebook(CORRECT))
    make_class(tmp_path / "subs", {"bob/toy.py": CORRECT, "bob/toy.ipynb": '{"cells": ['})
    found = discover(tmp_path / "subs", "toy", tmp_path / "stage", TEMPLATE.encode())
    assert found["ann"].source.read_text() == CORRECT
    assert "graded hw/toy.ipynb (hw/toy.py is the untouched template)" in found["ann"].note
    assert found["bob"].source == tmp_path / "subs" / "bob" / "toy.py"
    assert "graded the other, since bob/toy.ipynb is not a readable notebook" in found["bob"].note


def test_a_students_empty_folder_is_missing_and_an_empty_submissions_folder_an_error(tmp_path):
    """What the README says (it used to call both an error)."""
    tas = (ROOT / "README.md").read_text().split("## TAs")[1].split("\n## ")[0]
    assert "(a student's empty folder too: \"it is empty\")" in tas and "an empty submissions folder are errors" in tas
    (tmp_path / "subs" / "ann").mkdir(parents=True)
    sub = discover(tmp_path / "subs", "toy", tmp_path / "stage")["ann"]
    assert sub.source is None and sub.problem == "the folder ann/ has no toy.py; it is empty"
    (tmp_path / "subs" / "ann").rmdir()
    with pytest.raises(discover_module.DiscoveryError, match="holds no submissions"):
        discover(tmp_path / "subs", "toy", tmp_path / "stage")


# -- resume, history, a student who left: in process, on stored results --------------------------------------
@pytest.fixture
def toy_plan(tmp_path, monkeypatch):
    """``plan_again(force=False, only=None)``: the toy class in tmp_path/subs planned as the grader plans
    it (the tests' inputs fingerprint is "inputs1", or what ``inputs`` holds)."""
    inputs = ["inputs1"]
    monkeypatch.setattr(grade.reference, "fingerprint", lambda assignment: inputs[0])
    monkeypatch.setattr(grade, "template_of", lambda assignment: TEMPLATE.encode())
    subs = tmp_path / "subs"

    def plan_again(force=False, only=None):
        return grade.plan("toy", subs, tmp_path / "out", tmp_path / f"stage{time.monotonic_ns()}", force, only)

    return subs, plan_again, inputs


def test_an_interrupted_forced_run_is_finished_by_the_same_command(toy_plan):
    subs, plan_again, _ = toy_plan
    make_class(subs, {"ann.py": CORRECT, "bob.py": CORRECT, "cy.py": CORRECT})
    p = plan_again()
    for s in p.todo:
        grade.record(p, s, row(s, 10), QUESTIONS, "cmd")
    assert plan_again().todo == []  # everyone graded, nothing changed
    p = plan_again(force=True)  # FORCE=1: everyone ...
    assert sorted(p.todo) == ["ann", "bob", "cy"] and (p.out_dir / grade.FORCED_FILE).exists()
    grade.record(p, "ann", row("ann", 10), QUESTIONS, "cmd")  # ... ann is regraded, then Ctrl-C
    p = plan_again(force=True)  # the same command again: only what is left
    assert (sorted(p.todo), p.resumed) == (["bob", "cy"], True)
    for s in p.todo:
        grade.record(p, s, row(s, 10), QUESTIONS, "cmd")
    grade.finish_forced(p)
    assert not (p.out_dir / grade.FORCED_FILE).exists()
    assert sorted(plan_again(force=True).todo) == ["ann", "bob", "cy"]  # a new forced run: everyone


def test_every_regrade_is_logged_with_its_reason(toy_plan):
    subs, plan_again, inputs = toy_plan
    make_class(subs, {"ann.py": CORRECT, "=bob.py": CORRECT})

    def grade_all(p, points):
        for s in p.todo:
            grade.log_regrade(p, s, grade.record(p, s, row(s, points.get(s, 5)), QUESTIONS, "cmd"))

    grade_all(plan_again(), {})  # first grading: not a regrade, nothing logged
    assert history.read(plan_again().out_dir) == []
    (subs / "ann.py").write_text(CORRECT + "# v2\n")
    grade_all(plan_again(), {"ann": 10})  # 5 -> 10
    inputs[0] = "inputs2"  # the tests changed
    grade_all(plan_again(), {"ann": 10})
    grade_all(plan_again(force=True), {"ann": 10})
    grade_all(plan_again(only=["=bob"]), {})
    rows = history.read(plan_again().out_dir)
    assert [(r["student"], r["old_total"], r["new_total"], r["why"]) for r in rows] == [
        ("ann", "5", "10", "changed file"),
        ("'=bob", "5", "5", "suite changed"), ("ann", "10", "10", "suite changed"),
        ("'=bob", "5", "5", "forced"), ("ann", "10", "10", "forced"),
        ("'=bob", "5", "5", "named with --student")]
    assert all(r["when"][:2] == "20" and "T" in r["when"] for r in rows)


def test_a_student_no_longer_in_the_folder_stays_in_the_gradebook_as_missing(toy_plan, capsys):
    subs, plan_again, _ = toy_plan
    make_class(subs, {"ann.py": CORRECT, "bob.py": CORRECT})
    p = plan_again()
    for s in p.todo:
        grade.record(p, s, row(s, 10), QUESTIONS, "cmd")
    (subs / "bob.py").unlink()
    for _ in range(2):  # twice: logged once
        grade.write_gradebook(plan_again())
    with open(p.out_dir / "grades.csv", newline="") as f:
        book = {r["student"]: r for r in csv.DictReader(f)}
    assert (book["bob"]["status"], book["bob"]["total"]) == ("missing", "0")
    summary = (p.out_dir / "summary.md").read_text()
    assert "no longer in the submissions folder (last graded " in summary.split("Needs a look")[1]
    assert "10 / 10, status ok); kept in the gradebook with 0 points" in summary
    assert "1 student is no longer in the submissions folder (bob)" in capsys.readouterr().out
    log = history.read(p.out_dir)
    assert [(r["student"], r["old_total"], r["new_total"], r["why"]) for r in log] == [
        ("bob", "10", "0", "no longer in the submissions folder")]
    (subs / "bob.py").write_text(CORRECT)  # back: a row says so, and the stored result counts again
    grade.write_gradebook(plan_again())
    assert history.read(p.out_dir)[-1]["why"] == "back in the submissions folder"


# -- the staff's page -------------------------------------------------------------------------------
HOSTILE = "\x1b]0;pwned\x07# Forged heading\n[link](javascript:alert(1)) <script>x</script> `"


def test_staff_md_holds_every_message_hidden_ones_included_as_data():
    g = row("=1+2 \x1b[31m", 0, "error", f"raised {HOSTILE}")
    g.outcomes[1].message = f"hidden: expected 4, got {HOSTILE}"
    page = staff_md(g, entry="x.py", note="both", untouched="", person="Pascal, Blaise, id 9",
                    printed=["debug \x1b[2J", "| a | b |"], figures=["identity.png", "x](javascript:alert(1)).png"],
                    history=[{"when": "2025-03-04T15:02:11+0100", "old_total": "31", "new_total": "38",
                              "new_status": "ok", "why": "changed file"}], similar=[("bob", 0.93)])
    assert "\x1b" not in page
    html = MarkdownIt("commonmark").enable("table").render(page)
    assert "<script" not in html and 'href="javascript' not in html and "<h1>Forged" not in html
    assert "hidden: expected 4, got \\x1b]0;pwned\\x07# Forged heading\\n[link](javascript:alert(1))" in page
    assert "FAILED *(hidden)* hidden: 0 / 5" in page
    assert '<a href="figures/identity.png">identity.png</a>' in html  # the sandbox's own figure names: links
    assert "<code>x](javascript:alert(1)).png</code>" in html  # anything else: text
    assert "<code>debug \\x1b[2J</code>" in html and "| `31` | `38` |" in page and "`bob`: 0.93" in page


# -- the roster and the Canvas export ----------------------------------------------------------------------
def test_roster_columns_by_name_and_the_canvas_layout(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes("\ufeffStudent ID,E-mail,Display Name,Entry,Section\n"
                     "900001,bp@mit.edu,\"Pascal, Blaise\",Blaise Pascal,R01\n"
                     "900002,eq@mit.edu,=cmd,=evil,\n"
                     "900003,gh@mit.edu,\"Ghost, Gary\",ghost,\n".encode())
    people = roster.read(path)
    assert people["Blaise Pascal"].describe() == "Pascal, Blaise, id 900001, bp@mit.edu"
    text = roster.canvas_csv(people, {"Blaise Pascal": 31, "=evil": 0.5, "stray": 7}, "forward_mode", 36)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "forward_mode"]
    assert rows[1] == ["Points Possible", "", "", "", "", "36"]
    assert rows[2:] == [["'=cmd", "", "900002", "eq@mit.edu", "", "0.5"],
                        ["Pascal, Blaise", "", "900001", "bp@mit.edu", "R01", "31"]]
    assert roster.unmatched(people, ["Blaise Pascal", "=evil", "stray"]) == (["stray"], ["ghost"])


@pytest.mark.parametrize("content, words", [("name,id\nann,1\n", "has no column 'entry'"),
                                            ("entry\nann\nann\n", "lists the entry 'ann' twice")])
def test_a_roster_that_cannot_be_used_says_why(tmp_path, content, words):
    (tmp_path / "roster.csv").write_text(content)
    with pytest.raises(roster.RosterError, match=words):
        roster.read(tmp_path / "roster.csv")


def test_roster_csv_is_not_a_student(tmp_path):
    make_class(tmp_path / "subs", {"ann.py": CORRECT, "roster.csv": "entry\nann\n"})
    assert list(discover(tmp_path / "subs", "toy", tmp_path / "stage")) == ["ann"]


# -- the histogram ------------------------------------------------------------------------------------
def test_histogram_bins_are_whole_points_with_full_marks_apart_and_the_uncounted_apart():
    def total(student, points, status="ok"):
        return Graded(student, "hw", status, "", [Outcome("q", "a", points, False, True, ""),
                                                  Outcome("q", "b", 36 - points, False, False, "no")],
                      questions={"q": "Q"})

    graded = [total("a", 36), total("b", 31), total("c", 0), total("d", 0, "missing"), total("e", 0, "error"),
              total("f", 4, "error"), total("g", 17)]
    assert report.histogram_bins(36)[-2:] == [(32.0, 36.0), (36.0, 36.0)]
    counts = dict(report.histogram_counts(graded))
    assert counts == {"0-3": 1, "4-7": 1, "8-11": 0, "12-15": 0, "16-19": 1, "20-23": 0, "24-27": 0, "28-31": 1,
                      "32-35": 0, "36": 1, "missing/error": 2}
    lay = report.histogram_layout(graded)
    assert set(lay["widths"]) == {4.0} and lay["lefts"][-1] == 36  # full marks: a full bar of its own
    assert lay["ticks"][1:] == [x + 2 for x in lay["lefts"]] and lay["labels"][-1] == "36"  # under each bar
    assert lay["apart_at"] + lay["step"] < 0 and lay["apart"] == 2
    assert lay["mean"] == (36 + 31 + 0 + 4 + 17) / 5  # d (missing) and e (error, 0 points) are not counted
    summary = report.summary_md(graded, ["q"])
    assert "Over the 5 graded: median 17 / 36, mean 17.6, full marks 1 of 5." in summary
    assert "2 missing or not loadable" in summary
    assert report.histogram_png(graded)[:4] == b"\x89PNG"
    # 29 points: bins of 3, the last regular one holds 27-28, drawn as wide as the others, 29 apart
    graded = [Graded("a", "hw", "ok", "", [Outcome("q", "a", 29, False, True, "")], questions={"q": "Q"})]
    lay = report.histogram_layout(graded)
    assert lay["labels"][-2:] == ["27-28", "29"] and set(lay["widths"]) == {3.0}
    assert lay["lefts"] == [3.0 * i for i in range(11)] and lay["mean_x"] == lay["lefts"][-1] + 1.5


# -- a quiet, honest run ----------------------------------------------------------------------------
def test_a_long_running_student_is_named_never_zero_left(monkeypatch):
    now = [0.0]
    monkeypatch.setattr(progress.time, "monotonic", lambda: now[0])
    p = Progress(total=3, stream=io.StringIO(), jobs=2)
    p.started_one("fast")
    p.started_one("\x1b[31mhangs")
    now[0] = 1.0
    p.finished("fast", "fast")
    p.started_one("quick")
    now[0] = 2.0
    p.finished("quick", "quick")
    now[0] = 2.5
    assert p.status() == "0:02 elapsed, ~0:01 left"  # half a second: rounded up, never ~0:00
    now[0] = 3.0
    assert p.status() == "0:03 elapsed, finishing: 1 running"  # past the estimate: no estimate
    now[0] = 62.0  # the hang is waiting out its time limit
    assert p.status() == "1:02 elapsed, waiting for \\x1b[31mhangs running 1:02"


def test_isolation_is_one_line_naming_what_is_off():
    layers = {"limits": "on: address space", "uid": "root without capabilities: /root is 0700",
              "landlock": "on: ABI 7", "seccomp": "on: allowlist", "cgroup": "off: not running as root",
              "verified": {"read outside": True, "socket": True}}
    line = grade.isolation_line(layers)
    assert "\n" not in line and "4 layers on" in line and "2 of 2 forbidden actions blocked" in line
    off = grade.isolation_line({**layers, "seccomp": "off: pyseccomp is not installed",
                                "verified": {"read outside": True, "socket": False}})
    assert "OFF: seccomp (off: pyseccomp is not installed)" in off and "WARNING" in off
    assert "1 of 2 forbidden actions blocked (POSSIBLE: socket)" in off


# -- one class run, as a TA runs it ----------------------------------------------------------------------
ENV = {**os.environ, "AUTOGRADER_SUITES": str(TOY / "suites"), "AUTOGRADER_SOLUTIONS": str(TOY / "solutions"),
       "AUTOGRADER_ASSIGNMENTS": str(TOY / "assignments"), "PYTHONPATH": str(ROOT)}


@pytest.fixture(scope="module")
def course_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("course")
    (base / "templates").mkdir()
    (base / "templates" / "toy.py").write_text(TEMPLATE)
    subs = make_class(base / "subs", {
        "Blaise Pascal.py": CORRECT, "stub.py": TEMPLATE, "both/toy.py": TEMPLATE, "both/toy.ipynb": notebook(CORRECT),
        "roster.csv": 'entry,name,id,email\nBlaise Pascal,"Pascal, Blaise",900001,bp@mit.edu\n'
                      'stub,"Stub, Sam",900002,ss@mit.edu\nghost,"Ghost, Gary",900003,gg@mit.edu\n'})
    env = {**ENV, "AUTOGRADER_TEMPLATES": str(base / "templates")}
    out = base / "out"
    first = subprocess.run([sys.executable, "-P", "-m", "autograder.engine.grade", "--jobs", "2", "--submissions",
                            str(subs), "--out", str(out), "toy"], cwd=ROOT, env=env, capture_output=True, text=True,
                           timeout=300)
    assert first.returncode == 0, first.stdout[-2000:] + first.stderr[-2000:]
    (subs / "Blaise Pascal.py").write_text(CORRECT.replace("return x * x", "return x + x"))
    second = subprocess.run(["make", "-s", "-o", ".venv/.ready", "-o", ".venv/.bundle-import", "grade",
                             "ASSIGNMENT=toy", f"SUBMISSIONS={subs}", f"OUT={out}", "STUDENT=Blaise Pascal",
                             f"PY={sys.executable}"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0, second.stdout[-2000:] + second.stderr[-2000:]
    return out / "toy", first, second


def test_class_run_flags_the_template_and_the_file_chosen(course_run):
    out, first, _ = course_run
    look = (out / "summary.md").read_text().split("Needs a look")[1]
    assert "| `stub` | ok | `untouched template: the graded code is student_template/toy.py as handed out " \
           "(byte-identical)` |" in look
    assert "`both/ holds both toy.py and toy.ipynb: graded toy.ipynb (toy.py is the untouched template)`" in look
    assert "Note: `both/ holds both toy.py and toy.ipynb" in (out / "both" / "feedback.md").read_text()


def test_class_run_is_quiet_with_isolation_in_one_line(course_run):
    _, first, second = course_run
    assert "Warning" not in first.stderr + second.stderr, first.stderr + second.stderr  # nbformat's MissingIDField
    for run in (first, second):
        lines = [line for line in run.stdout.splitlines() if "isolation" in line.lower()]
        assert len(lines) == 2, lines  # the console's line and the summary's
        assert "isolation of each submission's process" not in run.stdout


def test_class_run_named_student_with_a_space_is_regraded_and_logged(course_run):
    out, _, second = course_run
    assert "regrading Blaise Pascal (named)" in second.stdout
    log = history.read(out)
    assert [(r["student"], r["old_total"], r["new_total"], r["why"]) for r in log] == [
        ("Blaise Pascal", "5", "2", "named with --student; changed file")]
    assert "| `5` | `2` |" in (out / "Blaise Pascal" / "staff.md").read_text().split("Regrade history")[1]


def test_class_run_writes_staff_pages_roster_export_and_similarity(course_run):
    out, first, _ = course_run
    staff = (out / "Blaise Pascal" / "staff.md").read_text()
    assert "(staff only)" in staff and "Pascal, Blaise, id 900001, bp@mit.edu" in staff
    assert "FAILED *(hidden)* square matches the reference" in staff  # hidden checks with their messages
    assert "[identity.png](figures/identity.png)" in staff
    with open(out / "canvas.csv", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][:5] == roster.CANVAS_COLUMNS and rows[1][0] == "Points Possible"
    assert [r[2] for r in rows[2:]] == ["900001", "900002"]  # matched entries only
    summary = (out / "summary.md").read_text()
    assert "No roster line (not in canvas.csv): `both`" in summary
    assert "On the roster with no entry in the submissions folder: `ghost`" in summary
    assert "no line in the roster" in first.stdout and "both" in first.stdout.split("no line in the roster")[1]
    similar = (out / "similarity.md").read_text()
    assert "`Blaise Pascal`" in similar and "`both`" in similar and "Not compared: `stub` (untouched template)" in similar
    assert csv_text("=x") == "'=x"
