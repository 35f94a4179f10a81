"""Q5 -- Random expression graphs: the gradient from one backward sweep against central differences."""

import math

from otter.test_files import test_case

from autograder.checking import Mismatch, check, check_gradient, close, fmt, seeded

OK_FORMAT = False
name = "q5_random_graphs"

# A random function is a *program*: a tuple of expressions, each a nested-tuple tree over the slots
# v0, v1, ... .  The slots start as the inputs x0 .. x(n-1); every expression appends one slot, and F
# is the last one.  A program of one expression is an expression tree; a longer program reuses
# earlier slots, which makes a graph with fan-out and paths of different lengths.  Trees:
#
#     ("x", i)          slot i                       ("c", 1.5)        a real number
#     ("add", a, b)     a + b   (also sub, mul, div, pow)
#     ("neg", a)        -a      (also pos, sin, cos, exp, log, sqrt, tanh)
#
# The same small interpreter runs the program on the student's Vars (in the probe, with the
# student's functions) and on floats (in the judge, with math's).

_BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a ** b,
}
_FUNCTIONS = ("sin", "cos", "exp", "log", "sqrt", "tanh")


def _evaluate(tree, slots, fns):
    """The value of one expression tree; ``fns`` provides sin, cos, ... (the student's module or math)."""
    op = tree[0]
    if op == "x":
        return slots[tree[1]]
    if op == "c":
        return tree[1]
    a = _evaluate(tree[1], slots, fns)
    if op == "neg":
        return -a
    if op == "pos":
        return +a
    if op in _FUNCTIONS:
        return getattr(fns, op)(a)
    return _BINARY[op](a, _evaluate(tree[2], slots, fns))


def _run(program, inputs, fns):
    """F: every expression appends one slot; the last slot is the output."""
    slots = list(inputs)
    for expression in program:
        slots.append(_evaluate(expression, slots, fns))
    return slots[-1]


_SYMBOL = {"add": "+", "sub": "-", "mul": "*", "div": "/", "pow": "**"}


def _show(tree, n):
    """Infix text of a tree for feedback; slots below n are inputs x_i, the others v_i."""
    op = tree[0]
    if op == "x":
        return f"x{tree[1]}" if tree[1] < n else f"v{tree[1]}"
    if op == "c":
        return f"{tree[1]:g}"
    if op in ("neg", "pos"):
        return ("-" if op == "neg" else "+") + f"({_show(tree[1], n)})"
    if op in _FUNCTIONS:
        return f"{op}({_show(tree[1], n)})"
    return f"({_show(tree[1], n)} {_SYMBOL[op]} {_show(tree[2], n)})"


def _describe(program, point, seed):
    n = len(point)
    inputs = ", ".join(f"x{i} = {v:.4g}" for i, v in enumerate(point))
    if len(program) == 1:
        return f"F = {_show(program[0], n)} at {inputs}"
    lines = "; ".join(f"v{n + k} = {_show(e, n)}" for k, e in enumerate(program))
    return f"the graph {lines}; F = v{n + len(program) - 1}, at {inputs}"


# -- random programs (seeded; only integer and uniform draws, so identical on every machine) -------

def _positive(t):
    """1.25 + t*t >= 1.25 whatever t is: a safe argument for log, sqrt, a divisor or a base."""
    return ("add", ("c", 1.25), ("mul", t, t))


def _constant(rng):
    return ("c", round(float(rng.uniform(0.5, 2.0)) * (1 if rng.random() < 0.5 else -1), 3))


def _random_tree(rng, slots, depth):
    """A random expression over slots 0..slots-1, every function used inside its domain."""
    if depth == 0 or rng.random() < 0.2:
        if rng.random() < 0.15:
            return _constant(rng)
        return ("x", int(rng.integers(slots)))
    sub = lambda: _random_tree(rng, slots, depth - 1)  # noqa: E731
    kind = int(rng.integers(14))
    if kind <= 2:
        return (("add", "sub", "mul")[kind], sub(), sub())
    if kind == 3:  # a real number on the left or on the right
        return (("add", "sub", "mul")[int(rng.integers(3))],) + ((_constant(rng), sub()) if rng.random() < 0.5
                                                              else (sub(), _constant(rng)))
    if kind == 4:
        return ("div", sub(), _positive(sub()))
    if kind == 5:
        return ("div", _constant(rng), _positive(sub())) if rng.random() < 0.5 else ("div", sub(), _constant(rng))
    if kind == 6:  # Var ** real, real ** Var, Var ** Var
        choice = int(rng.integers(3))
        if choice == 0:
            return ("pow", _positive(sub()), ("c", (2.0, 3.0, 0.5, -1.5)[int(rng.integers(4))]))
        if choice == 1:
            return ("pow", ("c", 1.5), ("tanh", sub()))
        return ("pow", _positive(sub()), ("tanh", sub()))
    if kind <= 9:
        return (("sin", "cos", "tanh")[kind - 7], sub())
    if kind == 10:
        return ("exp", ("sin", sub()))
    if kind == 11:
        return (("log", "sqrt")[int(rng.integers(2))], _positive(sub()))
    if kind == 12:
        return ("neg", sub())
    return ("pos", sub())


