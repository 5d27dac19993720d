"""The registered suites and assignments.

``SUITES``: every suite by name (one per course edition, ``assignment1-2025-2026``, and
the two halves of assignment 2), mapped to the function that builds it. ``ASSIGNMENTS``:
each assignment's editions, for grading a folder whose year is detected from it.
"""
from __future__ import annotations

import functools

from ..editions import Edition, find
from ..suite import Suite
from . import assignment1, assignment2

ASSIGNMENTS: dict[str, list[Edition]] = {"assignment1": assignment1.EDITIONS, "assignment2": assignment2.EDITIONS}
DEFAULTS = {"assignment1": assignment1.DEFAULT, "assignment2": assignment2.DEFAULT}

SUITES = {edition.suite_name: edition.suite for editions in ASSIGNMENTS.values() for edition in editions}
SUITES.update({"assignment2-numpy": assignment2.numpy_suite,  # the 2021-2024 NumPy parts
               "assignment2-pytorch": assignment2.pytorch_suite,  # the PyTorch notebook alone
               "assignment2-rnn": assignment2.rnn_suite})  # RNN captioning alone


@functools.lru_cache(maxsize=None)
def load_suite(name: str) -> Suite:
    """A suite by name; an assignment's name gives its default edition (2021-2024, the
    layout the starter code follows)."""
    if name in ASSIGNMENTS:
        return find(ASSIGNMENTS[name], DEFAULTS[name]).suite()
    if name not in SUITES:
        raise KeyError(f"no suite {name!r}; known: {', '.join([*ASSIGNMENTS, *SUITES])}")
    return SUITES[name]()


def edition_of(name: str) -> Edition | None:
    """The edition a suite name stands for, if it is one."""
    return next((e for editions in ASSIGNMENTS.values() for e in editions if e.suite_name == name), None)
