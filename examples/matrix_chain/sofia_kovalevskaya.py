"""Example submission: bug -- an infinite loop in jacobian_accumulation_costs only.

The `i += 1` of a while loop ended up outside the loop (wrong indentation), so the function never
returns for two or more layers.  Everything else is right and keeps its points.  Must lose points in
q5_jacobian_costs only (its checks time out).
"""

import numpy as np


def matmul_cost(m, n, p):
    return m * n * p


def _check_dims(dims):
    if len(dims) < 2:
        raise ValueError("dims: at least two entries are needed")
    if not all(x > 0 for x in dims):
        raise ValueError("dims: every entry must be positive")


def _check_order(order, k):
    def end_of(o, start):
        if isinstance(o, bool) or not isinstance(o, (int, tuple)):
            raise ValueError(f"order: {o!r} is not an int or a tuple")
        if isinstance(o, int):
            if o != start or o >= k:
                raise ValueError(f"order: matrix {start} expected, got {o}")
            return start + 1
        if len(o) != 2:
            raise ValueError(f"order: {o} should be a pair")
        return end_of(o[1], end_of(o[0], start))

    if end_of(order, 0) != k:
        raise ValueError("order: some matrices are missing")


def chain_cost(dims, order):
    _check_dims(dims)
    _check_order(order, len(dims) - 1)
    total = 0

    def product(o):  # returns (first, last + 1), adds the cost of o to total
        nonlocal total
        if isinstance(o, int):
            return o, o + 1
        i, s = product(o[0])
        _, j = product(o[1])
        total += dims[i] * dims[s] * dims[j]
        return i, j

    product(order)
    return total


def optimal_order(dims):
    _check_dims(dims)
    k = len(dims) - 1
    best = {(i, i): (0, i) for i in range(k)}
    for length in range(2, k + 1):
        for i in range(k - length + 1):
            j = i + length - 1
            candidates = []
            for s in range(i, j):
                c = best[i, s][0] + best[s + 1, j][0] + dims[i] * dims[s + 1] * dims[j + 1]
                candidates.append((c, s))
            c, s = min(candidates)
            best[i, j] = (c, (best[i, s][1], best[s + 1, j][1]))
    return best[0, k - 1]


def chain_multiply(matrices, order):
    for i in range(len(matrices) - 1):
        if matrices[i].shape[1] != matrices[i + 1].shape[0]:
            raise ValueError("matrices: mismatched shapes")
    _check_order(order, len(matrices))

    def product(o):
        if isinstance(o, int):
            return matrices[o]
        return product(o[0]) @ product(o[1])

    return product(order)


def jacobian_accumulation_costs(layer_dims):
    d = layer_dims
    L = len(d) - 1
    forward = 0
    i = 2
    while i <= L:
        forward += d[i] * d[i - 1] * d[0]
    i += 1
    reverse = 0
    j = L - 1
    while j >= 1:
        reverse += d[L] * d[j] * d[j - 1]
        j -= 1
    return forward, reverse
