"""Benchmarks (``make bench``): ``grading.py`` measures make grade against its floor and otter run;
``reverse_mode.py`` and ``matrix_chain.py`` (``python -m autograder.bench algorithms``) measure the
student-facing algorithms on the reference solutions.  Each measures side by side in one run and prints
medians and ratios (never asserted in tests: machines are noisy)."""
