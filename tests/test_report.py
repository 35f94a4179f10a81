"""What a TA reads (autograder/engine/report.py, progress.py, grade.py's prints): everything derived
from a submission is data.

* unit tests of each writer on a hostile row: feedback.md, summary.md, grades.csv, results.json, the
  progress line;
* one class run on the toy assignment holding every bad upload form (a folder of 10,000 files is left
  to test_discover, with a smaller cap: creating them takes seconds), a folder linking to another
  student's notebook, hostile names (``=1+2``, ``-cmd``, an escape sequence, a name that is not UTF-8,
  ``summary.md``) and a submission printing and raising terminal escapes and Markdown: each bad upload
  is exactly its own row with its reason, every honest student is graded, and no channel (console,
  summary.md, feedback.md, grades.csv, results.json) carries a control character or live Markdown.
"""

import csv
import html as html_module
import io
import json
import os
import re
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from autograder.engine import report
from autograder.engine.progress import Progress
from autograder.engine.score import Graded, Outcome
from autograder.engine.text import csv_text, md_code, visible

ROOT = Path(__file__).resolve().parents[1]
TOY = ROOT / "tests" / "fixtures" / "toy"
ENV = {**os.environ, "AUTOGRADER_SUITES": str(TOY / "suites"), "AUTOGRADER_SOLUTIONS": str(TOY / "solutions"),
       "AUTOGRADER_ASSIGNMENTS": str(TOY / "assignments"), "PYTHONPATH": str(ROOT)}
CORRECT = (TOY / "solutions" / "toy.py").read_text()

PAYLOAD = "\x1b]0;pwned\x07\x1b[2J# Forged heading\n| a | b |"
MARKDOWN = "[link](javascript:alert(1)) ![img](http://evil.example/x.png) <script>alert(1)</script> ``` ` |"
HOSTILE = PAYLOAD + "\n" + MARKDOWN
# what no TA-facing text may hold: C0 controls but newline and tab, DEL, C1, bidi overrides and isolates
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def render(markdown: str) -> str:
    """HTML as a CommonMark renderer with GitHub's tables shows it."""
    return MarkdownIt("commonmark").enable("table").render(markdown)


def assert_inert(html: str) -> None:
    """Nothing of a student's text became live HTML: no link, image, script tag or forged heading."""
    for live in ("<a ", "<img", "<script", "<h1>Forged", "<h2>Forged", "<h1>forged"):
        assert live not in html, live
    assert "Forged heading" not in re.sub(r"<code>.*?</code>", "", html, flags=re.S)


# -- the helpers --------------------------------------------------------------------------------
def test_visible_escapes_every_hidden_code_point_and_keeps_plain_text():
    assert visible("alice ünïcødé ✓ 3 / 4") == "alice ünïcødé ✓ 3 / 4"
    assert visible(PAYLOAD) == "\\x1b]0;pwned\\x07\\x1b[2J# Forged heading\\n| a | b |"
    assert visible("a\rb\u202ec\x85d\udce9\u2028") == "a\\rb\\u202ec\\x85d\\udce9\\u2028"
    assert visible("two\nlines\x1b", keep_newlines=True) == "two\nlines\\x1b"


@pytest.mark.parametrize("text", ["plain", "`", "a ` b", "``x``", " lead", "trail ", "| pipe |", HOSTILE])
def test_md_code_shows_the_text_literally(text):
    html = render(f"x {md_code(text)} y\n")
    code = re.search(r"<code>(.*)</code>", html, re.S).group(1)
    assert html_module.unescape(code) == visible(text)
    cell = render(f"| h |\n|---|\n| {md_code(text, table=True)} |\n")
    assert cell.count("<td>") == 1
    assert html_module.unescape(re.search(r"<code>(.*)</code>", cell).group(1)) == visible(text)


@pytest.mark.parametrize("name, cell", [("=1+2", "'=1+2"), ("-cmd", "'-cmd"), ("+x", "'+x"), ("@SUM(A1)", "'@SUM(A1)"),
                                        ("\tx", "\\tx"), ("alice", "alice"), ("a=1", "a=1")])
def test_csv_text_is_never_a_formula(name, cell):
    assert csv_text(name) == cell


