"""Test suite of the matrix_chain assignment (otter test files q*.py)."""
