"""matrix_chain: the reference solution against hand-derived numbers and an independent implementation
(numpy's own matrix-chain dynamic program), and the suite's custom judges against wrong answers.

Every literal below is worked out by hand in the comment next to it, not read back from the code.
"""

import importlib
import itertools
from pathlib import Path

import numpy as np
import pytest

from autograder.checking import Mismatch
from autograder.engine.suite import load_file, reference_solution

ROOT = Path(__file__).resolve().parents[1]
SUITE = ROOT / "autograder" / "suites" / "matrix_chain"
CLRS = [30, 35, 15, 5, 10, 20, 25]


ref = reference_solution("matrix_chain")
q1 = load_file(SUITE / "q1_costs.py", "mc_q1")
q3 = load_file(SUITE / "q3_optimal_order.py", "mc_q3")
q4 = load_file(SUITE / "q4_chain_multiply.py", "mc_q4")
q5 = load_file(SUITE / "q5_jacobian_costs.py", "mc_q5")


def judge_of(test):
    return test.test_func.check.judge


def expect_of(test):
    return test.test_func.check.expect


def random_dims(rng, k, high=50):
    return [int(v) for v in rng.integers(1, high, k + 1)]


# -- the reference solution on numbers worked out by hand ---------------------------------------------

def test_matmul_cost_by_hand():
    assert ref.matmul_cost(2, 3, 4) == 24          # 2*4 entries, inner products of length 3
    assert ref.matmul_cost(1000, 1000, 1) == 10**6  # matrix times vector
    assert type(ref.matmul_cost(np.int64(2), 3, 4)) is int


def test_lecture_abc_with_a_column_vector():
    # m = n = p = 1000, q = 1: (AB)C = mnp + mpq = 10^9 + 10^6, A(BC) = npq + mnq = 10^6 + 10^6.
    dims = [1000, 1000, 1000, 1]
    assert ref.chain_cost(dims, ((0, 1), 2)) == 1_001_000_000
    assert ref.chain_cost(dims, (0, (1, 2))) == 2_000_000
    assert ref.optimal_order(dims) == (2_000_000, (0, (1, 2)))


def test_clrs_15125_by_hand():
    # ((A1 (A2 A3)) ((A4 A5) A6)) in CLRS's 1-based names:
    #   A2A3 = 35*15*5 = 2625, A1(A2A3) = 30*35*5 = 5250, A4A5 = 5*10*20 = 1000,
    #   (A4A5)A6 = 5*20*25 = 2500, the last product 30*5*25 = 3750: total 15125.
    assert ref.chain_cost(CLRS, ((0, (1, 2)), ((3, 4), 5))) == 15125
    cost, order = ref.optimal_order(CLRS)
    assert cost == 15125 and ref.chain_cost(CLRS, order) == 15125
    assert type(cost) is int
    # left to right instead: 30*35*15 + 30*15*5 + 30*5*10 + 30*10*20 + 30*20*25
    #   = 15750 + 2250 + 1500 + 6000 + 15000 = 40500
    assert ref.chain_cost(CLRS, (((((0, 1), 2), 3), 4), 5)) == 40500


def test_one_and_two_matrices():
    assert ref.optimal_order([7, 3]) == (0, 0)
    assert ref.chain_cost([7, 3], 0) == 0
    assert ref.optimal_order([2, 3, 4]) == (24, (0, 1))


def test_jacobian_costs_by_hand():
    # 784 -> 100 -> 10 -> 1.  Forward: J2J1 = 10*100*784 = 784000, then J3 (J2J1) = 1*10*784 = 7840.
    # Reverse: J3J2 = 1*10*100 = 1000, then (J3J2) J1 = 1*100*784 = 78400.
    assert ref.jacobian_accumulation_costs([784, 100, 10, 1]) == (791840, 79400)
    # The mirror image 1 -> 10 -> 100 -> 784: forward 100*10*1 + 784*100*1 = 79400,
    # reverse 784*100*10 + 784*10*1 = 791840.
    assert ref.jacobian_accumulation_costs([1, 10, 100, 784]) == (79400, 791840)
    assert ref.jacobian_accumulation_costs([5, 7]) == (0, 0)
    assert ref.jacobian_accumulation_costs([5, 7, 3]) == (105, 105)  # one product J2J1 = 3*7*5 either way


