"""Q1 -- The cost of a given order: matmul_cost and chain_cost, from the lecture's (AB)C versus A(BC)."""

import numpy as np
from otter.test_files import test_case

from autograder.checking import Mismatch, check, equal, fmt, is_real, seeded

OK_FORMAT = False
name = "q1_costs"


# -- judge-side (trusted) helpers: the cost of an order the suite itself generated ----------------

def _cost(dims, order):
    """Scalar multiplications of ``order`` over ``dims`` (a valid order, built by this suite)."""

    def walk(o):  # -> (cost, first matrix, one past the last matrix)
        if isinstance(o, int):
            return 0, o, o + 1
        left_cost, i, s = walk(o[0])
        right_cost, _, j = walk(o[1])
        return left_cost + right_cost + dims[i] * dims[s] * dims[j], i, j

    return walk(order)[0]


def _random_order(rng, i, j):
    """A uniformly chosen split at every level: a random full parenthesization of i .. j-1."""
    if j - i == 1:
        return i
    s = int(rng.integers(i + 1, j))
    return (_random_order(rng, i, s), _random_order(rng, s, j))


def _nested(k, side):
    """((0, 1), 2), ... (side "left", left to right) or 0, (1, (2, ...)) (side "right")."""
    if side == "left":
        order = 0
        for i in range(1, k):
            order = (order, i)
    else:
        order = k - 1
        for i in range(k - 2, -1, -1):
            order = (i, order)
    return order


def _is_count(x):
    return isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_))


_INT_COST_CALLS = ("matmul_cost(2, 3, 4)", "chain_cost([2, 3, 4, 5], ((0, 1), 2))", "chain_cost([3, 4], 0)",
                   "matmul_cost(np.int64(7), np.int64(1), np.int64(5))",
                   "chain_cost(np.array([2, 3, 4, 5]), (0, (1, 2)))",
                   "matmul_cost(999983, 999979, 999961)", "chain_cost([999983, 999979, 999961, 2], ((0, 1), 2))")
# Expected, by hand: 24; 2*3*4 + 2*4*5 = 64; 0; 35; A(BC): 3*4*5 + 2*3*5 = 90; and two products of
# large primes (exact only in integer arithmetic: ~1e18 needs 60 bits, a float64 keeps 53).
_INT_COST_VALUES = (24, 64, 0, 35, 90, 999983 * 999979 * 999961, 999983 * 999979 * 999961 + 999983 * 999961 * 2)


def _all_ints(got, expected, *args):
    """Every returned cost is an int (Python int or numpy integer) with the exact value, also for numpy
    ints as dims (a numpy array, numpy int arguments) and for costs near 1e18 (a function that returns 0 for everything must not
    earn the point): "wrong type" or "wrong value" says which property failed."""
    if not (isinstance(got, (tuple, list)) and len(got) == len(expected)):
        raise Mismatch(f"wrong type: expected {len(expected)} costs, got {fmt(got)}")
    for what, x, want in zip(_INT_COST_CALLS, got, expected):
        if is_real(x) and x != want:
            raise Mismatch(f"wrong value: {what} returned {fmt(x)}, expected {want}")
        if not _is_count(x):
            raise Mismatch(f"wrong type: {what} returned {fmt(x)} of type {type(x).__name__}; a cost counts "
                           "multiplications, so return an int (e.g. int(...) around a numpy value)")


# -- inputs (seeded: identical in every process) --------------------------------------------------

_rng = seeded(2701)
_random_cases = []
for _k in [2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 10, 12, 16]:
    _dims = [int(v) for v in _rng.integers(1, 60, _k + 1)]
    _random_cases.append((_dims, _random_order(_rng, 0, _k)))

_deep_cases = []
for _k in [3, 4, 5, 6, 8, 11]:
    _dims = [int(v) for v in _rng.integers(1, 40, _k + 1)]
    _deep_cases += [(_dims, "left"), (_dims, "right")]


