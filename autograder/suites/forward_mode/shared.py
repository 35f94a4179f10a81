"""Helpers shared by the forward_mode questions, no inputs (this file ships with the public tests):

* Q1-Q3 (Dual rules): building a case operand and reading off a Dual's two parts (probe side, no
  expected values), an operand's (u, u') and its rendering in feedback, and ``dual_close``, the judge
  of a Dual's (value, deriv) against a hand-derived rule;
* Q5-Q6 (gradient, Jacobian): the feedback notes for an array or number that is close but not exact.
"""

import numpy as np

from autograder.checking import Mismatch, fmt, is_real

# -- Dual operands: a case operand is a pair (value, deriv) for a Dual, or a real number ---------------


def build_operand(m, spec):
    """Probe side: a pair (value, deriv) is a Dual, anything else is the real number itself."""
    return m.Dual(*spec) if isinstance(spec, tuple) else spec


def dual_parts(d):
    """Probe side: (value, deriv) of a result that should be a Dual."""
    if not (hasattr(d, "value") and hasattr(d, "deriv")):
        raise TypeError(f"expected a Dual (with .value and .deriv), got {type(d).__name__}: {d!r}"[:200])
    return (d.value, d.deriv)


def split_operand(spec):
    """(u, u') of an operand; a real number is a constant, u' = 0."""
    return (float(spec[0]), float(spec[1])) if isinstance(spec, tuple) else (float(spec), 0.0)


def show_operand(spec):
    """An operand as the student would write it, for feedback."""
    if isinstance(spec, tuple):
        return f"Dual({fmt(spec[0])}, {fmt(spec[1])})"
    return repr(spec) if isinstance(spec, np.generic) else fmt(spec)


def dual_close(rtol):
    """got = (value, deriv) of the student's Dual; expected = (value, deriv[, scale]).

    The value must be within ``rtol`` of the expected value, the derivative within ``rtol * scale``
    with scale = max(|deriv|, the sum of |terms| of the derivative when given): a derivative that
    cancels to nearly 0 is judged against the size of its terms.  Each question justifies its rtol.
    """

    def judge(got, expected, *args):
        value, deriv = float(expected[0]), float(expected[1])
        scale = max(abs(deriv), float(expected[2]) if len(expected) > 2 else 0.0)
        if not (isinstance(got, tuple) and len(got) == 2):
            raise Mismatch(f"expected a Dual, got {fmt(got)}")
        got_value, got_deriv = got
        for part, x in (("value", got_value), ("deriv", got_deriv)):
            if not is_real(x):
                raise Mismatch(f"the result's .{part} should be a real number, got {fmt(x)}")
        if not abs(got_value - value) <= rtol * abs(value):
            raise Mismatch(f"the value is {fmt(got_value)}, expected {fmt(value)}")
        if not abs(got_deriv - deriv) <= rtol * scale:
            raise Mismatch(f"the value {fmt(got_value)} is right but the derivative is {fmt(got_deriv)}, "
                           f"expected {fmt(deriv)}")

    return judge


# -- feedback on a derivative that is close but not exact ---------------------------------------------


def approximation_hint(got, want):
    """A note for a result that is close but not exact: forward mode has no approximation error."""
    rel = abs(got - want) / max(abs(want), 1e-300)
    if rel < 1e-5:
        return (f" (relative error {rel:.1g}: forward mode is exact up to rounding, so an error this small "
                "usually comes from an approximation such as a finite difference)")
    return ""


def arrays_if_visible(got, want):
    """The two whole arrays, as a suffix for feedback, when their difference shows in print (else '')."""
    # the whole arrays only help when the difference shows at their 6 printed digits
    visible = np.abs(got - want) > 1e-5 * np.maximum(np.abs(want), 1e-3)
    return f"; got {fmt(got)}, expected {fmt(want)}" if visible.any() else ""
