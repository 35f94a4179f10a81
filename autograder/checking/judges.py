"""Judges: compare a probe's plain-data result with what was expected.

A judge is any callable ``judge(got, expected, *args)`` that returns None when the result is right
and raises ``Mismatch`` with a message a student can act on when it is not.  ``got`` is plain data
(see ``plain``); ``expected`` comes from the check's ``expect`` (a formula or the reference
solution's result); ``args`` are the check's inputs for this case.  Judges run only in the trusted
grading process under ``make grade`` (in-process under otter, where there is no other choice).

The helpers here are the shared vocabulary of every suite; each one is tested in
``tests/test_judges.py`` to *fail* on a slightly wrong input (a gradient 0.05 % off).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from .plain import Opaque, Raised


class Mismatch(AssertionError):
    """The student's result is wrong; the message says how."""


def fmt(x) -> str:
    """A short, readable rendering of a plain value for feedback."""
    if isinstance(x, (float, np.floating)):
        return f"{float(x):.10g}"
    if isinstance(x, np.ndarray):
        with np.printoptions(precision=6, threshold=8, edgeitems=3):
            return f"array{list(x.shape)} {np.array2string(x, separator=', ')}"
    if isinstance(x, (list, tuple)) and len(x) > 8:
        return f"{type(x).__name__} of {len(x)} items [{', '.join(fmt(v) for v in x[:3])}, ...]"
    if isinstance(x, tuple):
        return "(" + ", ".join(fmt(v) for v in x) + ("," if len(x) == 1 else "") + ")"
    if isinstance(x, list):
        return "[" + ", ".join(fmt(v) for v in x) + "]"
    return str(x)


def is_real(x) -> bool:
    """A real number as the contract means it: int, float, numpy integer or floating (not bool)."""
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, (bool, np.bool_))


def as_float_array(got, what: str = "the result") -> np.ndarray:
    """``got`` as a float64 array, or Mismatch if it is not numbers at all."""
    if isinstance(got, (Raised, Opaque)):
        raise Mismatch(f"expected numbers, got {got}")
    if is_real(got):
        return np.asarray(float(got))
    if isinstance(got, np.ndarray) and got.dtype.kind in "biuf":
        return got.astype(np.float64)
    if isinstance(got, (list, tuple)) and all(is_real(v) for v in got):
        return np.asarray([float(v) for v in got])
    raise Mismatch(f"expected {what} to be a number or an array of numbers, got {fmt(got)}")


def close(rtol: float, atol: float = 0.0) -> Callable:
    """Equal within ``|got - expected| <= atol + rtol * |expected|``, elementwise, same shape.

    A scalar must come back as a real number (Python or numpy); an array must have the expected
    shape.  NaN is equal to nothing.
    """

    def judge(got, expected, *args):
        if is_real(expected) and not is_real(got):
            raise Mismatch(f"expected a real number close to {fmt(expected)}, got {fmt(got)}")
        g = as_float_array(got)
        e = np.asarray(expected, dtype=np.float64)
        if g.shape != e.shape:
            raise Mismatch(f"expected shape {e.shape}, got shape {g.shape}: {fmt(got)}")
        err = np.abs(g - e)
        bound = atol + rtol * np.abs(e)
        bad = ~(err <= bound)  # also catches NaN
        if bad.any():
            i = np.unravel_index(int(np.argmax(np.where(bad, err - bound, -np.inf))), e.shape)
            at = f" at index {tuple(int(k) for k in i)}" if e.ndim else ""
            rel = err[i] / abs(e[i]) if e[i] != 0 else math.inf
            raise Mismatch(
                f"expected {fmt(e[i] if e.ndim else float(e))}{at}, got {fmt(g[i] if g.ndim else float(g))} "
                f"(relative error {rel:.2g}; allowed rtol={rtol:g}, atol={atol:g})"
            )

    judge.__doc__ = f"close(rtol={rtol:g}, atol={atol:g})"
    return judge


