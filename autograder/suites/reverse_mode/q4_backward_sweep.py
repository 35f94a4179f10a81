"""Q4 -- The backward sweep on whole graphs: fan-out, diamonds, shared nodes, repeated sweeps, grad()."""

import numpy as np
from otter.test_files import test_case

from autograder.checking import check, close, componentwise, fmt, seeded
from autograder.suites.reverse_mode.shared import value_and_gradient

OK_FORMAT = False
name = "q4_backward_sweep"

# Only + - * and real numbers are used in this question, so that a broken elementary function or
# quotient rule (Q2, Q3) costs nothing here: what is tested is the order and bookkeeping of the sweep.


# Tolerance for every check here: at most ~60 multiplications and additions of O(1) numbers, so a
# correct sweep (in any valid order) is within ~1e-14 relative of the hand formula; rtol = 1e-11
# leaves a margin of 1000, while a lost or doubled contribution is off by O(1).
_RTOL, _ATOL = 1e-11, 1e-12

_rng = seeded(2704)
_pairs = [(float(a), float(b)) for a, b in _rng.uniform(-2.0, 2.0, (4, 2))]


# -- fan-out: a node used several times receives the SUM of its contributions ------------------------

_FANOUT = {
    "x (F is the input itself)": lambda x, y: x,
    "x - x": lambda x, y: x - x,
    "x * x": lambda x, y: x * x,
    "x + x": lambda x, y: x + x,
    "x * x * x + x": lambda x, y: x * x * x + x,
    "x * y + x * x": lambda x, y: x * y + x * x,
    "(x + y) * (x - y)": lambda x, y: (x + y) * (x - y),
}


def _fanout_exact(form, x, y):
    """(F, dF/dx, dF/dy) by hand."""
    return {
        "x (F is the input itself)": (x, 1.0, 0.0),  # the smallest graph: one node, F.grad = 1
        "x - x": (0.0, 0.0, 0.0),  # two uses that cancel: 1 - 1
        "x * x": (x * x, 2 * x, 0.0),
        "x + x": (2 * x, 2.0, 0.0),
        "x * x * x + x": (x ** 3 + x, 3 * x * x + 1, 0.0),
        "x * y + x * x": (x * y + x * x, y + 2 * x, x),
        "(x + y) * (x - y)": (x * x - y * y, 2 * x, -2 * y),
    }[form]


@test_case(name="Fan-out: a Var used several times (x * x, x + x, x - x, ...) gets the SUM of its contributions "
                "(+=); F = x itself gets x.grad = 1", points=1, hidden=False)
@check(cases=[(form, x, y) for form in _FANOUT for x, y in _pairs], expect=_fanout_exact,
       judge=componentwise(("F.value", "x.grad", "y.grad"), close(_RTOL, _ATOL)),
       describe=lambda form, x, y: f"F = {form} with x = {x:.6g}, y = {y:.6g}")
def fan_out(m, form, x0, y0):
    x, y = m.Var(x0), m.Var(y0)
    F = _FANOUT[form](x, y)
    F.backward()
    return (F.value, x.grad, y.grad)


# -- diamonds whose two paths differ in length ------------------------------------------------------
# a = x*y reaches F in one or two steps, and through a chain of k + 1 steps.  a may pass its adjoint
# on only after ALL those paths have delivered theirs: a breadth-first sweep ("nearest to F first")
# visits a right after F, too early, and loses the long path's contribution.

def _diamond_exact(x, y, k):
    """F = a b + a with a = xy and b = a + 1 + 1 + ... (k additions), so F = a (a + k) + a (by hand)."""
    a = x * y
    dF_da = 2 * a + k + 1.0  # the direct paths give b + 1 = a + k + 1, the long one gives a
    return (a * (a + k) + a, dF_da * y, dF_da * x, dF_da, a)


@test_case(name="Diamond with paths of different lengths: a node passes its adjoint on only after ALL the "
                "nodes that use it (a true reverse topological order; breadth-first order is wrong)",
           points=2, hidden=True)
@check(cases=[(x, y, k) for (x, y), k in zip(_pairs * 2, (1, 2, 3, 5, 8, 13, 21, 34))],
       expect=_diamond_exact,
       judge=componentwise(("F.value", "x.grad", "y.grad", "a.grad", "b.grad"), close(_RTOL, _ATOL)),
       describe=lambda x, y, k: f"a = x*y; b = a, then b = b + 1 repeated {k} times; F = a*b + a; "
                                f"x = {x:.6g}, y = {y:.6g}")
def diamond_unequal_paths(m, x0, y0, k):
    x, y = m.Var(x0), m.Var(y0)
    a = x * y
    b = a
    for _ in range(k):  # the long path from a to F
        b = b + 1.0
    F = a * b + a  # two short paths from a to F
    F.backward()
    return (F.value, x.grad, y.grad, a.grad, b.grad)


# -- a shared subexpression used at several depths --------------------------------------------------

def _shared_exact(x, y):
    """u = xy + 1, v = u*u, F = v*u + v + u = u^3 + u^2 + u (by hand)."""
    u = x * y + 1.0
    dF_du = 3 * u * u + 2 * u + 1.0
    return (dF_du, u + 1.0, dF_du * y, dF_du * x)


@test_case(name="Shared subexpression: u = x*y + 1 used by v = u*u and by F = v*u + v + u "
                "(u.grad, v.grad, x.grad, y.grad)", points=1, hidden=True)
@check(cases=_pairs, expect=_shared_exact,
       judge=componentwise(("u.grad", "v.grad", "x.grad", "y.grad"), close(_RTOL, _ATOL)),
       describe=lambda x, y: f"u = x*y + 1, v = u*u, F = v*u + v + u at x = {x:.6g}, y = {y:.6g}")
