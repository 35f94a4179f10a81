"""Q1 -- sample_indices: with replacement (independent draws) vs without (a fresh random order per pass)."""

import itertools

import numpy as np
from otter.test_files import test_case

from autograder.checking import Mismatch, check, fmt, within_standard_errors
from autograder.suites.sgd_without_replacement.shared import (draws_from_rng, noting_global_state, rng_rule_hint,
                                                             runs_from_rng)

OK_FORMAT = False
name = "q1_sample_indices"

# Statistical verdicts compare counts with their exact binomial expectation N p and standard error
# sqrt(N p (1 - p)).  Every expected count is >= 1000, so a count is very nearly normal and a correct
# sampler lands beyond 6 standard errors with probability < 2e-9 per count (<= 8 counts per check);
# the inputs are seeded, so a verdict never changes between runs.  The bugs these checks are for
# (an order reused across passes, a biased hand-written shuffle, draws that ignore `rng`) are off by
# 9 to 100+ standard errors with these sample sizes.
Z = 6.0


# -- judge-side (trusted) helpers -------------------------------------------------------------------

def _index_array(got, n, num_samples, what="sample_indices"):
    """``got`` as an int64 array of shape (num_samples,) with values in range(n), else Mismatch."""
    n, num_samples = int(n), int(num_samples)
    if not isinstance(got, np.ndarray):
        raise Mismatch(f"{what} should return a numpy array, got {type(got).__name__}: {fmt(got)}")
    if got.dtype != np.int64:
        raise Mismatch(f"{what} should return an array of dtype int64, got dtype {got.dtype} "
                       "(np.asarray(..., dtype=np.int64) converts)")
    if got.shape != (num_samples,):
        raise Mismatch(f"{what} should return shape ({num_samples},), got shape {got.shape}")
    bad = (got < 0) | (got >= n)
    if bad.any():
        i = int(np.argmax(bad))
        raise Mismatch(f"{what}: entry {i} is {int(got[i])}, outside range({n})")
    return got


def _index_rows(got, n, num_samples, what):
    """A list of results, each checked as ``_index_array`` checks one, stacked into one row each.

    Vectorised (6,000 results: 50 ms -> 3 ms in the grader) when every result is a plain int64
    array of the right shape; otherwise, or when a value is out of range, the results are checked
    one by one, so the first bad one gets ``_index_array``'s own message."""
    if got and all(type(r) is np.ndarray and r.dtype == np.int64 and r.shape == (num_samples,) for r in got):
        rows = np.stack(got)
        if not ((rows < 0) | (rows >= n)).any():
            return rows
    return np.stack([_index_array(r, n, num_samples, what) for r in got]).reshape(len(got), num_samples)


def _reshuffled(idx, n, what="the result"):
    """Every full block of n entries is a permutation of range(n); the rest has no repeats."""
    full = len(idx) // n
    is_permutation = (np.sort(idx[:full * n].reshape(full, n), axis=1) == np.arange(n)).all(axis=1)
    if not is_permutation.all():  # all blocks at once (30,000 of them in one case): numpy, not a loop
        j = int(np.argmin(is_permutation))
        block = idx[j * n:(j + 1) * n]
        raise Mismatch(f"in {what}, block {j} (entries {j * n} to {(j + 1) * n - 1}) should be a "
                       f"permutation of range({n}) but it is {fmt(block)}")
    tail = idx[full * n:]
    if len(np.unique(tail)) != len(tail):
        raise Mismatch(f"in {what}, the last, partial block {fmt(tail)} (entries {full * n} on) should "
                       "start a fresh permutation, so it cannot repeat a value")


def _without_replacement_blocks(got, expected, n, num_samples, seed):
    """Property judge: int64 array, values in range(n), each block of n a permutation."""
    _reshuffled(_index_array(got, n, num_samples), n)


def _well_typed(got, expected, n, num_samples, replace, seed):
    """Property judge: an int64 numpy array of shape (num_samples,) with values in range(n), not all
    equal when n >= 2 and num_samples >= 5 (random draws; an array of zeros must not earn the point:
    all equal has probability <= 10^-4 with replacement, and 0 without)."""
    n, num_samples = int(n), int(num_samples)
    idx = _index_array(got, n, num_samples)
    if n >= 2 and num_samples >= 5 and np.all(idx == idx[0]):
        raise Mismatch(f"every index is {int(idx[0])}: the indices should be random draws from range({n})")


