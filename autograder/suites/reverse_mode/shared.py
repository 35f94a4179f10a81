"""Judges shared by the reverse_mode questions: the check of grad(f, point)'s (F, gradient) pair,
used by Q1 (the lecture's function) and Q4 (constant functions and unused inputs).

Judge logic only, no inputs: this file ships with the public tests.
"""

import numpy as np

from autograder.checking import Mismatch, close, componentwise, fmt, is_real, labelled


def value_and_gradient(rtol, atol=0.0):
    """grad(f, point) returned a pair (F a float, a float64 ndarray of shape (n,)) close to the expected
    pair.  The handout promises a float and a float64 array whatever the point holds (ints too), so
    an int F or an int64 gradient fails: "wrong type" or "wrong value" says which property failed."""
    both = componentwise(("F", "the gradient"), close(rtol, atol))

    def judge(got, expected, *args):
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            raise Mismatch(f"wrong type: grad(f, point) should return a pair (F, gradient), got {fmt(got)}")
        value, gradient = got
        if not is_real(value):
            raise Mismatch(f"wrong type: the first item, F, should be a real number (a float), got {fmt(value)}")
        if not isinstance(gradient, np.ndarray):
            raise Mismatch(f"wrong type: the gradient should be a numpy array (np.array of the inputs' grads), "
                           f"got {type(gradient).__name__} {fmt(gradient)}")
        labelled("wrong value", both)(got, expected)
        if not (type(value) is float or isinstance(value, np.float64)):
            raise Mismatch(f"wrong type: F should be a float (a Python float or numpy float64), also when the "
                           f"point holds ints; got {type(value).__name__} {fmt(value)} (float(...) converts)")
        if gradient.dtype != np.float64:
            raise Mismatch(f"wrong type: the gradient should be an array of float64, got dtype {gradient.dtype} "
                           "(np.array(..., dtype=float) converts)")

    return judge
