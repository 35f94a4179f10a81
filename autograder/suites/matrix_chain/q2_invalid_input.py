"""Q2 -- chain_cost rejects invalid dims and every order that is not a full parenthesization."""

import numpy as np
from otter.test_files import test_case

from autograder.checking import Mismatch, Raised, check, fmt, is_real
from autograder.checking.judges import raises_naming

OK_FORMAT = False
name = "q2_invalid_input"

# Each check raises ValueError with a message naming the argument at fault (ASSIGNMENTS.md, common
# rules; the word itself, in any letter case: ``raises_naming``, the one rule of every handout).
# dims is checked first: an order can only be judged once dims says how many matrices there are.
#
# Each check also holds valid inputs next to the invalid ones (EDGES.md: "just inside"): the
# smallest valid dims, numpy ints as dims, an order of one matrix.  (Orders hold Python ints only:
# the handout leaves a numpy integer leaf to the student, accepted or rejected, and so do the tests.)  A chain_cost that raises ValueError("dims order") for
# everything must not earn these points, and a validation that rejects valid input is a bug here.


def _describe(dims, order, cost=None):
    return f"chain_cost({dims!r}, {order!r})"


def _cost(dims, order):
    """The cost of a valid order (judge side; the orders below are tiny, priced by hand in comments)."""
    def walk(o):
        if not isinstance(o, tuple):
            return 0, int(o), int(o) + 1
        left, i, s = walk(o[0])
        right, _, j = walk(o[1])
        return left + right + int(dims[i]) * int(dims[s]) * int(dims[j]), i, j
    return walk(order)[0]


def _expected(dims, order, word):
    """None where ValueError is expected (``word`` names the argument), else the cost."""
    return None if word else _cost(dims, order)


def _error_or_cost(got, expected, dims, order, word):
    if expected is None:
        raises_naming(ValueError, word)(got, expected)
    elif isinstance(got, Raised):
        raise Mismatch(f"chain_cost({dims!r}, {order!r}) is valid (cost {expected}), but it raised {got}")
    elif not (is_real(got) and got == expected):  # the cost's type is Q1's business ("costs are ints")
        raise Mismatch(f"chain_cost({dims!r}, {order!r}) is valid: expected the cost {expected}, got {fmt(got)}")


_error_or_cost.accepts_raised = True
_i = np.int64


@test_case(name="dims with fewer than two entries (no matrix at all) -> ValueError naming dims; two entries are "
                "one matrix", points=1, hidden=False)
@check(cases=[([], 0, "dims"), ([4], 0, "dims"), ((), 0, "dims"), ([4, 5], 0, None), ((1, 1), 0, None)],
       expect=_expected, judge=_error_or_cost, describe=_describe)
def dims_too_short(m, dims, order, word):
    return m.chain_cost(dims, order)


@test_case(name="dims with a zero or negative entry -> ValueError naming dims (1 and numpy ints are fine)",
           points=1, hidden=True)
@check(cases=[([3, 0, 4], (0, 1), "dims"), ([2, -1, 3], (0, 1), "dims"), ([-5, 2], 0, "dims"),
              ([2, 3, 4, 0], ((0, 1), 2), "dims"), ([0, 6], 0, "dims"), (np.array([3, 0, 4]), (0, 1), "dims"),
              ([1, 1, 1], (0, 1), None), (np.array([3, 1, 4]), (0, 1), None), ([_i(2), _i(5)], 0, None)],
       expect=_expected, judge=_error_or_cost, describe=_describe)
def dims_not_positive(m, dims, order, word):
    return m.chain_cost(dims, order)


@test_case(name="an order that leaves out a matrix or names one that does not exist -> ValueError naming order",
           points=1, hidden=False)
@check(cases=[([2, 3, 4, 5], (0, 1), "order"),           # matrix 2 is missing
              ([2, 3, 4, 5], 0, "order"),                # only matrix 0
              ([2, 3, 4], ((0, 1), 2), "order"),         # there is no matrix 2
              ([2, 3], (0, 1), "order"),                 # there is no matrix 1
              ([2, 3, 4], (-1, 0), "order"),             # negative index
              ([2, 3, 4, 5], ((0, 2), 3), "order"),      # matrix 1 skipped
              ([2, 3, 4, 5], ((0, 1), 2), None),         # valid: 2*3*4 + 2*4*5 = 64
              ([2, 3], 0, None)],                        # valid: one matrix, 0
       expect=_expected, judge=_error_or_cost, describe=_describe)
def order_missing_or_extra(m, dims, order, word):
    return m.chain_cost(dims, order)


@test_case(name="an order that repeats a matrix or lists them out of order -> ValueError naming order",
           points=1, hidden=True)
@check(cases=[([2, 3, 4], (1, 0), "order"),               # (BA): out of order
              ([2, 3, 4, 5], ((0, 0), 1), "order"),      # 0 twice, 2 missing
              ([2, 3, 4, 5], ((0, 1), 1), "order"),      # 1 twice
              ([2, 3, 4, 5], ((0, 2), 1), "order"),      # all present, wrong order
              ([2, 3, 4, 5], (2, (0, 1)), "order"),      # the last matrix first
              ([2, 3, 4, 5, 6], ((0, 1), (3, 2)), "order"),
              ([2, 3, 4, 5], (0, (1, 2)), None),          # valid: 3*4*5 + 2*3*5 = 90
              ([2, 3, 4, 5, 6], ((0, 1), (2, 3)), None)],  # valid: 2*3*4 + 4*5*6 + 2*4*6 = 192
       expect=_expected, judge=_error_or_cost, describe=_describe)
def order_repeated_or_swapped(m, dims, order, word):
    return m.chain_cost(dims, order)


@test_case(name="an order that is not built from ints and pairs (left, right) -> ValueError naming order",
           points=1, hidden=True)
@check(cases=[([2, 3, 4, 5], (0, 1, 2), "order"),         # a triple is not a pair
              ([2, 3, 4], ((0, 1),), "order"),           # a 1-tuple around a valid pair
              ([2, 3, 4], (), "order"),                  # empty
              ([2, 3, 4, 5], (0, (1, (2,))), "order"),   # a 1-tuple deep inside
              ([2, 3, 4], (0, 1.0), "order"),            # an index must be an int
              ([2, 3, 4], (0, "1"), "order"),
              ([2, 3, 4], (0, None), "order"),
              ([2, 3, 4], (0, 1), None),                  # valid: 2*3*4 = 24
              ([2, 3, 4, 5], ((0, 1), 2), None),          # valid: 64
              ([7, 3], 0, None)],                         # valid: one matrix, 0
       expect=_expected, judge=_error_or_cost, describe=_describe)
def order_malformed(m, dims, order, word):
    return m.chain_cost(dims, order)
