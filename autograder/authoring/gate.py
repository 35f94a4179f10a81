"""The release gate: every reason a release must not ship, found at once, each in one sentence.

(rewritten below)
"""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path

from autograder.engine import registry
from autograder.engine.suite import load_suite

from .bundle import _canonical, _pins, engine_distributions, otter_score

def environment_problems(autograder_zip: Path) -> list[str]:
    """What the bundle's own environment (environment.yml, which setup.sh installs) lacks of the
    packages its shipped engine (files/) imports, or pins at another version than requirements.txt."""
    import re

    with tempfile.TemporaryDirectory(prefix="bundle-files-") as tmp:
        with zipfile.ZipFile(autograder_zip) as z:
            z.extractall(tmp, [n for n in z.namelist() if n.startswith("files/") and n.endswith(".py")])
            environment = z.read("environment.yml").decode()
        needed = engine_distributions(Path(tmp) / "files")
    listed = {}
    for line in environment.splitlines():
        m = re.match(r"\s*-\s*([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*==\s*(\S+)\s*$", line)
        if m:
            listed[_canonical(m.group(1))] = m.group(3)
    pins = {name: line.split("==")[1] for name, line in _pins().items()}
    problems = []
    for dist, modules in sorted(needed.items()):
        why = f" (imported as {', '.join(modules)})" if modules else " (needed by what the engine imports)"
        if dist not in listed:
            problems.append(f"the bundle's environment.yml does not install {dist}{why}")
        elif dist in pins and listed[dist] != pins[dist]:
            problems.append(f"the bundle's environment.yml pins {dist}=={listed[dist]}, requirements.txt {pins[dist]}")
    return problems


def gate(assignment: str, autograder_zip: Path, student_zip: Path) -> list[str]:
    """Reasons this release must not ship (empty list: it may)."""
    from autograder.gradescope.results import schema_problems

    problems = environment_problems(autograder_zip)
    a = registry.get(assignment)
    checks = sum(len(q.cases) for q in load_suite(assignment))
    score, mx, res = otter_score(autograder_zip, a.solution, assignment)
    if score != mx or mx == 0:
        failed = [t["name"] for t in res["tests"] if t.get("score", 0) < t.get("max_score", 0)]
        problems.append(f"the reference solution scores {score:g}/{mx:g} through otter run ({res.get('output')}); "
                        f"failing: {failed}")
    score, mx, res_stub = otter_score(autograder_zip, a.template, assignment)
    if score != 0:
        passed = [t["name"] for t in res_stub["tests"] if t.get("score", 0) > 0]
        problems.append(f"the stub template scores {score:g}/{mx:g} through otter run (must be 0); passing: {passed}")
    for who, r in (("reference", res), ("stub", res_stub)):
        problems += [f"results.json of the {who} is not in Gradescope's format: {p}" for p in schema_problems(r)]
        if len(r["tests"]) != checks:
            problems.append(f"results.json of the {who} has {len(r['tests'])} test entries, not one per check ({checks})")
    return problems + hidden_tests_in(student_zip)


def hidden_tests_in(student_zip: Path) -> list[str]:
    """A problem for each test file of the student kit (``<id>/tests/q*.py``) holding a hidden test."""
    with zipfile.ZipFile(student_zip) as z:
        return [f"{student_zip.name}:{name} contains a hidden test" for name in z.namelist()
                if "/tests/" in f"/{name}" and "hidden=True" in z.read(name).decode()]
