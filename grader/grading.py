"""Grading one submission: a suite's checks run against a student worker and the reference.

This is the data flow of ``shared/design.md``: submission -> workspace -> for each
check: inputs made here from a seed -> student worker and reference worker ->
comparison here -> result. One check's failure, whatever it is, never stops the
others, and every check ends with a result.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
import traceback
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

import numpy as np

from . import __version__, data
from .checks import Check, Verdict
from .probe import Probe
from .results import CheckResult, Report, Status
from .submission import PACKAGE, InvalidSubmission, copy_tree, prepare
from .worker import sandbox, wire
from .worker.client import Worker
from .worker.limits import Limits

MAX_SOURCE = 2 << 20  # bytes of a source file read for static checks


@dataclass
class Suite:
    """One assignment: its checks, grouped in parts, and its reference folder's name."""

    name: str
    reference: str
    parts: dict[str, list[Check]]
    needs_package: bool = True
    # Parts that can be graded from a submission without the package (e.g. a lone
    # notebook); the other parts' checks then say the package is missing.
    package_free_parts: tuple[str, ...] = ()
    # Run on each workspace (and the reference's) before any worker starts, e.g. to turn a
    # notebook into an importable module; returns notes for the report.
    prepare_workspace: Callable[[Path], list[str]] | None = None
    checks: list[Check] = field(init=False)

    def __post_init__(self):
        self.checks = []
        for part, checks in self.parts.items():
            for check in checks:
                check.part = part
                self.checks.append(check)
        titles = [c.title for c in self.checks]
        duplicated = {t for t in titles if titles.count(t) > 1}
        unknown = {r for c in self.checks for r in c.requires if r not in titles}
        unknown |= {p for p in self.package_free_parts if p not in self.parts}
        if duplicated or unknown:
            raise ValueError(f"suite {self.name}: duplicated {duplicated or '-'}, unknown requirements {unknown or '-'}")

    def without(self, *parts: str, name: str) -> "Suite":
        """The same suite minus some parts, under another name."""
        kept = {part: checks for part, checks in self.parts.items() if part not in parts}
        return replace(self, name=name, parts=kept,
                       package_free_parts=tuple(p for p in self.package_free_parts if p in kept))

    @property
    def max_score(self) -> float:
        return sum(c.points for c in self.checks)


def reference_root() -> Path:
    """Where the reference solutions live: $GRADER_REFERENCE_ROOT, else the project's."""
    return Path(os.environ.get("GRADER_REFERENCE_ROOT") or Path(__file__).resolve().parents[1] / "reference")


class GraderError(RuntimeError):
    """Something on the grader's side failed (the reference, a suite); never the student's fault."""


class Reference:
    """The trusted reference, run through the same worker mechanism, answers cached.

    With ``prepare_workspace`` (a suite's hook), the reference runs from a scratch copy
    that the hook has prepared, as a submission does, so nothing is written into the
    reference folder.
    """

    def __init__(self, root: Path, limits: Limits, prepare_workspace: Callable[[Path], list[str]] | None = None):
        if not (root / "cs231n").is_dir():
            raise GraderError(f"no reference solution at {root}")
        self._temp = None
        if prepare_workspace:
            self._temp = Path(tempfile.mkdtemp(prefix="reference-"))
            try:
                copy_tree(root, self._temp / "work", [])
                prepare_workspace(self._temp / "work")
            except BaseException:
                shutil.rmtree(self._temp, ignore_errors=True)
                raise
            root = self._temp / "work"
        self.worker = Worker(root, limits, label="reference", trusted=True)
        self.cache: dict[str, object] = {}

    def run(self, probe: Probe, seed: int):
        key = hashlib.sha256(wire.frame({"kind": probe.kind, "spec": probe.spec, "seed": seed})).hexdigest()
        if key not in self.cache:
            reply = self.worker.run(probe.kind, probe.spec, probe.modules, seed=seed, timeout=probe.timeout)
            if not reply.ok:
                raise GraderError(f"the reference failed on {probe.label}: {reply.status}: {reply.message} {reply.where}")
            self.cache[key] = reply.value
        return self.cache[key]

    def close(self):
        self.worker.close()
        if self._temp:
            shutil.rmtree(self._temp, ignore_errors=True)


