"""The gradebook: one SQLite file per batch output folder (standard library sqlite3, WAL).

Tables: ``submissions`` (one row per student: status, score, content hash, grader
version, timings, the suite (course edition) it was graded with), ``checks`` (one row
per check of a graded submission; ``hidden`` marks a check of official grading only), ``runs``
(one row per batch run, ``finished_at`` empty for a run that was killed),
``skipped`` (entries of the batch folder that are not submissions, per run) and
``similarity`` (the pairs of submissions the latest similarity pass listed, with
their scores and matched regions, e.g. ``cs231n/layers.py:11-36,55; cs231n/optim.py:57``).

Each result is written in one transaction and committed with ``synchronous=FULL``,
so a killed batch (Ctrl-C, kill -9, power loss) loses only the submissions that were
being graded. Only the batch's own process writes; exports read.
"""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from ..results import CheckResult, Report, Status
from ..worker.statuses import FINAL, SubmissionStatus
from .record import Graded

FILENAME = "gradebook.sqlite"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY, directory TEXT, engine TEXT, options TEXT, grader_version TEXT,
    started_at TEXT NOT NULL, finished_at TEXT, graded INTEGER DEFAULT 0);
CREATE TABLE IF NOT EXISTS submissions (
    student TEXT PRIMARY KEY, source TEXT NOT NULL, content_hash TEXT, status TEXT NOT NULL,
    score REAL, max_score REAL, dataset TEXT, notes TEXT, message TEXT, grader_version TEXT, settings TEXT,
    run_id INTEGER REFERENCES runs(id), graded_by TEXT, started_at TEXT, finished_at TEXT,
    seconds REAL, suite TEXT);
CREATE TABLE IF NOT EXISTS checks (
    student TEXT NOT NULL REFERENCES submissions(student) ON DELETE CASCADE, position INTEGER NOT NULL,
    name TEXT NOT NULL, part TEXT NOT NULL, score REAL NOT NULL, max_score REAL NOT NULL,
    status TEXT NOT NULL, feedback TEXT, output TEXT, seconds REAL, hidden INTEGER DEFAULT 0,
    PRIMARY KEY (student, name));
CREATE TABLE IF NOT EXISTS skipped (run_id INTEGER REFERENCES runs(id), entry TEXT, reason TEXT);
CREATE TABLE IF NOT EXISTS similarity (
    student_a TEXT NOT NULL, student_b TEXT NOT NULL, score REAL NOT NULL, share_a REAL NOT NULL,
    share_b REAL NOT NULL, shared INTEGER NOT NULL, lines_a INTEGER, lines_b INTEGER, regions_a TEXT,
    regions_b TEXT, PRIMARY KEY (student_a, student_b));
