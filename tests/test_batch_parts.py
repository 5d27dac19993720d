"""The pieces of batch grading on their own, without grading anything: the status rule,
the batch folder, content hashes, the gradebook, the exports, and a local pool whose
grading process dies."""
from __future__ import annotations

import csv
import json
import os
import sqlite3
import subprocess
import sys

import pytest

from conftest import ROOT
from grader.batch import engine
from grader.batch.engine import Job, run_local
from grader.batch.entries import content_hash, discover
from grader.batch.gradebook import Gradebook, GradebookError
from grader.batch.record import Graded, submission_status
from grader.worker.statuses import SubmissionStatus as S
from grader.batch.runner import BatchError, run_batch
from grader.reports.feedback import feedback_markdown
from grader.reports.gradescope import results_json
from grader.reports.grades import write_grades_csv
from grader.reports.overview import report_html
from grader.results import CheckResult, Report, Status

P, F = Status.PASSED, Status.FAILED


def results(*statuses):
    return [CheckResult(f"part: check {i}", "part", 2.0, 2.0 if s is P else 0.0, s, f"feedback {i}")
            for i, s in enumerate(statuses)]


@pytest.mark.parametrize("statuses, expected", [
    ((P, P), S.OK),
    ((P, F), S.PARTIAL),
    ((P, Status.NOT_IMPLEMENTED, Status.SKIPPED), S.PARTIAL),
    ((F, Status.MISSING), S.MISSING),
    ((Status.MISSING, Status.IMPORT_ERROR), S.IMPORT_ERROR),
    ((Status.IMPORT_ERROR, Status.CRASH), S.CRASH),
    ((P, Status.NUMPY2), S.CRASH),
    ((Status.CRASH, Status.MEMORY), S.MEMORY),
    ((Status.MEMORY, Status.TIMEOUT, F), S.TIMEOUT),
    ((Status.TIMEOUT, Status.GRADER_ERROR), S.GRADER_ERROR),
    ((Status.INVALID_SUBMISSION,) * 3, S.INVALID_SUBMISSION),
    ((), S.INVALID_SUBMISSION),
])
def test_the_status_rule(statuses, expected):
    assert submission_status(results(*statuses)) is expected


def test_passed_with_partial_points_is_partial():
    checks = results(P, P)
    checks[1].score = 1.0
    assert submission_status(checks) is S.PARTIAL


def test_every_entry_is_a_submission_or_said_to_be_skipped(tmp_path):
    for folder in ("ada", "dee", "out"):
        (tmp_path / folder).mkdir()
    for name in ("ben.zip", "cy.ipynb", "dee.zip", "README.md", ".DS_Store", "eve.ZIP"):
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "gone.zip").symlink_to(tmp_path / "nowhere")
    found = discover(tmp_path, ignore=tmp_path / "out")
    assert {s: p.name for s, p in found.submissions.items()} == {"ada": "ada", "ben": "ben.zip", "cy": "cy.ipynb",
                                                                 "eve": "eve.ZIP"}
    assert found.ambiguous == {"dee": ["dee", "dee.zip"]}
    assert dict(found.skipped) == {".DS_Store": "hidden entry", "README.md": "not a folder, a .zip or an .ipynb file",
                                   "gone.zip": "a link to nothing", "out": "the output folder of this batch"}


def test_a_folder_hash_follows_its_files_and_ignores_caches_and_links(tmp_path):
    folder = tmp_path / "ada"
    (folder / "cs231n").mkdir(parents=True)
    (folder / "cs231n" / "layers.py").write_text("x = 1\n")
    first = content_hash(folder)
    (folder / "cs231n" / "__pycache__").mkdir()
    (folder / "cs231n" / "__pycache__" / "layers.pyc").write_bytes(b"cache")
    (folder / "link.py").symlink_to(folder / "cs231n" / "layers.py")
    assert content_hash(folder) == first
    (folder / "cs231n" / "layers.py").write_text("x = 2\n")
    assert content_hash(folder) != first
    (tmp_path / "a.zip").write_bytes(b"zip bytes")
    assert content_hash(tmp_path / "a.zip") != content_hash(folder)
    assert content_hash(tmp_path / "missing.zip").startswith("unreadable")


