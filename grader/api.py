"""The grader as a library: one entry point per job, with keyword options.

    from grader import api
    report = api.grade("assignment1", "path/to/assignment1")
    report = api.grade("assignment2", path, data_dir="cifar-10-batches-py", seed=7, limits=Limits(timeout=60))

The ``grade`` command, ``grade batch`` (on this machine and on Dask), the mutation
runner and the tests all call ``grade``; none of them assembles a reference, a
dataset or the limits itself.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Callable

from . import data
from .grading import run_suite
from .reference import References
from .results import CheckResult, Report
from .suite import Suite
from .suites import load_suite
from .worker import sandbox
from .worker.limits import Limits


def suite_of(assignment: str | Suite) -> Suite:
    return assignment if isinstance(assignment, Suite) else load_suite(assignment)


def grade(assignment: str | Suite, path: str | Path, *, data_dir: str | Path | None = None,
          dataset: data.Dataset | None = None, seed: int = 0, limits: Limits = Limits(),
          device: str | None = None, references: References | None = None,
          on_result: Callable[[CheckResult], None] | None = None) -> Report:
    """Grade the submission at ``path`` (a folder, .zip or .ipynb) for ``assignment``
    (a registered suite's name, or a suite); always returns a full report.

    ``data_dir``: a CIFAR-10 folder (else ``dataset``, else the embedded data or a
    verified CIFAR-10 inside the submission). ``device``: "cpu", "cuda" or "auto", where
    PyTorch code runs (else ``limits.device``); "cuda" where there is no GPU is a
    ValueError. ``references``: a pool shared by many gradings (a batch), so that the
    reference's answers are computed once; without one, a reference is started for
    this grading and stopped after it.
    """
    suite = suite_of(assignment)
    limits = replace(limits, device=device) if device is not None else limits
    check_device(limits.device)
    if data_dir is not None and dataset is None:
        dataset = data.load(data_dir)
    reference = references.get(suite, limits) if references is not None else None
    return run_suite(suite, path, dataset=dataset, seed=seed, limits=limits, reference=reference, on_result=on_result)


def check_device(device: str) -> None:
    """A ValueError when ``device`` asks for a GPU that is not there."""
    if device == "cuda" and not sandbox.cuda_available():
        raise ValueError("--device cuda: PyTorch finds no CUDA GPU on this machine; grade with --device cpu or auto "
                         "(training that cannot finish on the CPU then ends needs_gpu)")