@pytest.mark.parametrize("dims, order", [([], 0), ([4], 0), ([3, 0, 4], (0, 1)), ([2, 3, 4], (1, 0)),
                                         ([2, 3, 4], ((0, 0), 1)), ([2, 3, 4, 5], (0, 1)),
                                         ([2, 3, 4], (0, 1, 2)), ([2, 3, 4], (0, 1.0)), ([2, 3], True),
                                         ([2, 3, 4], [0, 1])])
def test_reference_rejects_invalid_input(dims, order):
    word = "dims" if len(dims) < 2 or min(dims) <= 0 else "order"
    with pytest.raises(ValueError, match=word):
        ref.chain_cost(dims, order)


def test_chain_multiply_small_by_hand():
    a = np.array([[1.0, 2.0]])          # 1x2
    b = np.array([[3.0], [4.0]])        # 2x1
    c = np.array([[5.0, 6.0]])          # 1x2
    # ab = [[11]], (ab)c = [[55, 66]]; bc = [[15, 18], [20, 24]], a(bc) = [[55, 66]]
    for order in [((0, 1), 2), (0, (1, 2))]:
        assert np.array_equal(ref.chain_multiply([a, b, c], order), [[55.0, 66.0]])
    with pytest.raises(ValueError, match="matrices"):
        ref.chain_multiply([a, c], (0, 1))
    with pytest.raises(ValueError, match="order"):
        ref.chain_multiply([a, b, c], (0, 1))


# -- an independent implementation: numpy's multi_dot chooses the same minimum ------------------------

def _numpy_chain_order():
    for module_name in ("numpy.linalg._linalg", "numpy.linalg.linalg"):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        fn = getattr(module, "_multi_dot_matrix_chain_order", None)
        if fn is not None:
            return fn
    pytest.skip("this numpy has no _multi_dot_matrix_chain_order (multi_dot's private DP)")


def _order_from_numpy_splits(s, i, j):
    if i == j:
        return i
    k = int(s[i, j])
    return (_order_from_numpy_splits(s, i, k), _order_from_numpy_splits(s, k + 1, j))


def test_numpy_multi_dot_finds_the_same_minimum_cost():
    numpy_order = _numpy_chain_order()
    rng = np.random.default_rng(65)
    for k in [3, 4, 5, 6, 8, 10, 15, 25]:
        for _ in range(5):
            dims = random_dims(rng, k, high=120)
            arrays = [np.empty((dims[i], dims[i + 1])) for i in range(k)]
            splits, costs = numpy_order(arrays, return_costs=True)
            cost, order = ref.optimal_order(dims)
            assert cost == int(costs[0, k - 1])
            # numpy's own order (possibly a different one on ties) costs the same by our count
            assert ref.chain_cost(dims, _order_from_numpy_splits(splits, 0, k - 1)) == cost


def test_numpy_three_matrix_closed_form():
    # multi_dot with three arrays compares cost1 = a0 a1 b1 + a0 b1 c1 with cost2 = a1 b1 c1 + a0 a1 c1,
    # the lecture's two formulas.
    rng = np.random.default_rng(66)
    for _ in range(50):
        m, n, p, q = (int(v) for v in rng.integers(1, 200, 4))
        assert ref.optimal_order([m, n, p, q])[0] == min(m * n * p + m * p * q, n * p * q + m * n * q)


def test_chain_multiply_agrees_with_multi_dot():
    rng = np.random.default_rng(67)
    for k in [2, 3, 5, 7]:
        dims = random_dims(rng, k, high=9)
        mats = [rng.standard_normal((dims[i], dims[i + 1])) for i in range(k)]
        _, order = ref.optimal_order(dims)
        np.testing.assert_allclose(ref.chain_multiply(mats, order), np.linalg.multi_dot(mats),
                                   rtol=1e-10, atol=1e-10)


