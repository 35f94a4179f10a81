"""Q6 -- Scale and cost: a 100,000-operation chain, the cheap-gradient principle, 2^30 paths."""


import numpy as np
from otter.test_files import test_case

from autograder.checking import Cost, Mismatch, check, close, seeded

OK_FORMAT = False
name = "q6_scale_and_cost"


# -- a chain of 100,000 operations: far deeper than Python's recursion limit (about 1,000) ---------

@test_case(name="A chain of 100,000 operations: backward() works without RecursionError "
                "(find the topological order with a loop and an explicit stack, not recursion)",
           points=2, hidden=False)
@check(cases=[(50_000, 1.0001, 0.0001, 0.5)],
       # x.grad = d/dx of 50,000 steps v <- v a + b = a^50000, by hand.
       expect=lambda steps, a, b, x0: a ** steps,
       # Tolerance: 50,000 rounded products accumulate at most 50,000 * 2^-53 ~ 6e-12 relative error.
       judge=lambda got, expected, *args: _named("wrong value (no RecursionError)", close(rtol=1e-9), got, expected),
       timeout=30,
       describe=lambda steps, a, b, x0: f"v = x = Var({x0}), then v = v * {a} + {b} repeated {steps:,} times "
                                        f"({2 * steps:,} operations); v.backward(); x.grad")
def long_chain(m, steps, a, b, x0):
    x = m.Var(x0)
    v = x
    for _ in range(steps):
        v = v * a + b
    v.backward()
    return x.grad


def _named(cause, judge, got, expected):
    """``judge`` with the failing property named first in its message."""
    try:
        judge(got, expected)
    except Mismatch as m:
        raise Mismatch(f"{cause}: {m}") from None


# -- cost: grad is a small constant multiple of one evaluation of f on Vars ---------------------------

def _pairwise_sum(terms):
    """t0 + t1 + ... added in a balanced tree (depth log2 n, so no deep recursion is needed here)."""
    while len(terms) > 1:
        terms = [terms[i] + terms[i + 1] if i + 1 < len(terms) else terms[i] for i in range(0, len(terms), 2)]
    return terms[0]


def _coupled_sum(*xs):
    """F(x) = sum_i (x_i x_(i+1) + 0.5 x_i^2): n inputs, 6n - 1 nodes (only + and *)."""
    n = len(xs)
    return _pairwise_sum([xs[i] * xs[(i + 1) % n] + 0.5 * (xs[i] * xs[i]) for i in range(n)])


# The unit of cost: one evaluation of F on the grader's own minimal nodes (_Node: a value and its
# parents with their local derivatives, the least any reverse mode records), timed by the grader in
# its own process.  grad(F, point) is timed by the grader from the kernel's CPU clock of the grading
# process, the fastest of 3 runs, each at a new point.  Measured in the sandbox (CPU time, n = 2000,
# machine quiet): the reference 3-4 units, the alternative solutions in tests/fixtures/alternative
# 5-7, the example class 2-4; a backward sweep that searches a list per node (O(nodes^2),
# tests/fixtures/adversarial/reverse_mode/_quadratic_grad.py) 250-270; a forward pass per input
# ~8,000.  The two sides are timed by different processes, so contention (two grading jobs on one
# core's two hardware threads) can move the ratio by 2-3x either way: CI once measured the quadratic
# sweep under 100.  The bound 40 sits at the geometric middle, 5.7x above the slowest correct sweep
# and 6.5x under the quadratic one.
_MAX_RATIO = 40.0


class _Node:
    """Forward evaluation with a recorded graph (judge side: the unit of cost, never a submission's)."""

    __slots__ = ("value", "parents")

    def __init__(self, value, parents=()):
        self.value, self.parents = value, parents

    def __add__(self, other):
        other = other if isinstance(other, _Node) else _Node(other)
        return _Node(self.value + other.value, ((self, 1.0), (other, 1.0)))

    def __mul__(self, other):
        other = other if isinstance(other, _Node) else _Node(other)
        return _Node(self.value * other.value, ((self, other.value), (other, self.value)))

    __radd__, __rmul__ = __add__, __mul__


