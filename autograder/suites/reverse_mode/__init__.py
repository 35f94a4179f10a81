"""Test suite of the reverse_mode assignment (otter test files q*.py)."""
