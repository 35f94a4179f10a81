"""Test suite of the reverse_mode assignment (otter test files q*.py).

EDGES.md (beside this file) lists, rule by rule from the handout, the edges of each rule's domain and
the check that probes each one; SURVIVORS.md the mutants of the reference no check can catch, and why.
``SUBJECTS``: the functions of the reference each question grades (its mutation score in
``python -m autograder.authoring.strength reverse_mode`` is over the mutants of these).
"""

SUBJECTS = {
    "q1_lecture_example": ("Var.__init__", "Var.__repr__", "grad"),
    "q2_operators": ("Var.__add__", "Var.__radd__", "Var.__sub__", "Var.__rsub__", "Var.__mul__", "Var.__rmul__",
                     "Var.__truediv__", "Var.__rtruediv__", "Var.__pow__", "Var.__rpow__", "Var.__neg__",
                     "Var.__pos__", "_is_real"),
    "q3_functions": ("sin", "cos", "exp", "log", "sqrt", "tanh", "_apply"),
    "q4_backward_sweep": ("Var.backward", "_topological_order"),
    "q5_random_graphs": ("Var.backward", "_topological_order"),
    "q6_scale_and_cost": ("Var.backward", "_topological_order"),
}
