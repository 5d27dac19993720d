"""The grader as a library: one entry point per job, with keyword options.

    from grader import api
    report = api.grade("assignment1", "path/to/assignment1")
    report = api.grade("assignment2", path, data_dir="cifar-10-batches-py", seed=7, limits=Limits(timeout=60))

The ``grade`` command, ``grade batch`` (on this machine and on Dask), the mutation
runner and the tests all call ``grade``; none of them assembles a reference, a
dataset or the limits itself.
"""
from __future__ import annotations

import functools
from dataclasses import replace
from pathlib import Path
from typing import Callable

from . import data, editions
from .grading import run_suite
from .reference import References
from .results import CheckResult, Report
from .suite import Suite
from .suites import ASSIGNMENTS, load_suite
from .worker import sandbox
from .worker.limits import Limits


def grade(assignment: str | Suite, path: str | Path, *, edition: int | str | None = None,
          data_dir: str | Path | None = None, dataset: data.Dataset | None = None, seed: int = 0,
          limits: Limits = Limits(), device: str | None = None, references: References | None = None,
          on_result: Callable[[CheckResult], None] | None = None) -> Report:
    """Grade the submission at ``path`` (a folder, .zip or .ipynb) for ``assignment``;
    always returns a full report.

    ``assignment``: an assignment (``"assignment1"``: its edition is detected from the
    folder, or given as ``edition``, a year or an edition's name), a registered suite's
    name (``"assignment1-2025-2026"``), or a suite. ``data_dir``: a CIFAR-10 folder (else
    ``dataset``, else the embedded data or a verified CIFAR-10 inside the submission).
    ``device``: "cpu", "cuda" or "auto", where PyTorch code runs (else ``limits.device``);
    "cuda" where there is no GPU is a ValueError. ``references``: a pool shared by many
    gradings (a batch), so that the reference's answers are computed once; without one,
    a reference is started for this grading and stopped after it.
    """
    limits = replace(limits, device=device) if device is not None else limits
    check_device(limits.device)
    if data_dir is not None and dataset is None:
        dataset = data.load(data_dir)
    pick = None
    if isinstance(assignment, Suite):
        suite = assignment
    elif assignment in ASSIGNMENTS:
        choices = ASSIGNMENTS[assignment]
        suite = load_suite(assignment)
        if edition is not None:
            editions.find(choices, edition)  # an unknown edition is the caller's error, before anything runs
        pick = functools.partial(_edition_suite, choices, edition)
    else:
        suite = load_suite(assignment)
    return run_suite(suite, path, pick=pick, dataset=dataset, seed=seed, limits=limits, references=references,
                     on_result=on_result)


def _edition_suite(choices, edition, root):
    """The suite of the edition detected in ``root`` (or asked for), and the note that says so."""
    chosen, note = editions.detect(choices, root, edition)
    return load_suite(chosen.suite_name), note


def check_device(device: str) -> None:
    """A ValueError when ``device`` asks for a GPU that is not there."""
    if device == "cuda" and not sandbox.cuda_available():
        raise ValueError("--device cuda: PyTorch finds no CUDA GPU on this machine; grade with --device cpu or auto "
                         "(training that cannot finish on the CPU then ends needs_gpu)")
