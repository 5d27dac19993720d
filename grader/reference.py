"""The reference: the source of the right answers, behind one interface.

``open_reference(suite, limits)`` is the one way to get it for a suite: the reference
solution of the suite, copied and prepared by the suite's workspace hooks exactly as
a submission is, run in a trusted worker under limits never tighter than the
defaults, its answers cached per request. ``References`` keeps one per suite and
limits for a batch, a test session or a mutation run. Nothing else builds one.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

from .probe import Probe
from .submission import copy_tree
from .worker import wire
from .worker.client import Worker
from .worker.limits import Limits

PROJECT = Path(__file__).resolve().parents[1]


class GraderError(RuntimeError):
    """Something on the grader's side failed (the reference, a suite); never the student's fault."""


def reference_root() -> Path:
    """Where the reference solutions live: $GRADER_REFERENCE_ROOT, else the project's."""
    return Path(os.environ.get("GRADER_REFERENCE_ROOT") or PROJECT / "reference")


def starter_root() -> Path:
    """Where the starter code lives (``assignments/`` of the project)."""
    return PROJECT / "assignments"


def reference_limits(limits: Limits) -> Limits:
    """The trusted reference is never held to budgets tighter than the defaults, so that
    small test limits for students do not turn into grader errors; it runs on the installed
    NumPy, whatever ``numpy_compat`` asks of the student's worker."""
    default = Limits()
    return replace(limits, timeout=max(limits.timeout, default.timeout),
                   timeout_scale=max(limits.timeout_scale, default.timeout_scale),
                   memory=max(limits.memory, default.memory), numpy_compat=False)


class Reference:
    """The trusted reference of one suite, run through the same worker mechanism as a
    submission (from a scratch copy its hooks have prepared), answers cached."""

    def __init__(self, suite, limits: Limits):
        root = reference_root() / suite.reference
        if not (root / "cs231n").is_dir():
            raise GraderError(f"no reference solution for {suite.name} at {root}")
        self._temp = Path(tempfile.mkdtemp(prefix="reference-"))
        try:
            copy_tree(root, self._temp / "work", [])
            suite.prepare_workspace(self._temp / "work")
        except BaseException:
            shutil.rmtree(self._temp, ignore_errors=True)
            raise
        self.worker = Worker(self._temp / "work", reference_limits(limits), label="reference", trusted=True)
        self.cache: dict[str, object] = {}

    def run(self, probe: Probe, seed: int):
        key = hashlib.sha256(wire.frame({"kind": probe.kind, "spec": probe.spec, "seed": seed})).hexdigest()
        if key not in self.cache:
            reply = self.worker.ask(probe, seed=seed)
            if not reply.ok:
                raise GraderError(f"the reference failed on {probe.label}: {reply.status.value}: {reply.message} "
                                  f"{reply.where}")
            self.cache[key] = reply.value
        return self.cache[key]

    def close(self) -> None:
        self.worker.close()
        shutil.rmtree(self._temp, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def open_reference(suite, limits: Limits = Limits()) -> Reference:
    """The reference of ``suite``: the one constructor every caller uses."""
    return Reference(suite, limits)


class References:
    """References shared by many gradings, one per (suite, reference limits), started on first use."""

    def __init__(self):
        self._open: dict[tuple, Reference] = {}

    def get(self, suite, limits: Limits = Limits()) -> Reference:
        # The suite's name and its parts' hooks decide what the reference computes.
        key = (suite.name, suite.reference, tuple(p.prepare for p in suite.parts), reference_limits(limits))
        if key not in self._open:
            self._open[key] = open_reference(suite, limits)
        return self._open[key]

    def close(self) -> None:
        for reference in self._open.values():
            reference.close()
        self._open.clear()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
