"""Plain data: what a probe's result may look like once it leaves the student's process.

A probe runs student code and returns numbers, arrays, tuples, strings.  Before the result is
judged it is *encoded* to JSON-safe data and *decoded* back, in every grading path (in-process under
otter, across a pipe under ``make grade``).  Whatever the student returned, the judge only ever sees
Python scalars, numpy arrays, lists/tuples/dicts of those, ``Raised`` (the probe raised) or
``Opaque`` (an object of some other type, kept as its type name and repr).  A student object whose
``__eq__`` always answers True therefore never reaches a comparison.
"""

from __future__ import annotations

import base64
import binascii
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

    def is_named(self, name: str) -> bool:
        return name in self.types

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
        v = int.__index__(obj)
        if v.bit_length() > 1300:  # ~400 digits: a bug, and costly to carry and parse
            return {"t": "opaque", "type": "int", "v": f"an integer of {v.bit_length()} bits"}
        return {"t": "int", "v": v}
    if isinstance(obj, float):
        return {"t": "float", "v": _float_json(float.__float__(obj))}
    if isinstance(obj, np.ndarray):
        arr = np.array(obj, copy=True, subok=False)
        spend(arr.size)
        if arr.dtype.kind in "biuf":
            return {"t": "ndarray", "dtype": arr.dtype.str, "shape": list(arr.shape), "b64": _raw(arr)}
        return {"t": "ndarray", "dtype": "object", "shape": list(arr.shape),
                "v": [encode(v, budget) for v in arr.ravel().tolist()]}
    if isinstance(obj, (list, tuple)):
        kind = "tuple" if isinstance(obj, tuple) else "list"
        items = tuple(obj)  # an exact tuple, whatever the object's own class says
        if kind == "list":
            if (stacked := _same_arrays(items)) is not None:  # e.g. 6,000 index arrays: one array
                spend(len(items) + stacked.size)
                return {"t": "arrays", "dtype": stacked.dtype.str, "shape": list(stacked.shape[1:]),
                        "n": len(items), "b64": _raw(stacked)}
        return {"t": kind, "v": [encode(v, budget) for v in items]}
    if isinstance(obj, dict):
        return {"t": "dict", "v": [[str(k), encode(v, budget)] for k, v in dict.items(obj)]}
    return {"t": "opaque", "type": type(obj).__name__, "v": _safe_repr(obj)}


def _raw(arr: np.ndarray) -> str:
    """A numeric array's bytes (C order, its own dtype), base64: exact, inf and nan included, and 20x
    cheaper to write and read than a JSON list of numbers (50,000 floats: 55 ms -> 3 ms)."""
    return base64.b64encode(np.ascontiguousarray(arr).tobytes()).decode("ascii")


def _same_arrays(items: tuple) -> np.ndarray | None:
    """The items stacked into one array, if they are two or more plain numeric ndarrays (not
    subclasses, not 0-d) of one dtype and one shape; else None (each item is encoded on its own)."""
    if len(items) < 2 or type(items[0]) is not np.ndarray:
        return None
    first = items[0]
    if first.ndim == 0 or first.dtype.kind not in "biuf":
        return None
    if not all(type(x) is np.ndarray and x.dtype == first.dtype and x.shape == first.shape for x in items):
        return None
    return np.stack(items)


def encode_exception(exc: BaseException, filename: str | None = None) -> dict:
    """Encode an exception raised by student code (class names from its MRO, message, location)."""
    names = [c.__name__ for c in type(exc).__mro__ if c not in (object, BaseException)]
    frames = traceback.extract_tb(exc.__traceback__)
    mine = [f for f in frames if filename and f.filename == filename]
    where = "; ".join(f"line {f.lineno} in {f.name}" for f in mine[-2:])
    return {"t": "raised", "types": names, "v": _safe_str(exc)[:500], "where": where}


class BadData(ValueError):
    """Data that ``encode`` could not have produced (the child sent something else)."""


MAX_DEPTH = 400  # nesting of lists/tuples/dicts in one result (matrix_chain orders nest k deep, k <= 200)
MAX_INT_DIGITS = 400  # an int result longer than this is a bug (and a cost to parse)


