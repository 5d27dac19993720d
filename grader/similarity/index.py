"""Which submissions share fingerprints: an inverted index, and the pairs it yields.

The submissions' fingerprints are the rows of a sparse submissions x fingerprints
matrix ``M``; ``M``'s transpose, one row per fingerprint listing the submissions that
hold it, is the inverted index. The number of fingerprints two submissions share is
``M @ index``: the sparse product walks, for each submission, its fingerprints, and
for each fingerprint the submissions in its posting list, so its cost grows with the
fingerprints submissions share, never with the number of pairs. A fingerprint held
by one submission only is left out of the index; pairs that share nothing are never
visited.

For each pair: shared fingerprints, the share of each side's fingerprints found in
the other, a score (the two sides' shared fingerprints over all their fingerprints:
2 |A & B| / (|A| + |B|)), and the lines of each side that shared fingerprints
cover: another sparse product per submission, of the fingerprints it shares with each
partner and the lines each of its fingerprints covers.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from .prints import Prints


@dataclass
class Pair:
    a: int  # positions in the list of submissions compared, a < b
    b: int
    shared: int  # fingerprints found on both sides
    share_a: float  # of a's fingerprints, the share found in b
    share_b: float
    score: float
    lines_a: int = 0  # lines of a covered by shared fingerprints
    lines_b: int = 0
    regions_a: list[tuple[str, int, int]] = field(default_factory=list)  # (file, first line, last line)
    regions_b: list[tuple[str, int, int]] = field(default_factory=list)
    text_a: str = ""  # the regions as text: "cs231n/layers.py:11-36,55; cs231n/optim.py:57-69"
    text_b: str = ""


@dataclass
class Comparison:
    pairs: list[Pair]  # every pair above the floor, highest score first
    scores: np.ndarray  # the score of every pair that shares a fingerprint
    pairs_total: int  # pairs of submissions, n (n - 1) / 2
    sizes: np.ndarray  # distinct fingerprints per submission, after the common ones were dropped
    common_dropped: int = 0  # fingerprints dropped for being in more than ``common`` of the submissions
    index: sparse.csr_matrix | None = None  # M, binary, for the pages' details


def compare(prints: list[Prints], floor: float = 0.2, common: float | None = None) -> Comparison:
    """Every pair of ``prints`` that shares fingerprints; ``floor`` is the least share (of
    either side) a pair must reach to be listed with its lines and regions."""
    n = len(prints)
    matrix, dropped = _matrix(prints, common)
    sizes = np.diff(matrix.indptr)
    held = np.diff(matrix.tocsc().indptr)  # the length of each fingerprint's posting list
    shared_only = matrix[:, np.flatnonzero(held >= 2)]
    index = shared_only.T.tocsr()  # fingerprint -> the submissions that hold it
    counts = sparse.triu(shared_only @ index, k=1).tocoo()
    a, b, shared = counts.row, counts.col, counts.data.astype(np.int64)
    share_a, share_b = shared / np.maximum(sizes[a], 1), shared / np.maximum(sizes[b], 1)
    scores = 2 * shared / np.maximum(sizes[a] + sizes[b], 1)
    listed = np.flatnonzero(np.maximum(share_a, share_b) >= floor)
    listed = listed[np.lexsort((b[listed], a[listed], -scores[listed]))]
    pairs = [Pair(int(a[i]), int(b[i]), int(shared[i]), float(share_a[i]), float(share_b[i]), float(scores[i]))
             for i in listed]
    _add_lines(pairs, prints, matrix)
    return Comparison(pairs, scores, n * (n - 1) // 2, sizes, dropped, matrix)


def _matrix(prints: list[Prints], common: float | None) -> tuple[sparse.csr_matrix, int]:
    """The binary submissions x fingerprints matrix, columns the distinct hashes of all
    ``prints`` (``columns(p)`` gives a submission's own); the columns of fingerprints in
    more than ``common`` of the submissions are emptied."""
    n = len(prints)
    rows = np.repeat(np.arange(n), [len(p.hashes) for p in prints])
    every = np.concatenate([p.hashes for p in prints]) if n else np.empty(0, np.int64)
    vocabulary, columns = np.unique(every, return_inverse=True)
    start = 0
    for p in prints:  # each submission's fingerprints as column numbers, kept for _add_lines
        p.columns = columns[start:start + len(p.hashes)]
        start += len(p.hashes)
    matrix = sparse.csr_matrix((np.ones(len(columns), np.int32), (rows, columns)), shape=(n, len(vocabulary)))
    matrix.sum_duplicates()
    matrix.data[:] = 1
    dropped = 0
    if common is not None and n:
        held = np.diff(matrix.tocsc().indptr)
        frequent = held > common * n
        dropped = int(frequent.sum())
        if dropped:
            matrix.data[frequent[matrix.indices]] = 0
            matrix.eliminate_zeros()
    return matrix, dropped


def _add_lines(pairs: list[Pair], prints: list[Prints], matrix: sparse.csr_matrix) -> None:
    """Matched lines and regions of both sides of every listed pair, one submission at a time:
    its fingerprints shared with each partner (rows) times the lines each covers."""
    sides: dict[int, list[tuple[Pair, int, str]]] = {}
    for pair in pairs:
        sides.setdefault(pair.a, []).append((pair, pair.b, "a"))
        sides.setdefault(pair.b, []).append((pair, pair.a, "b"))
    for s, partners in sides.items():
        p = prints[s]
        own, local = np.unique(p.columns, return_inverse=True)  # its distinct fingerprints
        covers = sparse.csr_matrix((np.ones(len(p.cover_print), np.int32), (local[p.cover_print], p.cover_line)),
                                   shape=(len(own), int(p.offsets[-1])))
        shared = matrix[[other for _, other, _ in partners]][:, own]
        hits = (covers.T.tocsr() @ shared.T.tocsr()).tocsc()  # lines x partners: each partner's lines, sorted
        found, bounds, texts = _regions(hits.indices, p, hits.indptr)
        counts = np.diff(hits.indptr).tolist()
        for row, (pair, _, side) in enumerate(partners):
            setattr(pair, f"lines_{side}", counts[row])
            setattr(pair, f"regions_{side}", found[bounds[row]:bounds[row + 1]])
            setattr(pair, f"text_{side}", texts[row])


def regions(lines: np.ndarray, p: Prints) -> list[tuple[str, int, int]]:
    """Sorted line numbers (across files) as (file, first, last) runs: a run goes on over
    blank and comment lines, and never from one file into the next."""
    return _regions(lines, p, np.array([0, len(lines)]))[0]


def region_text(lines: np.ndarray, p: Prints) -> str:
    """The runs of ``lines`` as ``Pair.text_a`` writes them."""
    return _regions(lines, p, np.array([0, len(lines)]))[2][0]


def _regions(lines: np.ndarray, p: Prints, indptr: np.ndarray) -> tuple[list, list[int], list[str]]:
    """The runs of many rows of sorted line numbers at once (row r is
    ``lines[indptr[r]:indptr[r + 1]]``): all rows' runs, where each row's begin in that
    list, and each row's runs as text (a file named once, before its runs)."""
    if not len(lines):
        return [], [0] * len(indptr), [""] * (len(indptr) - 1)
    file_of, rank_of = _line_tables(p)
    cut = np.empty(len(lines), bool)
    cut[0] = True
    np.not_equal(np.diff(rank_of[lines]), 1, out=cut[1:])
    cut[indptr[:-1][indptr[:-1] < len(lines)]] = True  # a row starts a run
    starts = np.flatnonzero(cut)
    ends = np.concatenate((starts[1:], [len(lines)])) - 1
    files = file_of[lines[starts]]
    base = p.offsets[files] - 1
    names = np.array(p.files, dtype=object)[files]
    first, last = lines[starts] - base, lines[ends] - base
    found = list(zip(names.tolist(), first.tolist(), last.tolist()))
    bounds = np.searchsorted(starts, indptr)
    row_first = np.zeros(len(starts), bool)
    row_first[bounds[:-1][bounds[:-1] < len(starts)]] = True
    new_file = row_first | np.concatenate(([True], files[1:] != files[:-1]))
    pieces = np.full(len(starts), ",", dtype=object)
    pieces[new_file] = "; " + names[new_file] + ":"
    pieces[row_first] = names[row_first] + ":"
    pieces += first.astype(str).astype(object)
    longer = last > first
    pieces[longer] += "-" + last[longer].astype(str).astype(object)
    pieces = pieces.tolist()
    bounds = bounds.tolist()
    texts = ["".join(pieces[bounds[r]:bounds[r + 1]]) for r in range(len(bounds) - 1)]
    return found, bounds, texts


def _line_tables(p: Prints) -> tuple[np.ndarray, np.ndarray]:
    """For every line (across files): its file, and a rank that grows by one from a line
    with code to the next in the same file (more over a file's end)."""
    total = int(p.offsets[-1])
    file_of = np.repeat(np.arange(len(p.files)), np.diff(p.offsets))
    has_code = np.zeros(total + 1, np.int64)
    has_code[p.code_lines] = 1
    return file_of, np.cumsum(has_code)[:total] - has_code[:total] + file_of


def correspondence(pair: Pair, prints: list[Prints], matrix: sparse.csr_matrix) -> tuple[dict, dict]:
    """For the page: the lines of each side that shared fingerprints cover, each with the
    number of the run of side a its fingerprints come from, so that a run and its copy
    on side b can be shown in one colour. Lines are numbered across files."""
    own_a, own_b = (matrix.indices[matrix.indptr[s]:matrix.indptr[s + 1]] for s in (pair.a, pair.b))
    shared = np.intersect1d(own_a, own_b)
    pa, pb = prints[pair.a], prints[pair.b]
    columns_a, columns_b = pa.columns[pa.cover_print], pb.columns[pb.cover_print]
    in_a, in_b = np.isin(columns_a, shared), np.isin(columns_b, shared)
    lines_a = np.unique(pa.cover_line[in_a])
    if not len(lines_a):
        return {}, {}
    _, rank_of = _line_tables(pa)
    run = np.concatenate(([0], np.cumsum(np.diff(rank_of[lines_a]) != 1)))  # which run of side a each line is in
    run_of = dict(zip(lines_a.tolist(), run.tolist()))
    runs_of_column: dict[int, set[int]] = {}  # a k-gram may occur in several runs of side a
    for column, line in zip(columns_a[in_a].tolist(), pa.cover_line[in_a].tolist()):
        runs_of_column.setdefault(column, set()).add(run_of[line])
    votes: dict[int, Counter] = {}  # a line of side b takes the run most of its fingerprints come from
    for column, line in zip(columns_b[in_b].tolist(), pb.cover_line[in_b].tolist()):
        votes.setdefault(line, Counter()).update(runs_of_column[column])
    return run_of, {line: min(c, key=lambda r: (-c[r], r)) for line, c in votes.items()}
