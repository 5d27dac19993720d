"""Fingerprints of Python code: normalized tokens, k-grams, winnowing.

A file is read with Python's own ``tokenize`` and each token is reduced to what a
copy cannot change without rewriting the code:

* every name (variables, parameters, functions, modules) becomes ``V``, except the
  Python keywords, the builtins (``range``, ``len``, ...) and attribute names after a
  dot (``.dot``, ``.shape``, ``.sum``): renaming variables changes nothing;
* numbers become ``N`` and strings ``S``; comments, docstrings, indentation and line
  breaks are dropped: reformatting and rewording comments change nothing.

Each function (a top-level ``def`` or a method of a class, with what is nested in it)
is a unit of its own, and so is each stretch of code between functions: k-grams and
winnowing windows never cross a unit's edge, so reordering functions changes nothing
either. Code that does not tokenize (a syntax error, an unterminated string) is read
by a simpler regular-expression tokenizer instead, as one unit.

A k-gram is ``K`` consecutive tokens; winnowing (Schleimer, Wilkerson and Aiken,
SIGMOD 2003, the algorithm behind MOSS) keeps the smallest k-gram hash of every
window of ``W`` consecutive k-grams. Any match of ``K + W - 1`` tokens or more is
then sure to share a fingerprint, and a match shorter than ``K`` tokens never does.
"""
from __future__ import annotations

import builtins
import io
import keyword
import re
import tokenize
import zlib
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

K = 15  # tokens per k-gram: shorter common runs (one idiomatic line) are noise
W = 6  # k-grams per winnowing window: a run of K + W - 1 = 20 tokens always matches

KEPT_NAMES = frozenset(keyword.kwlist) | frozenset(name for name in dir(builtins) if not name.startswith("_"))
LAYOUT = {tokenize.NEWLINE, tokenize.NL, tokenize.INDENT, tokenize.DEDENT, tokenize.COMMENT, tokenize.ENCODING,
          tokenize.ENDMARKER}
STATEMENT_START = {tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, None}
FSTRING_START = getattr(tokenize, "FSTRING_START", None)  # Python 3.12 splits f-strings into parts
FSTRING_END = getattr(tokenize, "FSTRING_END", None)
FALLBACK = re.compile(r"""(?P<comment>\#[^\n]*)|(?P<string>[rRbBuUfF]{0,2}(?:'''.*?'''|\"\"\".*?\"\"\"|'[^'\n]*'|"[^"\n]*"))
                          |(?P<number>\d[\w.]*)|(?P<name>[^\W\d]\w*)|(?P<op>\*\*=?|//=?|->|:=|[-+*/%@&|^<>!=]=|<<|>>|\S)""",
                      re.X | re.S)
_BASE = np.uint64(0x100000001B3)  # the FNV prime: an odd multiplier for the polynomial k-gram hash
_POWERS = np.array([pow(int(_BASE), K - 1 - i, 1 << 64) for i in range(K)], dtype=np.uint64)


@dataclass
class Tokens:
    """A file's normalized tokens: a number per token, its line (from 1), its unit."""

    ids: np.ndarray  # uint64
    lines: np.ndarray  # int32
    units: np.ndarray  # int32: tokens of one function (or of one stretch between functions) share a unit


@dataclass
class Fingerprints:
    """The winnowed k-grams of a file: hash, and the lines its tokens span."""

    hashes: np.ndarray  # int64
    first: np.ndarray  # int32
    last: np.ndarray  # int32
    code_lines: np.ndarray  # int32, sorted: the lines that hold a token (not a comment, docstring or blank)


def _token_id(text: str) -> int:
    return zlib.crc32(text.encode("utf-8", "surrogatepass")) + 1


_IDS: dict[str, int] = {}


def token_id(text: str) -> int:
    found = _IDS.get(text)
    if found is None:
        found = _IDS[text] = _token_id(text)
    return found


def tokens(text: str) -> Tokens:
    """The normalized tokens of ``text`` (Python source)."""
    try:
        words, lines, units = _python_tokens(text)
    except (tokenize.TokenError, SyntaxError, ValueError, RecursionError, MemoryError):
        words, lines, units = _fallback_tokens(text)
    return Tokens(np.array([token_id(w) for w in words], dtype=np.uint64), np.array(lines, dtype=np.int32),
                  np.array(units, dtype=np.int32))


