"""One submission's fingerprints, with the code it was given taken out.

``given(folders)`` reads the starter code (and any ``--exclude`` folder) once: every
k-gram hash in it, and a digest of each of its files. ``submission_prints`` reads a
submission's code (``sources.collect``), fingerprints each file (a file identical to
a given one is skipped unread: all of it was given), and drops every fingerprint
whose k-gram occurs anywhere in the given code. What is left is what the student
added; each fingerprint remembers the lines it covers, counted across the files.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .fingerprint import all_kgrams, fingerprints
from .sources import Code, collect, collect_folder


@dataclass
class Given:
    """The code every student was given: k-gram hashes (sorted) and file digests."""

    hashes: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    digests: frozenset = frozenset()
    notes: list[str] = field(default_factory=list)


@dataclass
class Prints:
    """A submission's fingerprints beyond the given code.

    ``hashes[i]`` covers the lines ``cover_line[cover_print == i]``; a line is numbered
    across files: line ``l`` (from 1) of file ``f`` is ``offsets[f] + l - 1``."""

    student: str
    files: list[str] = field(default_factory=list)
    offsets: np.ndarray = field(default_factory=lambda: np.zeros(1, np.int64))  # one more than files
    hashes: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    cover_print: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    cover_line: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    code_lines: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))  # sorted: lines with code
    columns: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))  # hashes as the index numbers them
    before: int = 0  # fingerprints before the given code was taken out
    notes: list[str] = field(default_factory=list)
    error: str = ""

    def where(self, line: int) -> tuple[str, int]:
        """(file name, line in it) of a line numbered across files."""
        f = int(np.searchsorted(self.offsets, line, side="right")) - 1
        return self.files[f], int(line - self.offsets[f] + 1)


def digest(text: str) -> bytes:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).digest()


def given(folders: list[Path]) -> Given:
    hashes, digests, notes = [], set(), []
    for folder in folders:
        found = collect_folder(folder)
        notes += [f"{folder.name}: {note}" for note in found.notes]
        if found.error:
            notes.append(found.error)
        for code in found.files:
            hashes.append(all_kgrams(code.text))
            digests.add(digest(code.text))
    merged = np.unique(np.concatenate(hashes)) if hashes else np.empty(0, np.int64)
    return Given(merged, frozenset(digests), notes)


def submission_prints(student: str, entry: Path, starter: Given) -> Prints:
    found = collect(entry)
    prints = Prints(student, notes=found.notes, error=found.error)
    hashes, cover_print, cover_line, code_lines, sizes = [], [], [], [], []
    count = 0
    for code in found.files:
        prints.files.append(code.name)
        sizes.append(code.text.count("\n") + 1)
        if digest(code.text) in starter.digests:
            continue
        kept, lines, with_code, before = _file_prints(code, starter)
        prints.before += before
        offset = sum(sizes[:-1])
        hashes.append(kept)
        cover_print.append(lines[0] + count)
        cover_line.append(lines[1] + offset)
        code_lines.append(with_code + offset)
        count += len(kept)
    prints.offsets = np.concatenate(([0], np.cumsum(sizes, dtype=np.int64)))
    if hashes:
        prints.hashes = np.concatenate(hashes)
        prints.cover_print, prints.cover_line = np.concatenate(cover_print), np.concatenate(cover_line)
        prints.code_lines = np.concatenate(code_lines)
    return prints


def _file_prints(code: Code, starter: Given):
    """The file's fingerprints not in the given code, (fingerprint, line - 1) pairs of the
    lines with code that each covers, the lines with code (- 1), and the count before."""
    found = fingerprints(code.text)
    keep = ~np.isin(found.hashes, starter.hashes, assume_unique=False)
    first, last = found.first[keep], found.last[keep]
    lo = np.searchsorted(found.code_lines, first, side="left")
    hi = np.searchsorted(found.code_lines, last, side="right")
    counts = hi - lo
    which = np.repeat(np.arange(len(first)), counts)
    steps = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    lines = found.code_lines[np.repeat(lo, counts) + steps].astype(np.int64) - 1
    return found.hashes[keep], (which, lines), found.code_lines.astype(np.int64) - 1, len(found.hashes)
