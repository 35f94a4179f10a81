"""Q4 -- chain_multiply: the product of the chain, formed in the given order."""

import functools

import numpy as np
from otter.test_files import test_case

from autograder.checking import Mismatch, check, fmt, seeded
from autograder.checking.judges import raises_naming

OK_FORMAT = False
name = "q4_chain_multiply"


# -- inputs: matrices rebuilt from (shapes, seed, scales) in every process ----------------------------

def _matrices(shapes, seed, scales=None):
    """Seeded standard Gaussian matrices of the given shapes, each times its scale; ``scales="ints"``:
    seeded integer matrices (int64 entries in -5..5) instead."""
    rng = np.random.default_rng(seed)
    if isinstance(scales, str):
        return [rng.integers(-5, 6, tuple(shape)) for shape in shapes]
    mats = [rng.standard_normal(tuple(shape)) for shape in shapes]
    if scales is not None:
        mats = [s * a for s, a in zip(scales, mats)]
    return mats


def _random_order(rng, i, j):
    if j - i == 1:
        return i
    s = int(rng.integers(i + 1, j))
    return (_random_order(rng, i, s), _random_order(rng, s, j))


def _shapes(dims):
    return [[dims[i], dims[i + 1]] for i in range(len(dims) - 1)]


def _in_order(mats, order):
    """The product multiplied exactly as ``order`` says (judge side)."""
    if isinstance(order, (int, np.integer)):
        return mats[order]
    return _in_order(mats, order[0]) @ _in_order(mats, order[1])


# -- judges ---------------------------------------------------------------------------------------

# Rounding: every entry of a product computed in any order is within gamma_n |A_1| |A_2| ... |A_k|
# (entrywise absolute values) of the exact product, gamma_n = n u / (1 - n u), n the sum of the inner
# dimensions (at most ~40 here) and u = 1.1e-16: about 5e-15 for each of the two computations
# compared.  Gaussian products do cancel, so entries are compared against that bound, not against
# their own size.  1e-12 leaves a margin of 100; a product in the wrong order of factors, a
# transpose or a missing factor is off by O(1) times the bound's scale.
_RTOL = 1e-12


def _product_judge(order_hint):
    def judge(got, expected, shapes, order, seed, scales=None):
        if not (isinstance(got, np.ndarray) and got.dtype.kind in "biuf"):
            raise Mismatch(f"wrong type: expected a numpy array of numbers, shape {expected.shape}, got {fmt(got)}")
        if got.shape != expected.shape:
            raise Mismatch(f"wrong shape: expected the product's shape {expected.shape}, got shape {got.shape}")
        mats = [a.astype(np.float64) for a in _matrices(shapes, seed, scales)]
        with np.errstate(over="ignore", invalid="ignore"):
            scale = _in_order([np.abs(a) for a in mats], order)
            g = got.astype(np.float64)
            wrong_finiteness = np.isfinite(g) != np.isfinite(expected)
            if wrong_finiteness.any():
                i = tuple(int(v) for v in np.argwhere(wrong_finiteness)[0])
                raise Mismatch(f"entry {i} is {fmt(g[i])}, but multiplying in the order {fmt(order)} gives "
                               f"{fmt(expected[i])}: {order_hint}")
            finite = np.isfinite(expected)
            err = np.where(finite, np.abs(g - np.where(finite, expected, 0.0)), 0.0)
            bad = finite & ~(err <= _RTOL * scale)
        if bad.any():
            i = tuple(int(v) for v in np.argwhere(bad)[0])
            raise Mismatch(f"wrong value: entry {i} of the product is {fmt(g[i])}, expected {fmt(expected[i])} "
                           f"(allowed rounding error {_RTOL:g} x (|A_1| ... |A_k|){list(i)} = "
                           f"{fmt(_RTOL * scale[i])})")
        if got.dtype != np.float64:
            raise Mismatch(f"wrong type: the product should be a float64 array (the handout's promise, also "
                           f"for matrices of ints), got dtype {got.dtype} (np.asarray(..., dtype=float) converts)")

    return judge


_close_to_product = _product_judge("the product itself is wrong")
_follows_order = _product_judge(
    "the product must be formed in the order given (here one order overflows to inf/nan while the "
    "other stays finite, so the result shows which order was used)")


def _left_to_right(shapes, order, seed, scales=None):
    """Expected: the plain left-to-right product A_1 A_2 ... A_k, whatever the order (in float64)."""
    return functools.reduce(np.matmul, [a.astype(np.float64) for a in _matrices(shapes, seed, scales)])