"""


class GradebookError(ValueError):
    """A gradebook that cannot be used here (another assignment's, or none at all)."""


class Gradebook:
    def __init__(self, path: Path, assignment: str | None = None):
        """Open (and, given ``assignment``, create) the gradebook at ``path``."""
        path = Path(path)
        if assignment is None and not path.is_file():
            raise GradebookError(f"no gradebook at {path}")
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.db = sqlite3.connect(path, timeout=30)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("PRAGMA foreign_keys=ON")
        with self.db:
            self.db.executescript(SCHEMA)
            columns = {row[1] for row in self.db.execute("PRAGMA table_info(submissions)")}
            if "suite" not in columns:  # a gradebook from before course editions
                self.db.execute("ALTER TABLE submissions ADD COLUMN suite TEXT")
            if "hidden" not in {row[1] for row in self.db.execute("PRAGMA table_info(checks)")}:
                self.db.execute("ALTER TABLE checks ADD COLUMN hidden INTEGER DEFAULT 0")  # from before hidden checks
            stored = self.db.execute("SELECT value FROM meta WHERE key='assignment'").fetchone()
            if stored is None and assignment is None:
                raise GradebookError(f"{path} is not a gradebook")
            if stored is None:
                self.db.execute("INSERT INTO meta VALUES ('assignment', ?)", (assignment,))
            elif assignment is not None and stored[0] != assignment:
                raise GradebookError(f"{path} is the gradebook of {stored[0]}, not {assignment}: choose another --out")
        self.assignment = assignment or stored[0]

    def close(self) -> None:
        self.db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- runs -----------------------------------------------------------------------------------
    def start_run(self, directory: str, engine: str, options: dict, grader_version: str, started_at: str,
                  skipped: list[tuple[str, str]]) -> int:
        with self.db:
            run = self.db.execute("INSERT INTO runs (directory, engine, options, grader_version, started_at) "
                                  "VALUES (?, ?, ?, ?, ?)",
                                  (directory, engine, json.dumps(options), grader_version, started_at)).lastrowid
            self.db.executemany("INSERT INTO skipped VALUES (?, ?, ?)", [(run, *entry) for entry in skipped])
        return run

    def finish_run(self, run: int, finished_at: str, graded: int) -> None:
        with self.db:
            self.db.execute("UPDATE runs SET finished_at=?, graded=? WHERE id=?", (finished_at, graded, run))

    def skipped(self) -> list[tuple[str, str]]:
        """The entries the latest run skipped."""
        return [tuple(row) for row in self.db.execute(
            "SELECT entry, reason FROM skipped WHERE run_id=(SELECT max(id) FROM runs) ORDER BY entry")]

    # -- submissions ------------------------------------------------------------------------------
    def is_graded(self, student: str, content_hash: str, grader_version: str, settings: str) -> bool:
        """Graded before, with a final status, from the same content by the same grader and settings."""
        row = self.db.execute("SELECT status, content_hash, grader_version, settings FROM submissions "
                              "WHERE student=?", (student,)).fetchone()
        return row is not None and SubmissionStatus(row["status"]) in FINAL and tuple(row)[1:] == (
            content_hash, grader_version, settings)

    def add_pending(self, entries: dict[str, str], run: int) -> None:
        """A row for each student not in the gradebook yet, so that none is ever absent."""
        with self.db:
            self.db.executemany("INSERT OR IGNORE INTO submissions (student, source, status, run_id) "
                                "VALUES (?, ?, 'pending', ?)", [(s, source, run) for s, source in entries.items()])

    def save(self, graded: Graded, run: int) -> None:
        """Replace the student's row and check rows with this result, in one transaction."""
        report = graded.report
        with self.db:
            self.db.execute("DELETE FROM checks WHERE student=?", (graded.student,))
            self.db.execute(
                "INSERT OR REPLACE INTO submissions (student, source, content_hash, status, score, max_score, dataset, "
                "notes, message, grader_version, settings, run_id, graded_by, started_at, finished_at, seconds, suite) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (graded.student, graded.source, graded.content_hash, graded.status.value, report.score,
                 report.max_score, report.dataset, json.dumps(report.notes), graded.message, graded.grader_version,
                 graded.settings, run, graded.graded_by, graded.started_at, graded.finished_at, graded.seconds,
                 report.assignment))
            self.db.executemany(
                "INSERT INTO checks (student, position, name, part, score, max_score, status, feedback, output, "
                "seconds, hidden) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(graded.student, i, r.name, r.part, r.score, r.max_score, r.status.value, r.feedback, r.output,
                  r.seconds, int(r.hidden)) for i, r in enumerate(report.results)])

    def load(self) -> list[Graded]:
        """Every submission, by student id, with its checks."""
        checks: dict[str, list[CheckResult]] = {}
        for row in self.db.execute("SELECT * FROM checks ORDER BY student, position"):
            checks.setdefault(row["student"], []).append(CheckResult(
                row["name"], row["part"], row["max_score"], row["score"], Status(row["status"]),
                row["feedback"] or "", row["output"] or "", row["seconds"] or 0.0, bool(row["hidden"])))
        graded = []
        for row in self.db.execute("SELECT * FROM submissions ORDER BY student"):
            report = Report(row["suite"] or self.assignment, row["source"], row["dataset"] or "",
                            checks.get(row["student"], []),
                            execution_time=row["seconds"] or 0.0, grader_version=row["grader_version"] or "",
                            notes=json.loads(row["notes"] or "[]"))
            graded.append(Graded(
                row["student"], row["source"], row["content_hash"] or "", SubmissionStatus(row["status"]), report,
                grader_version=row["grader_version"] or "", settings=row["settings"] or "",
                started_at=row["started_at"] or "", finished_at=row["finished_at"] or "",
                seconds=row["seconds"] or 0.0, graded_by=row["graded_by"] or "", message=row["message"] or ""))
        return graded

    def counts(self) -> dict[str, int]:
        return {row[0]: row[1] for row in self.db.execute("SELECT status, count(*) FROM submissions GROUP BY status")}

    # -- similarity -------------------------------------------------------------------------------
    def save_similarity(self, pairs: list[tuple]) -> None:
        """Replace the similarity table with these pairs: (student_a, student_b, score, share_a,
        share_b, shared, lines_a, lines_b, regions_a, regions_b)."""
        with self.db:
            self.db.execute("DELETE FROM similarity")
            self.db.executemany("INSERT INTO similarity VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", pairs)

    def similarity(self) -> list[sqlite3.Row]:
        return self.db.execute("SELECT * FROM similarity ORDER BY score DESC, student_a, student_b").fetchall()
