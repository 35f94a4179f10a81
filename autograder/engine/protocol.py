"""What a grading child may say on its result pipe, as types, and the strict parser the parent uses.

The child runs student code, so nothing it writes is trusted: ``parse_event`` accepts exactly the
events below (one JSON object per line, at most ``MAX_LINE`` bytes and ``MAX_VALUES`` JSON values,
so that no line can make the parent build millions of objects), dispatching on the ``event`` field;
a check event must be for the key the parent is waiting for and carry one result per case.
Anything else raises ``ProtocolError`` with a message that names what was wrong; the parent then
fails that check (status ``error``) and goes on with the next child, never the run.

A *measured* check (``@check(repeat=...)``: a cost guard) is a dialogue instead of one event: for
each repetition the child says ``ready``, the parent reads the child's CPU clock and sends a fresh
seed, the child runs the probe on inputs drawn from it and sends ``part`` with the result; the parent
reads the CPU clock again.  The time is the kernel's, read by the parent: nothing in the child can
change it.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field

# the figure limits the child's harness applies (probing.take_kept_figures), checked again here
from autograder.checking.probing import FIGURE_NAME, MAX_FIGURE_BYTES, PNG_SIGNATURE
from autograder.checking.probing import MAX_FIGURES_SENT as MAX_FIGURES

MAX_LINE = 16 * 2**20  # bytes of one event; the largest honest one is 1.3 MB (sgd Q1's permutations)
# JSON values in one event, bounded by counting its structural bytes ('[', '{', ',') before parsing:
# a 16 MB line of "[0,0,0,..." would otherwise become 8 million objects in the parent.  The largest
# honest event holds about 2,000 (matrix_chain's long orders; arrays cross as base64 blocks).
MAX_VALUES = 200_000
LOAD_ERROR_KINDS = ("syntax", "encoding", "import", "memory", "output", "forbidden")


class ProtocolError(Exception):
    """The child wrote something that is not a well-formed event of the expected kind."""


@dataclass(frozen=True)
class LoadError:
    kind: str  # one of LOAD_ERROR_KINDS
    message: str


@dataclass(frozen=True)
class Loaded:
    """The submission was imported (``error`` None) or not, or only partly (kind "import")."""

    error: LoadError | None


@dataclass(frozen=True)
class CheckDone:
    key: str
    results: list  # encoded plain data, one per case (decoded and judged by ``score``)
    figures: dict[str, bytes] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckTimedOut:
    key: str
    message: str


@dataclass(frozen=True)
class Ready:
    """A measured check's child is about to run one repetition (it waits for the seed)."""

    key: str


@dataclass(frozen=True)
class Part:
    """One repetition of a measured check: the probe's encoded result."""

    key: str
    result: object


Event = Loaded | CheckDone | CheckTimedOut | Ready | Part


def parse_event(line: bytes, expected_key: str | None = None, cases: int | None = None) -> Event:
    """The event on one line; ``expected_key``/``cases`` say which check the parent waits for."""
    if len(line) > MAX_LINE:
        raise ProtocolError(f"a result of more than {MAX_LINE // 2**20} MB")
    if line.count(b"[") + line.count(b"{") + line.count(b",") > MAX_VALUES:
        raise ProtocolError(f"a result of more than {MAX_VALUES:,} values")
    try:
        data = json.loads(line)
    except (ValueError, RecursionError) as exc:
        raise ProtocolError(f"unreadable result ({type(exc).__name__})") from None
    if not isinstance(data, dict) or not isinstance(data.get("event"), str):
        raise ProtocolError("a line that is not an event")
    kind = data["event"]
    if kind == "loaded":
        return Loaded(_load_error(data.get("error")))
    if kind not in ("check", "timeout", "ready", "part"):
        raise ProtocolError(f"an unknown event {kind[:40]!r}")
    if data.get("key") != expected_key:
        raise ProtocolError(f"a result for {str(data.get('key'))[:80]!r} while {expected_key!r} was running")
    if kind == "timeout":
        return CheckTimedOut(expected_key, _text(data.get("message"), "message"))
    if kind == "ready":
        return Ready(expected_key)
    if kind == "part":
        if "result" not in data:
            raise ProtocolError("a repetition without a result")
        return Part(expected_key, data["result"])
    results = data.get("results")
    if not isinstance(results, list) or (cases is not None and len(results) != cases):
        count = len(results) if isinstance(results, list) else "no"
        raise ProtocolError(f"{count} results for a check of {cases} cases")
    return CheckDone(expected_key, results, _figures(data.get("figures", {})))


def _load_error(error) -> LoadError | None:
    if error is None:
        return None
    if not isinstance(error, dict) or error.get("kind") not in LOAD_ERROR_KINDS:
        raise ProtocolError("a malformed load error")
    return LoadError(error["kind"], _text(error.get("message"), "message"))


def _text(value, what: str, limit: int = 2000) -> str:
    if not isinstance(value, str):
        raise ProtocolError(f"a {what} that is not text")
    return value[:limit]


def _figures(figures) -> dict[str, bytes]:
    """The well-formed figures of an event (a name of 1-64 letters, digits or _, a base64 PNG of at most
    2 MB, at most MAX_FIGURES); anything else is dropped, never the check: a figure is kept for the TA
    and never costs a point."""
    if not isinstance(figures, dict):
        return {}
    out = {}
    for name, data in list(figures.items())[:MAX_FIGURES]:
        if not (isinstance(name, str) and FIGURE_NAME.fullmatch(name) and isinstance(data, str)
                and len(data) <= MAX_FIGURE_BYTES * 4 // 3 + 4):
            continue
        try:
            png = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            continue
        if len(png) <= MAX_FIGURE_BYTES and png.startswith(PNG_SIGNATURE):
            out[name] = png
    return out
