"""Grading one submission: a suite's checks run against a student worker and the reference.

This is the data flow of ``shared/design.md``: submission -> workspace -> for each
check: inputs made here from a seed -> student worker and reference worker ->
comparison here -> result. One check's failure, whatever it is, never stops the
others, and every check ends with a result.
"""
from __future__ import annotations

import time
import traceback
import zlib
from pathlib import Path
from typing import Callable

import numpy as np

from . import __version__, data
from .checks import Check, Verdict
from .probe import Probe
from .reference import GraderError, Reference, References, open_reference
from .results import CheckResult, HiddenCheck, Report, Status
from .submission import PACKAGE, InvalidSubmission, prepare
from .suite import Suite
from .worker import numpy2, sandbox
from .worker.client import Worker
from .worker.limits import Limits

MAX_SOURCE = 2 << 20  # bytes of a source file read for static checks


class Context:
    """What a check sees while it judges (see ``checks``)."""

    def __init__(self, student: Worker, reference: Reference, dataset: data.Dataset, root: Path, seed: int,
                 student_args: dict[str, str] | None = None):
        self._student, self._reference = student, reference
        self.dataset, self.root, self.seed = dataset, root, seed
        self.student_args = student_args or {}
        self.sources: dict[str, bytes] | None = None
        self.begin("")

    def begin(self, title: str) -> None:
        self.probe_seed = (zlib.crc32(title.encode()) ^ self.seed) & 0x7FFFFFFF
        self.rng = np.random.default_rng([self.seed, zlib.crc32(title.encode())])
        self.output, self.seconds = [], 0.0

    def student(self, probe: Probe):
        reply = self._student.ask(probe.renamed(self.student_args), seed=self.probe_seed)
        self.seconds += reply.seconds
        if reply.output:
            self.output.append(reply.output)
        return reply

    def reference(self, probe: Probe):
        return self._reference.run(probe, self.probe_seed)

    def source(self, relative: str) -> str | None:
        """A source file as handed in (from the snapshot taken before any worker ran,
        when there is one: code under test may rewrite its own files)."""
        data = self.file(relative)
        return None if data is None else data[:MAX_SOURCE].decode("utf-8", errors="replace")

    def file(self, relative: str) -> bytes | None:
        """A file of the snapshot (sources, saved models), as bytes; None when absent."""
        if self.sources is not None:
            return self.sources.get(Path(relative).as_posix())
        path = self.root / relative
        if not path.is_file() or path.is_symlink():
            return None
        with open(path, "rb") as handle:
            return handle.read(16 << 20)


Pick = Callable[[Path | None], tuple[Suite, str]]  # the folder holding cs231n/ (or None) -> suite, note


def run_suite(suite: Suite, path: str | Path, *, pick: Pick | None = None, dataset: data.Dataset | None = None,
              seed: int = 0, limits: Limits = Limits(), on_result: Callable[[CheckResult], None] | None = None,
              references: References | None = None) -> Report:
    """Grade one submission; always returns a full report. Callers go through
    ``grader.api.grade``.

    ``pick`` chooses the suite (a course edition) from the submission's folder, before
    anything runs; ``suite`` is used without one, and for a submission that cannot be
    opened. ``references`` may be shared across submissions (their answers are cached);
    by default a reference is started for this submission and closed again.
    """
    started = time.perf_counter()
    report = Report(suite.name, str(path), dataset="", grader_version=__version__)

    def record(check: Check, verdict: Verdict, seconds: float = 0.0, output: str = "") -> None:
        fraction = verdict.fraction if verdict.fraction is not None else float(verdict.status is Status.PASSED)
        result = CheckResult(check.title, check.part, check.points, round(check.points * fraction, 4),
                             verdict.status, verdict.feedback, output, seconds, hidden=check.hidden)
        report.results.append(result)
        if on_result:
            on_result(result)

    try:
        submission = prepare(path, needs_package=suite.needs_package)
    except InvalidSubmission as exc:
        for check in suite.checks:
            record(check, Verdict(Status.INVALID_SUBMISSION, str(exc)))
        report.execution_time = time.perf_counter() - started
        return report

    with submission:
        if pick is not None:
            suite, note = pick(submission.root if submission.package_root is not None else None)
            report.assignment = suite.name
            report.notes.append(note)
        report.notes += submission.notes
        report.notes += suite.prepare_workspace(submission.root)
        dataset, notes = data.choose(dataset, submission.package_root)
        report.dataset = dataset.name
        report.notes += notes + [isolation_note(limits)] + ([numpy2.note()] if limits.numpy_compat else [])
        student = Worker(submission.root, limits, hide=data.private_files())
        own_reference = references is None
        reference = open_reference(suite, limits) if own_reference else references.get(suite, limits)
        no_package = submission.package_root is None
        if getattr(reference, "note", ""):  # where the answers come from, when not the reference folder
            report.notes.append(reference.note)
        try:
            ctx = Context(student, reference, dataset, submission.root, seed, suite.student_args)
            ctx.sources = submission.snapshot()  # before the first check starts the worker
            passed: set[str] = set()
            for check in suite.checks:
                if check.hidden and not reference.official:  # recorded answers: a student's own run
                    report.hidden.append(HiddenCheck(check.title, check.part, check.points))
                    continue
                ctx.begin(check.title)
                if no_package and suite.part(check.part).needs_package:
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
    if report.hidden:
        report.notes.append(hidden_note(report.hidden))
    report.execution_time = time.perf_counter() - started
    return report


def judge(check: Check, ctx: Context) -> Verdict:
    try:
        return check.judge(ctx)
    except GraderError as exc:
        return Verdict(Status.GRADER_ERROR, str(exc))
    except Exception:  # a bug in the grader itself: say so, keep going with the other checks
        return Verdict(Status.GRADER_ERROR, "the grader failed on this check:\n" + traceback.format_exc(limit=-3))


def hidden_note(hidden: list[HiddenCheck]) -> str:
    points = sum(h.max_score for h in hidden)
    return (f"{len(hidden)} hidden check{'s' * (len(hidden) != 1)} ({points:g} points) run only in official "
            f"grading: {'; '.join(h.name for h in hidden)}")


def isolation_note(limits: Limits) -> str:
    return sandbox.describe(limits)