def test_suite_brute_force_agrees_with_reference_dp():
    """Two independent minimizations: the suite tries every order, the reference uses the DP."""
    rng = np.random.default_rng(68)
    for k in range(1, 9):
        for _ in range(6):
            dims = random_dims(rng, k)
            assert q3._brute_force(dims)[0] == ref.optimal_order(dims)[0]
    assert sum(1 for _ in q3._all_orders(0, 7)) == 429  # Catalan(7) orders of 8 matrices


def test_reference_k200_is_fast():
    import time

    dims = random_dims(np.random.default_rng(69), 200, high=101)
    start = time.perf_counter()
    ref.optimal_order(dims)
    assert time.perf_counter() - start < 10  # ~0.3 s here; the graded limit is 30 s for 200 + 120


# -- the suite's judges fail on wrong answers -------------------------------------------------------

def test_suite_cost_functions_by_hand():
    assert q1._cost(CLRS, ((0, (1, 2)), ((3, 4), 5))) == 15125
    assert q3._order_cost(CLRS, ((0, (1, 2)), ((3, 4), 5))) == 15125
    assert q1._nested_formula(CLRS, "left") == 40500  # worked out in test_clrs_15125_by_hand
    assert q1._cost(CLRS, q1._nested(6, "left")) == 40500
    # right to left: 10*20*25 + 5*10*25 + 15*5*25 + 35*15*25 + 30*35*25
    #   = 5000 + 1250 + 1875 + 13125 + 26250 = 47500
    assert q1._nested_formula(CLRS, "right") == 47500 == q1._cost(CLRS, q1._nested(6, "right"))


def test_q1_int_judge_rejects_floats():
    judge = judge_of(q1.int_costs)
    expected = (24, 64, 0)  # 2*3*4; 2*3*4 + 2*4*5; one matrix
    judge((24, 64, 0), expected)
    judge((np.int64(24), 64, 0), expected)
    for wrong in [(24.0, 64, 0), (24, np.float64(64), 0), (24, 64, False)]:
        with pytest.raises(Mismatch, match="int"):
            judge(wrong, expected)
    with pytest.raises(Mismatch, match="expected 64"):
        judge((24, 0, 0), expected)


def test_q3_optimal_judge():
    judge = judge_of(q3.clrs)
    expected = expect_of(q3.clrs)(CLRS)
    assert expected[0] == 15125
    best = ((0, (1, 2)), ((3, 4), 5))
    judge((15125, best), expected, CLRS)
    judge([np.int64(15125), best], expected, CLRS)
    left_to_right = (((((0, 1), 2), 3), 4), 5)
    cases = {
        "costs 40500": (40500, left_to_right),          # consistent but suboptimal
        "costs 40500 ": (15125, left_to_right),         # claims the minimum, order is not optimal
        "not its cost": (15000, best),                  # optimal order, wrong cost
        "matrix 3 should come next": (15125, ((0, (1, 2)), ((4, 3), 5))),
        "stops after matrix 4": (15125, ((0, (1, 2)), (3, 4))),
        "a list": (15125, [[0, [1, 2]], [[3, 4], 5]]),
        "ints and pairs": (15125, ((0, (1, 2)), ((3, 4), 5, 6))),
        "pair": (15125,),
    }
    for message, got in cases.items():
        with pytest.raises(Mismatch, match=message.strip()):
            judge(got, expected, CLRS)
    with pytest.raises(Mismatch):  # True is an int to Python, not a matrix index
        judge((0, True), expect_of(q3.one_matrix)([7, 3]), [7, 3])