def equal(got, expected, *args) -> None:
    """Exactly equal plain data: same numbers and shapes; int 3 equals float 3.0, and a list equals
    the tuple with the same items (the container type is not what a check is about)."""
    if not _plain_equal(got, expected):
        raise Mismatch(f"expected {fmt(expected)}, got {fmt(got)}")


def _plain_equal(a, b) -> bool:
    if isinstance(a, (Raised, Opaque)) or isinstance(b, (Raised, Opaque)):
        return a == b
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)):
            return False
        return a.shape == b.shape and bool(np.array_equal(a, b))
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_plain_equal(x, y) for x, y in zip(a, b))
    if is_real(a) and is_real(b):
        return float(a) == float(b)
    return type(a) is type(b) and a == b


def raises(exc_type: type[BaseException], mentions: str | None = None) -> Callable:
    """The probe must raise ``exc_type`` (or a subclass); optionally its message names a word."""

    def judge(got, expected, *args):
        if not isinstance(got, Raised):
            raise Mismatch(f"expected {exc_type.__name__} to be raised, but it returned {fmt(got)}")
        if not got.is_a(exc_type):
            raise Mismatch(f"expected {exc_type.__name__}, got {got}")
        if mentions and mentions.lower() not in got.message.lower():
            raise Mismatch(f"the {exc_type.__name__} message should name {mentions!r}; it was {got.message!r}")

    judge.accepts_raised = True
    return judge


def names_word(message: str, word: str) -> bool:
    """``message`` names ``word``: the word itself, in any letter case, not inside a longer word
    (no letter or digit right before or after it; ``_`` and punctuation separate words, so
    ``a_i``, ``a[3]`` and ``patience=0`` name ``a``, ``a`` and ``patience``; ``dimensions`` does not
    name ``dims``)."""
    import re

    return re.search(rf"(?<![A-Za-z0-9]){re.escape(word)}(?![A-Za-z0-9])", message, re.IGNORECASE) is not None


def raises_naming(exc_type: type[BaseException], *words: str) -> Callable:
    """The probe must raise ``exc_type`` (or a subclass) whose message names one of ``words``
    (``names_word``: the word itself, any letter case).  The one rule every handout states for a
    ValueError's message ("names the argument at fault")."""

    def judge(got, expected, *args):
        if not isinstance(got, Raised):
            raise Mismatch(f"expected {exc_type.__name__} to be raised, but it returned {fmt(got)}")
        if not got.is_a(exc_type):
            raise Mismatch(f"expected {exc_type.__name__}, got {got}")
        if not any(names_word(got.message, w) for w in words):
            which = " or ".join(repr(w) for w in words)
            raise Mismatch(f"the {exc_type.__name__} message should name {which} (the word itself, any letter "
                           f"case); it was {got.message!r}")

    judge.accepts_raised = True
    return judge


def componentwise(labels: Sequence[str], judge: Callable) -> Callable:
    """Apply ``judge`` to each item of a tuple result, naming the item that is off.

    ``componentwise(("F", "dF/dx"), close(1e-12))`` judges ``(value, deriv)`` against an expected
    pair and says "dF/dx: expected 140, got 139.9 ..." when only the derivative is wrong.
    """

    def judge_items(got, expected, *args):
        if not isinstance(got, (tuple, list)) or len(got) != len(labels):
            raise Mismatch(f"expected {len(labels)} items ({', '.join(labels)}), got {fmt(got)}")
        for label, g, e in zip(labels, got, expected):
            try:
                judge(g, e, *args)
            except Mismatch as m:
                raise Mismatch(f"{label}: {m}") from None

    return judge_items


def returns_type(*names: str) -> Callable:
    """The result's type (as plain data reports it) is one of ``names``, e.g. 'float', 'float64'."""

    def judge(got, expected, *args):
        kind = got.dtype.name if isinstance(got, (np.ndarray, np.generic)) else type(got).__name__
        if kind not in names:
            raise Mismatch(f"expected a value of type {' or '.join(names)}, got {kind}: {fmt(got)}")

    return judge