# -- each writer, in process ---------------------------------------------------------------------
def hostile_row(student: str = "=1+2") -> Graded:
    return Graded(student, "toy", "error", f"importing the file raised RuntimeError: {HOSTILE}",
                  [Outcome("q1_square", "square matches the formula", 2, False, False, f"raised {HOSTILE}"),
                   Outcome("q1_square", "square matches the reference", 1, True, False, f"raised {HOSTILE}"),
                   Outcome("q2_slow", "slow_identity returns its argument", 1, False, True, "")],
                  questions={"q1_square": "square", "q2_slow": "slow"})


def test_feedback_md_shows_student_text_as_code():
    text = report.feedback_md(hostile_row("-cmd\x1b[31m"), "python check.py toy.py")
    assert not CONTROL.search(text)
    html = render(text)
    assert_inert(html)
    assert "<h1>toy: feedback for <code>-cmd\\x1b[31m</code></h1>" in html
    assert html.count("<h1>") == 1 and html.count("<table>") == 1


def test_summary_md_and_grades_csv_show_student_text_as_data(tmp_path):
    out = tmp_path / "toy"
    (out / "=1+2").mkdir(parents=True)
    (out / "=1+2" / "output.txt").write_bytes(b"one\rtwo\r\n" + HOSTILE.encode())
    rows = [hostile_row("=1+2"), hostile_row("-cmd"), hostile_row("caf\udce9 | x")]
    summary = report.write_gradebook(out, rows)
    assert summary == (out / "summary.md").read_text()
    assert not CONTROL.search(summary)
    html = render(summary)
    assert_inert(html)
    look = html.split("Needs a look")[1]
    assert look.count("<tr>") == 4 and look.count("<td>") == 9  # header + 3 rows, 3 cells each
    assert "<code>\\x1b]0;pwned\\x07\\x1b[2J# Forged heading</code>" in look  # output.txt's first line
    assert "<code>one\\rtwo\\r</code>" in look  # a carriage return is shown, not acted on
    book = (out / "grades.csv").read_text()
    assert not CONTROL.search(book)
    students = [r["student"] for r in csv.DictReader(io.StringIO(book))]
    assert students == ["'-cmd", "'=1+2", "caf\\udce9 | x"]
    assert "\n'=1+2,0,1,1,4,error\n" in book  # numbers stay numbers


def test_results_json_messages_carry_no_control_character():
    results = report.results_json(hostile_row())
    text = json.dumps(results, ensure_ascii=False)
    assert not CONTROL.search(text)
    failed = results["tests"][0]["output"]
    assert failed == "raised \\x1b]0;pwned\\x07\\x1b[2J# Forged heading\n| a | b |\n" + MARKDOWN


def test_progress_line_escapes_the_name():
    out = io.StringIO()
    Progress(1, stream=out).finished("\x1b]0;pwned\x07\x1b[2J=1+2\r   5 / 5 ok")
    assert out.getvalue().startswith("   [  1/1] \\x1b]0;pwned\\x07\\x1b[2J=1+2\\r   5 / 5 ok")
    assert not CONTROL.search(out.getvalue())


def test_a_student_named_like_a_gradebook_file_gets_another_folder(tmp_path):
    assert report.student_folder(tmp_path, "summary.md") == tmp_path / "_summary.md"
    assert report.student_folder(tmp_path, "alice") == tmp_path / "alice"
    with pytest.raises(ValueError):
        report.student_folder(tmp_path, "..")


