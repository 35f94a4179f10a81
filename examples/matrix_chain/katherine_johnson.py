"""Example submission: bug -- orders are never validated.

dims is checked, but chain_cost and chain_multiply trust the order: a missing, repeated or
out-of-order matrix gives a number (or an IndexError/TypeError) instead of a ValueError naming
order.  Everything on valid input is right.  Must lose points in q2_invalid_input (the order checks)
and q4_chain_multiply (the invalid-order check) only.
"""

import numpy as np


def matmul_cost(m, n, p):
    return m * n * p


def chain_cost(dims, order):
    if len(dims) < 2:
        raise ValueError("dims must have at least 2 entries")
    if any(d <= 0 for d in dims):
        raise ValueError("dims must be positive")
    cost, rows, cols = _cost(dims, order)
    return cost


def _cost(dims, order):
    if isinstance(order, int):
        return 0, dims[order], dims[order + 1]
    left, right = order
    c1, r1, c1_cols = _cost(dims, left)
    c2, r2, c2_cols = _cost(dims, right)
    return c1 + c2 + r1 * c1_cols * c2_cols, r1, c2_cols


def optimal_order(dims):
    n = len(dims) - 1
    cost = [[0] * n for _ in range(n)]
    where = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = None
            for s in range(i, j):
                c = cost[i][s] + cost[s + 1][j] + dims[i] * dims[s + 1] * dims[j + 1]
                if cost[i][j] is None or c < cost[i][j]:
                    cost[i][j] = c
                    where[i][j] = s

    def order(i, j):
        if i == j:
            return i
        return (order(i, where[i][j]), order(where[i][j] + 1, j))

    return cost[0][n - 1], order(0, n - 1)


def chain_multiply(matrices, order):
    for i in range(len(matrices) - 1):
        if matrices[i].shape[1] != matrices[i + 1].shape[0]:
            raise ValueError(f"matrices {i} and {i + 1} do not fit together")
    if isinstance(order, int):
        return matrices[order]
    left, right = order
    return chain_multiply(matrices, left) @ chain_multiply(matrices, right)


def jacobian_accumulation_costs(layer_dims):
    d = layer_dims
    L = len(d) - 1
    forward = sum(d[i] * d[i - 1] * d[0] for i in range(2, L + 1))
    reverse = sum(d[L] * d[i] * d[i - 1] for i in range(1, L))
    return forward, reverse
