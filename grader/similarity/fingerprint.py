"""Fingerprints of Python code: normalized tokens, k-grams, winnowing.

A file is read by one regular expression (``SCANNER``: names, numbers, strings,
comments, operators, line breaks) and each token is reduced to what a copy cannot
change without rewriting the code:

* every name (variables, parameters, functions, modules) becomes ``V``, except the
  Python keywords, the builtins (``range``, ``len``, ...) and attribute names after a
  dot (``.dot``, ``.shape``, ``.sum``): renaming variables changes nothing;
* numbers become ``N`` and strings ``S``; comments, docstrings, indentation and line
  breaks are dropped: reformatting and rewording comments change nothing.

Each function (a top-level ``def`` or a method of a class, with what is nested in it)
is a unit of its own, and so is each stretch of code between functions: k-grams and
winnowing windows never cross a unit's edge, so reordering functions changes nothing
either. The scanner gives the tokens Python's ``tokenize`` gives (the tests hold it to
that on every file of the project) in half the time, and reads code that does not
parse (a syntax error, an unterminated string) without stopping.

A k-gram is ``K`` consecutive tokens; winnowing (Schleimer, Wilkerson and Aiken,
SIGMOD 2003, the algorithm behind MOSS) keeps the smallest k-gram hash of every
window of ``W`` consecutive k-grams. Any match of ``K + W - 1`` tokens or more is
then sure to share a fingerprint, and a match shorter than ``K`` tokens never does.
"""
from __future__ import annotations

import builtins
import keyword
import re
import zlib
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

K = 15  # tokens per k-gram: shorter common runs (one idiomatic line) are noise
W = 6  # k-grams per winnowing window: a run of K + W - 1 = 20 tokens always matches

KEPT_NAMES = frozenset(keyword.kwlist) | frozenset(name for name in dir(builtins) if not name.startswith("_"))
TRIPLE = "'" * 3, '"' * 3
STRING = (r"[rRbBuUfF]{0,2}(?:" + "|".join(rf"{q}(?:\\.|[^\\])*?{q}" for q in TRIPLE)
          + r"""|'(?:\\.|[^\\'\r\n])*'|"(?:\\.|[^\\"\r\n])*")""")
SCANNER = re.compile("|".join([
    r"(?P<newline>\r?\n)", r"(?P<continuation>\\\r?\n)", r"(?P<comment>#[^\r\n]*)", f"(?P<string>{STRING})",
    r"(?P<name>[^\W\d]\w*)",
    r"(?P<number>0[xXoObB][\da-fA-F_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][-+]?\d[\d_]*)?[jJ]?)",
    r"(?P<op>\*\*=?|//=?|->|:=|<<=?|>>=?|\.\.\.|[-+*/%@&|^<>!=]=|\S)"]), re.S)
ASYNC_DEF = re.compile(r"[ \t]+def\b")
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
    """The normalized tokens of ``text`` (Python source, or what was meant to be)."""
    words, lines, units = scan(text)
    return Tokens(np.array([token_id(w) for w in words], dtype=np.uint64), np.array(lines, dtype=np.int32),
                  np.array(units, dtype=np.int32))


