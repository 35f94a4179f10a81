"""The test-writing API shared by every suite (and shipped inside each otter bundle).

    from autograder.checking import check, REFERENCE, close, equal, raises, seeded

See ``check`` for how one check runs under otter and under ``make grade``, ``judges`` for the
comparison helpers, ``plain`` for what crosses from the student's process to the judge.
"""

import numpy as np

from .checks import REFERENCE, Check, Cost, StudentModule, check, keep_figure
from .judges import (Mismatch, all_of, as_float_array, central_difference, check_gradient, close,
                     componentwise, equal, fmt, is_real, labelled, raises, returns_type, within_standard_errors)
from .plain import Opaque, Raised


def seeded(seed: int) -> np.random.Generator:
    """The generator a suite draws its inputs from: fixed seed, so every process sees the same cases."""
    return np.random.default_rng(seed)


__all__ = ["REFERENCE", "Check", "Cost", "Mismatch", "Opaque", "Raised", "StudentModule", "all_of",
           "as_float_array", "central_difference", "check", "check_gradient", "close", "componentwise",
           "equal", "fmt", "is_real", "keep_figure", "labelled", "raises", "returns_type", "seeded",
           "within_standard_errors"]
