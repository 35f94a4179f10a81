"""An assignment's bundle (forward_mode; GRADESCOPE_IMAGE_ASSIGNMENT=<id> for another) in a
Gradescope-like image (tools/gradescope_image/): installed by its own setup.sh, each upload graded
by /autograder/run_autograder as root in a fresh container, compared check by check with
``make grade`` on the same files.

Slow lane, root only (debootstrap, namespaces): the first build takes ~10 minutes (debootstrap,
setup.sh's apt and pip installs), cached under /var/cache; then about a minute per 3 uploads.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools" / "gradescope_image"))
import gsimage  # noqa: E402

# CI runs forward_mode; GRADESCOPE_IMAGE_ASSIGNMENT=<id> runs the same cases for another assignment
ID = os.environ.get("GRADESCOPE_IMAGE_ASSIGNMENT", "forward_mode")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform != "linux" or os.geteuid() != 0 or not (shutil.which("debootstrap") and shutil.which("patchelf")),
                       reason="the image is built as root with debootstrap (.ci/run installs it)"),
]

SOLUTION = (ROOT / "solutions" / f"{ID}.py").read_bytes()
TEMPLATE = (ROOT / "student_template" / f"{ID}.py").read_bytes()


def _partials(assignment: str) -> tuple[str, str]:
    """Two example files that import and lose some questions (status ok): forward_mode's are bob_smith
    (loses three) and chen_wei (loses two); elsewhere the first two such in the example class."""
    if assignment == "forward_mode":
        return "bob_smith", "chen_wei"
    import tomllib

    expected = tomllib.loads((ROOT / "examples" / assignment / "expected.toml").read_text())
    partial = [name for name, spec in expected.items() if spec.get("status") == "ok" and spec.get("loses")
               and (ROOT / "examples" / assignment / f"{name}.py").is_file()]
    return partial[0], partial[1]


PARTIAL = (ROOT / "examples" / ID / f"{_partials(ID)[0]}.py").read_bytes()
OTHER_PARTIAL = (ROOT / "examples" / ID / f"{_partials(ID)[1]}.py").read_bytes()
MARKER = "/autograder/sitecustomize-ran"
SITECUSTOMIZE = f"open({MARKER!r}, 'w').write('the upload ran in the grader')\n".encode()


def _notebook(source: bytes) -> bytes:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# forward mode, my notebook"),
                                         nbformat.v4.new_code_cell("%matplotlib inline\n!pip list"),
                                         nbformat.v4.new_code_cell(source.decode())])
    return nbformat.writes(nb).encode()


# case -> the files of the upload (the same files make grade gets as that student's folder)
CASES = {
    "reference": {f"{ID}.py": SOLUTION},
    "template": {f"{ID}.py": TEMPLATE},
    "partial": {f"{ID}.py": PARTIAL},
    "notebook": {f"{ID}.ipynb": _notebook(OTHER_PARTIAL)},
    "with_helper": {f"{ID}.py": OTHER_PARTIAL, "helper.py": b"import os\nos.system('touch /autograder/helper-ran')\n"},
    "with_sitecustomize": {f"{ID}.py": SOLUTION, "sitecustomize.py": SITECUSTOMIZE},
    "misnamed": {f"{ID} (1).py": SOLUTION},
    "no_results_folder": {f"{ID}.py": PARTIAL},
}
RERUN = "reference"  # run twice in one container, no new upload


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    from autograder.authoring.release import release

    dist = tmp_path_factory.mktemp("dist")
    release(ID, dist, check=False)
    return dist / ID / "autograder.zip"


@pytest.fixture(scope="module")
def image(bundle):
    return gsimage.install(bundle)


@pytest.fixture(scope="module")
def gradescope(image, tmp_path_factory):
    """case -> (results.json, stdout, seconds, the container's upper layer files); RERUN also as
    RERUN + "_again" (the second run, same container)."""
    from concurrent.futures import ThreadPoolExecutor

    out = tmp_path_factory.mktemp("gradescope")
    found = {}

    def one(case):  # a fresh container per upload; the rerun case runs twice in its container
        container = gsimage.Container(image, CASES[case], results_folder=case != "no_results_folder")
        try:
            for run in ([case, case + "_again"] if case == RERUN else [case]):
                res = container.run(out / run)
                leftovers = {p for p in ("sitecustomize-ran", "helper-ran")
                             if (container.upper / "autograder" / p).exists()}
                found[run] = (res, (out / run / "stdout").read_text(errors="replace"),
                              float((out / run / "seconds").read_text()), leftovers)
        finally:
            container.remove()

    with ThreadPoolExecutor(2) as pool:  # two containers at a time (2 cores)
        list(pool.map(one, CASES))
    times = {k: round(v[2], 1) for k, v in found.items()}
    print(f"\nseconds per submission in the image: {times}")
    return found


@pytest.fixture(scope="module")
def make_grade(tmp_path_factory):
    """case -> Graded, from make grade's own code on a class folder: one folder per case holding the
    upload's files (the layout of Gradescope's export)."""
    from autograder.engine import grade, report

    folder = tmp_path_factory.mktemp("class")
    for case, files in CASES.items():
        for name, data in files.items():
            (folder / case).mkdir(exist_ok=True)
            (folder / case / name).write_bytes(data)
    out = tmp_path_factory.mktemp("grades")
    assert grade.main(["--jobs", "2", "--force", "--submissions", str(folder), "--out", str(out), ID]) == 0
    return {case: report.read_student(out / ID / case) for case in CASES}


def test_the_image_is_built_as_gradescope_builds_it(image):
    root = image / "root"
    base_root = gsimage.base() / "root"
    assert oct((base_root / "root").stat().st_mode & 0o777) == "0o700"  # Docker's /root before setup.sh
    python = root / "root" / "miniforge3" / "envs" / "otter-env" / "bin" / "python3.11"
    assert python.exists() and not python.is_symlink()  # a whole interpreter, as conda copies it
    site = root / "root" / "miniforge3" / "envs" / "otter-env" / "lib" / "python3.11" / "site-packages"
    for package in ("landlockpy", "pyseccomp.py", "otter", "numpy", "autograder_18065.pth"):
        assert (site / package).exists(), package
    assert not (root / "usr" / "local" / "bin" / "wget").exists()  # the stand-in is gone
    assert (root / "autograder" / "run_autograder").exists()
    setup_log = (image / "setup.log").read_text(errors="replace")
    assert "plugin importable, sandbox user ready" in setup_log


def _isolation(res: dict) -> dict:
    return res.get("extra_data", {}).get("isolation", {})


@pytest.mark.parametrize("case", [c for c in CASES if c != "misnamed"])
def test_every_layer_is_on_the_uid_unprivileged_and_the_self_test_blocked(gradescope, case):
    from autograder.engine.sandbox import fully_isolated

    res, stdout, _, _ = gradescope[case]
    layers = _isolation(res)
    assert layers, f"no isolation report: {res.get('output')}\n{stdout[-3000:]}"
    assert fully_isolated(layers), layers  # the engine's own judgement, over whatever layers it has
    # the layers a Docker container with its default capabilities permits are all on (cgroup and
    # namespaces need a writable cgroupfs or CAP_SYS_ADMIN, which Docker's defaults do not give:
    # fully_isolated accepts them off, "not permitted here")
    for layer in ("limits", "uid", "landlock", "seccomp"):
        assert str(layers.get(layer)).startswith("on"), (layer, layers)
    assert layers["uid"].startswith("on: uid ") and not layers["uid"].startswith("on: uid 0 ")
    assert layers["verified"] and all(layers["verified"].values())
    for name, state in layers.items():  # the staff-only stdout shows them
        if name != "verified":
            assert state in stdout


@pytest.mark.parametrize("case", list(CASES) + [RERUN + "_again"])
def test_scores_equal_make_grade_check_by_check(gradescope, make_grade, case):
    from autograder.gradescope.results import schema_problems

    res, stdout, _, _ = gradescope[case]
    g = make_grade[case.removesuffix("_again")]
    assert res, f"no results.json:\n{stdout[-3000:]}"
    assert schema_problems(res) == []
    assert res["score"] == g.total, (res["output"], g.status, g.status_message)
    assert {t["name"]: t["status"] == "passed" for t in res["tests"]} == {
        f"{o.question}: {o.name}": o.passed for o in g.outcomes}
    assert res["extra_data"]["status"] == g.status


def test_the_reference_gets_full_marks_and_the_template_zero(gradescope, make_grade):
    assert gradescope["reference"][0]["score"] == make_grade["reference"].max_total > 0
    assert gradescope["template"][0]["score"] == 0
    assert 0 < gradescope["partial"][0]["score"] < make_grade["partial"].max_total


def test_other_files_are_ignored_never_run_and_named(gradescope):
    res, _, _, leftovers = gradescope["with_helper"]
    assert "ignored (never run): helper.py" in res["output"] and not leftovers
    res, _, _, leftovers = gradescope["with_sitecustomize"]
    assert "ignored (never run): sitecustomize.py" in res["output"] and not leftovers
    assert res["score"] == gradescope["reference"][0]["score"]


def test_a_misnamed_file_is_missing_as_under_make_grade(gradescope, make_grade):
    res, _, _, _ = gradescope["misnamed"]
    assert res["score"] == 0 and res["extra_data"]["status"] == "missing" == make_grade["misnamed"].status
    assert f"{ID} (1).py" in res["output"] and f"named exactly {ID}.py" in res["output"]


def test_a_rerun_without_a_new_upload_gives_the_same_result(gradescope):
    first, again = gradescope[RERUN][0], gradescope[RERUN + "_again"][0]
    strip = lambda r: {k: v for k, v in r.items() if k != "execution_time"}  # noqa: E731
    assert strip(first) == strip(again) and first["score"] > 0


def test_the_notebook_is_graded_from_its_code_cells(gradescope, make_grade):
    res, _, _, _ = gradescope["notebook"]
    assert res["score"] == make_grade["notebook"].total > 0 and res["extra_data"]["status"] == "ok"


def test_a_missing_results_folder_is_created(gradescope):
    res, stdout, _, _ = gradescope["no_results_folder"]
    assert res and res["score"] == gradescope["partial"][0]["score"], stdout[-2000:]


def test_each_submission_takes_under_a_minute_and_a_half(gradescope):
    slow = {case: round(v[2]) for case, v in gradescope.items() if v[2] > 90}  # ~35 s alone, ~50 s two at once
    assert not slow, slow
