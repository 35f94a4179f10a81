"""Example submission: bug -- a greedy heuristic instead of dynamic programming.

optimal_order repeatedly multiplies the adjacent pair that is cheapest right now.  The orders are
valid and the costs are their true costs, but greedy is not optimal (on the CLRS chain it costs
50625 instead of the minimum).  Must lose points in q3_optimal_order only.
"""

import numpy as np


def matmul_cost(m, n, p):
    return m * n * p


def _check(dims, order):
    if len(dims) < 2:
        raise ValueError("dims: need at least one matrix (two numbers)")
    if min(dims) <= 0:
        raise ValueError("dims: entries must be positive")
    return _check_order(order, len(dims) - 1)


def _check_order(order, k):
    seen = []

    def visit(o):
        if isinstance(o, tuple):
            if len(o) != 2:
                raise ValueError(f"order: {o} is not a pair")
            visit(o[0])
            visit(o[1])
        elif isinstance(o, int) and not isinstance(o, bool):
            seen.append(o)
        else:
            raise ValueError(f"order: unexpected element {o!r}")

    visit(order)
    if seen != list(range(k)):
        raise ValueError(f"order: matrices {seen} should be exactly 0..{k - 1} in order")


def chain_cost(dims, order):
    _check(dims, order)

    def go(o):
        if isinstance(o, int):
            return 0, dims[o], dims[o + 1]
        c1, r, mid = go(o[0])
        c2, _, c = go(o[1])
        return c1 + c2 + r * mid * c, r, c

    return go(order)[0]


def optimal_order(dims):
    if len(dims) < 2 or min(dims) <= 0:
        raise ValueError("dims: invalid")
    # current list of (order, rows, cols); merge the cheapest neighbouring pair until one is left
    items = [(i, dims[i], dims[i + 1]) for i in range(len(dims) - 1)]
    total = 0
    while len(items) > 1:
        costs = [items[t][1] * items[t][2] * items[t + 1][2] for t in range(len(items) - 1)]
        t = costs.index(min(costs))
        total += costs[t]
        merged = ((items[t][0], items[t + 1][0]), items[t][1], items[t + 1][2])
        items[t:t + 2] = [merged]
    return total, items[0][0]


def chain_multiply(matrices, order):
    for a, b in zip(matrices[:-1], matrices[1:]):
        if a.shape[1] != b.shape[0]:
            raise ValueError("matrices: inner dimensions do not agree")
    _check_order(order, len(matrices))

    def go(o):
        if isinstance(o, int):
            return matrices[o]
        return go(o[0]) @ go(o[1])

    return np.asarray(go(order), dtype=float)


def jacobian_accumulation_costs(layer_dims):
    d = layer_dims
    L = len(d) - 1
    forward = sum(d[0] * d[i - 1] * d[i] for i in range(2, L + 1))
    reverse = sum(d[L] * d[i] * d[i + 1] for i in range(0, L - 1))
    return forward, reverse
