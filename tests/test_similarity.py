"""The class's similarity report (autograder/engine/similarity.py), measured on the project's own code.

* planted copies: the reference solution and every independent alternative solution
  (tests/fixtures/alternative/<id>/*.py) of each assignment, each disguised by ``disguise`` below --
  every local name and parameter renamed, docstrings dropped, reformatted (an ``ast`` round trip,
  which also drops every comment and changes quotes and parentheses), comments of its own added
  and the functions (module level and inside classes) in reverse order;
* independent solutions: every other pair of that class (the reference, the alternatives, their
  disguised copies), which must not be flagged.

``test_precision_and_recall_on_planted_and_independent_solutions`` prints the numbers it measured
(run with -s): at the threshold, precision and recall are both 1.0 on the four assignments.
"""

import ast
import builtins
import itertools
import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from autograder.engine import similarity
from autograder.engine.similarity import compare, similarity_md

ROOT = Path(__file__).resolve().parents[1]
ALTERNATIVE = ROOT / "tests" / "fixtures" / "alternative"


def disguise(source: str, salt: str = "q") -> str:
    """``source`` as a student hiding a copy would hand it in: see the module docstring."""
    tree = ast.parse(source)
    top = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    top |= {t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}
    local = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.Lambda)):
            for sub in ast.walk(node):
                if isinstance(sub, ast.arg) and sub.arg not in ("self", "cls"):
                    local.add(sub.arg)
                elif isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                    local.add(sub.id)
    local -= top | set(dir(builtins))
    rename = {name: f"{salt}{i}_{name[::-1].strip('_')}x" for i, name in enumerate(sorted(local))}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in rename:
            node.id = rename[node.id]
        elif isinstance(node, ast.arg) and node.arg in rename:
            node.arg = rename[node.arg]
        elif isinstance(node, ast.keyword) and node.arg in rename:
            node.arg = rename[node.arg]

    def strip_docstring(body):
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                and isinstance(body[0].value.value, str):
            body.pop(0)
            if not body:
                body.append(ast.Pass())

    def reverse_functions(body):
        slots = [i for i, n in enumerate(body) if isinstance(n, ast.FunctionDef)]
        for i, f in zip(slots, [body[i] for i in slots][::-1]):
            body[i] = f

    strip_docstring(tree.body)
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            strip_docstring(node.body)
        if isinstance(node, ast.ClassDef):
            reverse_functions(node.body)
    reverse_functions(tree.body)
    lines = []
    for line in ast.unparse(tree).splitlines():
        if line.lstrip().startswith("def "):
            lines.append(line[:len(line) - len(line.lstrip())] + "# my own helper")
        lines.append(line)
    return "\n".join(lines) + "\n"


def classes() -> dict[str, dict[str, str]]:
    """assignment -> {name: code}: the reference, the alternatives and a disguised copy of each, for
    every assignment with alternative solutions (a new assignment's scaffold is too small to compare)."""
    out = {}
    for assignment in sorted(p.name for p in ALTERNATIVE.iterdir() if p.is_dir()):
        originals = {"reference": (ROOT / "solutions" / f"{assignment}.py").read_text()}
        originals |= {f.stem: f.read_text() for f in sorted((ALTERNATIVE / assignment).glob("*.py"))}
        out[assignment] = originals | {f"copy_of_{name}": disguise(code, salt=name[:2]) for name, code in originals.items()}
    return out


def planted(a: str, b: str) -> bool:
    return a == f"copy_of_{b}" or b == f"copy_of_{a}"


def test_a_disguised_copy_still_runs_like_the_original_and_looks_different():
    original = (ROOT / "solutions" / "matrix_chain.py").read_text()
    copy = disguise(original)
    assert copy != original and '"""' not in copy and "# my own helper" in copy
    names = lambda code: {n.id for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Name)}  # noqa: E731
    assert len(names(original) & names(copy)) < len(names(original)) / 2  # most names changed
    first_def = lambda code: re.search(r"^def (\w+)", code, re.M).group(1)  # noqa: E731
    assert first_def(copy) != first_def(original)  # reordered


