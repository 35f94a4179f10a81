"""matrix_chain -- the order of a matrix-chain product, and why backpropagation is the right order.

MIT 18.065, Lecture 27.  Fill in every function below (replace each `raise NotImplementedError`).
Read handout.md first: it states the rules, the errors to raise and how you are graded.

You may import only the standard library and numpy.  Nothing is printed.

Orders are nested pairs: an int i is matrix i alone (the tests' orders hold Python ints only), and
a pair (left, right) multiplies the product of `left` by the product of `right`.  For
three matrices ((0, 1), 2) is (AB)C and (0, (1, 2)) is A(BC).  dims = [d_0, ..., d_k] gives the
shapes: matrix i is d_i x d_(i+1); dims may be a list, a tuple or a numpy int array.  Costs are exact
ints (compute them in integers, not floats).  A ValueError's message names the argument at fault
("dims", "order", "matrices": the word itself, in any letter case).
"""

import numpy as np


def matmul_cost(m, n, p):
    """Scalar multiplications needed to multiply an m x n matrix by an n x p matrix (an int).

    Each entry of the m x p product is an inner product of length n.
    """
    raise NotImplementedError("TODO: matmul_cost")


def chain_cost(dims, order):
    """Scalar multiplications needed to multiply the chain with shapes ``dims`` in ``order`` (an int).

    Each pair (left, right) costs the cost of ``left``, the cost of ``right``, and one last
    multiplication of the two partial products (whose shapes follow from the matrices they cover).
    A single matrix costs 0.

    Raise ValueError (naming "dims" in the message) when dims has fewer than two entries or an entry
    that is not positive; then ValueError (naming "order" in the message) when order is not a full
    parenthesization of 0 .. k-1: built from ints and pairs (tuples of length 2) only, every matrix
    exactly once, in increasing order from left to right.
    """
    raise NotImplementedError("TODO: chain_cost")


def optimal_order(dims):
    """(minimum cost, an order achieving it) for the chain with shapes ``dims``.

    Dynamic programming in O(k^3) time: the cheapest cost of each sub-chain A_i .. A_j comes from
    the cheapest costs of its two halves, minimized over every place s where its last multiplication
    can split it.  Remember which split won, to rebuild the order at the end.  A chain of 200
    matrices must take well under a second; trying every order never finishes.
    One matrix: (0, 0).  Any optimal order is accepted when several tie.
    """
    raise NotImplementedError("TODO: optimal_order")


def chain_multiply(matrices, order):
    """The product of ``matrices`` (a list of 2-D numpy arrays), multiplied in exactly that order, as
    a float64 array (also when the matrices hold ints).

    Raise ValueError (naming "matrices" in the message) when the number of columns of a matrix differs
    from the number of rows of the next one, and ValueError (naming "order" in the message) when order
    is not a full parenthesization of 0 .. len(matrices)-1 (the same rule as in chain_cost).
    """
    raise NotImplementedError("TODO: chain_multiply")


def jacobian_accumulation_costs(layer_dims):
    """(forward_cost, reverse_cost) of forming the whole Jacobian J_L ... J_1 of F = F_L o ... o F_1.

    layer_dims = [d_0, ..., d_L]: F_i maps R^(d_(i-1)) to R^(d_i), so J_i is d_i x d_(i-1).
    Forward mode multiplies from the input side (J_2 J_1 first, then J_3 times that, ...); reverse
    mode from the output side (J_L J_(L-1) first, then that times J_(L-2), ...).  Count the scalar
    multiplications of each.
    """
    raise NotImplementedError("TODO: jacobian_accumulation_costs")
