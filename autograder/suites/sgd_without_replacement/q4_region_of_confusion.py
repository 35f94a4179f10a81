"""Q4 -- least_squares_1d: the minimizer x* and the region of confusion [min b_i/a_i, max b_i/a_i]."""

import math

import numpy as np
from otter.test_files import test_case

from autograder.checking import Mismatch, Raised, check, fmt, is_real, seeded
from autograder.checking.judges import raises_naming

OK_FORMAT = False
name = "q4_region_of_confusion"


# -- judge-side (trusted) helpers -------------------------------------------------------------------

def _formula(a, b):
    """x* = sum a_i b_i / sum a_i^2 (sums correctly rounded); lo, hi = min and max of b_i / a_i."""
    a = [float(v) for v in a]
    b = [float(v) for v in b]
    ratios = [bi / ai for ai, bi in zip(a, b)]
    x_star = math.fsum(ai * bi for ai, bi in zip(a, b)) / math.fsum(ai * ai for ai in a)
    return x_star, min(ratios), max(ratios)


def _triple_judge(got, expected, a, b):
    """(x_star, lo, hi) as three real numbers.

    Tolerance: lo and hi are single divisions b_i / a_i, the same in every correct program, so they
    must match to 4 eps (a mixed-up ratio a_i/b_i or a min/max swap is off by O(1)).  x_star is a
    ratio of two sums of n <= 40 products; any summation order is within 40 eps * sum|a_i b_i| of
    the exact numerator, so the allowance is 1e-12 * sum|a_i b_i| / sum a_i^2 (+ 1e-13 relative).
    """
    if isinstance(got, np.ndarray):
        got = tuple(got.tolist()) if got.shape == (3,) else got
    if not (isinstance(got, (tuple, list)) and len(got) == 3 and all(is_real(v) for v in got)):
        raise Mismatch(f"wrong type: least_squares_1d should return three numbers (x_star, lo, hi), got {fmt(got)}")
    floats = [type(v) is float or isinstance(v, np.float64) for v in got]
    x_star, lo, hi = (float(v) for v in got)
    e_star, e_lo, e_hi = expected
    if not (abs(lo - e_lo) <= 4 * np.finfo(float).eps * abs(e_lo)
            and abs(hi - e_hi) <= 4 * np.finfo(float).eps * abs(e_hi)):
        raise Mismatch(f"wrong value: the region of confusion should be [min b_i/a_i, max b_i/a_i] = "
                       f"[{fmt(e_lo)}, {fmt(e_hi)}] (the minimizers of the single terms), got "
                       f"[{fmt(lo)}, {fmt(hi)}]")
    scale = sum(abs(float(ai) * float(bi)) for ai, bi in zip(a, b)) / sum(float(ai) ** 2 for ai in a)
    if not abs(x_star - e_star) <= 1e-12 * scale + 1e-13 * abs(e_star):
        raise Mismatch(f"wrong value: x_star should be sum(a_i b_i) / sum(a_i^2) = {fmt(e_star)}, got {fmt(x_star)}")
    if not all(floats):
        kinds = ", ".join(type(v).__name__ for v in got)
        raise Mismatch(f"wrong type: x_star, lo and hi should be floats (Python float or numpy float64), also for "
                       f"int inputs; got {kinds}")


def _value_error_naming(argument):
    """The probe raised ValueError whose message names ``argument``: the word itself, any letter
    case ('a', 'A', 'a_i', 'a[3]'), the one rule of every handout (``raises_naming``)."""
    return raises_naming(ValueError, argument)


# -- inputs (seeded) --------------------------------------------------------------------------------

_rng = seeded(2704)
_table = [
    ([2.0], [3.0]),                                   # one term: x* = lo = hi
    ([1.0, 1.0, 1.0], [1.0, 2.0, 6.0]),               # a = 1: x* is the mean of b
    ([1, 2, 3], [2, 4, 6]),                           # ints, every ratio 2: no confusion at all
    ([-1.0, 2.0, 0.5], [3.0, 1.0, -2.0]),             # negative a_i: ratios are not b_i's order
    ([-2.0, -1.0, -4.0], [-1.0, 3.0, 2.0]),           # all a_i negative
    ([0.5, 4.0, 1.5, 2.0], [-1.0, 0.0, 7.0, 0.25]),
]
for _n in (5, 12, 40):
    _a = _rng.uniform(0.5, 1.5, _n) * _rng.choice([-1.0, 1.0], _n)
    _b = _a * (1.0 + _rng.standard_normal(_n))
    _table.append(([float(v) for v in _a], [float(v) for v in _b]))
