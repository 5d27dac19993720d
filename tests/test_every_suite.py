"""Every registered suite, graded the same way: a copy of its reference and a copy of its
starter in one ``grade batch`` (the local pool) give full marks and zero, and ``--resume``
of that batch changes nothing; assignment 2 also on a Dask cluster. A suite added to
the registry is picked up here with no edit."""
from __future__ import annotations

import csv
import sqlite3

import pytest
from rich.console import Console

from conftest import batch_folder
from grader.batch.runner import run_batch
from grader.results import Status
from grader.suites import SUITES, edition_of, load_suite
from grader.worker.statuses import SubmissionStatus

pytestmark = pytest.mark.slow


def table(out, query):
    with sqlite3.connect(out / "gradebook.sqlite") as db:
        return db.execute(query).fetchall()


def csv_rows(out):
    with open(out / "grades.csv", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("name", sorted(SUITES))
def test_reference_full_marks_starter_zero_and_resume_changes_nothing(name, suite_batch):
    batch = suite_batch(name)
    reference, starter = batch.records["reference"], batch.records["starter"]
    assert reference.report.assignment == starter.report.assignment == name  # a course edition: detected
    lost = [(r.name, r.status.value, r.feedback[:300]) for r in reference.report.results if r.score < r.max_score]
    assert lost == [] and reference.status is SubmissionStatus.OK
    assert reference.report.score == reference.report.max_score == batch.suite.max_score > 0
    assert starter.report.score == 0 and starter.report.max_score == batch.suite.max_score
    for result in starter.report.results:
        assert result.status is not Status.GRADER_ERROR, result
        if result.max_score:  # provided code (0 points) may pass in the starter
            assert result.status is not Status.PASSED and result.feedback.strip(), result
    assert batch.result == {"graded": 2, "skipped": []}

    query = "SELECT student, name, score, status, feedback FROM checks ORDER BY 1, 2"
    before, grades = table(batch.out, query), csv_rows(batch.out)
    edition = edition_of(name)
    again = run_batch(edition.assignment if edition else name, batch.folder, batch.out, resume=True, progress=False,
                      console=Console(quiet=True))
    assert (again.graded, again.reused) == (0, 2)
    assert table(batch.out, query) == before and csv_rows(batch.out) == grades


def test_assignment2_on_a_dask_cluster(tmp_path):
    distributed = pytest.importorskip("distributed")
    suite = load_suite("assignment2-2021-2024")
    folder = batch_folder(suite, tmp_path / "submissions")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        result = run_batch("assignment2", folder, tmp_path / "out", scheduler=cluster.scheduler_address,
                           progress=False, console=Console(quiet=True))
    assert result.graded == 2
    graded = table(tmp_path / "out", "SELECT student, status, score, max_score FROM submissions ORDER BY 1")
    assert graded[0] == ("reference", "ok", 128, 128)
    assert graded[1][0] == "starter" and graded[1][2:] == (0, 128) and graded[1][1] != "grader_error"