# Two generators with the same seed give the same indices, two seeds different indices.
_reproducible = draws_from_rng("indices")


_ORDERS3 = list(itertools.permutations(range(3)))  # the 6 orders of range(3)


def _count_check(count, total, p, what):
    """One binomial count: within Z standard errors of total * p."""
    within_standard_errors(count, total * p, np.sqrt(total * p * (1 - p)), z=Z, what=what)


def _fresh_uniform_blocks(got, expected, blocks, seed):
    """30,000 blocks of range(3): each of the 6 orders ~ 1/6 of them; a block equals the one
    before it ~ 1/6 of the time (independent blocks), not always (an order reused)."""
    idx = _index_array(got, 3, 3 * blocks)
    _reshuffled(idx, 3, "sample_indices(3, 90000, False, rng)")
    rows = idx.reshape(blocks, 3)
    for order in _ORDERS3:
        count = int((rows == order).all(axis=1).sum())
        _count_check(count, blocks, 1 / 6, f"the number of blocks in the order {order} (out of {blocks})")
    repeats = int((rows[1:] == rows[:-1]).all(axis=1).sum())
    # For independent uniform blocks the events "block j+1 equals block j" are pairwise independent,
    # each of probability 1/6, so their count is exactly binomial in variance.
    _count_check(repeats, blocks - 1, 1 / 6,
                 "the number of blocks identical to the block before them (a new order each pass?)")


def _fresh_partial_block(got, expected, calls, seed):
    """sample_indices(3, 5, False, rng) called 6000 times: the last 2 entries are the start of a
    fresh permutation -- each of the 6 ordered pairs ~ 1/6, and equal to the first two entries of the
    same call's first block only ~ 1/6 of the time."""
    if not isinstance(got, list) or len(got) != calls:
        raise Mismatch(f"expected {calls} results, got {fmt(got)}")
    rows = _index_rows(got, 3, 5, "sample_indices(3, 5, False, rng)")
    well_formed = (np.sort(rows[:, :3], axis=1) == np.arange(3)).all(axis=1) & (rows[:, 3] != rows[:, 4])
    if not well_formed.all():  # the message (and its formatting) only for the first bad call
        r = rows[int(np.argmin(well_formed))]
        _reshuffled(r, 3, f"sample_indices(3, 5, False, rng) = {fmt(r)}")
    for pair in itertools.permutations(range(3), 2):
        count = int(((rows[:, 3] == pair[0]) & (rows[:, 4] == pair[1])).sum())
        _count_check(count, calls, 1 / 6,
                     f"the number of calls whose partial block (last 2 entries) is {pair} (out of {calls})")
    same = int(((rows[:, 3] == rows[:, 0]) & (rows[:, 4] == rows[:, 1])).sum())
    _count_check(same, calls, 1 / 6, "the number of calls whose partial block repeats the start of "
                 "the first block (it should come from a fresh permutation)")


def _uniform_independent(got, expected, n, per_call, calls, seed):
    """With replacement: each value ~ 1/n of all draws; consecutive draws equal ~ 1/n of the time."""
    if not isinstance(got, list) or len(got) != calls:
        raise Mismatch(f"expected {calls} results, got {fmt(got)}")
    rows = _index_rows(got, n, per_call, f"sample_indices({n}, {per_call}, True, rng)")
    draws = rows.ravel()
    for v in range(n):
        _count_check(int(np.sum(draws == v)), len(draws), 1 / n,
                     f"the number of draws equal to {v} (out of {len(draws)})")
    # For i.i.d. uniform draws the events "draw t+1 equals draw t" are pairwise independent with
    # probability 1/n each, so this count is exactly binomial in variance.  Permutation blocks
    # (replace ignored) almost never repeat a value and fail here.
    repeats = int((rows[:, 1:] == rows[:, :-1]).sum())
    _count_check(repeats, calls * (per_call - 1), 1 / n,
                 "the number of draws equal to the draw just before them (independent draws repeat "
                 f"with probability 1/{n})")


# -- checks -----------------------------------------------------------------------------------------

@test_case(name="without replacement: each block of n indices is a permutation of range(n)", points=1,
           hidden=False)
@check(cases=[(5, 5, 1), (5, 12, 2), (8, 8, 3), (3, 7, 4)], expect=None, judge=_without_replacement_blocks,
       describe=lambda n, k, seed: f"sample_indices({n}, {k}, False, np.random.default_rng({seed}))")
