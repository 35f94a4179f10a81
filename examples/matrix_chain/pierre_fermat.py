"""Example submission: a syntax error (a missing colon after a def), so the file cannot be loaded.

Must lose points everywhere (status error).
"""

import numpy as np


def matmul_cost(m, n, p):
    return m * n * p


def chain_cost(dims, order)
    if len(dims) < 2:
        raise ValueError("dims too short")
    if isinstance(order, int):
        return 0
    raise NotImplementedError


def optimal_order(dims):
    raise NotImplementedError


def chain_multiply(matrices, order):
    raise NotImplementedError


def jacobian_accumulation_costs(layer_dims):
    raise NotImplementedError
