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