def test_q3_judge_accepts_every_optimal_order_on_ties():
    judge = judge_of(q3.ties)
    dims = [4] * 7  # every order: 5 products of 4*4*4 = 320
    expected = expect_of(q3.ties)(dims)
    assert expected[0] == 320
    for order in itertools.islice(q3._all_orders(0, 5), 0, None, 7):
        judge((320, order), expected, dims)


def test_q3_long_chain_judge_uses_the_reference_cost_not_the_students():
    judge = judge_of(q3.long_chains)
    dims = q3._long[0][0]
    expected = ref.optimal_order(dims)
    judge(expected, expected, dims)
    left = 0
    for i in range(1, len(dims) - 1):
        left = (left, i)
    true_cost = q3._order_cost(dims, left)
    assert true_cost > expected[0]
    with pytest.raises(Mismatch, match="cheapest order costs"):
        judge((true_cost, left), expected, dims)
    with pytest.raises(Mismatch, match="cheapest order costs"):
        judge((expected[0], left), expected, dims)


def test_q3_int_cost_judge():
    judge = judge_of(q3.int_cost)
    dims, order = [30, 35, 15, 5, 10, 20, 25], ((0, (1, 2)), ((3, 4), 5))  # CLRS: 15125 by hand
    judge((15125, order), None, dims)
    with pytest.raises(Mismatch, match="int"):
        judge((15125.0, order), None, dims)
    with pytest.raises(Mismatch, match="not the cost of the returned order"):
        judge((0, order), None, dims)


def _mats(case):
    shapes, order, seed, *scales = case
    return q4._matrices(shapes, seed, scales[0] if scales else None)


def test_q4_product_judge_tolerance():
    judge = judge_of(q4.random_products)
    for case in q4._random:
        expected = expect_of(q4.random_products)(*case)
        judge(q4._in_order(_mats(case), case[1]), expected, *case)  # any order passes
    shapes, order, seed = next(c for c in q4._random if len(c[0]) >= 3)
    case = (shapes, order, seed)
    expected = expect_of(q4.random_products)(*case)
    with pytest.raises(Mismatch, match="allowed rounding error"):
        judge(expected * (1 + 1e-6), expected, *case)
    with pytest.raises(Mismatch):
        judge(expected.tolist(), expected, *case)
    with pytest.raises(Mismatch, match="shape"):
        judge(np.vstack([expected, expected]), expected, *case)


def test_q4_lecture_product_judge_rejects_wrong_products():
    judge = judge_of(q4.lecture_product)
    shapes, order, seed = q4._lecture[2]  # A 3x5, B 5x4, C 4x2
    a, b, c = q4._matrices(shapes, seed)
    expected = expect_of(q4.lecture_product)(shapes, order, seed)
    judge(a @ (b @ c), expected, shapes, order, seed)
    with pytest.raises(Mismatch):
        judge(a @ b @ c + 1e-9 * np.abs(expected).max(), expected, shapes, order, seed)
    with pytest.raises(Mismatch):  # the rows of C in the wrong order: right shape, wrong values
        judge(a @ b @ c[::-1], expected, shapes, order, seed)


def test_q4_overflow_cases_tell_the_orders_apart():
    judge = judge_of(q4.follows_order)
    for case in q4._overflow:
        shapes, order, seed, scales = case
        mats = q4._matrices(shapes, seed, scales)
        expected = expect_of(q4.follows_order)(*case)
        judge(expected, expected, *case)
        with np.errstate(over="ignore", invalid="ignore"):
            others = [q4._in_order(mats, o) for o in q3._all_orders(0, len(mats) - 1)]
        # at least one other order changes which entries are finite, and the judge rejects it
        wrong = [r for r in others if not np.array_equal(np.isfinite(r), np.isfinite(expected))]
        assert wrong, f"case {case} does not distinguish any order"
        for r in wrong:
            with pytest.raises(Mismatch, match="order given"):
                judge(r, expected, *case)


