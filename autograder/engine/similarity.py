"""The class's code-similarity report: pairs of submissions whose code is unusually alike.

    pairs = compare({student: source text}, template_text)   # [Pair], most alike first
    similarity_md(assignment, pairs, compared, skipped)       # grades/<id>/similarity.md

The method is winnowing (Schleimer, Wilkerson and Aiken, "Winnowing: local algorithms for document
fingerprinting", SIGMOD 2003), the method of MOSS, on Python tokens:

1. *normalise*: the file is split into tokens by Python's own ``tokenize``; every identifier becomes
   ``N`` (a consistent renaming changes nothing), every number and string ``L`` (literals), and
   comments, docstrings (a string alone on its line), blank lines and the layout inside a line are
   dropped (reformatting changes nothing).  Keywords, operators and the block structure (indent,
   dedent, end of statement) stay: they are the shape of the code;
2. *fingerprint*: every run of ``K`` tokens is hashed (the same hash in every run, so the report is
   reproducible); in every window of ``W`` consecutive hashes the smallest is kept.  Any
   run of at least ``K + W - 1`` tokens two files share is then certain to share a fingerprint;
3. *discount the template*: every hash of the assignment's template (the stub students start from)
   is removed, and so are the tokens it covers (they count neither as shared nor as the file's own);
4. *score*: for a pair, the tokens each file has inside runs of ``K`` tokens whose fingerprint the
   other file shares, over that file's own (non-template) tokens.  A pair's score is the larger of
   the two fractions (one file may be the other plus extra code); pairs at or above ``THRESHOLD``
   are reported, most alike first, each with the shared regions side by side.

Reordering functions only changes the few runs that cross a function boundary.  The threshold was
set on the project's own cases (tests/test_similarity.py): copies of the reference and of the
independent alternative solutions of the four assignments, disguised by renaming every local name,
reformatting (an ``ast`` round trip: comments, docstrings, quotes and parentheses changed) and
reversing the order of the functions, all score 0.81 or more (25 pairs); independent correct
solutions of the same assignment (tests/fixtures/alternative/, the reference, and their disguised
copies: 276 pairs) score at most 0.59.  At 0.7, precision and recall are both 1.0 on them.  A file of fewer than ``MIN_TOKENS`` own tokens (a nearly untouched template)
is not compared: there is nothing of its own to copy.

A score is a reason to read two files side by side, never a verdict: independent students can write
the same short function, and a student may have copied with permission.  Everything shown comes from
a submission and is escaped (``text.md_code``).
"""

from __future__ import annotations

import io
import keyword
import tokenize
import zlib
from dataclasses import dataclass, field

import numpy as np

from .text import md_code

K = 20  # tokens in one fingerprinted run (shorter runs are noise: `return N ( N . N + N . N )`)
W = 4  # the winnowing window: any shared run of K + W - 1 = 23 tokens (about two lines) is detected
THRESHOLD = 0.7  # a pair at or above this score is reported
MIN_TOKENS = 60  # a file with fewer own tokens is not compared
MAX_REGIONS = 6  # shared regions shown per pair
MAX_LINES = 25  # lines of one region shown
MAX_DETAILED = 25  # pairs shown with their regions (the table lists every pair)
_SKIP = {tokenize.COMMENT, tokenize.NL, tokenize.ENCODING, tokenize.ENDMARKER, tokenize.TYPE_COMMENT}
_MARK = {tokenize.NEWLINE: ";", tokenize.INDENT: "{", tokenize.DEDENT: "}"}


@dataclass
class Tokens:
    """A file's normalised tokens and the source line each one starts on."""

    text: list[str]
    lines: list[int]
    source: list[str]  # the file's lines, to show regions