def _as_given(shapes, order, seed, scales):
    """Expected: the product formed exactly in ``order`` (so that overflow happens where it should)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return _in_order(_matrices(shapes, seed, scales), order)


def _show(shapes, order, seed=None, scales=None):
    names = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    mats = ", ".join(f"{names[i]} {r}x{c}" for i, (r, c) in enumerate(shapes))
    if isinstance(scales, str):
        return f"{mats} (seeded int64 entries), order = {order!r}"
    scaled = f", scaled by {', '.join(f'{s:g}' for s in scales)}" if scales else ""
    return f"{mats}{scaled} (seeded Gaussian entries), order = {order!r}"


def _show_error(shapes, order, seed):
    return f"matrices of shapes {', '.join(f'{r}x{c}' for r, c in shapes)}, order = {order!r}"


# -- inputs (seeded) --------------------------------------------------------------------------------

_rng = seeded(2704)
_random = []
for _k in [1, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 7, 8]:
    _dims = [int(v) for v in _rng.integers(1, 9, _k + 1)]
    _random.append((_shapes(_dims), _random_order(_rng, 0, _k), int(_rng.integers(1 << 30))))

# The lecture: A m x n, B n x p, C = c a column vector (q = 1), in both orders.
_lecture = [(_shapes([40, 30, 20, 1]), ((0, 1), 2), 11), (_shapes([40, 30, 20, 1]), (0, (1, 2)), 11),
            (_shapes([3, 5, 4, 2]), ((0, 1), 2), 12), (_shapes([3, 5, 4, 2]), (0, (1, 2)), 12)]

# Scales 1e200, 1e200, 1e-200: (AB) overflows (entries ~1e400) so (AB)C is inf/nan, while (BC) ~ 1
# and A(BC) ~ 1e200 stays finite; mirrored for scales 1e-200, 1e200, 1e200.  With four factors
# scaled 1e200, 1e200, 1e-200, 1e-200, (AB)(CD) is inf times 0 (underflow) = nan, A((BC)D) is ~1.
_big, _small = 1e200, 1e-200
_overflow = [(_shapes([2, 3, 3, 2]), ((0, 1), 2), 21, [_big, _big, _small]),
             (_shapes([2, 3, 3, 2]), (0, (1, 2)), 21, [_big, _big, _small]),
             (_shapes([3, 2, 2, 3]), (0, (1, 2)), 22, [_small, _big, _big]),
             (_shapes([3, 2, 2, 3]), ((0, 1), 2), 22, [_small, _big, _big]),
             (_shapes([2, 2, 3, 2, 2]), ((0, 1), (2, 3)), 23, [_big, _big, _small, _small]),
             (_shapes([2, 2, 3, 2, 2]), (0, ((1, 2), 3)), 23, [_big, _big, _small, _small])]


@test_case(name="lecture: A B c with c a column vector, as (AB)c and as A(Bc): the same product",
           points=1, hidden=False)
@check(cases=_lecture, expect=_left_to_right, judge=_close_to_product, describe=_show)
def lecture_product(m, shapes, order, seed):
    return m.chain_multiply(_matrices(shapes, seed), order)


# Edges (EDGES.md): matrices of ints (the product must still be float64, as the handout promises),
# one int matrix alone, 1 x 1 matrices.
_INT_CASES = [(_shapes([2, 3, 4, 2]), ((0, 1), 2), 51, "ints"), (_shapes([3, 2, 5]), (0, 1), 52, "ints"),
              (_shapes([2, 3]), 0, 53, "ints"), (_shapes([1, 1, 1, 1]), (0, (1, 2)), 54, None)]


@test_case(name="random chains of 1 to 8 matrices in random orders agree with numpy; a float64 product, also for "
                "int matrices", points=1, hidden=True)
@check(cases=[c + (None,) for c in _random] + _INT_CASES, expect=_left_to_right, judge=_close_to_product,
       describe=_show)
def random_products(m, shapes, order, seed, scales):
    return m.chain_multiply(_matrices(shapes, seed, scales), order)


@test_case(name="the product is formed in the given order (visible through overflow)", points=1, hidden=True)
@check(cases=_overflow, expect=_as_given, judge=_follows_order, describe=_show)
def follows_order(m, shapes, order, seed, scales):
    mats = _matrices(shapes, seed, scales)
    with np.errstate(over="ignore", invalid="ignore"):  # the overflow is intended: no warnings
        return m.chain_multiply(mats, order)


def _error_or_product(word):
    """ValueError naming ``word`` where an error is expected (expected None); else the product, as
    in the other checks ("just inside": a chain_multiply that raises for everything earns nothing)."""

    def judge(got, expected, shapes, order, seed, error):
        if expected is None:
            raises_naming(ValueError, word)(got, expected)
        else:
            _close_to_product(got, expected, shapes, order, seed)

    judge.accepts_raised = True
    return judge


def _product_unless_error(shapes, order, seed, error):
    return None if error else _left_to_right(shapes, order, seed)


@test_case(name="neighbouring shapes that do not match -> ValueError naming matrices (matching shapes multiply)",
           points=1, hidden=False)
@check(cases=[([[2, 3], [4, 5]], (0, 1), 31, True), ([[2, 3], [3, 4], [5, 6]], ((0, 1), 2), 32, True),
              ([[2, 3], [3, 4], [5, 6]], (0, (1, 2)), 33, True), ([[3, 3], [2, 3], [3, 3]], ((0, 1), 2), 34, True),
              ([[2, 3], [3, 4]], (0, 1), 35, False)],
       expect=_product_unless_error, judge=_error_or_product("matrices"),
       describe=lambda shapes, order, seed, error: _show_error(shapes, order, seed))
def mismatched_shapes(m, shapes, order, seed, error):
    return m.chain_multiply(_matrices(shapes, seed), order)


@test_case(name="an invalid order -> ValueError naming order (a valid one multiplies)",
           points=1, hidden=True)
@check(cases=[([[2, 3], [3, 4], [4, 5]], (0, 1), 41, True), ([[2, 3], [3, 4], [4, 5]], ((0, 1), 1), 42, True),
              ([[2, 3], [3, 4]], (1, 0), 43, True), ([[2, 3], [3, 4], [4, 5]], (0, 1, 2), 44, True),
              ([[2, 3], [3, 4]], ((0, 1), 2), 45, True), ([[2, 3], [3, 4]], (0, 1.0), 46, True),
              ([[2, 3], [3, 4], [4, 5]], ((0, 1), 2), 47, False)],
       expect=_product_unless_error, judge=_error_or_product("order"),
       describe=lambda shapes, order, seed, error: _show_error(shapes, order, seed))
def invalid_order(m, shapes, order, seed, error):
    return m.chain_multiply(_matrices(shapes, seed), order)