def scan(text: str) -> tuple[list[str], list[int], list[int]]:
    """Normalized words, the line of each, the unit of each.

    One pass of ``SCANNER`` over the text. A logical line starts at the first token after
    a line break outside brackets (a backslash continues the line); its first token's
    column says where it is: a ``def`` (or ``async def``) opens a unit when none is open,
    and the unit ends at the first logical line that starts at or left of the ``def``.
    A logical line that is one string alone (a docstring) is dropped."""
    words: list[str] = []
    lines: list[int] = []
    units: list[int] = []
    line, line_start, depth = 1, 0, 0
    unit, def_column = 0, None
    at_start, first, strings_only = True, 0, True
    for match in SCANNER.finditer(text):
        kind = match.lastgroup
        if kind == "newline" or kind == "continuation":
            if kind == "newline" and depth == 0:
                if strings_only and len(words) - first == 1:
                    del words[first:], lines[first:], units[first:]
                at_start = True
            line, line_start = line + 1, match.end()
            continue
        if kind == "comment":
            continue
        value = match.group()
        if at_start:
            column = len(text[line_start:match.start()].expandtabs(8))
            if def_column is not None and column <= def_column:
                def_column, unit = None, unit + 1
            if def_column is None and (value == "def" or value == "async" and ASYNC_DEF.match(text, match.end())):
                def_column, unit = column, unit + 1
            at_start, first, strings_only = False, len(words), True
        if kind == "string":
            word = "S"
        else:
            strings_only = False
            if kind == "name":
                word = value if value in KEPT_NAMES or (words and words[-1] == ".") else "V"
            elif kind == "number":
                word = "N"
            else:
                word = value
                if value in "([{":
                    depth += 1
                elif value in ")]}" and depth:
                    depth -= 1
        words.append(word)
        lines.append(line)
        units.append(unit)
        if kind == "string" and "\n" in value:  # a string over several lines
            line += value.count("\n")
            line_start = match.start() + value.rindex("\n") + 1
    if strings_only and len(words) - first == 1 and at_start is False:
        del words[first:], lines[first:], units[first:]
    return words, lines, units


def kgram_hashes(ids: np.ndarray) -> np.ndarray:
    """The polynomial hash (mod 2^64) of every K consecutive tokens."""
    if len(ids) < K:
        return np.empty(0, dtype=np.int64)
    with np.errstate(over="ignore"):
        hashes = (sliding_window_view(ids, K) * _POWERS).sum(axis=1, dtype=np.uint64)
    return hashes.view(np.int64)


def kgrams(found: Tokens) -> tuple[np.ndarray, np.ndarray]:
    """The hashes of the k-grams that lie within one unit, and the token each starts at."""
    n = len(found.ids)
    if n < K:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    starts = np.flatnonzero(found.units[:n - K + 1] == found.units[K - 1:])
    return kgram_hashes(found.ids)[starts], starts


def winnow(hashes: np.ndarray, units: np.ndarray | None = None) -> np.ndarray:
    """The positions winnowing selects: in each window of W k-grams of one unit the
    smallest hash (the rightmost one on a tie), each position once; a unit of fewer than
    W k-grams gives its smallest."""
    n = len(hashes)
    if not n:
        return np.empty(0, np.int64)
    units = np.zeros(n, np.int64) if units is None else units
    picked = []
    if n >= W:
        windows = sliding_window_view(hashes, W)[:, ::-1]
        whole = units[:n - W + 1] == units[W - 1:]  # the window lies in one unit
        picked.append((np.arange(n - W + 1) + (W - 1) - np.argmin(windows, axis=1))[whole])
    edges = np.flatnonzero(np.diff(units)) + 1
    starts, ends = np.concatenate(([0], edges)), np.concatenate((edges, [n]))
    for start, end in zip(starts[ends - starts < W].tolist(), ends[ends - starts < W].tolist()):
        picked.append([end - 1 - int(np.argmin(hashes[start:end][::-1]))])
    return np.unique(np.concatenate(picked))


def fingerprints(text: str) -> Fingerprints:
    """The winnowed fingerprints of ``text``, unit by unit."""
    found = tokens(text)
    hashes, starts = kgrams(found)
    chosen = starts[winnow(hashes, found.units[starts])] if len(hashes) else starts
    return Fingerprints(hashes[np.searchsorted(starts, chosen)], found.lines[chosen], found.lines[chosen + K - 1],
                        np.unique(found.lines))


def all_kgrams(text: str) -> np.ndarray:
    """Every k-gram hash of ``text``, not only the winnowed ones: what a starter file
    gives away, so that no fingerprint of code in it survives whatever surrounds it."""
    return np.unique(kgrams(tokens(text))[0])