def shared_subexpression(m, x0, y0):
    x, y = m.Var(x0), m.Var(y0)
    u = x * y + 1.0
    v = u * u
    F = v * u + v + u
    F.backward()
    return (u.grad, v.grad, x.grad, y.grad)


# -- sweeping again: adjoints are reset at the start of every sweep -------------------------------

def _again_exact(order, x, y):
    """The lecture's F = c s (c = x^3, s = x + 3y) and G = x y: the grads of the LAST sweep (by hand)."""
    if order in ("F, F", "G, F"):
        return (4 * x ** 3 + 9 * x * x * y, 3 * x ** 3, x + 3 * y, x ** 3)  # dF/dx, dF/dy, c.grad, s.grad
    # "F, G": x and y now hold dG/dx = y and dG/dy = x; c and s are not in G and keep F's adjoints
    return (y, x, x + 3 * y, x ** 3)


@test_case(name="backward() again gives the same grads, not twice as much (adjoints are reset at the "
                "start of each sweep); after G.backward() the shared inputs hold G's partials",
           points=1, hidden=True)
@check(cases=[(order, x, y) for order in ("F, F", "G, F", "F, G") for x, y in _pairs[:2]],
       expect=_again_exact,
       judge=componentwise(("x.grad", "y.grad", "c.grad", "s.grad"), close(_RTOL, _ATOL)),
       describe=lambda order, x, y: f"F = x^3 (x + 3y), G = x*y; backward() called on {order} in that order; "
                                    f"x = {x:.6g}, y = {y:.6g}")
def backward_twice(m, order, x0, y0):
    x, y = m.Var(x0), m.Var(y0)
    c = x * x * x  # the lecture's x^3, with * only (see the top of this file)
    s = x + 3 * y
    outputs = {"F": c * s, "G": x * y}
    for which in order.split(", "):
        outputs[which].backward()
    return (x.grad, y.grad, c.grad, s.grad)


# -- nodes that F does not depend on keep their grad -------------------------------------------------

def _untouched_exact(x, y, z):
    """After G = z*z, G.backward(), building H = 3x and F = x*y + x, then F.backward() (by hand)."""
    return (y + 1.0, x, 2 * z, 1.0, 0.0)


@test_case(name="Nodes that F does not depend on are left unchanged (an unused input, another output's "
                "graph, a node built from x but not used by F)", points=1, hidden=True)
@check(cases=[(x, y, float(z)) for (x, y), z in zip(_pairs, _rng.uniform(-2.0, 2.0, 4))],
       expect=_untouched_exact,
       judge=componentwise(("x.grad", "y.grad", "z.grad", "G.grad", "H.grad"), close(_RTOL, _ATOL)),
       describe=lambda x, y, z: f"G = z*z; G.backward(); H = 3*x; F = x*y + x; F.backward(); "
                                f"x = {x:.6g}, y = {y:.6g}, z = {z:.6g}")
def outside_untouched(m, x0, y0, z0):
    x, y, z = m.Var(x0), m.Var(y0), m.Var(z0)
    G = z * z
    G.backward()
    H = 3 * x  # uses x, but F does not use H
    F = x * y + x
    F.backward()
    return (x.grad, y.grad, z.grad, G.grad, H.grad)


# -- grad() when F does not depend on some (or all) inputs ------------------------------------------

_GRAD_FORMS = {
    "f(x, y) = c, a real number (not a Var)": lambda c: (lambda x, y: c),
    "f(x, y, z) = x * y (z unused)": lambda c: (lambda x, y, z: x * y),
    "f(x, y) = y (an input itself)": lambda c: (lambda x, y: y),
    "f(x) = 2 * x - 1 (one input)": lambda c: (lambda x: 2 * x - 1),
}


def _grad_exact(form, point, c):
    """(F, gradient) by hand."""
    if form.startswith("f(x, y) = c"):
        return (float(c), np.zeros(2))
    if form.startswith("f(x, y, z) = x * y"):
        x, y, z = point
        return (x * y, np.array([y, x, 0.0]))
    if form.startswith("f(x) = 2 * x - 1"):
        (x,) = point
        return (2.0 * x - 1, np.array([2.0]))
    x, y = point
    return (y, np.array([0.0, 1.0]))


# Edges (EDGES.md): the handout promises F as a float and a float64 gradient, also when the point and
# the constant are ints (a sweep that keeps ints returns the int 3 and an int64 array); n = 1.
_GRAD_EDGES = [("f(x, y) = c, a real number (not a Var)", (1, 2), 3), ("f(x, y) = y (an input itself)", (4, -1), 0),
               ("f(x, y, z) = x * y (z unused)", (2, 3, 5), 0), ("f(x) = 2 * x - 1 (one input)", (3,), 0),
               ("f(x) = 2 * x - 1 (one input)", (0.25,), 0)]


@test_case(name="grad(): a constant f (returning a real number) gives F as a float and an all-zero float64 "
                "gradient, also at a point of ints; inputs F does not use get 0.0", points=1, hidden=True)
@check(cases=[(form, tuple(float(v) for v in _rng.uniform(-2.0, 2.0, 3 if "z" in form else 2)),
               float(_rng.uniform(-5.0, 5.0))) for form in list(_GRAD_FORMS)[:3] for _ in range(2)] + _GRAD_EDGES,
       expect=_grad_exact, judge=value_and_gradient(_RTOL, _ATOL),
       describe=lambda form, point, c: f"grad(f, {fmt(point)}) with {form.replace('= c,', f'= {c:.6g},')}")
def grad_constant(m, form, point, c):
    return m.grad(_GRAD_FORMS[form](c), point)
