"""The registered suites: one name per assignment (and per course edition of it), each
built from parts. ``SUITES`` maps a name to the function that builds the suite."""
from __future__ import annotations

import functools

from ..suite import Suite
from . import assignment1, assignment2

SUITES = {
    "assignment1": assignment1.suite,
    "assignment2": assignment2.suite,
    "assignment2-numpy": assignment2.numpy_suite,  # all but the notebook
    "assignment2-pytorch": assignment2.pytorch_suite,  # the PyTorch notebook alone
}


@functools.lru_cache(maxsize=None)
def load_suite(name: str) -> Suite:
    if name not in SUITES:
        raise KeyError(f"no suite {name!r}; known: {', '.join(SUITES)}")
    return SUITES[name]()
