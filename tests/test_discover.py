"""Submission discovery (autograder/engine/discover.py): every entry of the folder is one student."""

import zipfile

import nbformat
import pytest

from autograder.engine.discover import DiscoveryError, close_names, discover, notebook_source

ID = "reverse_mode"


def write(folder, files):
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)


def test_py_file_and_folder_are_graded_as_they_are(tmp_path):
    write(tmp_path / "subs", {"alice.py": "a = 1\n", "bob/reverse_mode.py": "b = 2\n"})
    found = discover(tmp_path / "subs", ID, tmp_path / "stage")
    assert found["alice"].source == tmp_path / "subs" / "alice.py"
    assert found["bob"].source == tmp_path / "subs" / "bob" / "reverse_mode.py"


def test_notebook_code_cells_are_concatenated_with_magics_commented_out():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("%matplotlib inline\nx = 1"), nbformat.v4.new_markdown_cell("text"),
                nbformat.v4.new_code_cell("!pip install numpy\n  %time y = x + 1\ny = x + 1")]
    source = notebook_source(nbformat.writes(nb).encode())
    assert source == "# %matplotlib inline\nx = 1\n\n# !pip install numpy\n#   %time y = x + 1\ny = x + 1\n"
    namespace = {}
    exec(source, namespace)
    assert namespace["y"] == 2


def test_zip_member_is_read_by_name_and_nothing_else_is_extracted(tmp_path):
    (tmp_path / "subs").mkdir()
    with zipfile.ZipFile(tmp_path / "subs" / "carol.zip", "w") as z:
        z.writestr("hw/reverse_mode.py", "c = 3\n")
        z.writestr("../../../evil.py", "boom\n")
    found = discover(tmp_path / "subs", ID, tmp_path / "stage")
    assert found["carol"].source.read_text() == "c = 3\n"
    assert found["carol"].source.is_relative_to(tmp_path / "stage")
    assert not list(tmp_path.rglob("evil.py"))


def test_oversized_zip_member_is_refused(tmp_path, monkeypatch):
    import autograder.engine.discover as discover_module

    monkeypatch.setattr(discover_module, "MAX_SOURCE_BYTES", 100)
    (tmp_path / "subs").mkdir()
    with zipfile.ZipFile(tmp_path / "subs" / "dan.zip", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("reverse_mode.py", "#" * 1000)
    sub = discover(tmp_path / "subs", ID, tmp_path / "stage")["dan"]
    assert sub.source is None and "too large" in sub.problem


def test_folder_without_the_file_names_what_it_holds_and_the_likely_file(tmp_path):
    write(tmp_path / "subs", {"eve/Reverse_Mode.py": "", "eve/notes.txt": "", "eve/sub/helper.py": ""})
    sub = discover(tmp_path / "subs", ID, tmp_path / "stage")["eve"]
    assert sub.source is None
    assert "has no reverse_mode.py" in sub.problem
    assert "notes.txt" in sub.problem and "sub/helper.py" in sub.problem
    assert "did you mean Reverse_Mode.py?" in sub.problem


@pytest.mark.parametrize("name", ["Reverse_Mode.py", "my_reverse.py", "reverse_mode_v1.py", "reverse-mode.ipynb"])
def test_close_names_are_recognised(name):
    assert close_names([name], "reverse_mode.py") == [name]


@pytest.mark.parametrize("name", ["utils.py", "test.py", "homework3.py"])
def test_unrelated_names_are_not_hinted(name):
    assert close_names([name], "reverse_mode.py") == []


def test_other_files_are_missing_rows_naming_the_file(tmp_path):
    write(tmp_path / "subs", {"frank.pdf": "", "expected.toml": "", ".DS_Store": ""})
    found = discover(tmp_path / "subs", ID, tmp_path / "stage")
    assert list(found) == ["frank"]  # the answer key and hidden files are not students
    assert found["frank"].source is None and "frank.pdf" in found["frank"].problem


def test_collision_names_both_entries(tmp_path):
    write(tmp_path / "subs", {"gus.py": "", "gus/reverse_mode.py": ""})
    with pytest.raises(DiscoveryError, match=r"gus/ and gus\.py|gus\.py and gus/"):
        discover(tmp_path / "subs", ID, tmp_path / "stage")


def test_empty_folder_is_an_error(tmp_path):
    (tmp_path / "subs").mkdir()
    with pytest.raises(DiscoveryError, match="holds no submissions"):
        discover(tmp_path / "subs", ID, tmp_path / "stage")


# -- every upload form: a cap and a clear reason, the other students still found ----------------------
import os
import stat
import warnings

import autograder.engine.discover as discover_module

CODE = "def f():\n    return 1\n"


def notebook_json(*sources, **top) -> str:
    """A notebook's JSON, written by hand (nbformat 4.5 without cell ids: what old Jupyters write)."""
    import json

    cells = [{"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": s}
             for s in sources]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5, **top})


