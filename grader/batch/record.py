"""One graded submission of a batch, as plain data, and the status it ends with.

A ``Graded`` is what a grading process (local or on a Dask worker) sends back to
the batch, what the gradebook stores, and what the exports read: numbers, strings
and the grader's own ``Report``, never an object made by student code.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from ..results import CheckResult, Report
from ..worker import statuses
from ..worker.statuses import SubmissionStatus


def submission_status(results: list[CheckResult]) -> SubmissionStatus:
    """How a submission ended, by the rule of ``statuses.submission_status``."""
    return statuses.submission_status([(r.status, r.score >= r.max_score) for r in results])


@dataclass
class Graded:
    """A submission's result in a batch: the report, how it ended, when and where."""

    student: str
    source: str  # the entry of the batch folder
    content_hash: str  # of what was graded (``entries.content_hash``)
    status: SubmissionStatus
    report: Report
    grader_version: str = ""
    settings: str = ""  # the limits, seed and data it was graded with (JSON)
    started_at: str = ""  # ISO 8601, UTC
    finished_at: str = ""
    seconds: float = 0.0  # wall clock, the whole submission
    graded_by: str = ""  # host and process id
    message: str = ""  # why, when the status is not explained by the checks

    @property
    def graded(self) -> bool:
        return self.status is not SubmissionStatus.PENDING


def grader_version(assignment_reference: Path) -> str:
    """The package version plus a fingerprint of everything that decides a grade: the
    grader's code (its reports and batch machinery aside) and the reference solution.
    ``--resume`` regrades a submission when this changes."""
    package = Path(__file__).resolve().parents[1]
    files = {f"grader/{p.relative_to(package)}": p for p in package.rglob("*.py")
             if not {"batch", "reports", "mutants"} & set(p.relative_to(package).parts)}
    files.update({f"reference/{p.relative_to(assignment_reference)}": p for p in assignment_reference.rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts})
    digest = hashlib.sha256()
    for name in sorted(files):
        body = files[name].read_bytes()
        digest.update(f"{name}\0{len(body)}\0".encode() + body)
    return f"{__version__}+{digest.hexdigest()[:12]}"
