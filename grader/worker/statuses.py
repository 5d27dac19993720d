"""Every status a check or a submission can end with: the one list that the worker,
the grader, the gradebook and the reports share.

This module lives in ``grader.worker`` because the worker (inside the sandbox, where
only ``grader/worker`` is mounted) names the statuses it reports with it too.
"""
from __future__ import annotations

from enum import Enum


class Status(str, Enum):
    """Why a check got the score it got."""

    PASSED = "passed"
    FAILED = "failed"  # ran, but the answer is wrong
    NOT_IMPLEMENTED = "not_implemented"  # raised NotImplementedError or returned None
    MISSING = "missing"  # the function, class or module is not there
    IMPORT_ERROR = "import_error"  # the module failed to import
    CRASH = "crash"  # the code raised, or the worker died
    TIMEOUT = "timeout"
    MEMORY = "memory"
    NUMPY2 = "numpy2"  # uses an API that NumPy 2 removed
    SKIPPED = "skipped"  # a check it builds on did not pass
    NEEDS_GPU = "needs_gpu"  # the run cannot finish on this machine's CPU: not judged here, no points yet
    INVALID_SUBMISSION = "invalid_submission"  # nothing gradable was handed in
    GRADER_ERROR = "grader_error"  # our fault, never the student's


# What a worker may say about the code it ran; any other claim is read as a crash.
FROM_WORKER = frozenset({Status.FAILED, Status.NOT_IMPLEMENTED, Status.MISSING, Status.IMPORT_ERROR,
                         Status.CRASH, Status.MEMORY, Status.NUMPY2})


def from_worker(claimed) -> Status:
    """The status a worker's reply names, when it may name it; else ``crash``."""
    return next((s for s in FROM_WORKER if s.value == claimed), Status.CRASH)


class SubmissionStatus(str, Enum):
    """How one submission ended, from the statuses of its checks (``submission_status``)."""

    OK = "ok"
    PARTIAL = "partial"
    NEEDS_GPU = "needs_gpu"
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
    SubmissionStatus.NEEDS_GPU: "a training run cannot finish on this machine's CPU: grade it again on a GPU",
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
# hangs in one function and crashes in another is "timeout". A check that needs a GPU
# comes first: the submission's score is not final until it is graded on one.
CAUSES = (
    (Status.NEEDS_GPU, SubmissionStatus.NEEDS_GPU),
    (Status.TIMEOUT, SubmissionStatus.TIMEOUT),
    (Status.MEMORY, SubmissionStatus.MEMORY),
    (Status.CRASH, SubmissionStatus.CRASH),
    (Status.NUMPY2, SubmissionStatus.CRASH),
    (Status.IMPORT_ERROR, SubmissionStatus.IMPORT_ERROR),
    (Status.MISSING, SubmissionStatus.MISSING),
)

# Worst first: the order of every list of submissions in the reports.
SEVERITY = (SubmissionStatus.INVALID_SUBMISSION, SubmissionStatus.GRADER_ERROR, SubmissionStatus.NEEDS_GPU,
            SubmissionStatus.TIMEOUT, SubmissionStatus.MEMORY, SubmissionStatus.CRASH, SubmissionStatus.IMPORT_ERROR,
            SubmissionStatus.MISSING, SubmissionStatus.PARTIAL, SubmissionStatus.OK, SubmissionStatus.PENDING)

# Statuses that --resume keeps; the others are graded again.
FINAL = frozenset(SEVERITY) - {SubmissionStatus.GRADER_ERROR, SubmissionStatus.PENDING}


def submission_status(statuses_and_full: list[tuple[Status, bool]]) -> SubmissionStatus:
    """The rule, first match wins, over each check's (status, earned its full points):

    1. no checks, or any check ``invalid_submission``: ``invalid_submission``;
    2. any check ``grader_error``: ``grader_error`` (the score cannot be trusted);
    3. every check ``passed`` with its full points: ``ok``;
    4. the first of needs_gpu, timeout, memory, crash (or numpy2), import_error, missing
       that some check has: that status;
    5. otherwise (checks failed, not implemented or skipped): ``partial``.
    """
    statuses = {status for status, _ in statuses_and_full}
    if not statuses_and_full or Status.INVALID_SUBMISSION in statuses:
        return SubmissionStatus.INVALID_SUBMISSION
    if Status.GRADER_ERROR in statuses:
        return SubmissionStatus.GRADER_ERROR
    if statuses == {Status.PASSED} and all(full for _, full in statuses_and_full):
        return SubmissionStatus.OK
    for cause, status in CAUSES:
        if cause in statuses:
            return status
    return SubmissionStatus.PARTIAL
