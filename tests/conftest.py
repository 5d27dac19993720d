"""Shared fixtures: the project's folders and one reference worker per suite per session."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader.grading import Reference, Suite, grade, reference_root
from grader.suites import load_suite
from grader.worker.limits import Limits

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = reference_root()
STARTER = ROOT / "assignments"


@pytest.fixture(scope="session")
def references():
    """Reference workers shared by every test of a session, by assignment name."""
    started: dict[str, Reference] = {}

    def get(assignment: str) -> Reference:
        if assignment not in started:
            suite = load_suite(assignment)
            started[assignment] = Reference(REFERENCE / suite.reference, Limits(), suite.prepare_workspace)
        return started[assignment]

    yield get
    for reference in started.values():
        reference.close()


@pytest.fixture(scope="session")
def digits():
    """The embedded dataset, built once per session (grading builds it anew otherwise)."""
    from grader import data

    return data.digits()


@pytest.fixture
def grade_with(references):
    """Grade a folder with the shared reference: grade_with("assignment1", path, **options)."""
    def run(assignment, path, **options):
        return grade(load_suite(assignment), path, reference=references(assignment), **options)
    return run


@pytest.fixture
def solution_copy(tmp_path):
    """A fresh copy of a reference solution, to edit: solution_copy("assignment1")."""
    def make(assignment: str) -> Path:
        target = tmp_path / f"{assignment}-copy"
        shutil.copytree(REFERENCE / assignment, target, ignore=shutil.ignore_patterns("__pycache__"))
        return target
    return make


def checks_of(assignment: str, titles) -> Suite:
    """A suite cut down to ``titles`` and the checks they build on, in the suite's order
    (for tests that need a few checks, not the whole assignment)."""
    full = load_suite(assignment)
    wanted = set(titles)
    for check in reversed(full.checks):
        if check.title in wanted:
            wanted |= set(check.requires)
    parts: dict[str, list] = {}
    for check in full.checks:
        if check.title in wanted:
            parts.setdefault(check.part, []).append(check)
    return Suite(full.name, reference=full.reference, parts=parts)
