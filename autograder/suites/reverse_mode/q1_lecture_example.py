"""Q1 -- The lecture's example: F(x, y) = x^3 (x + 3y) at (2, 3); one backward sweep gives dF/dx and dF/dy."""

import numpy as np
from otter.test_files import test_case

from autograder.checking import REFERENCE, Mismatch, check, close, componentwise, fmt, is_real, seeded
from autograder.suites.reverse_mode.shared import value_and_gradient

OK_FORMAT = False
name = "q1_lecture_example"


# -- the lecture's graph, built from the student's Var ------------------------------------------

def _lecture_graph(m, x0, y0):
    """x, y, c = x^3, s = x + 3y and F = c s, exactly the nodes drawn in the lecture."""
    x, y = m.Var(x0), m.Var(y0)
    c = x ** 3
    s = x + 3 * y
    F = c * s
    return x, y, c, s, F


def _lecture_f(x, y):
    return x ** 3 * (x + 3 * y)


# -- judge-side helpers -----------------------------------------------------------------------------

def _fresh_var_and_repr(got, expected, value, slope):
    """Var(value) starts at grad 0.0; its repr shows the value and, after a sweep, the grad."""
    if not isinstance(got, (tuple, list)) or len(got) != 3:
        raise Mismatch(f"expected (value, grad, repr) of a Var, got {fmt(got)}")
    v, g, text = got
    if not (is_real(v) and float(v) == value):
        raise Mismatch(f"Var({value}).value should be {value}, got {fmt(v)}")
    if not (is_real(g) and float(g) == 0.0):
        raise Mismatch(f"a new Var's grad should be 0.0 (no sweep has reached it yet), got {fmt(g)}")
    if not isinstance(text, str):
        raise Mismatch(f"repr() should return a string, got {fmt(text)}")
    for what, number in (("value", value), ("grad", slope)):
        if f"{number:g}" not in text:
            raise Mismatch(f"repr() should show the {what} {number:g}; it was {text!r}")


# -- inputs -----------------------------------------------------------------------------------------

_rng = seeded(2701)
# The lecture's point first, then seeded random points (a hard-coded answer would fail those).
_points = [(2.0, 3.0)] + [(float(a), float(b)) for a, b in _rng.uniform(-2.0, 2.0, (4, 2))]


def _at(x0, y0):
    return f"F(x, y) = x^3 (x + 3y) at (x, y) = ({x0:.6g}, {y0:.6g})"


# Tolerance for every check below: the lecture's graph has four operations, so a correct
# implementation is within a few ulps of the reference (1e-15 relative); 1e-12 allows any order of
# the same arithmetic, while a missing or wrong term is off by O(1).

@test_case(name="Var(v) has value v and grad 0.0; repr() shows the value and the grad", points=1, hidden=False)
@check(cases=[(2.5, 3.25)], expect=None, judge=_fresh_var_and_repr,
       describe=lambda value, slope: f"x = Var({value}), then F = x * {slope} and F.backward()")
def var_basics(m, value, slope):
    x = m.Var(value)
    fresh = (x.value, x.grad)
    F = x * slope
    F.backward()
    return fresh + (repr(x),)


@test_case(name="One backward() sweep from F gives F.value, F.grad = dF/dF = 1, x.grad = dF/dx and y.grad = dF/dy",
           points=2, hidden=False)
@check(cases=_points, expect=REFERENCE,
       judge=componentwise(("F.value", "F.grad", "x.grad", "y.grad"), close(rtol=1e-12, atol=1e-12)), describe=_at)
def lecture_one_sweep(m, x0, y0):
    x, y, c, s, F = _lecture_graph(m, x0, y0)
    F.backward()  # ONE sweep: both partial derivatives must be there afterwards
    return (F.value, F.grad, x.grad, y.grad)


@test_case(name="The intermediate nodes hold their adjoints: c.grad = dF/dc = s and s.grad = dF/ds = c "
                "(c = x^3, s = x + 3y, F = c s)", points=1, hidden=False)
@check(cases=_points, expect=REFERENCE, judge=componentwise(("c.grad", "s.grad"), close(rtol=1e-12, atol=1e-12)),
       describe=_at)
def lecture_intermediate_nodes(m, x0, y0):
    x, y, c, s, F = _lecture_graph(m, x0, y0)
    F.backward()
    return (c.grad, s.grad)


# Edges (EDGES.md): the handout's own example, the point (2, 3) given as ints (F must still be the
# float 88.0 and the gradient float64), and a numpy int array.
def _as_point(x0, y0):
    """The point as the probe passes it: a tuple, or an array for numpy ints."""
    return np.array([x0, y0]) if isinstance(x0, np.integer) else (x0, y0)


def _show_point(x0, y0):
    if isinstance(x0, np.integer):
        return f"np.array([{x0}, {y0}]) (int64)"
    if isinstance(x0, int):
        return f"({x0}, {y0}) (ints)"
    return f"({x0:.6g}, {y0:.6g})"


@test_case(name="grad(f, point) returns (F, gradient): a float and a float64 numpy array of shape (n,), also for "
                "a point of ints", points=1, hidden=False)
@check(cases=_points + [(2, 3), (np.int64(-1), np.int64(2))], expect=REFERENCE,
       judge=value_and_gradient(rtol=1e-12, atol=1e-12),
       describe=lambda x0, y0: f"grad(f, {_show_point(x0, y0)}) with f(x, y) = x**3 * (x + 3*y)")
def lecture_via_grad(m, x0, y0):
    return m.grad(_lecture_f, _as_point(x0, y0))
