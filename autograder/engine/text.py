"""Everything derived from a submission is data: how it is shown to a TA or a student.

A student controls the contents of one submission, file names included, so a student's name (a file
name), a message (it holds text the student's code returned or raised) and what the file printed
may hold anything: terminal escapes, carriage returns, bidi overrides, Markdown, HTML, formulas.
Every writer of the project shows such text through one of these helpers, never as it is:

    visible(text)           the console and JSON: every control, format or unpaired surrogate code
                            point as a visible escape (ESC -> \\x1b, U+202E -> \\u202e, newline -> \\n)
    md_code(text, table=)   Markdown: visible(text) as an inline code span, whose backtick fence is
                            longer than any backtick run inside (so nothing in it is Markdown or
                            HTML: no heading, link, image, tag or emphasis); in a table cell each
                            ``|`` is also escaped (GFM splits cells before it reads code spans)
    csv_text(text)          a CSV cell: visible(text), and a text starting with ``= + - @`` (or a tab
                            or carriage return) is prefixed with ``'`` so no spreadsheet reads it
                            as a formula (OWASP's rule); numbers are not text and never pass here

A backslash is left as it is: the escapes are for reading, not for parsing back.
"""

from __future__ import annotations

import re
import unicodedata

# Categories shown escaped: controls (C0, DEL, C1), format characters (bidi overrides and isolates,
# zero-width characters, the BOM), unpaired surrogates (a file name that is not UTF-8), and the
# Unicode line and paragraph separators (a new line to some terminals and editors).
_HIDDEN_CATEGORIES = {"Cc", "Cf", "Cs", "Zl", "Zp"}
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _escape(ch: str) -> str:
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _hidden(ch: str) -> bool:
    return unicodedata.category(ch) in _HIDDEN_CATEGORIES


def visible(text: object, keep_newlines: bool = False) -> str:
    """``text`` (made a str) with every code point that a terminal or an editor would act on, or not
    show, replaced by a visible escape; ``keep_newlines``: a newline stays a newline (multi-line JSON
    text), anything else is still escaped.  Plain text comes back unchanged."""
    text = str(text)
    if text.isprintable():  # the fast path: no printable code point is in a hidden category
        return text
    return "".join(_escape(ch) if _hidden(ch) and not (keep_newlines and ch == "\n") else ch for ch in text)


def md_code(text: object, table: bool = False) -> str:
    """``text`` as a Markdown inline code span ('' for empty text): shown literally by every renderer.

    The fence is one backtick longer than the longest run of backticks inside; a space pads the
    content when it starts or ends with a backtick or a space (CommonMark strips one from each side).
    ``table``: the span sits in a table cell, where ``|`` must be ``\\|`` (shown as ``|``).
    """
    content = visible(text)
    if not content:
        return ""
    if table:
        content = content.replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", content)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if content[0] in "` " or content[-1] in "` " else ""
    return f"{fence}{pad}{content}{pad}{fence}"


def csv_text(text: object) -> str:
    """A text cell of a CSV file: visible, and never read as a formula by a spreadsheet."""
    content = visible(text)
    return "'" + content if content.startswith(CSV_FORMULA_START) else content