def _uses_a_slot(tree) -> bool:
    return tree[0] == "x" or any(isinstance(t, tuple) and _uses_a_slot(t) for t in tree[1:])


def _random_expression_tree(rng, n, depth):
    """A one-expression program whose output depends on the inputs."""
    while True:  # rng draws only (no float test): the same cases in every process
        tree = _random_tree(rng, n, depth)
        if _uses_a_slot(tree):
            return (tree,)


def _random_graph(rng, n, length):
    """A program of ``length`` expressions over ALL earlier slots, then F = the sum of the last three.

    Each expression is either a squashing function (sin, tanh, cos) of a random depth-2 tree, or the
    average of two earlier slots: every slot stays of moderate size, and since any earlier slot may
    be used again, the graph has fan-out, shared nodes and paths of many different lengths.
    """
    program = []
    for k in range(length):
        slots = n + k
        if rng.random() < 0.3:
            a, b = (("x", int(i)) for i in rng.integers(0, slots, 2))
            program.append(("mul", ("c", 0.5), (("add", "sub")[int(rng.integers(2))], a, b)))
            continue
        while True:
            tree = _random_tree(rng, slots, 2)
            if _uses_a_slot(tree):
                break
        program.append((("sin", "tanh", "cos")[int(rng.integers(3))], tree))
    last = n + length
    program.append(("add", ("add", ("x", last - 1), ("x", last - 2)), ("x", last - 3)))
    return tuple(program)


def _point(rng, n):
    return tuple(round(float(v), 6) for v in rng.uniform(-1.2, 1.2, n))


_rng = seeded(2705)
_tree_cases = []
for _k in range(12):
    _n = int(_rng.integers(1, 5))
    _tree_cases.append((_random_expression_tree(_rng, _n, 4), _point(_rng, _n), 500 + _k))
_dag_cases = []
for _k in range(10):
    _n = int(_rng.integers(2, 5))
    _dag_cases.append((_random_graph(_rng, _n, int(_rng.integers(8, 20))), _point(_rng, _n), 600 + _k))


# -- the judge: the value against plain floats, the gradient against central differences -----------

def _matches_central_differences(got, expected, program, point, seed):
    """Property judge: F agrees with the float evaluation and grad . v with (F(x+hv) - F(x-hv)) / 2h.

    Tolerances: F itself is computed by the same operations in both processes, up to the student's
    choice among equivalent formulas (a few ulps per operation, amplified at most ~1e3 by these
    O(1)-scaled programs), hence rtol = 1e-10.  The gradient: see ``check_gradient`` (rtol 1e-6 with
    h = 1e-5, a margin of about 1e5 for these smooth functions; a gradient 0.05 % off fails).
    """
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        raise Mismatch(f"expected (F.value, [x.grad for each input]), got {fmt(got)}")
    value, grads = got
    f = lambda x: _run(program, [float(v) for v in x], math)  # noqa: E731
    try:
        close(rtol=1e-10, atol=1e-12)(value, f(point))
    except Mismatch as m:
        raise Mismatch(f"F.value: {m}") from None
    check_gradient(f, point, grads, seeded(seed), directions=3)


def _probe(m, program, point):
    xs = [m.Var(v) for v in point]
    F = _run(program, xs, m)
    F.backward()
    return (F.value, [x.grad for x in xs])


@test_case(name="Random expression trees (every operator and function, reals on either side): "
                "the gradient matches central differences", points=1, hidden=False)
@check(cases=_tree_cases, expect=None, judge=_matches_central_differences, describe=_describe)
def random_trees(m, program, point, seed):
    return _probe(m, program, point)


@test_case(name="Random graphs with shared nodes, fan-out and paths of different lengths: "
                "the gradient matches central differences", points=2, hidden=True)
@check(cases=_dag_cases, expect=None, judge=_matches_central_differences, describe=_describe)
def random_graphs(m, program, point, seed):
    return _probe(m, program, point)
