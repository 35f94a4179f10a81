"""Read a student's ``.py`` file into text, the same way on every grading path.

``check.py``, ``make grade`` and the Gradescope bundle all call ``read_source``, so a file saved by
an editor that adds a byte-order mark, Windows line ends, or a Western-European 8-bit encoding is
graded identically everywhere.  The rule:

1. a UTF-8 byte-order mark is stripped;
2. the bytes are decoded with the encoding the file declares (a PEP 263 ``# -*- coding: ... -*-``
   line), else as UTF-8;
3. if that fails and the file declares nothing, as cp1252 (Windows' "ANSI", a superset of the
   printable Latin-1 range, what Notepad and many editors save by default);
4. if that fails too, ``SourceError`` says to save the file as UTF-8.

Line ends are normalized to ``\\n`` (as ``open()`` in text mode would), so line numbers in messages
are the ones the student's editor shows.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

SAVE_AS_UTF8 = "save the file as UTF-8 (in most editors: File > Save with Encoding > UTF-8) and submit it again"


class SourceError(ValueError):
    """The file's bytes cannot be read as Python source text; the message says what to do."""


def read_source(path: str | Path) -> str:
    """The text of the Python file at ``path`` (see the module docstring for the rule)."""
    return decode_source(Path(path).read_bytes())


def decode_source(data: bytes) -> str:
    declared = declared_encoding(data)
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        text = data.decode(declared or "utf-8")
    except (UnicodeDecodeError, LookupError) as exc:
        if declared:
            raise SourceError(f"the file says it is encoded as {declared!r} but is not ({_where(data, exc)}); "
                              f"{SAVE_AS_UTF8}") from None
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise SourceError(f"the file is not text in a known encoding ({_where(data, exc)}); {SAVE_AS_UTF8}") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def declared_encoding(data: bytes) -> str | None:
    """The encoding named by a PEP 263 line in the first two lines, if any (None: UTF-8 by default)."""
    for line in data.split(b"\n", 2)[:2]:
        match = _CODING.match(line.decode("latin-1"))
        if match:
            try:
                name = codecs.lookup(match.group(1)).name
            except LookupError:
                raise SourceError(f"the file declares an unknown encoding {match.group(1)!r}; {SAVE_AS_UTF8}") from None
            return None if name == "utf-8" else name
        if not line.lstrip().startswith(b"#"):  # the declaration may only follow a comment line
            break
    return None


_CODING = re.compile(r"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")  # PEP 263


def _where(data: bytes, exc: UnicodeDecodeError | LookupError) -> str:
    if not isinstance(exc, UnicodeDecodeError):
        return str(exc)
    line = data[: exc.start].count(b"\n") + 1
    return f"byte 0x{data[exc.start]:02x} on line {line}"
