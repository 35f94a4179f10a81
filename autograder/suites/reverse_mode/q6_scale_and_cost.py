"""Q6 -- Scale and cost: a 100,000-operation chain, the cheap-gradient principle, 2^30 paths."""


import numpy as np
from otter.test_files import test_case

from autograder.checking import Mismatch, check, close, fmt, is_real, seeded, timed

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
       judge=close(rtol=1e-9),
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


# The bound: the reference solution's ratio is about 2-3 (see `make bench`), and a forward-mode loop
# (one pass of f per input) is about n = 2000.  25 is 8-10 times the reference, so a correct sweep
# on a loaded 2-core grading machine never comes close, while anything per-input fails by ~100x.
_MAX_RATIO = 25.0


def _point(n, seed):
    return [float(v) for v in np.random.default_rng(seed).uniform(-1.0, 1.0, n)]


def coupled_sum_gradient(n, seed):
    """dF/dx_i = x_(i-1) + x_(i+1) + x_i, by hand (judge side)."""
    x = np.array(_point(n, seed))
    return np.roll(x, 1) + np.roll(x, -1) + x


def _ratio_at_most(bound):
    def judge(got, expected, n, seed):
        if not (isinstance(got, tuple) and len(got) == 2 and is_real(got[0])):
            raise Mismatch(f"expected a time ratio and a gradient, got {fmt(got)}")
        ratio, result = got
        gradient = result[1] if isinstance(result, (tuple, list)) and len(result) == 2 else None
        # The speed of a wrong gradient means nothing (a grad that returns zeros is fast): the
        # gradient must be right too.  Tolerance: each entry is a sum of 3 products of numbers <= 1,
        # a few ulps; 1e-12 is 1000x that.
        try:
            values = None if gradient is None else np.asarray(gradient, dtype=float)
        except (TypeError, ValueError):
            values = None
        if values is None or values.shape != expected.shape or not np.allclose(values, expected, rtol=1e-12, atol=1e-12):
            raise Mismatch("the gradient that grad(f, point) returned is not the gradient of F, so its speed "
                           "earns nothing here; make the gradient checks pass first")
        if not ratio <= bound:
            raise Mismatch(
                f"grad(f, point) took {float(ratio):.0f} times as long as one evaluation of f on Vars "
                f"(allowed: {bound:g}; the reference: about 2-3). One backward sweep must touch each node "
                f"and edge a constant number of times: no pass per input, no list searched per node "
                f"(use a set for the visited nodes).")

    return judge


@test_case(name="Cheap gradient: time(grad) stays a small constant multiple of time(f on Vars) "
                "for n = 2000 inputs (not n forward passes), and the gradient is right", points=2, hidden=True)
@check(cases=[(2000, 2706)], expect=coupled_sum_gradient, judge=_ratio_at_most(_MAX_RATIO), timeout=30,
       describe=lambda n, seed: f"F(x) = sum_i (x_i x_(i+1) + 0.5 x_i^2) with n = {n} inputs "
                                "(time of grad / time of f on Vars, best of 3 each)")
def cost_ratio(m, n, seed):
    point = _point(n, seed)
    # timed: CPU time (other load on the machine does not count), GC off as in timeit.  Unlike sgd's
    # O(n) check, f is timed on one side only: the margin is ~10x each way (see _MAX_RATIO).
    t_f = timed(lambda: _coupled_sum(*[m.Var(v) for v in point]), repeat=3)
    t_grad = timed(m.grad, _coupled_sum, point, repeat=3)
    return (t_grad / t_f, m.grad(_coupled_sum, point))


# -- 2^30 paths: each node's rule runs once per sweep, never once per path ----------------------------

@test_case(name="A layered graph with 2^30 paths from x to F finishes at once: each node passes its "
                "adjoint on once (walking every path would take hours)", points=2, hidden=True)
@check(cases=[(30, float(x0)) for x0 in seeded(2707).uniform(-1.0, 1.0, 2)] + [(40, 0.25)],
       # Two nodes per layer, u' = u + v and v' = u - v, both using both previous nodes: the map
       # (du, dv) -> (du + dv, du - dv) squared is 2 * identity, so after L layers (L even) starting
       # from du = dv = 1: du_L/dx = 2^(L/2), by hand.
       expect=lambda layers, x0: 2.0 ** (layers // 2),
       judge=close(rtol=1e-12),  # integers up to 2^20, computed exactly in floating point
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