def test_q5_formulas_and_property_judges():
    hand = expect_of(q5.hand_computed)
    assert hand([784, 100, 10, 1]) == (791840, 79400)  # worked out in test_jacobian_costs_by_hand
    rng = np.random.default_rng(70)
    for L in range(1, 9):
        d = random_dims(rng, L, high=60)
        assert hand(d) == ref.jacobian_accumulation_costs(d)
        assert hand(d) == hand(d[::-1])[::-1]  # mirror image: forward of d is reverse of reversed d
    reverse_wins, forward_wins = judge_of(q5.reverse_wins), judge_of(q5.forward_wins)
    for (d,) in q5._scalar_output:
        costs = hand(d)
        reverse_wins(costs, None, d)
        with pytest.raises(Mismatch, match="reverse mode must be the cheap one"):
            reverse_wins(costs[::-1], None, d)
    for (d,) in q5._scalar_input:
        costs = hand(d)
        forward_wins(costs, None, d)
        with pytest.raises(Mismatch, match="forward mode must be the cheap one"):
            forward_wins(costs[::-1], None, d)


def test_q5_property_holds_on_every_network_it_claims():
    """The theorem behind the property checks: d_L = 1, d_0 >= 2, hidden widths >= 2, L >= 3."""
    rng = np.random.default_rng(71)
    for _ in range(2000):
        L = int(rng.integers(3, 9))
        d = [int(rng.integers(2, 50))] + [int(v) for v in rng.integers(2, 50, L - 1)] + [1]
        forward, reverse = ref.jacobian_accumulation_costs(d)
        assert reverse < forward, d
    # and it can fail without the width condition: 2 -> 100 -> 1 -> 1 makes forward cheaper
    forward, reverse = ref.jacobian_accumulation_costs([2, 100, 1, 1])
    assert forward < reverse  # forward 1*100*2 + 1*1*2 = 202, reverse 1*1*100 + 1*100*2 = 300


# -- round 3: edges, promised types, one wording, valid input next to invalid ----------------------

q2 = load_file(SUITE / "q2_invalid_input.py", "mc_q2")


def test_costs_near_1e18_need_integers():
    # 999983 * 999979 * 999961 needs 60 bits: a float64 (53 bits) cannot hold it exactly
    exact = 999983 * 999979 * 999961
    assert float(exact) != exact and ref.matmul_cost(999983, 999979, 999961) == exact
    assert q1._INT_COST_VALUES[4] == 90  # A(BC) on [2, 3, 4, 5]: 3*4*5 + 2*3*5


def test_int_costs_judge_names_type_and_value_apart():
    want = q1._INT_COST_VALUES
    q1._all_ints(want, want)
    q1._all_ints(tuple(np.int64(v) if v < 2**62 else v for v in want), want)
    floats = tuple(float(v) for v in want)
    with pytest.raises(Mismatch, match="^wrong type"):
        q1._all_ints(floats[:5] + want[5:], want)             # float costs, equal values
    with pytest.raises(Mismatch, match="^wrong value"):
        q1._all_ints(want[:5] + (float(want[5]),) + want[6:], want)  # rounded near 1e18: not even equal
    with pytest.raises(Mismatch, match="^wrong value"):
        q1._all_ints((0,) * len(want), want)                  # a constant 0 earns nothing


def test_validation_checks_price_valid_input():
    """A chain_cost raising ValueError('dims order') for everything must lose every Q2 check."""
    for test in (q2.dims_too_short, q2.dims_not_positive, q2.order_missing_or_extra,
                 q2.order_repeated_or_swapped, q2.order_malformed):
        check = test.test_func.check
        assert check.verdict(check.run_probes(vars(ref))) is None
        always_raises = {"chain_cost": lambda dims, order: (_ for _ in ()).throw(ValueError("bad dims or order"))}
        assert check.verdict(check.run_probes(always_raises)), test.test_func.__name__
    with pytest.raises(Mismatch, match="is valid"):
        q2._error_or_cost(q2.Raised(("ValueError", "Exception"), "dims"), 24, [2, 3, 4], (0, 1), None)
    with pytest.raises(Mismatch, match="expected the cost 24"):
        q2._error_or_cost(25, 24, [2, 3, 4], (0, 1), None)


