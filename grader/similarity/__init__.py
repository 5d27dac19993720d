"""The similarity report of a batch folder: which submissions share code beyond the starter.

    run("assignment1", Path("submissions"), Path("grades"))   -> similarity.csv, similarity.html

sources.py: the student-written code of each entry (the ``cs231n`` package's ``.py``
files, the notebooks' code cells) -> fingerprint.py: normalized tokens, k-grams,
winnowing -> prints.py: each submission's fingerprints less everything in the starter
code and the ``exclude`` folders -> index.py: the inverted index, the pairs that share
fingerprints, their scores, matched lines and regions -> report.py: the CSV, the HTML
page and the gradebook's ``similarity`` table.

A high score is a reason to look, not proof: the pages say so.
"""
from __future__ import annotations

import gc
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the modules themselves load numpy and scipy: only when the pass runs
    from .index import Comparison
    from .prints import Given, Prints

FLOOR = 0.2  # a pair is listed when this share of either side's fingerprints is found in the other
TOP = 20  # pairs shown side by side in the page
PARALLEL_FROM = 40  # submissions from which fingerprinting is spread over processes


class SimilarityError(ValueError):
    """The pass cannot run (no starter code for the assignment, no such folder)."""


@dataclass
class SimilarityResult:
    assignment: str
    prints: list[Prints]  # one per submission compared, by student id
    comparison: Comparison
    given_from: list[str]  # the folders whose code was taken out
    skipped: list[tuple[str, str]] = field(default_factory=list)  # entries that are no submission, and why
    notes: list[str] = field(default_factory=list)  # about the given code
    texts: dict[str, dict[str, str]] = field(default_factory=dict)  # student -> file -> text, for the shown pairs
    floor: float = FLOOR
    top: int = TOP
    common: float | None = None
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)  # seconds per step: read, compare, write
    files: list[Path] = field(default_factory=list)

    @property
    def students(self) -> list[str]:
        return [p.student for p in self.prints]


def run(assignment: str, directory: Path, out: Path, *, exclude: tuple[Path, ...] = (), floor: float = FLOOR,
        top: int = TOP, common: float | None = None, jobs: int | None = None,
        gradebook: bool = True) -> SimilarityResult:
    """Compare every pair of submissions of ``directory``; write ``similarity.csv`` and
    ``similarity.html`` into ``out``, and the ``similarity`` table of ``out``'s gradebook
    when there is one. ``common``: drop fingerprints found in more than this share of the
    submissions (off by default)."""
    from ..batch.entries import discover
    from ..reference import starter_root
    from ..suites import ASSIGNMENTS, SUITES, load_suite
    from . import report
    from .index import compare
    from .prints import given
    from .sources import collect

    if assignment not in SUITES and assignment not in ASSIGNMENTS:
        raise SimilarityError(f"unknown assignment {assignment!r}; known: {', '.join([*ASSIGNMENTS, *SUITES])}")
    started = time.perf_counter()
    directory, out = Path(directory), Path(out)
    starter = starter_root() / load_suite(assignment).starter
    for folder in (directory, starter, *exclude):
        if not Path(folder).is_dir():
            raise SimilarityError(f"{folder} is not a folder")
    found = discover(directory, ignore=out)
    skipped = list(found.skipped) + [(s, f"two entries for {s}: {', '.join(n)}; compared as neither")
                                     for s, n in found.ambiguous.items()]
    folders = [starter, *map(Path, exclude)]
    code_given = given(folders)
    prints = fingerprint_all(sorted(found.submissions.items()), code_given, jobs)
    fingerprinted = time.perf_counter()
    collecting = gc.isenabled()
    gc.disable()  # millions of small objects (regions) that hold no cycles: no need to walk them again and again
    try:
        comparison = compare(prints, floor, common)
        compared = time.perf_counter()
        result = SimilarityResult(assignment, prints, comparison, [str(f) for f in folders], skipped,
                                  code_given.notes, floor=floor, top=top, common=common)
        shown = {s for pair in comparison.pairs[:top] for s in (pair.a, pair.b)}
        result.texts = {prints[s].student: {c.name: c.text for c in collect(found.submissions[prints[s].student]).files}
                        for s in shown}
        out.mkdir(parents=True, exist_ok=True)
        listed = report.rows(result)
        if gradebook:
            report.save_to_gradebook(out, result, listed)
        result.files = [report.write_csv(out / "similarity.csv", listed),
                        report.write_html(out / "similarity.html", result)]
    finally:
        if collecting:
            gc.enable()
    result.timings = {"read and fingerprint": fingerprinted - started, "compare": compared - fingerprinted,
                      "write": time.perf_counter() - compared}
    result.seconds = time.perf_counter() - started
    return result


def fingerprint_all(entries: list[tuple[str, Path]], code_given: Given, jobs: int | None) -> list[Prints]:
    """Every submission's fingerprints, in the order given; over ``jobs`` processes for a
    large batch. A submission that fails here gets an error, never stops the others."""
    jobs = jobs or len(os.sched_getaffinity(0))
    if jobs < 2 or len(entries) < PARALLEL_FROM:
        return [_safe_prints(student, path, code_given) for student, path in entries]
    chunk = max(1, len(entries) // (jobs * 8))
    try:
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn"), initializer=_remember,
                                 initargs=(code_given,)) as pool:
            return list(pool.map(_pool_prints, entries, chunksize=chunk))
    except (BrokenProcessPool, OSError):  # no processes to be had here (or one died): all in this one
        return [_safe_prints(student, path, code_given) for student, path in entries]


def _safe_prints(student: str, path: Path, code_given: Given) -> Prints:
    from .prints import Prints, submission_prints

    try:
        return submission_prints(student, path, code_given)
    except Exception as exc:  # a bug of ours on odd input: this submission is left out, the report goes on
        return Prints(student, error=f"could not be fingerprinted (grader error: {type(exc).__name__}: {exc})"[:500])


_GIVEN: Given | None = None


def _remember(code_given: Given) -> None:
    global _GIVEN
    _GIVEN = code_given


def _pool_prints(entry: tuple[str, Path]) -> Prints:
    return _safe_prints(entry[0], entry[1], _GIVEN)
