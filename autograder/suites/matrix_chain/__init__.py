"""Test suite of the matrix_chain assignment (otter test files q*.py).

EDGES.md (beside this file) lists, rule by rule from the handout, the edges of each rule's domain and
the check that probes each one; SURVIVORS.md the mutants of the reference no check can catch, and why.
``SUBJECTS``: the functions of the reference each question grades (its mutation score in
``python -m autograder.authoring.strength matrix_chain`` is over the mutants of these).
"""

SUBJECTS = {
    "q1_costs": ("matmul_cost", "chain_cost", "_cost_and_span"),
    "q2_invalid_input": ("_checked_dims", "_check_order", "_check_order_from", "_is_index"),
    "q3_optimal_order": ("optimal_order", "_order_from_splits"),
    "q4_chain_multiply": ("chain_multiply", "_product"),
    "q5_jacobian_costs": ("jacobian_accumulation_costs",),
}