def labelled(label: str, judge: Callable) -> Callable:
    """``judge``, with the property it judges named first in its message ("wrong value: ...", "wrong
    type: ..."): a check that judges several properties says which one failed."""

    def labelled_judge(got, expected, *args):
        try:
            judge(got, expected, *args)
        except Mismatch as m:
            raise Mismatch(f"{label}: {m}") from None

    labelled_judge.accepts_raised = getattr(judge, "accepts_raised", False)
    return labelled_judge


def all_of(*judges: Callable) -> Callable:
    """Every judge must accept the result (e.g. ``all_of(returns_type('float64'), close(1e-12))``)."""

    def judge(got, expected, *args):
        for j in judges:
            j(got, expected, *args)

    judge.accepts_raised = all(getattr(j, "accepts_raised", False) for j in judges)
    return judge


def central_difference(f: Callable[[np.ndarray], float], x: np.ndarray, v: np.ndarray, h: float) -> float:
    """(f(x + h v) - f(x - h v)) / 2h: the derivative of f along v, with O(h^2) error."""
    return (f(x + h * v) - f(x - h * v)) / (2.0 * h)


def check_gradient(
    f: Callable[[np.ndarray], float],
    x: Sequence[float],
    grad,
    rng: np.random.Generator,
    directions: int = 3,
    h: float = 1e-5,
    rtol: float = 1e-6,
    atol: float = 1e-8,
) -> None:
    """``grad`` is the gradient of ``f`` at ``x``: grad · v matches a central difference along
    random unit directions v (the check_grads idea of HIPS/autograd).

    Tolerance: with h = 1e-5 the truncation error is h^2/6 |f'''| ~ 1e-11 and the rounding error is
    about eps |f| / h ~ 1e-11 |f| for the smooth, O(1)-scaled functions the suites use, so
    rtol = 1e-6 leaves five orders of margin for a right gradient, while a gradient 0.05 % off
    (relative error 5e-4) fails by a factor of 500.
    """
    x = np.asarray(x, dtype=np.float64)
    g = as_float_array(grad, "the gradient")
    if g.shape != x.shape:
        raise Mismatch(f"expected a gradient of shape {x.shape}, got shape {g.shape}")
    for _ in range(directions):
        v = rng.standard_normal(x.shape)
        v /= np.linalg.norm(v)
        numeric = central_difference(f, x, v, h)
        analytic = float(g @ v)
        if not abs(analytic - numeric) <= atol + rtol * max(abs(numeric), float(np.abs(g).sum() * 1e-3)):
            raise Mismatch(
                f"the gradient disagrees with central differences along a random direction: "
                f"grad·v = {analytic:.10g}, (f(x+hv) - f(x-hv))/2h = {numeric:.10g}"
            )


def within_standard_errors(measured, expected, standard_error, z: float = 6.0, what: str = "the estimate") -> None:
    """|measured - expected| <= z * standard_error, elementwise.

    With a correct implementation the z-score is approximately standard normal, so z = 6 has a false
    alarm rate below 2e-9 per comparison (even over thousands of comparisons, and seeded anyway):
    a verdict that is wrong is a bug, not bad luck.
    """
    m = as_float_array(measured, what)
    e = np.asarray(expected, dtype=np.float64)
    se = np.broadcast_to(np.asarray(standard_error, dtype=np.float64), e.shape)
    if m.shape != e.shape:
        raise Mismatch(f"expected {what} of shape {e.shape}, got shape {m.shape}")
    zscores = np.abs(m - e) / np.where(se > 0, se, np.inf)
    exact_mismatch = (se == 0) & (m != e)
    bad = (zscores > z) | exact_mismatch | np.isnan(m)
    if bad.any():
        i = int(np.argmax(np.where(bad, np.nan_to_num(zscores, nan=np.inf), -1.0)))
        idx = np.unravel_index(i, e.shape)
        raise Mismatch(
            f"{what} is {fmt(float(m[idx]))}{' at index ' + str(tuple(int(k) for k in idx)) if e.ndim else ''}, "
            f"but theory says {fmt(float(e[idx]))} ± {fmt(float(se[idx]))} (one standard error); "
            f"it is {float(zscores[idx]):.1f} standard errors away (allowed {z:g})"
        )
