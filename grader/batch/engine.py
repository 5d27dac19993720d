"""Grading many submissions at once: one function for one submission, two ways to run it.

``grade_one(job)`` grades one submission with ``grading.grade`` (so with the same
isolated student worker as ``grade ASSIGNMENT PATH``) and returns a ``Graded``:
plain data and the grader's own report. It runs in a grading process, never in the
batch's own process:

* ``run_local``: a pool of grading processes on this machine (spawned, one
  submission at a time each; a process that dies costs only its own submission);
* ``run_dask``: tasks on a Dask distributed cluster, one submission per task.

Either way the results come back to the caller as they finish (``on_done``), and
the caller alone writes the gradebook. A grading process keeps one reference
(``grader.reference.References``, its answers cached) for all the submissions it grades.
"""
from __future__ import annotations

import atexit
import functools
import json
import multiprocessing
import os
import signal
import socket
import threading
import time
import traceback
import uuid
from collections import Counter, deque
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timezone
from multiprocessing.connection import wait
from pathlib import Path
from typing import Callable, Iterable

from .. import api, data
from ..reference import References, reference_root
from ..results import Report
from ..suites import load_suite
from ..worker import procfs
from ..worker.limits import Limits
from .entries import content_hash
from ..worker.statuses import SubmissionStatus
from .record import Graded, grader_version, submission_status


@dataclass(frozen=True)
class Job:
    """One submission to grade, and how: everything a grading process needs, as plain data."""

    student: str
    path: str
    assignment: str
    limits: Limits = Limits()
    seed: int = 0
    data_dir: str | None = None
    edition: str | None = None  # None: detected from each submission (for an assignment)

    @property
    def settings(self) -> str:
        """What besides the content and the grader decides the grade; --resume compares it."""
        return json.dumps({"limits": asdict(self.limits), "seed": self.seed, "data": self.data_dir,
                           "edition": self.edition}, sort_keys=True)


OnDone = Callable[[Graded], None]


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def grade_one(job: Job) -> Graded:
    """Grade one submission; always returns a record, whatever the submission does."""
    started, clock = now(), time.perf_counter()
    suite = load_suite(job.assignment)
    hashed = content_hash(Path(job.path))  # before grading, as the batch hashed it for --resume
    try:
        report = api.grade(job.assignment, job.path, edition=job.edition, dataset=_dataset(job.data_dir),
                           seed=job.seed, limits=job.limits, references=_references())
        record = Graded(job.student, job.path, hashed, submission_status(report.results), report, settings=job.settings)
    except Exception:  # the grader's own failure: say so, keep the batch going
        record = failed(job, "the grader failed:\n" + traceback.format_exc(limit=-4))
    return replace(record, content_hash=hashed, grader_version=_version(suite.reference), started_at=started,
                   finished_at=now(), seconds=round(time.perf_counter() - clock, 3),
                   graded_by=f"{socket.gethostname()}:{os.getpid()}")


def failed(job: Job, message: str) -> Graded:
    """The record of a submission that could not be graded because of the grader."""
    return Graded(job.student, job.path, content_hash(Path(job.path)), SubmissionStatus.GRADER_ERROR,
                  Report(job.assignment, job.path, dataset=""), settings=job.settings, finished_at=now(),
                  message=message)


@functools.lru_cache(maxsize=None)
def _version(reference: str) -> str:
    return grader_version(reference_root() / reference)


@functools.lru_cache(maxsize=2)
def _dataset(data_dir: str | None) -> data.Dataset | None:
    return data.load(data_dir) if data_dir else None


_per_thread = threading.local()


def _references() -> References:
    """This thread's references, one per suite and limits, started on first use and
    kept for every submission the thread grades."""
    if not hasattr(_per_thread, "references"):
        _per_thread.references = References()
        atexit.register(_per_thread.references.close)
    return _per_thread.references


# -- the local pool ----------------------------------------------------------------------------

