"""Test suite of the forward_mode assignment (otter test files q*.py)."""
