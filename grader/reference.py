"""The reference: the source of the right answers, behind one interface.

``open_reference(suite, limits)`` is the one way to get it for a suite: the reference
solution of the suite, copied and prepared by the suite's workspace hooks exactly as
a submission is, run in a trusted worker under limits never tighter than the
defaults, its answers cached per request. Where there is no reference folder (a
student's install of the grader), or when told (``answers="fixtures"``, or
``$GRADER_ANSWERS``), the answers come from a recorded fixture instead
(``grader.fixtures``), behind the same interface: ``run(probe, seed)``, ``close()``,
and ``official`` (whether checks of official grading only may run). ``References``
keeps one per suite and limits for a batch, a test session or a mutation run.
Nothing else builds one.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np

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


def provided_root(assignment: str) -> Path:
    """Where the provided files the grader puts into workspaces (e.g. its pure-NumPy fast
    layers) come from: the reference folder, else the copies a student release ships."""
    folder = reference_root() / assignment
    return folder if folder.is_dir() else Path(__file__).resolve().parent / "provided" / assignment


def request_key(probe: Probe, seed: int) -> str:
    """The name of one request's answer, the same wherever it is computed: a SHA-256 of
    the request as plain data, arrays by dtype, shape and bytes (not by how ``.npy``
    lays them out, which may change between NumPy versions)."""
    def canonical(node):
        if isinstance(node, np.ndarray):
            array = np.ascontiguousarray(node)
            return {"$nd": [array.dtype.str, list(array.shape), hashlib.sha256(array.tobytes()).hexdigest()]}
        if isinstance(node, tuple):
            return {"$tuple": [canonical(item) for item in node]}
        if isinstance(node, list):
            return [canonical(item) for item in node]
        if isinstance(node, dict):
            return {key: canonical(value) for key, value in node.items()}
        if isinstance(node, float) and not math.isfinite(node):
            return {"$float": repr(node)}
        return node if node is None or isinstance(node, (bool, int, float, str)) else repr(node)
    plain = wire.decode(wire.encode({"kind": probe.kind, "spec": probe.spec, "seed": seed}))
    return hashlib.sha256(json.dumps(canonical(plain), sort_keys=True).encode()).hexdigest()


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

    official = True  # everything may run, hidden checks included

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
        key = request_key(probe, seed)
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


ANSWERS = ("auto", "reference", "fixtures")


def answer_source(suite, answers: str | None = None) -> str:
    """Where ``suite``'s answers come from: "reference" (a live worker on the reference
    folder) or "fixtures" (recorded). ``answers`` (else ``$GRADER_ANSWERS``, else "auto")
    may say which; "auto" takes the reference folder when it is there."""
    asked = answers or os.environ.get("GRADER_ANSWERS") or "auto"
    if asked not in ANSWERS:
        raise ValueError(f"answers {asked!r}: expected one of {', '.join(ANSWERS)}")
    if asked == "auto":
        return "reference" if (reference_root() / suite.reference / "cs231n").is_dir() else "fixtures"
    return asked


def open_reference(suite, limits: Limits = Limits(), answers: str | None = None):
    """The reference of ``suite`` (or its recorded answers, see ``answer_source``): the
    one constructor every caller uses."""
    if answer_source(suite, answers) == "fixtures":
        from .fixtures import FixtureReference
        return FixtureReference(suite)
    return Reference(suite, limits)


class References:
    """References shared by many gradings, one per (suite, reference limits), started on first use."""

    def __init__(self):
        self._open: dict[tuple, Reference] = {}

    def get(self, suite, limits: Limits = Limits()) -> Reference:
        # The suite's name and its parts' hooks decide what the reference computes.
        key = (suite.name, suite.reference, tuple(p.prepare for p in suite.parts), reference_limits(limits),
               answer_source(suite))
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
