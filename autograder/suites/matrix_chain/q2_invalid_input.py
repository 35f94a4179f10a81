"""Q2 -- chain_cost rejects invalid dims and every order that is not a full parenthesization."""

from otter.test_files import test_case

from autograder.checking import check, raises

OK_FORMAT = False
name = "q2_invalid_input"

# Each check raises ValueError with a message naming the argument at fault (ASSIGNMENTS.md, common
# rules).  dims is checked first: an order can only be judged once dims says how many matrices there are.


def _describe(dims, order):
    return f"chain_cost({dims!r}, {order!r})"


@test_case(name="dims with fewer than two entries (no matrix at all) -> ValueError naming dims",
           points=1, hidden=False)
@check(cases=[([], 0), ([4], 0), ((), 0)], expect=None, judge=raises(ValueError, mentions="dims"),
       describe=_describe)
def dims_too_short(m, dims, order):
    return m.chain_cost(dims, order)


@test_case(name="dims with a zero or negative entry -> ValueError naming dims", points=1, hidden=True)
@check(cases=[([3, 0, 4], (0, 1)), ([2, -1, 3], (0, 1)), ([-5, 2], 0), ([2, 3, 4, 0], ((0, 1), 2)),
              ([0, 6], 0)],
       expect=None, judge=raises(ValueError, mentions="dims"), describe=_describe)
def dims_not_positive(m, dims, order):
    return m.chain_cost(dims, order)


@test_case(name="an order that leaves out a matrix or names one that does not exist -> ValueError naming order",
           points=1, hidden=False)
@check(cases=[([2, 3, 4, 5], (0, 1)),           # matrix 2 is missing
              ([2, 3, 4, 5], 0),                # only matrix 0
              ([2, 3, 4], ((0, 1), 2)),         # there is no matrix 2
              ([2, 3], (0, 1)),                 # there is no matrix 1
              ([2, 3, 4], (-1, 0)),             # negative index
              ([2, 3, 4, 5], ((0, 2), 3))],     # matrix 1 skipped
       expect=None, judge=raises(ValueError, mentions="order"), describe=_describe)
def order_missing_or_extra(m, dims, order):
    return m.chain_cost(dims, order)


@test_case(name="an order that repeats a matrix or lists them out of order -> ValueError naming order",
           points=1, hidden=True)
@check(cases=[([2, 3, 4], (1, 0)),               # (BA): out of order
              ([2, 3, 4, 5], ((0, 0), 1)),      # 0 twice, 2 missing
              ([2, 3, 4, 5], ((0, 1), 1)),      # 1 twice
              ([2, 3, 4, 5], ((0, 2), 1)),      # all present, wrong order
              ([2, 3, 4, 5], (2, (0, 1))),      # the last matrix first
              ([2, 3, 4, 5, 6], ((0, 1), (3, 2)))],
       expect=None, judge=raises(ValueError, mentions="order"), describe=_describe)
def order_repeated_or_swapped(m, dims, order):
    return m.chain_cost(dims, order)


@test_case(name="an order that is not built from ints and pairs (left, right) -> ValueError naming order",
           points=1, hidden=True)
@check(cases=[([2, 3, 4, 5], (0, 1, 2)),         # a triple is not a pair
              ([2, 3, 4], ((0, 1),)),           # a 1-tuple around a valid pair
              ([2, 3, 4], ()),                  # empty
              ([2, 3, 4, 5], (0, (1, (2,)))),   # a 1-tuple deep inside
              ([2, 3, 4], (0, 1.0)),            # an index must be an int
              ([2, 3, 4], (0, "1")),
              ([2, 3, 4], (0, None))],
       expect=None, judge=raises(ValueError, mentions="order"), describe=_describe)
def order_malformed(m, dims, order):
    return m.chain_cost(dims, order)
