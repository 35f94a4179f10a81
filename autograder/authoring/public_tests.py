"""Rewrite an otter test file into the public version students get in student.zip.

``public_only`` removes the hidden test cases and everything only they used (their inputs, formulas,
helpers): whole top-level statements, with the comments just above them.  The AST helpers below
(which names a statement defines and uses, and the fix-point ``drop_unused`` that removes definitions
nothing kept refers to) serve any such rewrite of a test file.
"""

from __future__ import annotations

import ast
import re

from autograder.engine.suite import names_used as _names_used

FILE_VARIABLES = {"OK_FORMAT", "name", "points", "all_or_nothing"}  # otter reads these: never unused


def public_only(source: str) -> str:
    """The test file without its hidden test cases, nor anything only they used."""
    tree = ast.parse(source)
    hidden = {id(n) for n in tree.body if isinstance(n, ast.FunctionDef) and any(map(_is_hidden_case, n.decorator_list))}
    return remove_statements(source, tree, drop_unused(tree, hidden))


def drop_unused(tree: ast.Module, removed: set[int]) -> set[int]:
    """``removed`` (ids of top-level statements) plus, until none is left, every definition that no
    kept statement refers to."""
    removed = set(removed)
    changed = True
    while changed:
        changed = False
        kept = [n for n in tree.body if id(n) not in removed]
        loads = {id(n): _names_used(n) for n in kept}
        for node in kept:
            defined = _names_defined(node)
            used_elsewhere = set().union(*(loads[id(k)] for k in kept if k is not node))
            if defined and not defined & (FILE_VARIABLES | used_elsewhere):
                removed.add(id(node))
                changed = True
    return removed


def remove_statements(source: str, tree: ast.Module, removed: set[int]) -> str:
    """``source`` without the top-level statements in ``removed`` (with their decorators and the
    comment lines just above them), and no gaping holes where they were."""
    lines = source.splitlines(keepends=True)
    drop = set()
    for node in tree.body:
        if id(node) in removed:
            start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])]) - 1
            while start > 0 and lines[start - 1].lstrip().startswith("#"):
                start -= 1
            drop.update(range(start, node.end_lineno))
    text = "".join(line for i, line in enumerate(lines) if i not in drop)
    return re.sub(r"\n{4,}", "\n\n\n", text).rstrip("\n") + "\n"


def _names_defined(node: ast.stmt) -> set[str]:
    """Names a removable top-level statement defines (test cases are never removable as unused)."""
    if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
        if any(_is_test_case(d) for d in node.decorator_list):
            return set()
        return {node.name}
    if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    return set()


def _is_test_case(decorator: ast.expr) -> bool:
    return isinstance(decorator, ast.Call) and getattr(decorator.func, "id", "") == "test_case"


def _is_hidden_case(decorator: ast.expr) -> bool:
    return _is_test_case(decorator) and any(
        k.arg == "hidden" and isinstance(k.value, ast.Constant) and k.value.value is True for k in decorator.keywords)
