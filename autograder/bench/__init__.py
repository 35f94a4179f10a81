"""Benchmarks (``make bench``): each ``autograder/bench/<id>.py`` has a ``main()`` that measures
side by side in one run and prints medians and ratios (never asserted in tests: machines are noisy)."""
