"""Example submission: correct, written differently from the reference.

optimal_order is a top-down memoized recursion (functools.lru_cache) instead of a bottom-up table;
orders are validated by flattening the leaves and comparing with [0, 1, ..., k-1]; the Jacobian costs
are written as explicit loops over the layers.
"""

import functools

import numpy as np


def matmul_cost(m, n, p):
    return int(m * n * p)


def _validate_dims(dims):
    dims = list(dims)
    if len(dims) < 2:
        raise ValueError("dims must have at least 2 entries")
    for d in dims:
        if d <= 0:
            raise ValueError(f"dims entries must be positive, got {d}")
    return [int(d) for d in dims]


def _leaves(order):
    """Flatten an order into its list of matrix indices (left to right)."""
    if isinstance(order, bool):
        raise ValueError(f"bad order element {order!r}")
    if isinstance(order, (int, np.integer)):
        return [int(order)]
    if isinstance(order, tuple) and len(order) == 2:
        return _leaves(order[0]) + _leaves(order[1])
    raise ValueError(f"bad order element {order!r}: expected an int or a 2-tuple")


def _validate_order(order, k):
    found = _leaves(order)
    if found != list(range(k)):
        raise ValueError(f"order must use matrices 0..{k - 1} once each in order, found {found}")


def _cost(dims, order):
    # returns (cost, rows, cols) of the sub-product
    if not isinstance(order, tuple):
        return 0, dims[order], dims[order + 1]
    c1, r1, k1 = _cost(dims, order[0])
    c2, r2, k2 = _cost(dims, order[1])
    return c1 + c2 + r1 * k1 * k2, r1, k2


def chain_cost(dims, order):
    dims = _validate_dims(dims)
    _validate_order(order, len(dims) - 1)
    return _cost(dims, order)[0]


def optimal_order(dims):
    dims = tuple(_validate_dims(dims))
    k = len(dims) - 1

    @functools.lru_cache(maxsize=None)
    def best(i, j):
        # cheapest way to multiply matrices i..j (inclusive): (cost, order)
        if i == j:
            return 0, i
        options = []
        for s in range(i, j):
            left_cost, left = best(i, s)
            right_cost, right = best(s + 1, j)
            options.append((left_cost + right_cost + dims[i] * dims[s + 1] * dims[j + 1], s, left, right))
        c, s, left, right = min(options, key=lambda t: t[0])
        return c, (left, right)

    return best(0, k - 1)


def chain_multiply(matrices, order):
    for i in range(len(matrices) - 1):
        if matrices[i].shape[1] != matrices[i + 1].shape[0]:
            raise ValueError(f"matrices {i} and {i + 1} cannot be multiplied: "
                             f"{matrices[i].shape} and {matrices[i + 1].shape}")
    _validate_order(order, len(matrices))

    def go(o):
        if isinstance(o, tuple):
            return go(o[0]) @ go(o[1])
        return np.asarray(matrices[o], dtype=float)

    return go(order)


def jacobian_accumulation_costs(layer_dims):
    d = list(layer_dims)
    L = len(d) - 1
    # forward: keep the product J_i...J_1 (size d_i x d_0), multiply J_{i+1} on the left
    forward = 0
    for i in range(1, L):
        forward += d[i + 1] * d[i] * d[0]
    # reverse: keep J_L...J_{i+1} (size d_L x d_i), multiply J_i on the right
    reverse = 0
    for i in range(L - 1, 0, -1):
        reverse += d[L] * d[i] * d[i - 1]
    return forward, reverse