# Edges (EDGES.md): ints of both signs (floats must come back), two terms with a tie, a large
# offset (every b_i/a_i near 1e8, the interval narrow), tiny a_i (huge ratios), numpy ints
_table += [([2, -1], [6, 5]), ([1.0, 2.0], [3.0, 6.0]), ([1.0, 2.0, 0.5], [1e8 + 1.0, 2e8 - 3.0, 5e7 + 0.25]),
           ([1e-4, -2e-4, 3e-4], [1.0, 1.0, -2.0])]
# an array of ints, a list of numpy ints (the handout's "real numbers")
_NUMPY_INTS = [([3, -2, 5], [1, 4, -10], "array"), ([np.int64(2), np.int64(4)], [np.int64(1), np.int64(-8)], "list")]


@test_case(name="least_squares_1d: x* = sum a_i b_i / sum a_i^2, region [min b_i/a_i, max b_i/a_i]",
           points=1, hidden=False)
@check(cases=[([1.0, 2.0], [1.0, 6.0]), ([1.0, 1.0, 2.0], [0.0, 3.0, 2.0])], expect=_formula,
       judge=_triple_judge, describe=lambda a, b: f"least_squares_1d(a={a}, b={b})")
def small_problems(m, a, b):
    return m.least_squares_1d(np.array(a), np.array(b))


@test_case(name="least_squares_1d on more problems (one term, ints, negative a_i, lists, large offsets, tiny a_i): "
                "three floats", points=1, hidden=True)
@check(cases=[(a, b, kind) for a, b in _table for kind in ("array", "list")] + _NUMPY_INTS,
       expect=lambda a, b, kind: _formula(a, b),
       judge=lambda got, expected, a, b, kind: _triple_judge(got, expected, a, b),
       describe=lambda a, b, kind: f"least_squares_1d(a, b) with {kind}s a = {fmt(a)}, b = {fmt(b)}")
def more_problems(m, a, b, kind):
    if kind == "array":
        return m.least_squares_1d(np.array(a), np.array(b))
    return m.least_squares_1d(list(a), list(b))



def _bad_arguments(got, expected, a, b, names):
    """ValueError whose message names one of ``names`` (the arguments at fault); where ``names`` is
    empty the input is valid ("just inside": a nonzero a_i however small, one term, a negative a_i)
    and the triple must be right, so a least_squares_1d that raises for everything earns nothing."""
    if not names:
        if isinstance(got, Raised):
            raise Mismatch(f"least_squares_1d(a={a}, b={b}) is valid (every a_i is nonzero), but it raised {got}")
        return _triple_judge(got, _formula(a, b), a, b)
    failures = []
    for argument in names:
        try:
            return _value_error_naming(argument)(got, expected)
        except Mismatch as exc:
            failures.append(exc)
    raise failures[0]


_bad_arguments.accepts_raised = True


@test_case(name="least_squares_1d raises ValueError naming the argument: different lengths, empty, "
                "some a_i = 0 (and not for valid input)", points=1, hidden=True)
@check(cases=[([1.0, 2.0], [1.0], ("a", "b")), ([1.0], [1.0, 2.0, 3.0], ("a", "b")), ([], [], ("a", "b")),
              ([1.0, 0.0, 2.0], [1.0, 1.0, 1.0], ("a",)), ([0.0], [0.0], ("a",)),
              ([3, 0], [1, 2], ("a",)), ([1.0, -0.0], [1.0, 1.0], ("a",)),  # an int 0 and -0.0 are zeros
              ([1e-300, 2.0], [1.0, 1.0], ()), ([-0.5], [0.0], ())],          # just inside: valid
       expect=None, judge=_bad_arguments,
       describe=lambda a, b, names: f"least_squares_1d(a={a}, b={b})" + (
           f" (the message should name {' or '.join(names)})" if names else " (valid input)"))
def bad_arguments(m, a, b, names):
    return m.least_squares_1d(np.array(a), np.array(b))