def test_error_messages_name_the_word_in_any_case():
    from autograder.checking.judges import names_word, raises_naming

    assert names_word("Dims must be positive", "dims") and names_word("bad ORDER", "order")
    assert names_word("a_i = 0", "a") and names_word("patience=0", "patience") and names_word("a[3] is 0", "a")
    assert not names_word("dimensions must be positive", "dims") and not names_word("ndims < 2", "dims")
    judge = raises_naming(ValueError, "matrices")
    judge(q2.Raised(("ValueError", "Exception"), "Matrices 0 and 1 do not fit"), None)
    with pytest.raises(Mismatch, match="should name 'matrices'"):
        judge(q2.Raised(("ValueError", "Exception"), "shapes (2, 3) and (4, 5) do not fit"), None)
    with pytest.raises(Mismatch, match="expected ValueError"):
        judge(q2.Raised(("IndexError", "LookupError", "Exception"), "matrices"), None)
    with pytest.raises(Mismatch, match="but it returned"):
        judge(np.zeros((2, 2)), None)


def test_product_judge_wants_float64_also_for_int_matrices():
    shapes, order, seed = q4._shapes([2, 3, 4, 2]), ((0, 1), 2), 51
    mats = q4._matrices(shapes, seed, "ints")
    assert all(m.dtype == np.int64 for m in mats)
    expected = q4._left_to_right(shapes, order, seed, "ints")
    product = mats[0] @ mats[1] @ mats[2]                      # int64, the values right
    q4._close_to_product(product.astype(np.float64), expected, shapes, order, seed, "ints")
    with pytest.raises(Mismatch, match="^wrong type: the product should be a float64"):
        q4._close_to_product(product, expected, shapes, order, seed, "ints")
    with pytest.raises(Mismatch, match="^wrong value"):
        q4._close_to_product(product.astype(np.float64) + 1.0, expected, shapes, order, seed, "ints")
    assert ref.chain_multiply(mats, order).dtype == np.float64


def test_chain_multiply_error_checks_multiply_valid_input():
    for test in (q4.mismatched_shapes, q4.invalid_order):
        check = test.test_func.check
        always_raises = {"chain_multiply": lambda ms, o: (_ for _ in ()).throw(ValueError("matrices order"))}
        assert check.verdict(check.run_probes(always_raises)), test.test_func.__name__


def test_jacobian_costs_int_judge():
    d = [784, 100, 10, 1]
    want = q5._hand_formulas(d)
    q5._int_pair(want, want, d)
    q5._int_pair(tuple(np.int64(v) for v in want), want, d)
    with pytest.raises(Mismatch, match="^wrong type"):
        q5._int_pair(tuple(float(v) for v in want), want, d)
    with pytest.raises(Mismatch, match="^wrong value"):
        q5._int_pair(want[::-1], want, d)                        # forward and reverse swapped
    assert ref.jacobian_accumulation_costs(np.array(d)) == want


@pytest.mark.parametrize("assignment", ["forward_mode", "reverse_mode", "sgd_without_replacement", "matrix_chain"])
def test_every_handout_points_table_matches_its_suite(assignment):
    import re

    from autograder.engine.suite import load_suite

    handout = (ROOT / "assignments" / assignment / "handout.md").read_text()
    table = {int(q): int(p) for q, p in re.findall(r"^\| Q(\d) [^|]*\| (\d+) \|", handout, re.M)}
    if not table:  # sgd's table puts the points last
        table = {int(q): int(p) for q, p in re.findall(r"^\| Q(\d) .*\| (\d+) \|$", handout, re.M)}
    suite = {int(q.name[1]): int(q.points) for q in load_suite(assignment)}
    assert table == suite
    total = sum(suite.values())
    assert re.search(rf"\b{total} points\b|Points: {total}\.", handout), f"the handout's total is not {total}"
