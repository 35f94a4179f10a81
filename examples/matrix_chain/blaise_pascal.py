"""Example submission: bug -- optimal_order searches every split recursively without memoization.

The recursion is correct, so every small chain gets the right answer, but the same sub-chains are
solved again and again: about 3^k calls, hopeless for a chain of 120 or 200 matrices.  Must lose
points in q3_optimal_order only (the long-chain check times out).
"""

import numpy as np


def matmul_cost(m, n, p):
    return m * n * p


def _validate(dims):
    if len(dims) < 2:
        raise ValueError("dims is too short")
    for d in dims:
        if d <= 0:
            raise ValueError("dims has a non-positive entry")


def _validate_order(order, k):
    flat = []
    stack = [order]
    while stack:
        o = stack.pop()
        if isinstance(o, tuple) and len(o) == 2:
            stack.append(o[1])
            stack.append(o[0])
        elif isinstance(o, int) and not isinstance(o, bool):
            flat.append(o)
        else:
            raise ValueError(f"order contains something that is not an int or a pair: {o!r}")
    if flat != list(range(k)):
        raise ValueError(f"order must list the matrices 0..{k - 1} in order, got {flat}")


def chain_cost(dims, order):
    _validate(dims)
    _validate_order(order, len(dims) - 1)

    def rec(o):
        if isinstance(o, int):
            return 0, o, o + 1
        a, i, s = rec(o[0])
        b, s2, j = rec(o[1])
        return a + b + dims[i] * dims[s] * dims[j], i, j

    return rec(order)[0]


def optimal_order(dims):
    _validate(dims)

    def solve(i, j):
        # best (cost, order) for matrices i..j
        if i == j:
            return 0, i
        best = None
        for s in range(i, j):
            cl, ol = solve(i, s)
            cr, orr = solve(s + 1, j)
            c = cl + cr + dims[i] * dims[s + 1] * dims[j + 1]
            if best is None or c < best[0]:
                best = (c, (ol, orr))
        return best

    return solve(0, len(dims) - 2)


def chain_multiply(matrices, order):
    for i in range(len(matrices) - 1):
        if matrices[i].shape[1] != matrices[i + 1].shape[0]:
            raise ValueError("matrices: shape mismatch between neighbours")
    _validate_order(order, len(matrices))

    def rec(o):
        if isinstance(o, int):
            return np.array(matrices[o], dtype=float)
        return rec(o[0]) @ rec(o[1])

    return rec(order)


def jacobian_accumulation_costs(layer_dims):
    d = layer_dims
    L = len(d) - 1
    return (sum(d[i] * d[i - 1] * d[0] for i in range(2, L + 1)),
            sum(d[L] * d[i] * d[i - 1] for i in range(1, L)))