def tokens(source: str) -> Tokens:
    """``source`` as normalised tokens (see the module docstring).  Code that does not tokenize to
    the end (a syntax error) keeps the tokens before the error."""
    out, lines = [], []
    pending: list[tuple[str, int]] = []  # the tokens of the current logical line
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type in _SKIP:
                continue
            if tok.type == tokenize.NAME:
                word = tok.string if keyword.iskeyword(tok.string) else "N"
            elif tok.type in (tokenize.NUMBER, tokenize.STRING) or tok.type in _FSTRING:
                word = "L"
            elif tok.type in _MARK:
                word = _MARK[tok.type]
            else:
                word = tok.string
            if word == "L" and pending and pending[-1][0] == "L" and tok.type in _FSTRING:
                continue  # the pieces of one f-string are one literal
            pending.append((word, tok.start[0]))
            if tok.type in (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT):
                _flush(pending, out, lines)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    _flush(pending, out, lines)
    return Tokens(out, lines, source.splitlines())


_FSTRING = {t for t in (getattr(tokenize, "FSTRING_START", None), getattr(tokenize, "FSTRING_MIDDLE", None),
                        getattr(tokenize, "FSTRING_END", None)) if t is not None}


def _flush(pending: list[tuple[str, int]], out: list[str], lines: list[int]) -> None:
    """Move one logical line's tokens to the output, unless it is a docstring (a literal alone)."""
    words = [w for w, _ in pending]
    if words not in (["L", ";"], ["L"]):
        out.extend(words)
        lines.extend(line for _, line in pending)
    pending.clear()


def _hashes(words: list[str]) -> list[int]:
    """The hash of every run of K tokens (position i: tokens i .. i+K-1): each token is a CRC-32 of
    its text and a run the hash of their tuple, which Python does not salt (unlike a string's), so
    the same file has the same fingerprints in every run and the report is reproducible."""
    ids = tuple(_TOKEN_IDS.get(w) or _token_id(w) for w in words)
    return [hash(ids[i:i + K]) for i in range(len(ids) - K + 1)]


_TOKEN_IDS: dict[str, int] = {}


def _token_id(word: str) -> int:
    return _TOKEN_IDS.setdefault(word, zlib.crc32(word.encode("utf-8", "surrogatepass")) + 1)


def winnow(hashes: list[int]) -> dict[int, list[int]]:
    """The fingerprints: in every window of W hashes, the smallest (the rightmost on a tie), each
    selected position recorded once; hash -> the positions it was selected at."""
    if not hashes:
        return {}
    h = np.array(hashes, dtype=np.int64)
    if len(h) < W:
        at = np.array([len(h) - 1 - int(np.argmin(h[::-1]))])
    else:
        windows = np.lib.stride_tricks.sliding_window_view(h, W)
        at = np.arange(len(windows)) + (W - 1 - np.argmin(windows[:, ::-1], axis=1))
        at = np.unique(at)
    chosen: dict[int, list[int]] = {}
    for i in at.tolist():
        chosen.setdefault(hashes[i], []).append(i)
    return chosen


@dataclass
class Fingerprint:
    """One file: its tokens, its fingerprints without the template's, its own token count."""

    tokens: Tokens
    prints: dict[int, list[int]]
    own: list[bool]  # per token: not covered by any run of the template
    size: int  # own tokens
    hashes: np.ndarray = field(init=False)  # every selected fingerprint, one per selection ...
    starts: np.ndarray = field(init=False)  # ... and the token where its run starts
    own_mask: np.ndarray = field(init=False)

    def __post_init__(self):
        chosen = [(h, i) for h, at in self.prints.items() for i in at]
        self.hashes = np.array([h for h, _ in chosen], dtype=np.int64)
        self.starts = np.array([i for _, i in chosen], dtype=np.int64)
        self.own_mask = np.array(self.own, dtype=bool)


def fingerprint(source: str, template: set[int]) -> Fingerprint:
    t = tokens(source)
    all_hashes = _hashes(t.text)
    own = [True] * len(t.text)
    reach = 0
    for i, h in enumerate(all_hashes):
        if h in template:
            own[max(i, reach):i + K] = [False] * (i + K - max(i, reach))
            reach = i + K
    prints = {h: at for h, at in winnow(all_hashes).items() if h not in template}
    return Fingerprint(t, prints, own, sum(own))