def blocks_public(m, n, num_samples, seed):
    return m.sample_indices(n, num_samples, False, np.random.default_rng(seed))


@test_case(name="an int64 numpy array of shape (num_samples,) with values in range(n), both samplings "
                "(also num_samples = 0, and numpy ints)", points=1, hidden=False)
@check(cases=[(10, 25, True, 5), (10, 25, False, 6), (1, 3, True, 7), (1, 3, False, 8), (7, 3, False, 9),
              (100, 1000, True, 10), (2, 1, True, 11), (2, 1, False, 12),
              # edges (EDGES.md): no samples at all (an empty int64 array), n and num_samples as numpy ints
              (4, 0, True, 13), (4, 0, False, 14), (np.int64(6), np.int64(9), False, 15),
              (np.int64(6), np.int64(9), True, 16)],
       expect=None, judge=_well_typed,
       describe=lambda n, k, r, seed: f"sample_indices({n!r}, {k!r}, {r}, np.random.default_rng({seed}))")
def types_and_range(m, n, num_samples, replace, seed):
    return m.sample_indices(n, num_samples, replace, np.random.default_rng(seed))


@test_case(name="without replacement: full blocks are permutations, a partial block repeats nothing "
                "(n = 1, fewer samples than n, 50 passes)", points=1, hidden=True)
@check(cases=[(1, 4, 21), (1, 1, 22), (10, 4, 23), (10, 9, 24), (10, 100, 25), (7, 350, 26), (4, 9, 27),
              (6, 13, 28), (50, 1234, 29)],
       expect=None, judge=_without_replacement_blocks,
       describe=lambda n, k, seed: f"sample_indices({n}, {k}, False, np.random.default_rng({seed}))")
def blocks_hidden(m, n, num_samples, seed):
    return m.sample_indices(n, num_samples, False, np.random.default_rng(seed))


@test_case(name="reproducible: the same generator state gives the same indices, another state other "
                "indices (all randomness from rng)", points=1, hidden=True)
@check(cases=[(10, 25, True, 31), (10, 25, False, 32), (6, 40, False, 33), (3, 1000, True, 34)],
       expect=None, judge=_reproducible,
       describe=lambda n, k, r, seed: f"sample_indices({n}, {k}, {r}, rng) with generators seeded {seed}, "
                                      f"{seed} and {seed + 1}")
def reproducible(m, n, num_samples, replace, seed):
    return runs_from_rng(lambda rng: m.sample_indices(n, num_samples, replace, rng), seed)


def _fresh_permutations(got, expected, kind, count, seed):
    if kind == "passes":
        _fresh_uniform_blocks(got, expected, count, seed)
    else:
        _fresh_partial_block(got, expected, count, seed)


@test_case(name="without replacement: a fresh, uniformly random order for every pass, a partial last pass "
                "included (all orders of range(3) equally likely, passes independent)", points=1, hidden=True)
@check(cases=[("passes", 30000, 41), ("partial", 6000, 42)], expect=None,
       judge=rng_rule_hint(_fresh_permutations),
       describe=lambda kind, count, seed: (f"sample_indices(3, {3 * count}, False, np.random.default_rng({seed}))"
                                           if kind == "passes" else
                                           f"{count} calls sample_indices(3, 5, False, rng), "
                                           f"rng = np.random.default_rng({seed})"))
def fresh_permutations(m, kind, count, seed):
    rng = np.random.default_rng(seed)
    if kind == "passes":
        return noting_global_state(lambda: m.sample_indices(3, 3 * count, False, rng))
    return noting_global_state(lambda: [m.sample_indices(3, 5, False, rng) for _ in range(count)])


@test_case(name="with replacement: independent uniform draws (every value 1/n of the time, "
                "consecutive draws equal 1/n of the time)", points=1, hidden=True)
@check(cases=[(10, 25, 2000, 43)], expect=None, judge=rng_rule_hint(_uniform_independent),
       describe=lambda n, k, calls, seed: f"{calls} calls sample_indices({n}, {k}, True, rng), "
                                          f"rng = np.random.default_rng({seed})")
def uniform_with_replacement(m, n, per_call, calls, seed):
    rng = np.random.default_rng(seed)
    return noting_global_state(lambda: [m.sample_indices(n, per_call, True, rng) for _ in range(calls)])
