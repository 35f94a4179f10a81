"""Example submission: correct, written differently from the reference.

The dynamic program fills numpy int64 tables by diagonals and vectorizes the minimum over the split
points (one numpy call per sub-chain), so costs come back as numpy int64; chain_multiply walks the
order with an explicit stack instead of recursion; the Jacobian costs reuse chain_cost on the chain
J_L ... J_1 with a left-nested and a right-nested order.
"""

import numpy as np


def matmul_cost(m, n, p):
    return m * n * p


def check_dims(dims):
    d = np.asarray(dims, dtype=np.int64)
    if d.ndim != 1 or d.size < 2:
        raise ValueError("dims: need at least two dimensions")
    if np.any(d <= 0):
        raise ValueError("dims: all dimensions must be positive")
    return d


def check_order(order, k):
    """Walk the tree; the next leaf must always be the next matrix."""
    nxt = 0
    stack = [order]
    while stack:
        node = stack.pop()
        if type(node) is int or isinstance(node, np.integer):
            if node != nxt or node >= k:
                raise ValueError(f"order: expected matrix {nxt} but found {node!r}")
            nxt += 1
        elif type(node) is tuple and len(node) == 2:
            stack.append(node[1])
            stack.append(node[0])
        else:
            raise ValueError(f"order: {node!r} is neither an index nor a pair")
    if nxt != k:
        raise ValueError(f"order: only {nxt} of the {k} matrices are used")


def chain_cost(dims, order):
    d = check_dims(dims)
    check_order(order, len(d) - 1)

    def rec(o):
        if isinstance(o, tuple):
            cl, i, s = rec(o[0])
            cr, _, j = rec(o[1])
            return cl + cr + d[i] * d[s] * d[j], i, j
        return 0, o, o + 1

    return rec(order)[0]


def optimal_order(dims):
    d = check_dims(dims)
    n = len(d) - 1
    cost = np.zeros((n, n), dtype=np.int64)
    split = np.zeros((n, n), dtype=np.int64)
    for diag in range(1, n):
        for i in range(n - diag):
            j = i + diag
            s = np.arange(i, j)
            candidates = cost[i, i:j] + cost[i + 1:j + 1, j] + d[i] * d[s + 1] * d[j + 1]
            best = int(np.argmin(candidates))
            cost[i, j] = candidates[best]
            split[i, j] = i + best

    def build(i, j):
        if i == j:
            return i
        s = int(split[i, j])
        return (build(i, s), build(s + 1, j))

    return cost[0, n - 1], build(0, n - 1)


def chain_multiply(matrices, order):
    mats = [np.asarray(a, dtype=np.float64) for a in matrices]
    for a, b in zip(mats, mats[1:]):
        if a.shape[1] != b.shape[0]:
            raise ValueError(f"matrices: shapes {a.shape} and {b.shape} are not aligned")
    check_order(order, len(mats))
    # post-order traversal with an explicit stack of (node, visited)
    results = []
    stack = [(order, False)]
    while stack:
        node, visited = stack.pop()
        if not isinstance(node, tuple):
            results.append(mats[node])
        elif visited:
            right = results.pop()
            left = results.pop()
            results.append(left @ right)
        else:
            stack.append((node, True))
            stack.append((node[1], False))
            stack.append((node[0], False))
    return results[0]


def jacobian_accumulation_costs(layer_dims):
    chain = list(layer_dims)[::-1]  # J_L is chain[0] x chain[1], ..., J_1 is last
    L = len(chain) - 1
    right_nested = L - 1
    for i in reversed(range(L - 1)):
        right_nested = (i, right_nested)
    left_nested = 0
    for i in range(1, L):
        left_nested = (left_nested, i)
    return chain_cost(chain, right_nested), chain_cost(chain, left_nested)