def graded(student, *statuses, hash="h1", version="v1", settings="s1", message=""):
    report = Report("assignment1", f"/submissions/{student}", "digits", results(*statuses), notes=["data: digits"])
    return Graded(student, f"/submissions/{student}", hash, submission_status(report.results), report, version,
                  settings, "2026-01-01T00:00:00+00:00", "2026-01-01T00:00:05+00:00", 5.0, "host:1", message)


def test_the_gradebook_keeps_one_row_per_submission_and_its_checks(tmp_path):
    path = tmp_path / "gradebook.sqlite"
    with Gradebook(path, "assignment1") as book:
        run = book.start_run("/submissions", "local", {}, "v1", "now", [("README", "not a submission")])
        book.add_pending({"ada": "/submissions/ada", "ben": "/submissions/ben"}, run)
        book.save(graded("ada", P, F), run)
        book.save(graded("ada", P, P), run)  # graded again: replaced, not added
        book.add_pending({"ada": "/submissions/ada"}, run)  # never overwrites a result
        assert book.counts() == {"ok": 1, "pending": 1}
        loaded = {g.student: g for g in book.load()}
        assert book.skipped() == [("README", "not a submission")]
    assert loaded["ada"].status is S.OK and [r.status for r in loaded["ada"].report.results] == [P, P]
    assert loaded["ada"].report.results == graded("ada", P, P).report.results
    assert loaded["ben"].status is S.PENDING and not loaded["ben"].graded and loaded["ben"].report.results == []
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM checks").fetchone() == (2,)
    with pytest.raises(GradebookError, match="gradebook of assignment1"):
        Gradebook(path, "assignment2")
    with pytest.raises(GradebookError, match="no gradebook"):
        Gradebook(tmp_path / "none.sqlite")


def test_hidden_checks_keep_their_mark_and_an_older_gradebook_still_opens(tmp_path):
    path = tmp_path / "gradebook.sqlite"
    with sqlite3.connect(path) as db:  # the tables as they were before course editions and hidden checks
        db.executescript("""
            CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            INSERT INTO meta VALUES ('assignment', 'assignment1');
            CREATE TABLE submissions (student TEXT PRIMARY KEY, source TEXT NOT NULL, content_hash TEXT,
                status TEXT NOT NULL, score REAL, max_score REAL, dataset TEXT, notes TEXT, message TEXT,
                grader_version TEXT, settings TEXT, run_id INTEGER, graded_by TEXT, started_at TEXT,
                finished_at TEXT, seconds REAL);
            CREATE TABLE checks (student TEXT NOT NULL, position INTEGER NOT NULL, name TEXT NOT NULL,
                part TEXT NOT NULL, score REAL NOT NULL, max_score REAL NOT NULL, status TEXT NOT NULL,
                feedback TEXT, output TEXT, seconds REAL, PRIMARY KEY (student, name));
            INSERT INTO submissions (student, source, status, score, max_score) VALUES ('old', '/o', 'ok', 2, 2);
            INSERT INTO checks VALUES ('old', 0, 'part: check 0', 'part', 2, 2, 'passed', '', '', 0);""")
    hidden = graded("ada", P, F)
    hidden.report.results[1].hidden = True
    with Gradebook(path, "assignment1") as book:
        book.save(hidden, book.start_run("/submissions", "local", {}, "v1", "now", []))
        loaded = {g.student: g for g in book.load()}
    assert [r.hidden for r in loaded["ada"].report.results] == [False, True]
    assert loaded["old"].report.results[0].hidden is False and loaded["old"].report.assignment == "assignment1"