def patch_zip(path, field: str, value: int) -> None:
    """Set a field of every member's local and central header: 'flags' or 'method' (a zip that
    zipfile cannot write: encrypted, or compressed with an unknown method)."""
    data = bytearray(path.read_bytes())
    offsets = {"flags": (6, 8), "method": (8, 10)}[field]  # in the local header, in the central one
    for signature, offset in zip((b"PK\x03\x04", b"PK\x01\x02"), offsets):
        at = data.find(signature)
        while at >= 0:
            data[at + offset:at + offset + 2] = value.to_bytes(2, "little")
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))


def make_zip(path, members: dict, compression=zipfile.ZIP_DEFLATED) -> None:
    with zipfile.ZipFile(path, "w", compression) as z:
        for name, data in members.items():  # a name or a ZipInfo
            z.writestr(name, data)


def symlink_member(name: str, target: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3  # unix: the mode is in the high bits of external_attr
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


def refused(tmp_path, build, student: str) -> str:
    """Build a folder holding one honest student and the entry ``build`` makes; discover it; the
    honest student must be found as always, and ``student`` refused: its problem is returned."""
    subs = tmp_path / "subs"
    subs.mkdir(exist_ok=True)
    (subs / "honest.py").write_text(CODE)
    build(subs)
    found = discover(subs, ID, tmp_path / "stage")
    assert found["honest"].source == subs / "honest.py"
    sub = found[student]
    assert sub.source is None and sub.problem and "\n" not in sub.problem, sub
    return sub.problem


def test_password_protected_zip_is_refused_with_its_reason(tmp_path):
    def build(subs):
        make_zip(subs / "ann.zip", {"reverse_mode.py": CODE})
        patch_zip(subs / "ann.zip", "flags", 0x1)
    assert "password-protected" in refused(tmp_path, build, "ann")


def test_zip_with_an_unknown_compression_method_is_refused(tmp_path):
    def build(subs):
        make_zip(subs / "ann.zip", {"reverse_mode.py": CODE})
        patch_zip(subs / "ann.zip", "method", 99)  # AES, as 7-Zip and WinZip write it
    assert "method 99" in refused(tmp_path, build, "ann")


@pytest.mark.parametrize("data", [b"not a zip at all", b"PK\x03\x04" + b"\0" * 100])
def test_damaged_zip_is_refused(tmp_path, data):
    assert "not a readable zip" in refused(tmp_path, lambda subs: (subs / "ann.zip").write_bytes(data), "ann")


def test_truncated_zip_is_refused(tmp_path):
    def build(subs):
        make_zip(subs / "ann.zip", {"reverse_mode.py": CODE * 100})
        (subs / "ann.zip").write_bytes((subs / "ann.zip").read_bytes()[:-30])
    assert "not a readable zip" in refused(tmp_path, build, "ann")


def test_zip_inside_the_zip_is_not_opened(tmp_path):
    def build(subs):
        make_zip(tmp_path / "inner.zip", {"reverse_mode.py": CODE})
        make_zip(subs / "ann.zip", {"hw/inner.zip": (tmp_path / "inner.zip").read_bytes()})
    problem = refused(tmp_path, build, "ann")
    assert "zip inside it (hw/inner.zip)" in problem and "not opened" in problem


def test_zip_whose_member_inflates_past_the_cap_is_refused_before_inflating(tmp_path):
    def build(subs):  # 6 MB of zeros deflate to 6 KB: a small zip, a large file
        make_zip(subs / "ann.zip", {"reverse_mode.py": b"\0" * (6 * 2**20)})
    problem = refused(tmp_path, build, "ann")
    assert "too large (6 MB, more than 5 MB)" in problem


def test_zip_with_too_many_members_is_refused_before_it_is_opened(tmp_path, monkeypatch):
    """Opening a zip parses its whole central directory (1M members: 19 s, 1 GB): the count is read
    from the end record first."""
    monkeypatch.setattr(discover_module, "MAX_ZIP_MEMBERS", 5)
    opened = []

    def build(subs):
        make_zip(subs / "ann.zip", {f"{i}.txt": "" for i in range(6)})
        monkeypatch.setattr(discover_module.zipfile, "ZipFile", lambda *a, **k: opened.append(a))
    problem = refused(tmp_path, build, "ann")
    assert "more than 5 files" in problem and not opened


def test_too_large_zip_file_is_refused_unread(tmp_path, monkeypatch):
    monkeypatch.setattr(discover_module, "MAX_ZIP_BYTES", 1000)

    def build(subs):
        with open(subs / "ann.zip", "wb") as f:
            f.truncate(2000)  # sparse: never read
    assert "too large (2 KB, more than 1000 bytes)" in refused(tmp_path, build, "ann")


def test_symbolic_link_in_a_zip_is_refused(tmp_path):
    def build(subs):
        make_zip(subs / "ann.zip", {symlink_member("reverse_mode.py", "../../alice/reverse_mode.py"): "x"})
    assert "symbolic link (reverse_mode.py)" in refused(tmp_path, build, "ann")


@pytest.mark.parametrize("text, reason", [
    ("{not json", "its JSON is damaged"),
    (notebook_json("x = '\ud800'"), "U+D800 (a lone surrogate)"),
    (notebook_json("x = 1\u0000"), "U+0000 (NUL)"),
    (notebook_json(42), "the source of cell 1 is not text"),
    (notebook_json(["x = 1\n", 3]), "the source of cell 1 is not text"),
    ('{"cells": 3}', "no list of cells"),
    ('"a string"', "no list of cells"),
    ("[" * 100000 + "]" * 100000, "nested too deeply"),
])
def test_unreadable_notebook_is_refused_with_what_is_wrong(tmp_path, text, reason):
    def build(subs):
        (subs / "ann.ipynb").write_bytes(text.encode("utf-8", "surrogatepass"))
    problem = refused(tmp_path, build, "ann")
    assert "ann.ipynb is not a readable notebook" in problem and reason in problem


def test_huge_notebook_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(discover_module, "MAX_NOTEBOOK_BYTES", 1000)

    def build(subs):
        (subs / "ann.ipynb").write_text(notebook_json("x = 1\n" * 500))
    assert "too large (more than 1000 bytes)" in refused(tmp_path, build, "ann")


def test_notebook_without_cell_ids_is_read_without_a_warning(tmp_path):
    (tmp_path / "subs").mkdir()
    (tmp_path / "subs" / "ann.ipynb").write_text(notebook_json("x = 1\n", "%time y = 2"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sub = discover(tmp_path / "subs", ID, tmp_path / "stage")["ann"]
    assert sub.source.read_text() == "x = 1\n\n# %time y = 2\n"


def test_staged_notebook_is_written_as_utf8_bytes_and_a_zipped_py_byte_for_byte(tmp_path):
    (tmp_path / "subs").mkdir()
    (tmp_path / "subs" / "ann.ipynb").write_text(notebook_json("s = 'é ✓'\n"))
    latin1 = "s = 'caf\xe9'\n".encode("latin-1")  # the child reads cp1252 / Latin-1 as check.py does
    make_zip(tmp_path / "subs" / "bob.zip", {"reverse_mode.py": latin1})
    found = discover(tmp_path / "subs", ID, tmp_path / "stage")
    assert found["ann"].source.read_bytes() == "s = 'é ✓'\n".encode()
    assert found["bob"].source.read_bytes() == latin1


@pytest.mark.parametrize("cap, make, reason", [
    ("MAX_FOLDER_ENTRIES", lambda d: [(d / f"{i}.txt").write_text("") for i in range(5)], "more than 3 files"),
    ("MAX_FOLDER_DEPTH", lambda d: (d / "a" / "b" / "c" / "d").mkdir(parents=True), "more than 3 folders deep"),
    ("MAX_FOLDER_BYTES", lambda d: (d / "data.bin").write_bytes(b"x" * 5000), "too large (more than 3 bytes)"),
])
def test_folder_past_a_cap_is_refused(tmp_path, monkeypatch, cap, make, reason):
    monkeypatch.setattr(discover_module, cap, 3)

    def build(subs):
        (subs / "ann").mkdir()
        (subs / "ann" / "reverse_mode.py").write_text("")
        make(subs / "ann")
    assert reason in refused(tmp_path, build, "ann")


def test_link_anywhere_in_a_folder_is_refused_and_never_followed(tmp_path):
    """bob/reverse_mode.ipynb -> ../alice/reverse_mode.ipynb would copy alice's full marks."""
    def build(subs):
        (subs / "alice").mkdir()
        (subs / "alice" / "reverse_mode.ipynb").write_text(notebook_json(CODE))
        (subs / "bob").mkdir()
        (subs / "bob" / "reverse_mode.ipynb").symlink_to("../alice/reverse_mode.ipynb")
        (subs / "carol" / "deep" / "er").mkdir(parents=True)
        (subs / "carol" / "reverse_mode.py").write_text(CODE)
        (subs / "carol" / "deep" / "er" / "notes").symlink_to("/etc", target_is_directory=True)
    assert "bob/ holds a symbolic link (reverse_mode.ipynb)" in refused(tmp_path, build, "bob")
    found = discover(tmp_path / "subs", ID, tmp_path / "stage2")
    assert "carol/ holds a symbolic link (deep/er/notes)" in found["carol"].problem
    assert found["alice"].source is not None


@pytest.mark.parametrize("name, directory", [("ann.py", False), ("ann.ipynb", False), ("ann", True)])
def test_top_level_link_is_refused_and_never_followed(tmp_path, name, directory):
    target = tmp_path / ("solution_dir" if directory else "solution.py")
    if directory:
        target.mkdir()
        (target / "reverse_mode.py").write_text(CODE)
    else:
        target.write_text(notebook_json(CODE) if name.endswith(".ipynb") else CODE)
    problem = refused(tmp_path, lambda subs: (subs / name).symlink_to(target, target_is_directory=directory), "ann")
    assert f"{name} is a symbolic link, which is never followed" in problem


def test_a_fifo_is_refused_not_read(tmp_path):
    assert "not a regular file" in refused(tmp_path, lambda subs: os.mkfifo(subs / "ann.py"), "ann")


def test_an_entry_that_breaks_the_reader_is_that_students_internal_error(tmp_path, monkeypatch):
    def broken(*args):
        raise OSError(36, "File name too long")

    monkeypatch.setattr(discover_module, "_from_zip", broken)
    make = lambda subs: make_zip(subs / "ann.zip", {"reverse_mode.py": CODE})  # noqa: E731
    problem = refused(tmp_path, make, "ann")
    assert problem.startswith("internal error while reading ann.zip: OSError: [Errno 36] File name too long")
    sub = discover(tmp_path / "subs", ID, tmp_path / "stage3")["ann"]
    assert sub.internal


def test_names_in_messages_are_visible_and_short(tmp_path):
    def build(subs):
        make_zip(subs / "ann.zip", {"\x1b[2J" + "x" * 200 + ".txt": ""})
    problem = refused(tmp_path, build, "ann")
    assert "\x1b" not in problem and "\\x1b[2J" in problem and "x" * 100 not in problem
