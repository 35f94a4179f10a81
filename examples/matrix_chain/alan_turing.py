"""Example submission: bug -- the wrong inner dimension in the dynamic program.

The last multiplication of A_i..A_s by A_(s+1)..A_j is (d_i x d_(s+1)) times (d_(s+1) x d_(j+1)), but
this student copied CLRS's p_(i-1) p_k p_j into 0-based code as dims[i] * dims[s] * dims[j + 1]
(d_s instead of d_(s+1)).  chain_cost itself is right, so the returned "minimum" is not even the cost
of the returned order, and the order is often not optimal.  Must lose points in q3_optimal_order only.
"""

import numpy as np


def matmul_cost(m, n, p):
    return m * n * p


def validate_dims(dims):
    if len(dims) < 2:
        raise ValueError("dims must contain at least two entries")
    for x in dims:
        if x <= 0:
            raise ValueError("dims must contain positive entries only")


def leaves(order):
    if type(order) == int:
        return [order]
    if type(order) == tuple and len(order) == 2:
        return leaves(order[0]) + leaves(order[1])
    raise ValueError("order must be made of ints and 2-tuples")


def validate_order(order, k):
    if leaves(order) != list(range(k)):
        raise ValueError("order must contain each matrix 0..k-1 exactly once, in order")


def chain_cost(dims, order):
    validate_dims(dims)
    validate_order(order, len(dims) - 1)
    return _cost(dims, order)[0]


def _cost(dims, order):
    # (cost, first matrix, last matrix)
    if type(order) == int:
        return 0, order, order
    c1, a, b = _cost(dims, order[0])
    c2, c, e = _cost(dims, order[1])
    return c1 + c2 + dims[a] * dims[c] * dims[e + 1], a, e


def optimal_order(dims):
    validate_dims(dims)
    k = len(dims) - 1
    m = {}
    best_split = {}
    for i in range(k):
        m[i, i] = 0
    for length in range(2, k + 1):
        for i in range(0, k - length + 1):
            j = i + length - 1
            m[i, j] = None
            for s in range(i, j):
                cost = m[i, s] + m[s + 1, j] + dims[i] * dims[s] * dims[j + 1]  # p_{i-1} p_k p_j
                if m[i, j] is None or cost < m[i, j]:
                    m[i, j] = cost
                    best_split[i, j] = s

    def paren(i, j):
        if i == j:
            return i
        s = best_split[i, j]
        return (paren(i, s), paren(s + 1, j))

    return m[0, k - 1], paren(0, k - 1)


def chain_multiply(matrices, order):
    for i in range(1, len(matrices)):
        if matrices[i - 1].shape[1] != matrices[i].shape[0]:
            raise ValueError("matrices have mismatched shapes")
    validate_order(order, len(matrices))
    return _product(matrices, order)


def _product(matrices, order):
    if type(order) == int:
        return matrices[order]
    return np.dot(_product(matrices, order[0]), _product(matrices, order[1]))


def jacobian_accumulation_costs(layer_dims):
    d = list(layer_dims)
    L = len(d) - 1
    forward = 0
    for i in range(2, L + 1):
        forward += d[i] * d[i - 1] * d[0]
    reverse = 0
    for i in range(L - 1, 0, -1):
        reverse += d[L] * d[i] * d[i - 1]
    return forward, reverse
