"""Degenerate submissions: each student template with every TODO replaced by a trivial answer.

A check that one of these passes measures nothing.  ``variants(assignment)`` rewrites the template's
AST once per strategy: every function (and method) that still raises ``NotImplementedError`` gets
the same trivial body -- return 0, 0.0, zeros of the first sequence argument's length, the first
argument unchanged (``self`` for a method), an empty list, None, or a fresh empty figure.  A class's
``__init__`` stores its arguments under their own names (``Dual(2.0, 1.0).value == 2.0``) and its
``__repr__`` returns a constant, so the class exists and its operators are the degenerate part.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# strategy name -> source of the body of every function (``first`` is the first argument's name)
_BODIES = {
    "zero": "return 0",
    "zero_float": "return 0.0",
    "zeros": "return _degenerate_zeros({args})",
    "first_argument": "return {first}",
    "empty_list": "return []",
    "none": "return None",
    "raises_value_error": "raise ValueError('degenerate')",
    "right_shape": "return _degenerate_shaped({name!r}, {args})",
}

# prepended to every variant: zeros shaped like the first sequence among the arguments
_PRELUDE = '''
def _degenerate_zeros(*args):
    import numpy
    for a in args:
        if isinstance(a, (list, tuple, numpy.ndarray)):
            return numpy.zeros(numpy.shape(a)[:1] or (0,))
    return numpy.zeros(1)


def _degenerate_left_to_right(k):
    order = 0
    for i in range(1, k):
        order = (order, i)
    return order


def _degenerate_shaped(name, *args):
    """A value of the type and shape the contract asks for, computed from nothing."""
    import numpy
    if name == "gradient":
        return numpy.zeros(len(args[1]))
    if name == "grad":
        return 0.0, numpy.zeros(len(args[1]))
    if name == "jacobian":
        out = args[0](*args[1])
        return numpy.zeros((len(out) if hasattr(out, "__len__") else 1, len(args[1])))
    if name == "sample_indices":
        return numpy.zeros(args[1], dtype=numpy.int64)
    if name in ("running_mean", "mean_squared_error_curve"):
        return numpy.zeros(len(args[0]))
    if name == "theoretical_mse":
        return numpy.zeros(args[0])
    if name == "sgd":
        return numpy.full((args[4],) + numpy.shape(args[1]), args[1], dtype=float)
    if name == "least_squares_1d":
        return (0.0, 0.0, 0.0)
    if name in ("early_stopping", "matmul_cost", "chain_cost"):
        return 0
    if name == "optimal_order":
        return (0, _degenerate_left_to_right(len(args[0]) - 1))
    if name == "chain_multiply":
        return numpy.zeros((numpy.shape(args[0][0])[0], numpy.shape(args[0][-1])[1]))
    if name == "jacobian_accumulation_costs":
        return (0, 0)
    if name.startswith("plot"):
        return _degenerate_figure()
    return 0.0


def _degenerate_figure():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots()
    return fig
'''

STRATEGIES = tuple(_BODIES) + ("empty_figure",)


def _raises_not_implemented(fn: ast.FunctionDef) -> bool:
    return any(isinstance(node, ast.Raise) and "NotImplementedError" in ast.unparse(node)
               for node in ast.walk(fn))


def _body(fn: ast.FunctionDef, strategy: str, in_class: bool) -> list[ast.stmt]:
    names = [a.arg for a in fn.args.args]
    if in_class and fn.name == "__init__":
        return ast.parse("\n".join(f"self.{n} = {n}" for n in names[1:]) or "pass").body
    if in_class and fn.name == "__repr__":
        return ast.parse("return 'degenerate'").body
    if in_class and fn.name == "backward":
        return ast.parse("return None").body
    if strategy == "empty_figure":
        source = "return _degenerate_figure()" if fn.name.startswith("plot") else "return 0.0"
    else:
        callers = [n for n in names if n != "self"]
        first = names[0] if names else "None"
        if strategy == "right_shape" and in_class:
            source = f"return {first}"  # an operator of a Dual/Var class: itself, unchanged
        else:
            source = _BODIES[strategy].format(first=first, name=fn.name, args=", ".join(callers))
    return ast.parse(source).body


class _Degenerate(ast.NodeTransformer):
    def __init__(self, strategy: str):
        self.strategy = strategy
        self.in_class = False

    def visit_ClassDef(self, node: ast.ClassDef):
        outer, self.in_class = self.in_class, True
        self.generic_visit(node)
        self.in_class = outer
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef):
        if _raises_not_implemented(node):
            doc = node.body[:1] if ast.get_docstring(node) else []
            node.body = doc + _body(node, self.strategy, self.in_class)
        return node


def variant(assignment: str, strategy: str) -> str:
    """The template of ``assignment`` with every TODO answered by ``strategy``."""
    tree = ast.parse((ROOT / "student_template" / f"{assignment}.py").read_text())
    tree = ast.fix_missing_locations(_Degenerate(strategy).visit(tree))
    return _PRELUDE + "\n\n" + ast.unparse(tree) + "\n"


def write_variants(assignment: str, folder: Path) -> list[str]:
    """Write one ``<strategy>.py`` per strategy into ``folder``; return the student names."""
    folder.mkdir(parents=True, exist_ok=True)
    for strategy in STRATEGIES:
        (folder / f"{strategy}.py").write_text(variant(assignment, strategy))
    return list(STRATEGIES)
