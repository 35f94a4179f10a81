"""The layout shows the two jobs: ``autograder/engine`` (the grading runtime, shipped in every bundle)
never imports ``autograder/authoring`` (release, gate, scaffold: never shipped), and each package's
docstring is the map of its modules, one line each."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("engine", "authoring", "checking", "gradescope")
SHIPPED = ("engine", "checking", "gradescope")  # what autograder.zip holds (authoring/bundle.py)


def imports(path: Path) -> set[str]:
    """Every module ``path`` imports, relative imports resolved within its package."""
    package = f"autograder.{path.parent.name}"
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package if node.level == 1 else "autograder" if node.level == 2 else node.module or ""
            module = f"{base}.{node.module}" if node.level and node.module else base
            found.add(module)
            found |= {f"{module}.{a.name}" for a in node.names}
    return found


@pytest.mark.parametrize("package", SHIPPED)
def test_what_a_bundle_ships_never_imports_the_authoring_side(package):
    offenders = {f.name: sorted(m for m in imports(f) if m.startswith("autograder.authoring"))
                 for f in (ROOT / "autograder" / package).glob("*.py")}
    assert not {k: v for k, v in offenders.items() if v}


@pytest.mark.parametrize("package", ("engine", "authoring"))
def test_each_package_docstring_maps_every_module(package):
    folder = ROOT / "autograder" / package
    doc = ast.get_docstring(ast.parse((folder / "__init__.py").read_text()))
    mapped = set(re.findall(r"^    (\w+)\s{2,}", doc, re.M))
    modules = {f.stem for f in folder.glob("*.py") if f.name != "__init__.py"}
    assert mapped == modules, f"in the map, not a module: {mapped - modules}; a module not in the map: {modules - mapped}"


@pytest.mark.parametrize("path", sorted(p for pkg in PACKAGES for p in (ROOT / "autograder" / pkg).glob("*.py")),
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_module_opens_with_a_docstring(path):
    assert ast.get_docstring(ast.parse(path.read_text())), f"{path} says nothing of its one job"
