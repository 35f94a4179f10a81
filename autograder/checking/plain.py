"""Plain data: what a probe's result may look like once it leaves the student's process.

A probe runs student code and returns numbers, arrays, tuples, strings.  Before the result is
judged it is *encoded* to JSON-safe data and *decoded* back, in every grading path (in-process under
otter, across a pipe under ``make grade``).  Whatever the student returned, the judge only ever sees
Python scalars, numpy arrays, lists/tuples/dicts of those, ``Raised`` (the probe raised) or
``Opaque`` (an object of some other type, kept as its type name and repr).  A student object whose
``__eq__`` always answers True therefore never reaches a comparison.
"""

from __future__ import annotations

import math
import traceback
from dataclasses import dataclass

import numpy as np

# A probe result larger than this (encoded) is refused: a 10^9-element array is a bug, and would
# otherwise flood the pipe and the grader's memory.
MAX_ITEMS = 2_000_000


@dataclass(frozen=True)
class Raised:
    """The probe raised an exception: its class names (most derived first) and message."""

    types: tuple[str, ...]
    message: str
    where: str = ""  # last frames of the traceback inside the student's file, for feedback

    @property
    def name(self) -> str:
        return self.types[0] if self.types else "Exception"

    def is_a(self, exc_type: type[BaseException]) -> bool:
        return exc_type.__name__ in self.types

    def __str__(self) -> str:
        return f"{self.name}: {self.message}" if self.message else self.name


@dataclass(frozen=True)
class Opaque:
    """A returned object that is not plain data (a Dual, a list subclass with tricks, ...)."""

    type_name: str
    text: str

    def __str__(self) -> str:
        return f"an object of type {self.type_name} ({self.text})"


class TooLarge(Exception):
    """A probe result with more than MAX_ITEMS numbers."""


def encode(obj, _budget: list[int] | None = None):
    """Turn a probe result into JSON-safe data; never trusts the object's own methods for values."""
    budget = [MAX_ITEMS] if _budget is None else _budget

    def spend(k: int) -> None:
        budget[0] -= k
        if budget[0] < 0:
            raise TooLarge(f"the result holds more than {MAX_ITEMS:,} numbers")

    spend(1)
    if obj is None or type(obj) in (bool, str):
        return {"t": type(obj).__name__, "v": obj}
    if isinstance(obj, bool):  # bool cannot be subclassed, kept for clarity
        return {"t": "bool", "v": bool(obj)}
    if isinstance(obj, np.generic) and obj.dtype.kind in "biuf":  # before float: np.float64 is one
        return {"t": "np", "dtype": obj.dtype.str, "v": _float_json(obj.item())}
    if isinstance(obj, int):
        return {"t": "int", "v": int.__index__(obj)}
    if isinstance(obj, float):
        return {"t": "float", "v": _float_json(float.__float__(obj))}
    if isinstance(obj, np.ndarray):
        arr = np.array(obj, copy=True, subok=False)
        spend(arr.size)
        if arr.dtype.kind in "biuf":
            data = [_float_json(v) for v in arr.ravel().tolist()]
            return {"t": "ndarray", "dtype": arr.dtype.str, "shape": list(arr.shape), "v": data}
        return {"t": "ndarray", "dtype": "object", "shape": list(arr.shape),
                "v": [encode(v, budget) for v in arr.ravel().tolist()]}
    if isinstance(obj, (list, tuple)):
        kind = "tuple" if isinstance(obj, tuple) else "list"
        return {"t": kind, "v": [encode(v, budget) for v in tuple.__iter__(tuple(obj))]}
    if isinstance(obj, dict):
        return {"t": "dict", "v": [[str(k), encode(v, budget)] for k, v in dict.items(obj)]}
    return {"t": "opaque", "type": type(obj).__name__, "v": _safe_repr(obj)}


def encode_exception(exc: BaseException, filename: str | None = None) -> dict:
    """Encode an exception raised by student code (class names from its MRO, message, location)."""
    names = [c.__name__ for c in type(exc).__mro__ if c not in (object, BaseException)]
    frames = traceback.extract_tb(exc.__traceback__)
    mine = [f for f in frames if filename and f.filename == filename]
    where = "; ".join(f"line {f.lineno} in {f.name}" for f in mine[-2:])
    return {"t": "raised", "types": names, "v": _safe_str(exc)[:500], "where": where}


def decode(data):
    """Inverse of ``encode``: plain Python/numpy values, ``Raised`` or ``Opaque``."""
    t = data["t"]
    if t in ("NoneType", "bool", "str", "int"):
        return data["v"]
    if t == "float":
        return float(data["v"])
    if t == "np":
        return np.dtype(data["dtype"]).type(data["v"])
    if t == "ndarray":
        if data["dtype"] == "object":
            out = np.empty(len(data["v"]), dtype=object)
            out[:] = [decode(v) for v in data["v"]]
            return out.reshape(data["shape"])
        return np.array(data["v"], dtype=np.dtype(data["dtype"])).reshape(data["shape"])
    if t == "list":
        return [decode(v) for v in data["v"]]
    if t == "tuple":
        return tuple(decode(v) for v in data["v"])
    if t == "dict":
        return {k: decode(v) for k, v in data["v"]}
    if t == "raised":
        return Raised(tuple(data["types"]), data["v"], data.get("where", ""))
    if t == "opaque":
        return Opaque(data["type"], data["v"])
    raise ValueError(f"unknown plain-data tag {t!r}")


def _float_json(v):
    """JSON has no inf/nan: keep them as strings that ``float()`` reads back."""
    if isinstance(v, float) and not math.isfinite(v):
        return repr(v)
    return v


def _safe_repr(obj) -> str:
    try:
        return repr(obj)[:200]
    except Exception as exc:  # a broken __repr__ is the student's bug, not the grader's
        return f"<repr failed: {type(exc).__name__}>"


def _safe_str(exc: BaseException) -> str:
    try:
        return str(exc)
    except Exception:
        return "<unprintable message>"