def test_resume_skips_only_final_results_of_the_same_content_grader_and_settings(tmp_path):
    with Gradebook(tmp_path / "gradebook.sqlite", "assignment1") as book:
        run = book.start_run("/s", "local", {}, "v1", "now", [])
        book.save(graded("ada", P, F), run)
        book.save(graded("ben", Status.GRADER_ERROR), run)
        assert book.is_graded("ada", "h1", "v1", "s1")
        assert not book.is_graded("ada", "h2", "v1", "s1")  # the student handed in something else
        assert not book.is_graded("ada", "h1", "v2", "s1")  # the grader changed
        assert not book.is_graded("ada", "h1", "v1", "s2")  # other limits or seed
        assert not book.is_graded("ben", "h1", "v1", "s1")  # grader errors are graded again
        assert not book.is_graded("cy", "h1", "v1", "s1")


def test_exports_quote_formulas_fence_student_text_and_escape_html(tmp_path):
    sneaky = graded("=HYPERLINK(1)", P, Status.CRASH)
    sneaky.report.results[1].feedback = "```\n<script>alert(1)</script>"
    sneaky.report.results[1].output = "printed ````"
    pending = Graded("zed", "/s/zed", "", S.PENDING, Report("assignment1", "/s/zed", ""))
    write_grades_csv(tmp_path / "grades.csv", [sneaky, pending], {"part": 4.0})
    with open(tmp_path / "grades.csv", newline="") as handle:
        table = list(csv.DictReader(handle))
    assert table[0]["student"] == "'=HYPERLINK(1)" and table[0]["status"] == "crash"
    assert table[0]["total"] == "2" and table[0]["part (/4)"] == "2" and table[0]["max_total"] == "4"
    assert table[1]["status"] == "pending" and table[1]["total"] == ""

    markdown = feedback_markdown(sneaky)
    assert "`````text\nprinted ````\n`````" in markdown  # a fence longer than any run inside
    assert "````text\n```\n<script>" in markdown

    page = report_html("assignment1", [sneaky, pending], ["part: check 0", "part: check 1"], 4.0,
                       [("<b>notes</b>", "not a submission")], "now")
    assert "<script>" not in page and "&lt;b&gt;notes&lt;/b&gt;" in page
    assert "Not graded yet (1)" in page and page.count("data:image/png;base64,") == 2

    gradescope = results_json(sneaky.report, sneaky)
    assert [t["status"] for t in gradescope["tests"]] == ["passed", "failed"]
    assert gradescope["tests"][1]["extra_data"]["status"] == "crash"
    assert gradescope["tests"][1]["output"].startswith("[crash]")
    assert gradescope["score"] == 2.0 and gradescope["extra_data"]["status"] == "crash"
    json.dumps(gradescope)


def fake_grade(job: Job) -> Graded:
    """Stands in for grade_one in a local pool: the process of "dies" exits mid-grading."""
    if job.student == "dies":
        os._exit(3)
    return graded(job.student, P, P)


def test_a_grading_process_that_dies_costs_only_its_own_submission():
    jobs = [Job(name, f"/nowhere/{name}", "assignment1") for name in ("ada", "dies", "ben", "cy", "dee")]
    done = []
    run_local(jobs, 2, done.append, grade=fake_grade)
    by_student = {g.student: g for g in done}
    assert sorted(by_student) == ["ada", "ben", "cy", "dee", "dies"] and len(done) == 5
    assert by_student["dies"].status is S.GRADER_ERROR and "died twice" in by_student["dies"].message
    assert {by_student[s].status for s in ("ada", "ben", "cy", "dee")} == {S.OK}


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "grader.cli", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def test_usage_errors_stop_the_batch_before_it_grades(tmp_path):
    (tmp_path / "ada").mkdir()
    unknown = run_cli("batch", "assignment1", tmp_path, "--out", tmp_path / "out", "--only", "bob")
    assert unknown.returncode == 2 and "no submission named bob" in unknown.stderr
    nothing = run_cli("export", tmp_path)
    assert nothing.returncode == 2 and "no gradebook" in nothing.stderr


def test_an_unreachable_scheduler_is_a_usage_error(tmp_path, monkeypatch):
    monkeypatch.setattr(engine, "CONNECT_TIMEOUT", "1s")
    (tmp_path / "ada").mkdir()
    with pytest.raises(BatchError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        run_batch("assignment1", tmp_path, tmp_path / "out", scheduler="tcp://127.0.0.1:9", progress=False)
