"""Q3 -- optimal_order: the cheapest parenthesization by dynamic programming (checked by brute force)."""

import numpy as np
from otter.test_files import test_case

from autograder.checking import REFERENCE, Mismatch, check, fmt, seeded

OK_FORMAT = False
name = "q3_optimal_order"


# -- judge-side (trusted) helpers -------------------------------------------------------------------
# The returned order is priced here, never with the student's chain_cost: a submission whose
# chain_cost and optimal_order share a bug must not confirm itself.

class _BadOrder(Exception):
    pass


def _is_index(x):
    return isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_))


def _order_cost(dims, order):
    """Cost of ``order`` over ``dims``; _BadOrder unless it is a full parenthesization of 0 .. k-1."""
    k = len(dims) - 1

    def walk(o, start):  # -> (cost, one past the last matrix)
        if _is_index(o):
            if int(o) != start or start >= k:
                expected = f"matrix {start}" if start < k else "nothing (all matrices are used)"
                raise _BadOrder(f"reading it left to right, {expected} should come next but it has {fmt(o)}")
            return 0, start + 1
        if isinstance(o, tuple) and len(o) == 2:
            left_cost, s = walk(o[0], start)
            right_cost, j = walk(o[1], s)
            return left_cost + right_cost + dims[start] * dims[s] * dims[j], j
        kind = "a list (use a tuple)" if isinstance(o, list) else fmt(o)
        raise _BadOrder(f"it contains {kind}, but an order is built from ints and pairs (left, right)")

    try:
        cost, end = walk(order, 0)
    except RecursionError:
        raise _BadOrder("it is nested deeper than any order of these matrices") from None
    if end != k:
        raise _BadOrder(f"it stops after matrix {end - 1} but there are {k} matrices")
    return cost


def _all_orders(i, j):
    """Every full parenthesization of matrices i .. j (Catalan(j - i) of them)."""
    if i == j:
        yield i
        return
    for s in range(i, j):
        for left in _all_orders(i, s):
            for right in _all_orders(s + 1, j):
                yield (left, right)


def _brute_force(dims):
    """(minimum cost, the first order reaching it) by trying every order: the expected answer."""
    k = len(dims) - 1
    return min(((_order_cost(dims, o), o) for o in _all_orders(0, k - 1)), key=lambda t: t[0])


def _optimal(got, expected, dims):
    """got = (cost, order): the order is valid, really costs ``cost``, and that cost is the minimum.

    ``expected`` = (minimum cost, one optimal order), from brute force or from the reference.  Any
    optimal order is accepted (ties).
    """
    k = len(dims) - 1
    if not (isinstance(got, (tuple, list)) and len(got) == 2):
        raise Mismatch(f"optimal_order should return a pair (cost, order), got {fmt(got)}")
    cost, order = got
    try:
        true_cost = _order_cost(dims, order)
    except _BadOrder as exc:
        shown = fmt(order) if k <= 12 else "your order"
        raise Mismatch(f"{shown} is not a full parenthesization of the matrices 0..{k - 1}: {exc}") from None
    best, best_order = expected
    if true_cost != best:
        example = f" (for example {fmt(best_order)})" if k <= 12 else ""
        shown = f"your order {fmt(order)}" if k <= 12 else "your order"
        raise Mismatch(f"{shown} costs {true_cost} multiplications, but the cheapest order costs "
                       f"{best}{example}")
    if not (isinstance(cost, (int, float, np.integer, np.floating)) and not isinstance(cost, bool)
            and cost == true_cost):
        raise Mismatch(f"the order is optimal, but the returned cost {fmt(cost)} is not its cost "
                       f"({true_cost} multiplications)")


