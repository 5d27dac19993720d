"""One module per assignment, each defining ``SUITE``: the table of what is checked."""
from __future__ import annotations

import importlib

SUITES = {  # name: "module" (its SUITE) or "module:NAME"
    "assignment1": "grader.suites.assignment1",
    "assignment2": "grader.suites.assignment2",
    "assignment2-numpy": "grader.suites.assignment2:NUMPY_SUITE",  # all but the notebook
    "assignment2-pytorch": "grader.suites.pytorch",  # the PyTorch notebook alone
}


def load_suite(name: str):
    module, _, attribute = SUITES[name].partition(":")
    return getattr(importlib.import_module(module), attribute or "SUITE")