def template_hashes(template: str | None) -> set[int]:
    """Every run's hash in the template (not only the winnowed ones: any of them is boilerplate)."""
    return set(_hashes(tokens(template).text)) if template else set()


@dataclass
class Region:
    """A stretch of shared code: token ranges [a0, a1) in one file and [b0, b1) in the other."""

    a0: int
    a1: int
    b0: int
    b1: int


@dataclass
class Pair:
    a: str
    b: str
    score: float  # max(share_a, share_b)
    share_a: float  # of a's own tokens, the fraction inside runs it shares with b
    share_b: float
    regions: list[Region] = field(default_factory=list)
    lines_a: list[tuple[int, int]] = field(default_factory=list)  # the regions as source lines, first to last
    lines_b: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class Result:
    pairs: list[Pair]  # at or above the threshold, most alike first
    too_small: list[str]  # not compared: fewer than MIN_TOKENS tokens of their own


def compare(sources: dict[str, str], template: str | None = None, threshold: float = THRESHOLD) -> Result:
    """Every pair of ``sources`` (student -> code) scoring at least ``threshold``, most alike first."""
    base = template_hashes(template)
    prints = {s: fingerprint(code, base) for s, code in sources.items()}
    small = sorted(s for s, f in prints.items() if f.size < MIN_TOKENS)
    prints = {s: f for s, f in prints.items() if f.size >= MIN_TOKENS}
    names = sorted(prints)
    keys = {s: set(prints[s].prints) for s in names}
    pairs = []
    for i, a in enumerate(names):  # 100 files: 4,950 set intersections and shares, about a second
        for b in names[i + 1:]:
            shared = keys[a] & keys[b]
            # a pair sharing few fingerprints cannot cover much (a shared run holds one in W + 1 tokens)
            if len(shared) >= threshold / 3 * min(len(keys[a]), len(keys[b])):
                pair = score_pair(a, prints[a], b, prints[b], shared)
                if pair.score >= threshold:
                    pair.regions = _regions(prints[a], prints[b], shared)
                    pair.lines_a = [_lines(prints[a].tokens, r.a0, r.a1) for r in pair.regions]
                    pair.lines_b = [_lines(prints[b].tokens, r.b0, r.b1) for r in pair.regions]
                    pairs.append(pair)
    return Result(sorted(pairs, key=lambda p: (-p.score, p.a, p.b)), small)


def score_pair(a: str, fa: Fingerprint, b: str, fb: Fingerprint, shared: set[int] | None = None) -> Pair:
    """The pair's shares and score (its regions are left to ``compare``, for reported pairs only)."""
    shared = set(fa.prints) & set(fb.prints) if shared is None else shared
    common = np.array(sorted(shared), dtype=np.int64)
    share_a, share_b = _covered(fa, common), _covered(fb, common)
    return Pair(a, b, max(share_a, share_b), share_a, share_b)


def _covered(f: Fingerprint, common: np.ndarray) -> float:
    """The fraction of the file's own tokens inside the runs of its fingerprints in ``common``."""
    if not f.size:
        return 0.0
    starts = f.starts[np.isin(f.hashes, common, assume_unique=False)]
    n = len(f.own)
    edges = np.zeros(n + 1, dtype=np.int64)
    np.add.at(edges, starts, 1)
    np.add.at(edges, np.minimum(starts + K, n), -1)
    inside = np.cumsum(edges[:n]) > 0
    return float(np.count_nonzero(inside & f.own_mask)) / f.size


def _regions(fa: Fingerprint, fb: Fingerprint, shared: set[int]) -> list[Region]:
    """Shared runs matched in order (the first occurrence of each fingerprint in each file), merged
    while both sides go on together, largest first (at most MAX_REGIONS)."""
    spans = sorted((fa.prints[h][0], fb.prints[h][0]) for h in shared)
    regions: list[Region] = []
    for a, b in spans:
        last = regions[-1] if regions else None
        if last and 0 <= a - last.a1 + K <= 2 * K and -K <= b - (last.b1 - K) <= 2 * K:
            last.a1, last.b1 = max(last.a1, a + K), max(last.b1, b + K)
        else:
            regions.append(Region(a, a + K, b, b + K))
    regions.sort(key=lambda r: -(r.a1 - r.a0))
    return sorted(regions[:MAX_REGIONS], key=lambda r: r.a0)