def _int_cost(got, expected, dims):
    """Property judge: the cost in (cost, order) is a Python int or a numpy integer, and it is the
    cost of the returned order (so a constant answer earns nothing; optimality is judged elsewhere)."""
    if not (isinstance(got, (tuple, list)) and len(got) == 2):
        raise Mismatch(f"optimal_order should return a pair (cost, order), got {fmt(got)}")
    if not _is_index(got[0]):
        raise Mismatch(f"wrong type: the cost {fmt(got[0])} has type {type(got[0]).__name__}; a cost counts "
                       "multiplications, so return an int")
    try:
        true_cost = _order_cost(dims, got[1])
    except _BadOrder as exc:
        raise Mismatch(f"wrong value: {fmt(got[1])} is not a full parenthesization of the matrices: {exc}") from None
    if got[0] != true_cost:
        raise Mismatch(f"wrong value: the returned cost {fmt(got[0])} is not the cost of the returned order "
                       f"{fmt(got[1])} ({true_cost} multiplications)")


def _show(dims):
    return f"dims = {[int(d) for d in dims]}" + (" (a numpy int array)" if isinstance(dims, np.ndarray) else "")


# -- inputs (seeded) --------------------------------------------------------------------------------

_rng = seeded(2703)
_random = []
for _k in [2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6, 7, 7, 7, 8, 8, 8, 8]:
    _random.append(([int(v) for v in _rng.integers(1, 40, _k + 1)],))
    _random.append(([int(v) for v in _rng.integers(1, 300, _k + 1)],))

_ties = [([4] * 7,), ([1] * 9,), ([1, 5, 1, 5, 1],), ([5, 1, 5, 1, 5],), ([2, 3, 2, 3, 2, 3],),
         ([6, 2, 6, 2, 6, 2, 6],), ([3, 3, 1, 3, 3],)]

_long = [([int(v) for v in _rng.integers(1, 101, 201)],),
         ([int(v) for v in _rng.integers(1, 1001, 121)],)]


@test_case(name="the classic CLRS chain 30x35, 35x15, 15x5, 5x10, 10x20, 20x25: the cheapest order",
           points=1, hidden=False)
@check(cases=[([30, 35, 15, 5, 10, 20, 25],)], expect=_brute_force, judge=_optimal, describe=_show)
def clrs(m, dims):
    return m.optimal_order(dims)


# Two matrices are in the same check: a function that returns (0, 0) for everything must not earn it.
@test_case(name="one matrix: nothing to multiply, (0, 0); two matrices: (m n p, (0, 1))", points=1, hidden=False)
@check(cases=[([7, 3],), ([1, 1],), ([1000, 1],), ([4, 5, 6],), ([9, 1, 9],)], expect=_brute_force, judge=_optimal, describe=_show)
def one_matrix(m, dims):
    return m.optimal_order(dims)


@test_case(name="random chains of 2 to 8 matrices: the minimum over every parenthesization (brute force)",
           points=2, hidden=True)
@check(cases=_random, expect=_brute_force, judge=_optimal, describe=_show)
def brute_force(m, dims):
    return m.optimal_order(dims)


@test_case(name="ties: any optimal order is accepted", points=1, hidden=True)
@check(cases=_ties, expect=_brute_force, judge=_optimal, describe=_show)
def ties(m, dims):
    return m.optimal_order(dims)


# Edges (EDGES.md): dims as a numpy int array, one matrix, large dims (costs ~1e15, exact ints).
@test_case(name="the minimum cost is returned as an int, the cost of the returned order (also for numpy dims)",
           points=1, hidden=True)
@check(cases=[([30, 35, 15, 5, 10, 20, 25],), ([7, 3],), ([2, 3, 4],), (np.array([5, 2, 8, 3]),),
              (np.array([9, 4]),), ([100000, 3, 100000, 7, 100000],)], expect=None, judge=_int_cost,
       describe=_show)
def int_cost(m, dims):
    return m.optimal_order(dims)


# The reference takes about 0.3 s for both chains together; 15 s leaves a factor of 50 for slower
# (still O(k^3)) code on a loaded machine, while any search over all orders (about 4^k of them)
# never finishes.  Expected: the reference's minimum cost; the student's order is priced here.
@test_case(name="long chains (200 and 120 matrices) in O(k^3) time, not by searching every order",
           points=2, hidden=True)
@check(cases=_long, expect=REFERENCE, judge=_optimal, timeout=15,
       describe=lambda dims: f"a chain of {len(dims) - 1} matrices with dims {fmt(dims)}")
def long_chains(m, dims):
    return m.optimal_order(dims)