def decode(data, _depth: int = 0):
    """Inverse of ``encode``: plain Python/numpy values, ``Raised`` or ``Opaque``.

    Strict: whatever does not have exactly the shape ``encode`` writes raises ``BadData``, so a
    forged or corrupted result fails its own case with a message and never reaches a judge.
    """
    if _depth > MAX_DEPTH:
        raise BadData(f"nested deeper than {MAX_DEPTH} levels")
    if not isinstance(data, dict) or not isinstance(data.get("t"), str):
        raise BadData("not an encoded value")
    t, v = data["t"], data.get("v")
    if t == "NoneType" and v is None:
        return None
    if t == "bool" and type(v) is bool:
        return v
    if t == "str" and type(v) is str:
        return v
    if t == "int" and type(v) is int and len(str(abs(v))) <= MAX_INT_DIGITS:
        return v
    if t == "float":
        return _float(v)
    if t == "np":
        dtype = _numeric_dtype(data.get("dtype"))
        value = _float(v) if dtype.kind == "f" else _int_or_bool(v)
        try:
            return dtype.type(value)
        except (OverflowError, ValueError, TypeError) as exc:
            raise BadData(f"{value!r} does not fit {dtype}") from exc
    if t == "ndarray":
        return _decode_array(data, _depth)
    if t == "arrays":  # a list of n numeric arrays of one dtype and shape, sent as one (``encode``)
        n, shape = data.get("n"), data.get("shape")
        if type(n) is not int or n < 2 or type(shape) is not list or not shape:
            raise BadData("malformed list of arrays")
        _numeric_dtype(data.get("dtype"))
        return list(_decode_array({"dtype": data["dtype"], "shape": [n] + shape, "b64": data.get("b64")}, _depth))
    if t in ("list", "tuple") and type(v) is list:
        items = [decode(x, _depth + 1) for x in v]
        return items if t == "list" else tuple(items)
    if t == "dict" and type(v) is list:
        if not all(type(kv) is list and len(kv) == 2 and type(kv[0]) is str for kv in v):
            raise BadData("malformed dict")
        return {k: decode(x, _depth + 1) for k, x in v}
    if t == "raised" and type(v) is str and type(data.get("types")) is list \
            and all(type(n) is str for n in data["types"]) and type(data.get("where", "")) is str:
        return Raised(tuple(data["types"]), v, data.get("where", ""))
    if t == "opaque" and type(v) is str and type(data.get("type")) is str:
        return Opaque(data["type"], v)
    raise BadData(f"malformed value tagged {t[:40]!r}")


def _float(v) -> float:
    if type(v) in (int, float) and (type(v) is float or len(str(abs(v))) <= MAX_INT_DIGITS):
        try:
            return float(v)
        except OverflowError as exc:
            raise BadData("a number too large for a float") from exc
    if v in ("inf", "-inf", "nan"):
        return float(v)
    raise BadData(f"not a number: {str(v)[:40]!r}")


def _int_or_bool(v):
    if type(v) in (int, bool) and len(str(abs(int(v)))) <= MAX_INT_DIGITS:
        return v
    raise BadData(f"not an integer: {str(v)[:40]!r}")


def _numeric_dtype(name) -> np.dtype:
    try:
        dtype = np.dtype(name) if isinstance(name, str) else None
    except TypeError:
        dtype = None
    if dtype is None or dtype.kind not in "biuf":
        raise BadData(f"not a numeric dtype: {str(name)[:40]!r}")
    return dtype


def _decode_array(data: dict, depth: int) -> np.ndarray:
    shape = data.get("shape")
    if type(shape) is not list or not all(type(n) is int and n >= 0 for n in shape):
        raise BadData("malformed array")
    size = math.prod(shape)
    if data.get("dtype") == "object":  # items of other kinds, each encoded on its own
        v = data.get("v")
        if type(v) is not list or len(v) != size:
            raise BadData(f"an array of shape {tuple(shape)} with {len(v) if type(v) is list else 'no'} items")
        out = np.empty(len(v), dtype=object)
        out[:] = [decode(x, depth + 1) for x in v] if v else []
        return out.reshape(shape)
    dtype = _numeric_dtype(data.get("dtype"))
    text = data.get("b64")
    if type(text) is not str:
        raise BadData("malformed array")
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise BadData("an array whose data is not base64") from None
    if len(raw) != size * dtype.itemsize:
        raise BadData(f"an array of shape {tuple(shape)} with {len(raw)} bytes of {dtype}")
    out = np.frombuffer(raw, dtype=dtype).reshape(shape).copy()  # its own, writeable memory
    if dtype.kind == "b" and out.size and out.view(np.uint8).max() > 1:
        raise BadData("a bool array holding bytes other than 0 and 1")
    return out


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
