"""Example submission: bug -- forward and reverse mode swapped in jacobian_accumulation_costs.

The student starts "forward" at J_L (the output side) and "reverse" at J_1, so the pair comes back
as (reverse_cost, forward_cost): with a scalar output it claims forward mode is the cheap one.
Everything else is right.  Must lose points in q5_jacobian_costs only.
"""

import numpy as np


def matmul_cost(m, n, p):
    return m * n * p


def _dims(dims):
    dims = [int(x) for x in dims]
    if len(dims) < 2 or min(dims) < 1:
        raise ValueError(f"dims must be >= 2 positive integers, got {dims}")
    return dims


def _span(order, first, k):
    # check that order covers first, first+1, ... and return where it stops
    if isinstance(order, tuple):
        if len(order) != 2:
            raise ValueError(f"order: {order} has {len(order)} parts, need 2")
        return _span(order[1], _span(order[0], first, k), k)
    if type(order) is not int:
        raise ValueError(f"order: {order!r} is not a matrix index")
    if order != first or order >= k:
        raise ValueError(f"order: found {order}, expected {first}")
    return first + 1


def _valid(order, k):
    if _span(order, 0, k) != k:
        raise ValueError("order: does not use all matrices")


def chain_cost(dims, order):
    dims = _dims(dims)
    _valid(order, len(dims) - 1)

    def f(o):
        if isinstance(o, tuple):
            a, i, s = f(o[0])
            b, _, j = f(o[1])
            return a + b + dims[i] * dims[s] * dims[j], i, j
        return 0, o, o + 1

    return f(order)[0]


def optimal_order(dims):
    d = _dims(dims)
    k = len(d) - 1
    INF = float("inf")
    m = [[0 if i == j else INF for j in range(k)] for i in range(k)]
    sp = [[0] * k for _ in range(k)]
    for L in range(2, k + 1):
        for i in range(k - L + 1):
            j = i + L - 1
            for s in range(i, j):
                c = m[i][s] + m[s + 1][j] + d[i] * d[s + 1] * d[j + 1]
                if c < m[i][j]:
                    m[i][j], sp[i][j] = c, s

    def build(i, j):
        return i if i == j else (build(i, sp[i][j]), build(sp[i][j] + 1, j))

    return m[0][k - 1], build(0, k - 1)


def chain_multiply(matrices, order):
    for i in range(1, len(matrices)):
        if matrices[i - 1].shape[1] != matrices[i].shape[0]:
            raise ValueError("matrices: shapes do not chain")
    _valid(order, len(matrices))

    def f(o):
        return matrices[o] if not isinstance(o, tuple) else f(o[0]) @ f(o[1])

    return f(order)


def jacobian_accumulation_costs(layer_dims):
    d = list(layer_dims)
    L = len(d) - 1
    # forward: start with J_L J_{L-1}
    forward = sum(d[L] * d[j] * d[j - 1] for j in range(1, L))
    # reverse: start with J_2 J_1
    reverse = sum(d[i + 1] * d[i] * d[0] for i in range(1, L))
    return forward, reverse
