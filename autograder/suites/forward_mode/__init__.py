"""Test suite of the forward_mode assignment (otter test files q*.py).

EDGES.md (beside this file) lists, rule by rule from the handout, the edges of each rule's domain and
the check that probes each one; SURVIVORS.md the mutants of the reference no check can catch, and why.
``SUBJECTS``: the functions of the reference each question grades (its mutation score in
``python -m autograder.authoring.strength forward_mode`` is over the mutants of these).
"""

SUBJECTS = {
    "q1_arithmetic": ("Dual.__init__", "Dual.__repr__", "Dual.__add__", "Dual.__radd__", "Dual.__sub__",
                      "Dual.__rsub__", "Dual.__mul__", "Dual.__rmul__", "Dual.__truediv__", "Dual.__rtruediv__",
                      "Dual.__neg__", "Dual.__pos__", "_dual_operand", "_is_real"),
    "q2_powers": ("Dual.__pow__", "Dual.__rpow__"),
    "q3_functions": ("sin", "cos", "exp", "log", "sqrt", "tanh", "_chain"),
    "q4_compositions": ("derivative", "_deriv_part"),
    "q5_gradients": ("partial", "directional_derivative", "gradient", "_unit"),
    "q6_jacobian": ("jacobian", "_outputs"),
}