def _python_tokens(text: str) -> tuple[list[str], list[int], list[int]]:
    raw = [t for t in tokenize.generate_tokens(io.StringIO(text).readline) if t.type != tokenize.COMMENT]
    words, lines, units = [], [], []
    unit, depth, def_depth = 0, 0, None  # def_depth: the indentation depth of the def of the open unit
    previous = None  # the type of the last token that was not a comment or NL
    in_fstring = 0
    for i, tok in enumerate(raw):
        kind = tok.type
        if kind == tokenize.INDENT:
            depth += 1
        elif kind == tokenize.DEDENT:
            depth -= 1
            if def_depth is not None and depth <= def_depth:
                def_depth, unit = None, unit + 1
        if kind == tokenize.NL:
            continue
        if in_fstring:  # the parts of a 3.12 f-string: one string token, already written
            in_fstring += (kind == FSTRING_START) - (kind == FSTRING_END)
            previous = kind
            continue
        if kind in LAYOUT:
            if kind == tokenize.NEWLINE and def_depth == depth and not _opens_block(raw, i):
                def_depth, unit = None, unit + 1  # a one-line def ends with its line
            previous = kind
            continue
        if kind == tokenize.NAME and tok.string in ("def", "async") and def_depth is None and previous in STATEMENT_START:
            if tok.string == "def" or (i + 1 < len(raw) and raw[i + 1].string == "def"):
                def_depth, unit = depth, unit + 1
        if kind == tokenize.STRING and previous in STATEMENT_START and _ends_statement(raw, i):
            previous = kind  # a docstring, or a string standing alone as a statement
            continue
        if kind == FSTRING_START:
            in_fstring, word = 1, "S"
        elif kind == tokenize.STRING:
            word = "S"
        elif kind == tokenize.NUMBER:
            word = "N"
        elif kind == tokenize.NAME:
            word = tok.string if tok.string in KEPT_NAMES or words[-1:] == ["."] else "V"
        else:
            word = tok.string
        words.append(word)
        lines.append(tok.start[0])
        units.append(unit)
        previous = kind
    return words, lines, units


def _opens_block(raw, i: int) -> bool:
    for tok in raw[i + 1:]:
        if tok.type != tokenize.NL:
            return tok.type == tokenize.INDENT
    return False


def _ends_statement(raw, i: int) -> bool:
    for tok in raw[i + 1:]:
        if tok.type != tokenize.NL:
            return tok.type in (tokenize.NEWLINE, tokenize.ENDMARKER, tokenize.DEDENT)
    return True


def _fallback_tokens(text: str) -> tuple[list[str], list[int], list[int]]:
    """Code that ``tokenize`` rejects, read with a regular expression, as one unit."""
    words, lines = [], []
    line, position = 1, 0
    for match in FALLBACK.finditer(text):
        line += text.count("\n", position, match.start())
        position = match.start()
        group = match.lastgroup
        if group == "comment":
            continue
        if group == "name":
            word = match.group() if match.group() in KEPT_NAMES or words[-1:] == ["."] else "V"
        else:
            word = {"string": "S", "number": "N"}.get(group, match.group())
        words.append(word)
        lines.append(line)
    return words, lines, [0] * len(words)


def _segments(units: np.ndarray):
    """(start, end) of each run of one unit."""
    if not len(units):
        return []
    edges = np.flatnonzero(np.diff(units)) + 1
    starts = np.concatenate(([0], edges))
    ends = np.concatenate((edges, [len(units)]))
    return zip(starts.tolist(), ends.tolist())


def kgram_hashes(ids: np.ndarray) -> np.ndarray:
    """The polynomial hash (mod 2^64) of every K consecutive tokens of one unit."""
    if len(ids) < K:
        return np.empty(0, dtype=np.int64)
    with np.errstate(over="ignore"):
        hashes = (sliding_window_view(ids, K) * _POWERS).sum(axis=1, dtype=np.uint64)
    return hashes.view(np.int64)


def winnow(hashes: np.ndarray) -> np.ndarray:
    """The positions winnowing selects: in each window of W k-grams the smallest hash
    (the rightmost one on a tie), each position once."""
    if len(hashes) <= W:
        return np.array([len(hashes) - 1 - int(np.argmin(hashes[::-1]))]) if len(hashes) else np.empty(0, int)
    windows = sliding_window_view(hashes, W)[:, ::-1]
    return np.unique(np.arange(len(windows)) + (W - 1) - np.argmin(windows, axis=1))


def fingerprints(text: str) -> Fingerprints:
    """The winnowed fingerprints of ``text``, unit by unit."""
    found = tokens(text)
    hashes, first, last = [], [], []
    for start, end in _segments(found.units):
        kgrams = kgram_hashes(found.ids[start:end])
        chosen = winnow(kgrams)
        hashes.append(kgrams[chosen])
        first.append(found.lines[start + chosen])
        last.append(found.lines[start + chosen + K - 1])
    code_lines = np.unique(found.lines)
    if not hashes:
        return Fingerprints(np.empty(0, np.int64), np.empty(0, np.int32), np.empty(0, np.int32), code_lines)
    return Fingerprints(np.concatenate(hashes), np.concatenate(first), np.concatenate(last), code_lines)


def all_kgrams(text: str) -> np.ndarray:
    """Every k-gram hash of ``text``, not only the winnowed ones: what a starter file
    gives away, so that no fingerprint of code in it survives whatever surrounds it."""
    found = tokens(text)
    parts = [kgram_hashes(found.ids[start:end]) for start, end in _segments(found.units)]
    return np.unique(np.concatenate(parts)) if parts else np.empty(0, np.int64)
