"""Q5 -- jacobian_accumulation_costs: forward versus reverse mode as two orders of the Jacobian chain."""

from otter.test_files import test_case

import numpy as np

from autograder.checking import Mismatch, check, equal, fmt, is_real, seeded

OK_FORMAT = False
name = "q5_jacobian_costs"


def _hand_formulas(d):
    """Derived by hand, one multiplication at a time (J_i is d_i x d_(i-1)).

    Forward: the accumulated J_i ... J_1 is d_i x d_0; multiplying it on the left by J_(i+1) costs
    d_(i+1) d_i d_0, for i = 1 .. L-1.
    Reverse: the accumulated J_L ... J_(j+1) is d_L x d_j; multiplying it on the right by J_j costs
    d_L d_j d_(j-1), for j = L-1 down to 1.
    """
    L = len(d) - 1
    forward = sum(d[i + 1] * d[i] * d[0] for i in range(1, L))
    reverse = sum(d[L] * d[j] * d[j - 1] for j in range(1, L))
    return (forward, reverse)


def _pair(got):
    if not (isinstance(got, (tuple, list)) and len(got) == 2):
        raise Mismatch(f"expected a pair (forward_cost, reverse_cost), got {fmt(got)}")
    return got


def _reverse_cheaper(got, expected, d):
    """Property: with one scalar output, wide enough layers and L >= 3, reverse mode costs less.

    forward - reverse = (d_0 - 1) sum_{j=2}^{L-1} d_j d_(j-1) + d_0 (d_(L-1) - d_1) >= d_1 (d_0 - 2)
    + 2 d_0 > 0 when d_L = 1, d_0 >= 2 and every hidden width is >= 2 (so the sum has a term >= 2 d_1).
    """
    forward, reverse = _pair(got)
    if not reverse < forward:
        raise Mismatch(f"with a scalar output (d_L = 1) reverse mode must be the cheap one, but you return "
                       f"forward = {fmt(forward)}, reverse = {fmt(reverse)}")


def _forward_cheaper(got, expected, d):
    """The mirror image: with one scalar input (d_0 = 1), forward mode costs less."""
    forward, reverse = _pair(got)
    if not forward < reverse:
        raise Mismatch(f"with a scalar input (d_0 = 1) forward mode must be the cheap one, but you return "
                       f"forward = {fmt(forward)}, reverse = {fmt(reverse)}")


def _show(d):
    kind = " (a numpy int array)" if isinstance(d, np.ndarray) else ""
    d = [int(v) for v in d]
    return f"layer_dims = {d}{kind} (d_0 = {d[0]} inputs, d_L = {d[-1]} outputs)"


def _int_pair(got, expected, d):
    """(forward_cost, reverse_cost): the hand formulas' values ("wrong value"), as ints, the handout's
    "costs are ints" ("wrong type": a float cost, even an equal one, fails)."""
    forward, reverse = _pair(got)
    for what, x, want in (("forward_cost", forward, expected[0]), ("reverse_cost", reverse, expected[1])):
        if not (is_real(x) and x == want):
            raise Mismatch(f"wrong value: {what} should be {want}, got {fmt(x)}")
        if not isinstance(x, (int, np.integer)) or isinstance(x, (bool, np.bool_)):
            raise Mismatch(f"wrong type: {what} is {fmt(x)} of type {type(x).__name__}; a cost counts "
                           "multiplications, so return an int")


# A few sums over at most ten layers take microseconds; 5 s (not the default 10) only shortens the
# wait when a loop never ends, with a margin of 10^5 for a correct submission on a loaded machine.
_TIMEOUT = 5


# -- inputs (seeded) --------------------------------------------------------------------------------

_rng = seeded(2705)
_random = [([int(v) for v in _rng.integers(1, 50, L + 1)],) for L in [1, 2, 3, 3, 4, 4, 5, 6, 7, 9]]


def _network(L, inputs, outputs):
    hidden = [int(v) for v in _rng.integers(2, 200, L - 1)]
    return ([inputs] + hidden + [outputs],)


_scalar_output = [_network(L, int(_rng.integers(2, 2000)), 1) for L in [3, 3, 4, 5, 6, 8, 10]]
_scalar_output += [([2, 100, 2, 1],), ([784, 300, 100, 10, 1],)]
_scalar_input = [(list(reversed(case[0])),) for case in _scalar_output]


@test_case(name="hand-computed: 784 inputs -> 100 -> 10 -> 1 output, and its mirror image 1 -> 10 -> 100 -> 784",
           points=1, hidden=False)
@check(cases=[([784, 100, 10, 1],), ([1, 10, 100, 784],), ([3, 4, 5, 6],)], expect=_hand_formulas,
       judge=equal, describe=_show, timeout=_TIMEOUT)
def hand_computed(m, layer_dims):
    return m.jacobian_accumulation_costs(layer_dims)


# Edges (EDGES.md): numpy int arrays as layer_dims, widths of 1, large widths (costs ~1e15): exact ints.
_EDGE_NETWORKS = [(np.array([784, 100, 10, 1]),), (np.array([3, 1, 1, 3]),), ([100000, 100000, 1000, 1],)]


@test_case(name="random layer sizes: forward sums d_(i+1) d_i d_0, reverse sums d_L d_j d_(j-1); two exact ints "
                "(also for numpy layer_dims)", points=1, hidden=True)
@check(cases=_random + _EDGE_NETWORKS, expect=_hand_formulas, judge=_int_pair, describe=_show, timeout=_TIMEOUT)
def random_layers(m, layer_dims):
    return m.jacobian_accumulation_costs(layer_dims)


@test_case(name="one layer costs nothing; with two layers both modes are the same single product",
           points=1, hidden=True)
@check(cases=[([5, 7],), ([1, 1],), ([5, 7, 3],), ([1, 9, 1],), ([100, 1, 100],)], expect=_hand_formulas,
       judge=equal, describe=_show, timeout=_TIMEOUT)
def short_chains(m, layer_dims):
    return m.jacobian_accumulation_costs(layer_dims)


@test_case(name="scalar output (d_L = 1): reverse mode (backpropagation) is cheaper", points=1, hidden=True)
@check(cases=_scalar_output, expect=None, judge=_reverse_cheaper, describe=_show, timeout=_TIMEOUT)
def reverse_wins(m, layer_dims):
    return m.jacobian_accumulation_costs(layer_dims)


@test_case(name="scalar input (d_0 = 1): forward mode is cheaper", points=1, hidden=True)
@check(cases=_scalar_input, expect=None, judge=_forward_cheaper, describe=_show, timeout=_TIMEOUT)
def forward_wins(m, layer_dims):
    return m.jacobian_accumulation_costs(layer_dims)