def _lines(t: Tokens, start: int, end: int) -> tuple[int, int]:
    """The source lines (1-based, inclusive) of tokens [start, end)."""
    end = min(end, len(t.lines))
    return (t.lines[start], t.lines[end - 1]) if start < end else (1, 1)


# -- the report ---------------------------------------------------------------------------------
def similarity_md(assignment: str, pairs: list[Pair], sources: dict[str, str], compared: int,
                  skipped: dict[str, str] | None = None, threshold: float = THRESHOLD) -> str:
    """``similarity.md``: the method in two lines, then each pair with its shared regions side by side.
    ``sources``: student -> code (to show the regions); ``skipped``: student -> why not compared."""
    out = io.StringIO()
    w = out.write
    w(f"# {assignment}: code similarity\n\n")
    w(f"{compared} submissions compared, {compared * (compared - 1) // 2} pairs; "
      f"{len(pairs)} pair{'' if len(pairs) == 1 else 's'} at or above {threshold:.2f}.\n\n")
    w("Method: winnowed fingerprints of normalised Python tokens (MOSS's method): identifiers, literals, "
      f"comments, docstrings and layout do not count, nor does the template's own code; runs of {K} tokens "
      f"are fingerprinted, any shared run of {K + W - 1} or more is found. A pair's score is the larger of "
      "the two shares: of each file's own code, the fraction inside runs the other file has too. "
      "A score is a reason to read both files, not a verdict (README, TAs).\n\n")
    if skipped:
        w("Not compared: " + ", ".join(f"{md_code(s)} ({why})" for s, why in sorted(skipped.items())) + "\n\n")
    if not pairs:
        w("No pair is unusually alike.\n")
        return out.getvalue()
    w("| score | student | share of their code | student | share of their code |\n|---:|---|---:|---|---:|\n")
    for p in pairs:
        w(f"| {p.score:.2f} | {md_code(p.a, table=True)} | {p.share_a:.0%} | {md_code(p.b, table=True)} | "
          f"{p.share_b:.0%} |\n")
    if len(pairs) > MAX_DETAILED:
        w(f"\nThe {MAX_DETAILED} most alike, side by side (the other {len(pairs) - MAX_DETAILED} are in the "
          f"table above):\n")
    for n, p in enumerate(pairs[:MAX_DETAILED], 1):
        w(f"\n## {n}. {md_code(p.a)} and {md_code(p.b)}: {p.score:.2f}\n\n")
        a_lines, b_lines = sources[p.a].splitlines(), sources[p.b].splitlines()
        w(f"| {md_code(p.a, table=True)} | {md_code(p.b, table=True)} |\n|---|---|\n")
        for (a0, a1), (b0, b1) in zip(p.lines_a, p.lines_b):
            w(f"| lines {a0}-{a1} | lines {b0}-{b1} |\n")
            w(f"| {_cell(a_lines, a0, a1)} | {_cell(b_lines, b0, b1)} |\n")
    return out.getvalue()


def _cell(lines: list[str], first: int, last: int) -> str:
    """Source lines ``first``..``last`` as one table cell: each line a code span (indentation kept as
    no-break spaces, which every renderer shows), joined by line breaks."""
    last = min(last, len(lines))
    chosen = lines[first - 1:min(last, first - 1 + MAX_LINES)]
    shown = []
    for line in chosen:
        stripped = line.lstrip(" \t")
        indent = len(line) - len(stripped)
        shown.append(md_code("\u00a0" * indent + stripped.rstrip(), table=True) or "\u00a0")
    more = last - first + 1 - len(chosen)
    return "<br>".join(shown) + (f"<br>... ({more} more lines)" if more > 0 else "")
