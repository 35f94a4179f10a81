"""matrix_chain -- the order of a matrix-chain product, and why backpropagation is the right order.

Reference solution (MIT 18.065, Lecture 27, the closing example).

A product of matrices gives the same answer in every order, but not at the same price.  For
A (m x n), B (n x p), C (p x q) the lecture counts the scalar multiplications:

    (AB)C costs mnp + mpq            A(BC) costs npq + mnq

and when C is a column vector (q = 1) the first order multiplies two big matrices together while
the second only ever multiplies a matrix by a vector: orders of magnitude cheaper.

For a longer chain A_0 A_1 ... A_{k-1}, with A_i of shape d_i x d_{i+1}, the number of possible
orders grows like 4^k, but the cheapest one is found by dynamic programming in O(k^3) time: the last
multiplication of an optimal order splits the chain at some s into (A_i..A_s)(A_{s+1}..A_j), and each
half must itself be multiplied optimally.  So the cheapest cost of every sub-chain follows from the
cheapest costs of shorter sub-chains:

    cost[i][j] = min over i <= s < j of  cost[i][s] + cost[s+1][j] + d_i d_{s+1} d_{j+1}

The same question decides forward versus reverse mode in automatic differentiation: the Jacobian of
F = F_L o ... o F_1 is the chain J_L ... J_1, forward mode multiplies it from the right (input side)
and reverse mode from the left (output side).  With one scalar output, d_L = 1, reverse mode only
ever multiplies a row vector by a matrix: that is backpropagation.

Orders are written as nested pairs: an int i is matrix i alone, and a pair (left, right) multiplies
the product of `left` by the product of `right`.  For three matrices ((0, 1), 2) is (AB)C and
(0, (1, 2)) is A(BC).
"""

import numpy as np


# -- costs of a given order ---------------------------------------------------------------------

def matmul_cost(m, n, p):
    """Scalar multiplications in (m x n)(n x p): m*p entries, each an inner product of length n."""
    return int(m) * int(n) * int(p)


def chain_cost(dims, order):
    """Scalar multiplications needed to multiply the chain with shapes ``dims`` in ``order``.

    Matrix i is dims[i] x dims[i+1].  Raises ValueError for invalid dims or an order that is not a
    full parenthesization of 0 .. k-1 (checked in that order: the order needs k from dims).
    """
    dims = _checked_dims(dims)
    _check_order(order, len(dims) - 1)
    cost, _, _ = _cost_and_span(dims, order)
    return cost


def _cost_and_span(dims, order):
    """(cost, i, j) for a valid sub-order covering matrices i .. j-1.

    Its product is dims[i] x dims[j]; a pair covering i..s-1 and s..j-1 costs its two halves plus
    one last multiplication (dims[i] x dims[s]) (dims[s] x dims[j]).
    """
    if _is_index(order):
        return 0, int(order), int(order) + 1
    left_cost, i, s = _cost_and_span(dims, order[0])
    right_cost, _, j = _cost_and_span(dims, order[1])
    return left_cost + right_cost + matmul_cost(dims[i], dims[s], dims[j]), i, j


# -- the cheapest order -------------------------------------------------------------------------

def optimal_order(dims):
    """(minimum cost, an order achieving it) for the chain with shapes ``dims``, in O(k^3) time.

    Bottom-up dynamic programming over sub-chains i..j, shortest first, so that both halves of every
    split are already solved when they are needed.  One matrix costs nothing: (0, 0).
    """
    d = _checked_dims(dims)
    k = len(d) - 1
    cost = [[0] * k for _ in range(k)]   # cost[i][j]: cheapest way to multiply A_i .. A_j
    split = [[0] * k for _ in range(k)]  # split[i][j]: the s of that way's last multiplication
    for length in range(2, k + 1):
        for i in range(k - length + 1):
            j = i + length - 1
            best, best_s = None, i
            for s in range(i, j):  # every split, including A_i alone and A_j alone
                c = cost[i][s] + cost[s + 1][j] + d[i] * d[s + 1] * d[j + 1]
                if best is None or c < best:
                    best, best_s = c, s
            cost[i][j], split[i][j] = best, best_s
    return cost[0][k - 1], _order_from_splits(split, 0, k - 1)


