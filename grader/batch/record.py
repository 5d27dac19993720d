"""One graded submission of a batch, as plain data, and the status it ends with.

A ``Graded`` is what a grading process (local or on a Dask worker) sends back to
the batch, what the gradebook stores, and what the exports read: numbers, strings
and the grader's own ``Report``, never an object made by student code.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from .. import __version__
from ..results import CheckResult, Report, Status


class SubmissionStatus(str, Enum):
    """How one submission ended, from the statuses of its checks (``submission_status``)."""

    OK = "ok"
    PARTIAL = "partial"
    TIMEOUT = "timeout"
    MEMORY = "memory"
    CRASH = "crash"
    IMPORT_ERROR = "import_error"
    MISSING = "missing"
    INVALID_SUBMISSION = "invalid_submission"
    GRADER_ERROR = "grader_error"
    PENDING = "pending"


MEANING = {
    SubmissionStatus.OK: "every check passed",
    SubmissionStatus.PARTIAL: "the code ran; some answers are wrong or not implemented",
    SubmissionStatus.TIMEOUT: "some code ran out of time",
    SubmissionStatus.MEMORY: "some code ran out of memory",
    SubmissionStatus.CRASH: "some code raised an exception or stopped its process",
    SubmissionStatus.IMPORT_ERROR: "a module failed to import",
    SubmissionStatus.MISSING: "a function, class or module is missing",
    SubmissionStatus.INVALID_SUBMISSION: "nothing gradable was handed in",
    SubmissionStatus.GRADER_ERROR: "the grader failed, not the code: it will be graded again",
    SubmissionStatus.PENDING: "not graded yet",
}


# The causes that name a submission's status, most telling first: a submission that
# hangs in one function and crashes in another is "timeout".
CAUSES = (
    (Status.TIMEOUT, SubmissionStatus.TIMEOUT),
    (Status.MEMORY, SubmissionStatus.MEMORY),
    (Status.CRASH, SubmissionStatus.CRASH),
    (Status.NUMPY2, SubmissionStatus.CRASH),
    (Status.IMPORT_ERROR, SubmissionStatus.IMPORT_ERROR),
    (Status.MISSING, SubmissionStatus.MISSING),
)

# Worst first: the order of every list of submissions in the reports.
SEVERITY = (SubmissionStatus.INVALID_SUBMISSION, SubmissionStatus.GRADER_ERROR, SubmissionStatus.TIMEOUT,
            SubmissionStatus.MEMORY, SubmissionStatus.CRASH, SubmissionStatus.IMPORT_ERROR, SubmissionStatus.MISSING,
            SubmissionStatus.PARTIAL, SubmissionStatus.OK, SubmissionStatus.PENDING)

# Statuses that --resume keeps; the others are graded again.
FINAL = frozenset(SEVERITY) - {SubmissionStatus.GRADER_ERROR, SubmissionStatus.PENDING}


def submission_status(results: list[CheckResult]) -> SubmissionStatus:
    """The rule, first match wins:

    1. no checks, or any check ``invalid_submission``: ``invalid_submission``;
    2. any check ``grader_error``: ``grader_error`` (the score cannot be trusted);
    3. every check ``passed`` with its full points: ``ok``;
    4. the first of timeout, memory, crash (or numpy2), import_error, missing that
       some check has: that status;
    5. otherwise (checks failed, not implemented or skipped): ``partial``.
    """
    statuses = {r.status for r in results}
    if not results or Status.INVALID_SUBMISSION in statuses:
        return SubmissionStatus.INVALID_SUBMISSION
    if Status.GRADER_ERROR in statuses:
        return SubmissionStatus.GRADER_ERROR
    if statuses == {Status.PASSED} and all(r.score >= r.max_score for r in results):
        return SubmissionStatus.OK
    for cause, status in CAUSES:
        if cause in statuses:
            return status
    return SubmissionStatus.PARTIAL


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