def run_local(jobs: Iterable[Job], workers: int, on_done: OnDone, grade: Callable[[Job], Graded] = grade_one) -> None:
    """Grade ``jobs`` in ``workers`` grading processes, one submission at a time each;
    ``on_done`` gets each result as it finishes. A submission whose grading process
    dies is tried once more in a fresh process, then recorded as a grader_error; no
    other submission is touched. On any exception (Ctrl-C) the processes and their
    workers are killed and the exception goes on: the in-flight submissions are lost."""
    queue, tries = deque(jobs), Counter()
    slots = [_Slot(grade) for _ in range(min(workers, len(queue)))]
    try:
        while queue or any(slot.job for slot in slots):
            for slot in slots:
                if slot.job is None and queue:
                    slot.give(queue.popleft())
            busy = {slot.connection: slot for slot in slots if slot.job} | {
                slot.process.sentinel: slot for slot in slots if slot.job}
            for ready in wait(list(busy)):
                slot = busy[ready]
                if slot.job is None:  # its result and its sentinel were both ready
                    continue
                job, result = slot.job, slot.take()
                if result is None:  # the process died
                    tries[job.student] += 1
                    if tries[job.student] < 2:
                        queue.appendleft(job)
                    else:
                        on_done(failed(job, "its grading process died twice while grading it"))
                    slot.restart()
                else:
                    on_done(result)
    finally:
        for slot in slots:
            slot.stop()


class _Slot:
    """One grading process and the submission it is grading (``job``, None when idle)."""

    def __init__(self, grade: Callable[[Job], Graded]):
        self.grade = grade
        self.restart()

    def restart(self) -> None:
        context = multiprocessing.get_context("spawn")
        self.connection, theirs = context.Pipe()
        self.process = context.Process(target=_serve, args=(theirs, self.grade), name="grading", daemon=True)
        self.process.start()
        theirs.close()
        self.job: Job | None = None

    def give(self, job: Job) -> None:
        try:
            self.connection.send(job)
        except OSError:  # it died while idle
            self.stop()
            self.restart()
            self.connection.send(job)
        self.job = job

    def take(self) -> Graded | None:
        """The result, or None when the process died without one."""
        self.job = None
        try:
            if self.connection.poll():
                return self.connection.recv()
        except (EOFError, OSError):
            pass
        self.process.join(timeout=5)
        return None

    def stop(self) -> None:
        """Kill the process (and its workers) if it is grading; else ask it to exit."""
        if self.job is not None:
            kill_children(self.process.pid)
            self.process.kill()
        else:
            try:
                self.connection.send(None)
            except OSError:
                pass
        self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.connection.close()


def _serve(connection, grade: Callable[[Job], Graded]) -> None:
    """The loop of a local grading process: a job in, a result out, until told to stop.
    Ctrl-C is for the batch to handle; the process must not outlive the batch."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    guard_against_orphaning()
    while True:
        try:
            job = connection.recv()
        except EOFError:
            return
        if job is None:
            return
        try:
            result = grade(job)
        except Exception:
            result = failed(job, "the grading process failed:\n" + traceback.format_exc(limit=-4))
        connection.send(result)


_guarded = False


def guard_against_orphaning(interval: float = 0.5) -> None:
    """Start (once) a thread that, when this process's parent dies (kill -9 of the batch),
    kills this process's workers and exits, so nothing keeps running unseen."""
    global _guarded
    if _guarded:
        return
    _guarded = True
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(interval)
        kill_children(os.getpid())
        os._exit(1)

    threading.Thread(target=watch, name="orphan-guard", daemon=True).start()


def kill_children(pid: int) -> None:
    """SIGKILL every child of ``pid`` and its process group (workers run in their own)."""
    for child in procfs.children(pid):
        for kill in (os.killpg, os.kill):
            try:
                kill(child, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass


# -- Dask ---------------------------------------------------------------------------------------

CONNECT_TIMEOUT = "20s"


class SchedulerUnreachable(ConnectionError):
    pass


def run_dask(jobs: Iterable[Job], address: str, on_done: OnDone, grade: Callable[[Job], Graded] = grade_one) -> None:
    """Grade ``jobs`` on the Dask cluster whose scheduler is at ``address``, one task per
    submission. Workers need this package installed and the submission paths readable."""
    from distributed import Client
    from distributed import as_completed as completed

    jobs = list(jobs)
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT)
    except OSError as exc:
        raise SchedulerUnreachable(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    with client:
        futures = {client.submit(_on_dask_worker, grade, job, key=f"grade-{job.student}-{uuid.uuid4().hex[:8]}"): job
                   for job in jobs}
        try:
            for future in completed(futures):
                job = futures[future]
                try:
                    result = future.result()
                except Exception as exc:  # e.g. KilledWorker: the task's worker died, more than once
                    result = failed(job, f"the Dask task failed: {exc!r}")
                on_done(result)
        except BaseException:
            client.cancel(list(futures))
            raise


def _on_dask_worker(grade: Callable[[Job], Graded], job: Job) -> Graded:
    guard_against_orphaning()
    return grade(job)
