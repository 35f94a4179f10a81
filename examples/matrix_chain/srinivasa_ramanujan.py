"""Example submission: crashes at import -- NameError at the top level (math is never imported).

The functions themselves would be right, but the module dies while loading, so nothing can be
graded.  Must lose points everywhere (status error).
"""

import numpy as np

INFINITY = math.inf


def matmul_cost(m, n, p):
    return m * n * p


def chain_cost(dims, order):
    if len(dims) < 2 or min(dims) <= 0:
        raise ValueError("dims must be at least two positive numbers")

    def go(o, start):
        if isinstance(o, int):
            if o != start or o >= len(dims) - 1:
                raise ValueError("order is not valid")
            return 0, start + 1
        if not (isinstance(o, tuple) and len(o) == 2):
            raise ValueError("order is not valid")
        a, s = go(o[0], start)
        b, j = go(o[1], s)
        return a + b + dims[start] * dims[s] * dims[j], j

    cost, end = go(order, 0)
    if end != len(dims) - 1:
        raise ValueError("order is not valid")
    return cost


def optimal_order(dims):
    k = len(dims) - 1
    m = [[0] * k for _ in range(k)]
    s = [[0] * k for _ in range(k)]
    for length in range(2, k + 1):
        for i in range(k - length + 1):
            j = i + length - 1
            m[i][j] = INFINITY
            for t in range(i, j):
                c = m[i][t] + m[t + 1][j] + dims[i] * dims[t + 1] * dims[j + 1]
                if c < m[i][j]:
                    m[i][j], s[i][j] = c, t

    def build(i, j):
        return i if i == j else (build(i, s[i][j]), build(s[i][j] + 1, j))

    return m[0][k - 1], build(0, k - 1)


def chain_multiply(matrices, order):
    for a, b in zip(matrices, matrices[1:]):
        if a.shape[1] != b.shape[0]:
            raise ValueError("matrices do not match")
    chain_cost([a.shape[0] for a in matrices] + [matrices[-1].shape[1]], order)

    def go(o):
        return matrices[o] if isinstance(o, int) else go(o[0]) @ go(o[1])

    return go(order)


def jacobian_accumulation_costs(layer_dims):
    d, L = layer_dims, len(layer_dims) - 1
    return (sum(d[0] * d[i - 1] * d[i] for i in range(2, L + 1)),
            sum(d[L] * d[i] * d[i - 1] for i in range(1, L)))