class Context:
    """What a check sees while it judges (see ``checks``)."""

    def __init__(self, student: Worker, reference: Reference, dataset: data.Dataset, root: Path, seed: int):
        self._student, self._reference = student, reference
        self.dataset, self.root, self.seed = dataset, root, seed
        self.sources: dict[str, bytes] | None = None
        self.begin("")

    def begin(self, title: str) -> None:
        self.probe_seed = (zlib.crc32(title.encode()) ^ self.seed) & 0x7FFFFFFF
        self.rng = np.random.default_rng([self.seed, zlib.crc32(title.encode())])
        self.output, self.seconds = [], 0.0

    def student(self, probe: Probe):
        reply = self._student.run(probe.kind, probe.spec, probe.modules, seed=self.probe_seed, timeout=probe.timeout)
        self.seconds += reply.seconds
        if reply.output:
            self.output.append(reply.output)
        return reply

    def reference(self, probe: Probe):
        return self._reference.run(probe, self.probe_seed)

    def source(self, relative: str) -> str | None:
        """A source file as handed in (from the snapshot taken before any worker ran,
        when there is one: code under test may rewrite its own files)."""
        if self.sources is not None:
            text = self.sources.get(Path(relative).as_posix())
            return None if text is None else text[:MAX_SOURCE].decode("utf-8", errors="replace")
        path = self.root / relative
        if not path.is_file() or path.is_symlink():
            return None
        with open(path, "rb") as handle:
            return handle.read(MAX_SOURCE).decode("utf-8", errors="replace")


def grade(suite: Suite, path: str | Path, *, dataset: data.Dataset | None = None, seed: int = 0,
          limits: Limits = Limits(), on_result: Callable[[CheckResult], None] | None = None,
          reference: Reference | None = None) -> Report:
    """Grade one submission with one suite; always returns a full report.

    ``reference`` may be shared across submissions (its answers are cached); by
    default one is started for this submission and closed again.
    """
    started = time.perf_counter()
    report = Report(suite.name, str(path), dataset="", grader_version=__version__)

    def record(check: Check, verdict: Verdict, seconds: float = 0.0, output: str = "") -> None:
        fraction = verdict.fraction if verdict.fraction is not None else float(verdict.status is Status.PASSED)
        result = CheckResult(check.title, check.part, check.points, round(check.points * fraction, 4),
                             verdict.status, verdict.feedback, output, seconds)
        report.results.append(result)
        if on_result:
            on_result(result)

    try:
        submission = prepare(path, needs_package=suite.needs_package and not suite.package_free_parts)
    except InvalidSubmission as exc:
        for check in suite.checks:
            record(check, Verdict(Status.INVALID_SUBMISSION, str(exc)))
        report.execution_time = time.perf_counter() - started
        return report

    with submission:
        report.notes += submission.notes
        if suite.prepare_workspace:
            report.notes += suite.prepare_workspace(submission.root)
        dataset, notes = data.choose(dataset, submission.package_root)
        report.dataset = dataset.name
        report.notes += notes + [isolation_note(limits)]
        student = Worker(submission.root, limits)
        own_reference = reference is None
        if own_reference:
            reference = Reference(reference_root() / suite.reference, limits, suite.prepare_workspace)
        no_package = suite.needs_package and submission.package_root is None
        try:
            ctx = Context(student, reference, dataset, submission.root, seed)
            ctx.sources = submission.snapshot()  # before the first check starts the worker
            passed: set[str] = set()
            for check in suite.checks:
                ctx.begin(check.title)
                if no_package and check.part not in suite.package_free_parts:
                    record(check, Verdict(Status.INVALID_SUBMISSION, f"no '{PACKAGE}' package folder found in "
                                          f"{Path(path).name}: only the {', '.join(suite.package_free_parts)} "
                                          "part can be graded without it"))
                    continue
                unmet = [r for r in check.requires if r not in passed]
                if unmet:
                    record(check, Verdict(Status.SKIPPED, f"needs '{unmet[0]}' to pass first"))
                    continue
                verdict = judge(check, ctx)
                record(check, verdict, ctx.seconds, "".join(ctx.output))
                if verdict.status is Status.PASSED:
                    passed.add(check.title)
        finally:
            student.close()
            if own_reference:
                reference.close()
    report.execution_time = time.perf_counter() - started
    return report


def judge(check: Check, ctx: Context) -> Verdict:
    try:
        return check.judge(ctx)
    except GraderError as exc:
        return Verdict(Status.GRADER_ERROR, str(exc))
    except Exception:  # a bug in the grader itself: say so, keep going with the other checks
        return Verdict(Status.GRADER_ERROR, "the grader failed on this check:\n" + traceback.format_exc(limit=-3))


def isolation_note(limits: Limits) -> str:
    return sandbox.describe(limits)