def test_precision_and_recall_on_planted_and_independent_solutions():
    tp = fp = fn = tn = 0
    lowest_planted, highest_independent = 1.0, 0.0
    for assignment, sources in classes().items():
        template = (ROOT / "student_template" / f"{assignment}.py").read_text()
        base = similarity.template_hashes(template)
        prints = {name: similarity.fingerprint(code, base) for name, code in sources.items()}
        flagged = {(p.a, p.b) for p in compare(sources, template).pairs}
        for a, b in itertools.combinations(sorted(sources), 2):
            score = similarity.score_pair(a, prints[a], b, prints[b]).score
            if planted(a, b):
                lowest_planted = min(lowest_planted, score)
                tp, fn = tp + ((a, b) in flagged), fn + ((a, b) not in flagged)
            else:
                highest_independent = max(highest_independent, score)
                fp, tn = fp + ((a, b) in flagged), tn + ((a, b) not in flagged)
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    print(f"\nsimilarity at {similarity.THRESHOLD}: {tp + fn} planted pairs, {fp + tn} independent pairs; "
          f"precision {precision:.2f}, recall {recall:.2f}; lowest planted score {lowest_planted:.2f}, "
          f"highest independent score {highest_independent:.2f}")
    assert (precision, recall) == (1.0, 1.0)


def test_the_template_is_discounted_and_a_nearly_untouched_stub_is_not_compared():
    template = (ROOT / "student_template" / "forward_mode.py").read_text()
    # two students who each filled in one small function of the stub, the same way
    one = template.replace('raise NotImplementedError("TODO: store value and deriv")',
                           "self.value = value\n        self.deriv = deriv")
    result = compare({"ann": one, "bob": one.replace("value", "val")}, template)
    assert result.pairs == [] and result.too_small == ["ann", "bob"]
    # without the template discounted, the stub's own code makes them look identical
    assert compare({"ann": one, "bob": one}, None).pairs[0].score > 0.99


def test_regions_are_side_by_side_and_everything_from_a_submission_is_data():
    code = (ROOT / "solutions" / "matrix_chain.py").read_text()
    hostile = "=1+2 `x` [a](javascript:alert(1)) \x1b[31m"
    sources = {hostile: code, "bob": disguise(code)}
    result = compare(sources, None)
    assert len(result.pairs) == 1 and result.pairs[0].regions
    text = similarity_md("matrix_chain", result.pairs, sources, 2, {"<img src=x>": "untouched template"})
    assert "\x1b" not in text
    html = MarkdownIt("commonmark").enable("table").render(text)
    assert "<a " not in html and "<img" not in html
    section = text.split("## 1.")[1]
    assert sum(line.startswith("| lines ") for line in section.splitlines()) == len(result.pairs[0].regions)
    assert "def chain_cost" in section or "def " in section


def test_fingerprints_are_the_same_in_every_process():
    """A run's hash is CRC-32 and tuple hashing, which Python does not salt per process (a string's
    hash is salted: copydetect's scores change from run to run): the report is reproducible."""
    tokens = similarity.tokens("def f(x):\n    return x * x + 1\n").text
    assert tokens == ["def", "N", "(", "N", ")", ":", ";", "{", "return", "N", "*", "N", "+", "L", ";", "}"]
    assert similarity._hashes(tokens * 2)[:2] == [1614007450366290275, 7307801879524389909]


@pytest.mark.slow  # ~1.5 s of CPU, several seconds on a loaded machine
def test_fast_enough_for_a_class_of_a_hundred():
    import time

    sources = classes()["forward_mode"]
    many = {f"s{i:03d}_{name}": code for i, (name, code) in
            enumerate(itertools.islice(itertools.cycle(sources.items()), 100))}
    start = time.process_time()
    result = compare(many, (ROOT / "student_template" / "forward_mode.py").read_text())
    assert time.process_time() - start < 10 and result.pairs
