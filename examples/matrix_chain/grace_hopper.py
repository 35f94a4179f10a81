"""Example submission: bug -- a split point is never tried.

Pairs of matrices are handled as a special case, and for longer sub-chains the split loop starts at
i + 1 instead of i, so "matrix i alone on the left" (A_i (A_(i+1) ... A_j)) is never considered.
The orders it returns are valid and their costs are right, just not always the cheapest: the CLRS
chain already needs A_0 (A_1 A_2).  Must lose points in q3_optimal_order only.
"""

import numpy as np


def matmul_cost(m, n, p):
    return m * n * p


def _check_dims(dims):
    if len(dims) < 2:
        raise ValueError("dims needs at least two numbers")
    if any(x <= 0 for x in dims):
        raise ValueError("dims must be positive")


def _walk(order, start, k):
    """returns the index after the last matrix used by order (checks everything on the way)"""
    if isinstance(order, int) and not isinstance(order, bool):
        if order != start or order >= k:
            raise ValueError(f"invalid order: expected {start}, got {order}")
        return start + 1
    if not (isinstance(order, tuple) and len(order) == 2):
        raise ValueError(f"invalid order: {order!r}")
    mid = _walk(order[0], start, k)
    return _walk(order[1], mid, k)


def _check_order(order, k):
    if _walk(order, 0, k) != k:
        raise ValueError("invalid order: not all matrices used")


def chain_cost(dims, order):
    _check_dims(dims)
    _check_order(order, len(dims) - 1)

    def cost(o):
        if isinstance(o, int):
            return 0, o, o + 1
        c1, a, b = cost(o[0])
        c2, _, c = cost(o[1])
        return c1 + c2 + dims[a] * dims[b] * dims[c], a, c

    return cost(order)[0]


def optimal_order(dims):
    _check_dims(dims)
    n = len(dims) - 1
    M = [[0] * n for _ in range(n)]
    S = [[None] * n for _ in range(n)]
    for i in range(n - 1):  # pairs: only one way
        M[i][i + 1] = dims[i] * dims[i + 1] * dims[i + 2]
        S[i][i + 1] = i
    for length in range(3, n + 1):
        for i in range(n - length + 1):
            j = i + length - 1
            M[i][j] = float("inf")
            for s in range(i + 1, j):  # BUG: should be range(i, j)
                q = M[i][s] + M[s + 1][j] + dims[i] * dims[s + 1] * dims[j + 1]
                if q < M[i][j]:
                    M[i][j] = q
                    S[i][j] = s

    def build(i, j):
        if i == j:
            return i
        return (build(i, S[i][j]), build(S[i][j] + 1, j))

    return M[0][n - 1], build(0, n - 1)


def chain_multiply(matrices, order):
    for i in range(len(matrices) - 1):
        if matrices[i].shape[1] != matrices[i + 1].shape[0]:
            raise ValueError(f"matrices {i} and {i+1} have incompatible shapes")
    _check_order(order, len(matrices))
    return _mult(matrices, order)


def _mult(matrices, order):
    if isinstance(order, int):
        return np.array(matrices[order], dtype=float)
    return _mult(matrices, order[0]) @ _mult(matrices, order[1])


def jacobian_accumulation_costs(layer_dims):
    d = layer_dims
    L = len(d) - 1
    fwd = sum(d[i + 1] * d[i] * d[0] for i in range(1, L))
    rev = sum(d[L] * d[i] * d[i - 1] for i in range(1, L))
    return fwd, rev
