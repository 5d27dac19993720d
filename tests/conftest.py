"""Shared fixtures: the project's folders and one reference per suite per session."""
from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from grader import api
from grader.reference import References, reference_root, starter_root
from grader.suites import load_suite

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = reference_root()
STARTER = starter_root()


@pytest.fixture(scope="session")
def references():
    """References shared by every test of a session (one per suite and limits)."""
    with References() as shared:
        yield shared


@pytest.fixture(scope="session")
def digits():
    """The embedded dataset, built once per session (grading builds it anew otherwise)."""
    from grader import data

    return data.digits()


@pytest.fixture
def grade_with(references):
    """Grade a folder with the shared references: grade_with("assignment1", path, **options);
    the assignment may also be a suite."""
    def run(assignment, path, **options):
        return api.grade(assignment, path, references=references, **options)
    return run


@pytest.fixture
def solution_copy(tmp_path):
    """A fresh copy of a reference solution, to edit: solution_copy("assignment1")."""
    def make(assignment: str) -> Path:
        target = tmp_path / f"{assignment}-copy"
        shutil.copytree(REFERENCE / assignment, target, ignore=shutil.ignore_patterns("__pycache__"))
        return target
    return make


def checks_of(assignment: str, titles):
    """A suite cut down to ``titles`` and the checks they build on, in the suite's order
    (for tests that need a few checks, not the whole assignment)."""
    return load_suite(assignment).only(*titles)


@dataclass
class SuiteBatch:
    """A copy of a suite's reference and of its starter, graded in one ``grade batch``."""

    suite: object
    folder: Path
    out: Path
    result: dict  # what the first grading of the batch said: graded, skipped
    records: dict  # student id ("reference", "starter") -> Graded


def batch_folder(suite, target: Path) -> Path:
    """``target`` holding ``reference`` and ``starter``: copies of the suite's folders, laid
    out as its course edition's year has them when it is one."""
    from grader import editions
    from grader.suites import edition_of

    edition = edition_of(suite.name)
    for role, root in (("reference", REFERENCE / suite.reference), ("starter", STARTER / suite.starter)):
        assert root.is_dir(), f"suite {suite.name} is registered, but it has no {role} folder at {root}"
        if edition is None:
            shutil.copytree(root, target / role, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            editions.build(edition, REFERENCE / suite.reference, STARTER / suite.starter, role, target / role)
    return target


@pytest.fixture(scope="session")
def suite_batch(tmp_path_factory):
    """suite_batch(name): that suite's batch of the reference and the starter, graded once
    per test run and shared by the pytest workers (the first to ask grades it, under a
    lock; the others read its gradebook)."""
    from filelock import FileLock
    from rich.console import Console

    from grader.batch.gradebook import FILENAME, Gradebook
    from grader.batch.runner import run_batch
    from grader.suites import edition_of

    shared = tmp_path_factory.getbasetemp().parent / "suite-batches"  # the same folder for every worker
    shared.mkdir(exist_ok=True)

    def get(name: str) -> SuiteBatch:
        suite, place = load_suite(name), shared / name
        with FileLock(str(place) + ".lock"):
            if not (place / "done").exists():
                shutil.rmtree(place, ignore_errors=True)
                folder = batch_folder(suite, place / "submissions")
                # A course edition's folders go to their assignment, which must detect the edition.
                edition = edition_of(name)
                result = run_batch(edition.assignment if edition else name, folder, place / "out", jobs=2,
                                   progress=False, console=Console(quiet=True))
                (place / "result").write_text(json.dumps({"graded": result.graded, "skipped": result.skipped}))
                (place / "done").write_text("")
            with Gradebook(place / "out" / FILENAME) as book:
                records = {record.student: record for record in book.load()}
        return SuiteBatch(suite, place / "submissions", place / "out", json.loads((place / "result").read_text()),
                          records)
    return get
