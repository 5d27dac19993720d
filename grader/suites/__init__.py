"""One module per assignment, each defining ``SUITE``: the table of what is checked."""
from __future__ import annotations

import importlib

SUITES = {
    "assignment1": "grader.suites.assignment1",
    "assignment2": "grader.suites.assignment2",
    "assignment2-pytorch": "grader.suites.pytorch",  # the PyTorch notebook alone
}


def load_suite(name: str):
    return importlib.import_module(SUITES[name]).SUITE