def _f_on_nodes(n):
    _coupled_sum(*[_Node(v) for v in _point(n, 2706)])


def _point(n, seed):
    return [float(v) for v in np.random.default_rng(seed).uniform(-1.0, 1.0, n)]


def coupled_sum_gradient(n, seed):
    """dF/dx_i = x_(i-1) + x_(i+1) + x_i, by hand (judge side)."""
    x = np.array(_point(n, seed))
    return np.roll(x, 1) + np.roll(x, -1) + x


def _is_gradient(got, expected, n):
    """grad returns (F(point), gradient); each gradient entry is a sum of 3 products of numbers <= 1,
    exact to a few ulps: 1e-12 is 1000x that."""
    gradient = got[1] if isinstance(got, (tuple, list)) and len(got) == 2 else None
    try:
        values = None if gradient is None else np.asarray(gradient, dtype=float)
    except (TypeError, ValueError):
        values = None
    if values is None or values.shape != expected.shape or not np.allclose(values, expected, rtol=1e-12, atol=1e-12):
        raise Mismatch("the gradient that grad(f, point) returned is not the gradient of F (its speed earns "
                       "nothing then); make the gradient checks pass first")


def _too_slow(ratio):
    return (f"grad(f, point) took {ratio:.0f} times as long as one evaluation of f recording its graph "
            f"(allowed: {_MAX_RATIO:g}; the reference: about 4). One backward sweep must touch each node and "
            "edge a constant number of times: no pass per input, no list searched per node (use a set for "
            "the visited nodes).")


@test_case(name="Cheap gradient: time(grad) stays a small constant multiple of one evaluation of f "
                "for n = 2000 inputs (not n forward passes), and the gradient is right", points=2, hidden=True)
@check(cases=[(2000,)], expect=lambda n, seed: coupled_sum_gradient(n, seed), judge=_is_gradient, timeout=30,
       cost=Cost(_MAX_RATIO, baseline=_f_on_nodes, too_slow=_too_slow), repeat=3,
       describe=lambda n: f"F(x) = sum_i (x_i x_(i+1) + 0.5 x_i^2) with n = {n} inputs (the fastest of 3 "
                          "runs of grad, each at a new point)")
def cost_ratio(m, n, seed):
    return m.grad(_coupled_sum, _point(n, seed))


# -- 2^30 paths: each node's rule runs once per sweep, never once per path ----------------------------

def _layered_gradient(got, expected, layers, x0):
    """Two properties, named apart: "too slow" is the time limit's verdict (the engine's "did not
    finish within 10 s"); a gradient that arrives in time but is wrong says "wrong value", so a
    student with a wrong sweep does not hunt for a speed problem.  Tolerance: the gradient is an
    integer up to 2^20, computed exactly in floating point; rtol = 1e-12 only forgives another order."""
    try:
        close(rtol=1e-12)(got, expected)
    except Mismatch as m:
        raise Mismatch(f"wrong value (it finished in time): x.grad after {layers} layers: {m}") from None


@test_case(name="A layered graph with 2^30 paths from x to F: the right gradient, within 10 seconds (each node "
                "passes its adjoint on once; walking every path would take hours)", points=2, hidden=True)
@check(cases=[(30, float(x0)) for x0 in seeded(2707).uniform(-1.0, 1.0, 2)] + [(40, 0.25)],
       # Two nodes per layer, u' = u + v and v' = u - v, both using both previous nodes: the map
       # (du, dv) -> (du + dv, du - dv) squared is 2 * identity, so after L layers (L even) starting
       # from du = dv = 1: du_L/dx = 2^(L/2), by hand.
       expect=lambda layers, x0: 2.0 ** (layers // 2),
       judge=_layered_gradient,
       timeout=10,
       describe=lambda layers, x0: f"x = Var({x0:.6g}); u = v = x; {layers} layers of u, v = u + v, u - v "
                                   f"(2^{layers} paths); F = u; F.backward(); x.grad")
def many_paths(m, layers, x0):
    x = m.Var(x0)
    u, v = x, x
    for _ in range(layers):
        u, v = u + v, u - v
    u.backward()
    return x.grad
