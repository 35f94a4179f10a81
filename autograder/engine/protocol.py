"""What a grading child may say on its result pipe, as types, and the strict parser the parent uses.

The child runs student code, so nothing it writes is trusted: ``parse_event`` accepts exactly the
events below (one JSON object per line, at most ``MAX_LINE`` bytes), dispatching on the ``event``
field; a check event must be for the key the parent is waiting for and carry one result per case.
Anything else raises ``ProtocolError`` with a message that names what was wrong; the parent then
fails that check (status ``error``) and goes on with the next child, never the run.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field

MAX_LINE = 64 * 2**20  # bytes of one event; a bigger result is a bug (plain.MAX_ITEMS numbers ~ 40 MB)
MAX_FIGURES = 8
MAX_FIGURE_BYTES = 2_000_000
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


Event = Loaded | CheckDone | CheckTimedOut


def parse_event(line: bytes, expected_key: str | None = None, cases: int | None = None) -> Event:
    """The event on one line; ``expected_key``/``cases`` say which check the parent waits for."""
    if len(line) > MAX_LINE:
        raise ProtocolError(f"a result of more than {MAX_LINE // 2**20} MB")
    try:
        data = json.loads(line)
    except (ValueError, RecursionError) as exc:
        raise ProtocolError(f"unreadable result ({type(exc).__name__})") from None
    if not isinstance(data, dict) or not isinstance(data.get("event"), str):
        raise ProtocolError("a line that is not an event")
    kind = data["event"]
    if kind == "loaded":
        return Loaded(_load_error(data.get("error")))
    if kind not in ("check", "timeout"):
        raise ProtocolError(f"an unknown event {kind[:40]!r}")
    if data.get("key") != expected_key:
        raise ProtocolError(f"a result for {str(data.get('key'))[:80]!r} while {expected_key!r} was running")
    if kind == "timeout":
        return CheckTimedOut(expected_key, _text(data.get("message"), "message"))
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
    if not isinstance(figures, dict) or len(figures) > MAX_FIGURES:
        raise ProtocolError("malformed figures")
    out = {}
    for name, data in figures.items():
        if not (isinstance(name, str) and name.isidentifier() and isinstance(data, str)):
            raise ProtocolError("a malformed figure")
        try:
            png = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            raise ProtocolError("a figure that is not base64") from None
        if len(png) > MAX_FIGURE_BYTES or not png.startswith(b"\x89PNG\r\n\x1a\n"):
            raise ProtocolError("a figure that is not a PNG of at most 2 MB")
        out[name] = png
    return out