@test_case(name="matmul_cost(m, n, p) = mnp: m*p entries, each an inner product of length n",
           points=1, hidden=False)
@check(cases=[(2, 3, 4), (1, 1, 1), (7, 1, 5), (30, 35, 15), (1000, 1000, 1)],
       expect=lambda m, n, p: m * n * p, judge=equal,
       describe=lambda m, n, p: f"({m}x{n}) times ({n}x{p})")
def matmul(m, a, b, c):
    return m.matmul_cost(a, b, c)


def _lecture_formulas(m, n, p, q):
    return (m * n * p + m * p * q, n * p * q + m * n * q)


@test_case(name="lecture: (AB)C costs mnp + mpq and A(BC) costs npq + mnq (C a column when q = 1)",
           points=1, hidden=False)
@check(cases=[(2, 3, 4, 5), (10, 20, 30, 40), (1000, 1000, 1000, 1), (1, 500, 500, 500)],
       expect=_lecture_formulas, judge=equal,
       describe=lambda m, n, p, q: f"A {m}x{n}, B {n}x{p}, C {p}x{q}; result ((AB)C cost, A(BC) cost)")
def lecture_abc(m, rows_a, n, p, q):
    dims = [rows_a, n, p, q]
    return (m.chain_cost(dims, ((0, 1), 2)), m.chain_cost(dims, (0, (1, 2))))


@test_case(name="costs are returned as exact ints (also for numpy int dims, and costs near 1e18)",
           points=1, hidden=True)
@check(cases=[()], expect=_INT_COST_VALUES, judge=_all_ints, describe=lambda: "; ".join(_INT_COST_CALLS))
def int_costs(m):
    i = np.int64
    return (m.matmul_cost(2, 3, 4), m.chain_cost([2, 3, 4, 5], ((0, 1), 2)), m.chain_cost([3, 4], 0),
            m.matmul_cost(i(7), i(1), i(5)), m.chain_cost(np.array([2, 3, 4, 5]), (0, (1, 2))),
            m.matmul_cost(999983, 999979, 999961), m.chain_cost([999983, 999979, 999961, 2], ((0, 1), 2)))


@test_case(name="one matrix costs 0; two matrices cost one matmul_cost", points=1, hidden=True)
@check(cases=[([7, 3], 0), ([1, 1], 0), ([4, 5, 6], (0, 1)), ([9, 1, 9], (0, 1)), ([1, 8, 1], (0, 1)),
              ((5, 2, 3), (0, 1)), ([1, 1, 1], (0, 1))],
       expect=lambda dims, order: 0 if len(dims) == 2 else dims[0] * dims[1] * dims[2], judge=equal,
       describe=lambda dims, order: f"dims = {dims}, order = {order}")
def one_and_two(m, dims, order):
    return m.chain_cost(dims, order)


def _nested_formula(dims, side):
    k = len(dims) - 1
    if side == "left":   # (A_0 ... A_{i}) is d_0 x d_{i+1}; times A_{i+1} costs d_0 d_{i+1} d_{i+2}
        return sum(dims[0] * dims[i] * dims[i + 1] for i in range(1, k))
    return sum(dims[i] * dims[i + 1] * dims[k] for i in range(0, k - 1))  # mirror image


@test_case(name="left to right ((A0 A1) A2)... costs sum d0 d_i d_(i+1); right to left sums d_i d_(i+1) d_k",
           points=1, hidden=True)
@check(cases=_deep_cases, expect=_nested_formula, judge=equal,
       describe=lambda dims, side: f"dims = {dims}, order = {_nested(len(dims) - 1, side)}")
def nested_orders(m, dims, side):
    return m.chain_cost(dims, _nested(len(dims) - 1, side))


@test_case(name="chain_cost of random orders on random chains (up to 16 matrices)", points=1, hidden=True)
@check(cases=_random_cases, expect=_cost, judge=equal,
       describe=lambda dims, order: f"dims = {dims}, order = {order}")
def random_orders(m, dims, order):
    return m.chain_cost(dims, order)
