"""Test suite of the sgd_without_replacement assignment (otter test files q*.py)."""