# -- one class run: every bad upload form and every channel ------------------------------------------
def notebook(source) -> str:
    return json.dumps({"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                                  "source": source}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def zip_of(path: Path, members: dict, patch: tuple[str, int] | None = None) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    if patch:  # flags (offset 6 local, 8 central) or method (8, 10): what zipfile cannot write
        data = bytearray(path.read_bytes())
        for signature, offset in zip((b"PK\x03\x04", b"PK\x01\x02"), {"flags": (6, 8), "method": (8, 10)}[patch[0]]):
            at = data.find(signature)
            while at >= 0:
                data[at + offset:at + offset + 2] = patch[1].to_bytes(2, "little")
                at = data.find(signature, at + 4)
        path.write_bytes(bytes(data))


def sparse(path: Path, size: int) -> None:
    with open(path, "wb") as f:
        f.truncate(size)


def link_member(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system, info.external_attr = 3, (stat.S_IFLNK | 0o777) << 16
    return info


# student -> what its feedback must say; each is a row of status missing with 0 points
BAD_UPLOADS = {
    "bob": "the folder bob/ holds a symbolic link (toy.ipynb), which is never followed",
    "dirlink": "dirlink is a symbolic link, which is never followed",
    "encrypted": "encrypted.zip is password-protected; upload it without a password",
    "method": "method.zip compresses toy.py with a method that cannot be read (method 99)",
    "damaged": "damaged.zip is not a readable zip file",
    "nested": "nested.zip has no toy.py but a zip inside it (hw/inner.zip), which is not opened",
    "bomb": "bomb.zip: toy.py is too large (6 MB, more than 5 MB)",
    "many": "many.zip holds more than 10000 files",
    "hugezip": "hugezip.zip is too large (101 MB, more than 100 MB)",
    "linkzip": "linkzip.zip holds a symbolic link (toy.py), which is never followed",
    "surrogate": "surrogate.ipynb is not a readable notebook (cell 1 holds the code point U+D800 (a lone surrogate)",
    "nul": "nul.ipynb is not a readable notebook (cell 1 holds the code point U+0000 (NUL)",
    "broken": "broken.ipynb is not a readable notebook (its JSON is damaged",
    "cells": "cells.ipynb is not a readable notebook (the source of cell 1 is not text)",
    "bignb": "bignb.ipynb is too large (more than 20 MB)",
    "fifo": "fifo.py is not a regular file",
    "deep": "the folder deep/ is nested more than 32 folders deep",
    "fat": "the folder fat/ is too large (more than 500 MB)",
}
RED = "\x1b[31mred\u202e"  # a file name with an escape sequence and a bidi override
NOT_UTF8 = "caf\udce9"  # the file name b"caf\xe9.py"
HONEST = {"=1+2": 5, "-cmd": 4, "alice": 5, "summary.md": 5, NOT_UTF8: 5}


def hostile_class(folder: Path) -> None:
    folder.mkdir()
    (folder / "=1+2.py").write_text(f"print({PAYLOAD!r})\nprint({MARKDOWN!r})\n" + CORRECT)
    (folder / "-cmd.py").write_text(CORRECT.replace("    return x\n", f"    raise RuntimeError({HOSTILE!r})\n"))
    (folder / "summary.md.py").write_text(CORRECT)  # the student "summary.md"
    fd = os.open(os.fsencode(folder) + b"/caf\xe9.py", os.O_WRONLY | os.O_CREAT)
    os.write(fd, CORRECT.encode())
    os.close(fd)
    (folder / f"{RED}.py").write_text(f"raise RuntimeError({HOSTILE!r})\n")
    (folder / "alice").mkdir()
    (folder / "alice" / "toy.ipynb").write_text(notebook(CORRECT))
    (folder / "bob").mkdir()
    (folder / "bob" / "toy.ipynb").symlink_to("../alice/toy.ipynb")  # would copy alice's full marks
    (folder / "dirlink").symlink_to("alice", target_is_directory=True)
    zip_of(folder / "encrypted.zip", {"toy.py": CORRECT}, ("flags", 0x1))
    zip_of(folder / "method.zip", {"toy.py": CORRECT}, ("method", 99))
    (folder / "damaged.zip").write_bytes(b"PK\x03\x04" + b"\0" * 64)
    zip_of(folder / "inner.zip.tmp", {"toy.py": CORRECT})
    zip_of(folder / "nested.zip", {"hw/inner.zip": (folder / "inner.zip.tmp").read_bytes()})
    (folder / "inner.zip.tmp").unlink()
    zip_of(folder / "bomb.zip", {"toy.py": b"\0" * (6 * 2**20)})
    zip_of(folder / "many.zip", {"f.txt": ""})  # its end record declares 10,001 members (cheaper than writing them)
    data = bytearray((folder / "many.zip").read_bytes())
    data[-12:-10] = data[-14:-12] = (10_001).to_bytes(2, "little")
    (folder / "many.zip").write_bytes(bytes(data))
    sparse(folder / "hugezip.zip", 101 * 2**20)
    zip_of(folder / "linkzip.zip", {link_member("toy.py"): "../alice/toy.ipynb"})
    (folder / "surrogate.ipynb").write_text(notebook("x = '\ud800'"))
    (folder / "nul.ipynb").write_text(notebook("x = 1\0"))
    (folder / "broken.ipynb").write_text('{"cells": [')
    (folder / "cells.ipynb").write_text(notebook(42))
    sparse(folder / "bignb.ipynb", 21 * 2**20)
    os.mkfifo(folder / "fifo.py")
    deep = folder / "deep"
    deep.mkdir()
    (deep / "toy.py").write_text(CORRECT)
    (deep / Path(*["d"] * 33)).mkdir(parents=True)
    (folder / "fat").mkdir()
    (folder / "fat" / "toy.py").write_text(CORRECT)
    sparse(folder / "fat" / "data.bin", 501 * 2**20)


@pytest.fixture(scope="module")
def class_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    hostile_class(base / "class")
    out = base / "out"
    cmd = [sys.executable, "-P", "-m", "autograder.engine.grade", "--jobs", "2", "--submissions", str(base / "class"),
           "--out", str(out), "toy"]
    proc = subprocess.run(cmd, cwd=ROOT, env=ENV, capture_output=True, timeout=300)
    console = proc.stdout.decode("utf-8", "surrogateescape") + proc.stderr.decode("utf-8", "surrogateescape")
    assert proc.returncode == 0, console[-3000:]
    with open(out / "toy" / "grades.csv", newline="") as f:
        rows = {r["student"]: r for r in csv.DictReader(f)}
    return out / "toy", rows, console


def feedback(out: Path, student: str) -> str:
    return (report.student_folder(out, student) / "feedback.md").read_text()


def test_every_bad_upload_is_its_own_row_with_its_reason(class_run):
    out, rows, _ = class_run
    for student, reason in BAD_UPLOADS.items():
        row = rows[student]
        assert (row["status"], float(row["total"])) == ("missing", 0), (student, row)
        assert reason in feedback(out, student), (student, feedback(out, student))
        assert visible(reason) in (out / "summary.md").read_text()


def test_every_honest_student_in_the_same_folder_is_graded(class_run):
    out, rows, _ = class_run
    graded = {visible(csv_text(s)) for s in HONEST}
    assert graded <= set(rows), sorted(rows)
    for student, total in HONEST.items():
        assert float(rows[csv_text(student)]["total"]) == total, (student, rows[csv_text(student)])
    assert rows[csv_text(RED)]["status"] == "error"
    assert len(rows) == len(BAD_UPLOADS) + len(HONEST) + 1


def test_a_student_named_summary_md_does_not_replace_the_summary(class_run):
    out, _, _ = class_run
    assert (out / "summary.md").read_text().startswith("# toy: ")
    assert json.loads((out / "_summary.md" / "results.json").read_text())["score"] == 5


def test_console_shows_names_and_text_escaped(class_run):
    _, _, console = class_run
    assert not CONTROL.search(console), CONTROL.search(console)
    assert "\\x1b[31mred\\u202e" in console and "caf\\udce9" in console and "=1+2" in console
    assert "\\x1b]0;pwned\\x07\\x1b[2J# Forged heading" in console  # printed lines, in the summary


def test_summary_md_shows_names_printed_lines_and_messages_as_data(class_run):
    out, rows, _ = class_run
    summary = (out / "summary.md").read_text()
    assert not CONTROL.search(summary)
    html = render(summary)
    assert_inert(html)
    look = html.split("Needs a look")[1]
    table_rows = re.findall(r"<tr>(.*?)</tr>", look, re.S)
    assert all(r.count("<td>") == 3 for r in table_rows[1:]) and len(table_rows) > len(BAD_UPLOADS)
    assert "<code>=1+2</code>" in look and "<code>\\x1b]0;pwned\\x07\\x1b[2J# Forged heading</code>" in look
    assert "<code>\\x1b[31mred\\u202e</code>" in look


def test_feedback_md_shows_messages_as_data(class_run):
    out, _, _ = class_run
    for student in ("-cmd", RED, "=1+2"):
        text = feedback(out, student)
        assert not CONTROL.search(text)
        assert_inert(render(text))
    assert "\\x1b]0;pwned\\x07\\x1b[2J# Forged heading\\n| a | b |" in feedback(out, "-cmd")


def test_grades_csv_cells_are_never_formulas(class_run):
    out, rows, _ = class_run
    book = (out / "grades.csv").read_text()
    assert not CONTROL.search(book)
    assert "'=1+2" in rows and "'-cmd" in rows and "=1+2" not in rows
    assert not any(line.startswith(("=", "+", "-", "@")) for line in book.splitlines())
    assert rows["'=1+2"]["total"] == "5"  # numbers stay numbers


def test_results_json_of_the_class_carry_no_control_character(class_run):
    out, _, _ = class_run
    for student in ("-cmd", RED):
        text = (report.student_folder(out, student) / "results.json").read_text()
        assert "\\u001b" not in text and "\\u0007" not in text  # JSON's escape of a raw control character
        assert "\\\\x1b]0;pwned" in text  # the visible escape, as JSON text


# -- the class run always finishes: one student's failure is that student's row -----------------------
from autograder.engine import grade as grade_module  # noqa: E402
from autograder.engine.discover import Submission  # noqa: E402
from autograder.engine.suite import Case, Question  # noqa: E402

QUESTIONS = [Question("q1", "one", Path("q1.py"), [Case("q1", "works", 2, False, None)])]


def raiser(exc: BaseException):
    def raise_it(*args, **kwargs):
        raise exc
    return raise_it


def plan_of(tmp_path, **students) -> grade_module.Plan:
    subs = {s: Submission(s, tmp_path / f"{s}.py", source) for s, source in students.items()}
    return grade_module.Plan("toy", tmp_path, tmp_path / "out" / "toy", subs, {s: "f" * 16 for s in students})


@pytest.mark.parametrize("where, step", [("run_submission", "grading"), ("score_run", "judging")])
def test_an_exception_while_grading_or_judging_is_that_students_error_row(tmp_path, monkeypatch, where, step):
    monkeypatch.setattr(grade_module, "run_submission", lambda *a: object())
    monkeypatch.setattr(grade_module, where, raiser(OSError(36, "File name too long")))
    p = plan_of(tmp_path, ann=tmp_path / "ann.py")
    g = grade_module.grade_student(p, "ann", QUESTIONS, {}, [])
    assert (g.status, g.total) == ("error", 0)
    assert g.status_message.startswith(f"internal error while {step}: OSError: [Errno 36] File name too long")


def test_an_interrupt_still_stops_and_records_nothing(tmp_path, monkeypatch):
    p = plan_of(tmp_path, ann=tmp_path / "ann.py")

    def interrupted(*args):
        p.folder_of("ann").mkdir(parents=True)
        raise grade_module.sandbox.Interrupted()

    monkeypatch.setattr(grade_module, "run_submission", interrupted)
    assert grade_module.grade_student(p, "ann", QUESTIONS, {}, []) is None
    assert not p.folder_of("ann").exists()
    monkeypatch.setattr(grade_module, "run_submission", raiser(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        grade_module.grade_student(p, "ann", QUESTIONS, {}, [])


def test_a_child_killed_by_the_interrupt_is_not_an_error_row(tmp_path, monkeypatch):
    monkeypatch.setattr(grade_module, "run_submission", raiser(BrokenPipeError()))
    monkeypatch.setattr(grade_module, "_STOPPING", grade_module.threading.Event())
    grade_module._STOPPING.set()
    assert grade_module.grade_student(plan_of(tmp_path, ann=tmp_path / "ann.py"), "ann", QUESTIONS, {}, []) is None


def test_results_that_cannot_be_written_are_still_a_row_of_the_gradebook(tmp_path, monkeypatch, capsys):
    p = plan_of(tmp_path, ann=None, bob=None)
    real = report.write_student

    def write(folder, g, command, *more):
        if g.student == "ann":
            raise OSError(28, "No space left on device")
        real(folder, g, command, *more)

    monkeypatch.setattr(report, "write_student", write)
    for student in ("ann", "bob"):
        g = grade_module.grade_student(p, student, QUESTIONS, {}, [])
        grade_module.record(p, student, g, QUESTIONS, "python check.py toy.py")
    assert p.unsaved["ann"].status_message.startswith("internal error while writing the results: OSError")
    grade_module.write_gradebook(p)
    with open(p.out_dir / "grades.csv", newline="") as f:
        rows = {r["student"]: r["status"] for r in csv.DictReader(f)}
    assert rows == {"ann": "error", "bob": "missing"}