def _order_from_splits(split, i, j):
    """The order recorded in the split table for matrices i .. j."""
    if i == j:
        return i
    s = split[i][j]
    return (_order_from_splits(split, i, s), _order_from_splits(split, s + 1, j))


# -- the product itself -------------------------------------------------------------------------

def chain_multiply(matrices, order):
    """The product of ``matrices`` (a list of 2-D arrays), multiplied in ``order``.

    ValueError when neighbouring shapes do not match or the order is invalid.  The order matters for
    the cost (and for rounding), never for the exact result.
    """
    mats = [np.asarray(a, dtype=np.float64) for a in matrices]
    for i, a in enumerate(mats):
        if a.ndim != 2:
            raise ValueError(f"matrices[{i}] must be 2-D, got shape {a.shape}")
    for i in range(len(mats) - 1):
        if mats[i].shape[1] != mats[i + 1].shape[0]:
            raise ValueError(f"matrices[{i}] has shape {mats[i].shape} and matrices[{i + 1}] has shape "
                             f"{mats[i + 1].shape}: the inner dimensions differ")
    _check_order(order, len(mats))
    return _product(mats, order)


def _product(mats, order):
    if _is_index(order):
        return mats[int(order)]
    return _product(mats, order[0]) @ _product(mats, order[1])


# -- forward versus reverse mode ------------------------------------------------------------------

def jacobian_accumulation_costs(layer_dims):
    """(forward_cost, reverse_cost) of forming J_L ... J_1 for layers R^{d_0} -> ... -> R^{d_L}.

    J_i is d_i x d_{i-1}, so the chain J_L J_{L-1} ... J_1 has the shapes of ``layer_dims`` read
    backwards.  Forward mode starts at the input side (J_2 J_1 first): the order that nests to the
    right.  Reverse mode starts at the output side (J_L J_{L-1} first): the order that nests to the
    left.  Both are matrix-chain orders, so chain_cost prices them.
    """
    d = _checked_dims(layer_dims)
    chain = d[::-1]                     # shapes of J_L, J_{L-1}, ..., J_1
    L = len(chain) - 1
    forward = L - 1                     # J_1 is the last matrix of the chain ...
    for i in range(L - 2, -1, -1):     # ... and each new Jacobian multiplies from the left
        forward = (i, forward)
    reverse = 0                         # J_L is the first matrix ...
    for i in range(1, L):               # ... and each new Jacobian multiplies from the right
        reverse = (reverse, i)
    return chain_cost(chain, forward), chain_cost(chain, reverse)


# -- validation -----------------------------------------------------------------------------------

def _is_index(x):
    """An int or numpy integer (a bool is not an index, though Python calls it an int)."""
    return isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_))


def _checked_dims(dims):
    """dims as a list of Python ints, or ValueError: at least two entries, all positive integers."""
    dims = list(dims)
    if len(dims) < 2:
        raise ValueError(f"dims needs at least two entries (one matrix), got {dims}")
    for x in dims:
        if not _is_index(x) or x <= 0:
            raise ValueError(f"dims must hold positive integers, got {x!r} in {dims}")
    return [int(x) for x in dims]


def _check_order(order, k):
    """ValueError unless ``order`` is a full parenthesization of matrices 0 .. k-1."""
    end = _check_order_from(order, 0, k)
    if end != k:
        raise ValueError(f"order covers matrices 0..{end - 1} but there are {k} matrices (0..{k - 1})")


def _check_order_from(order, start, k):
    """Check a sub-order whose leftmost matrix must be ``start``; return one past its last matrix.

    Reading the leaves left to right they must be start, start+1, ...: this single rule rejects a
    repeated, a skipped, an out-of-range and an out-of-order index alike.
    """
    if _is_index(order):
        if not 0 <= order < k:
            raise ValueError(f"order refers to matrix {order}, but the matrices are 0..{k - 1}")
        if order != start:
            raise ValueError(f"order lists matrix {order} where matrix {start} should come next "
                             "(each matrix exactly once, left to right)")
        return start + 1
    if isinstance(order, tuple) and len(order) == 2:
        middle = _check_order_from(order[0], start, k)
        return _check_order_from(order[1], middle, k)
    raise ValueError(f"order must be built from ints and pairs (left, right), found {order!r}")
