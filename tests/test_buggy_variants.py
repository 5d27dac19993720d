"""Each realistic mistake loses points exactly in the checks that should catch it."""
from __future__ import annotations

import pytest

from conftest import REFERENCE
from grader.mutants import apply, catalogue, expected_losses, suite_name
from grader.mutants.reach import reached
from grader.results import Status
from grader.suites import load_suite

pytestmark = pytest.mark.slow  # every test here starts workers

MUTANTS = catalogue()


@pytest.mark.parametrize("assignment, at_least", [("assignment1", 35), ("assignment2", 42)])
def test_there_are_enough_realistic_mistakes(assignment, at_least):
    assert len([m for m in MUTANTS if m.assignment == assignment]) >= at_least
    assert len([m for m in MUTANTS if m.edition]) >= 10  # in the later editions' parts


@pytest.mark.parametrize("mutant", MUTANTS, ids=[f"{m.assignment}: {m.name}" for m in MUTANTS])
def test_mistake_is_caught_by_the_right_checks_only(mutant, grade_with, digits, tmp_path):
    """Graded with the checks the edit can reach (grader/mutants/reach.py: the others run the
    reference's own code, so they keep the reference's full marks)."""
    folder = apply(mutant, REFERENCE / mutant.assignment, tmp_path / "submission")
    full = load_suite(suite_name(mutant))
    reachable = reached(full, mutant, folder, digits)
    assert mutant.caught_by <= reachable, mutant.caught_by - reachable
    suite = full.only(*reachable)
    report = grade_with(suite, folder, dataset=digits)
    must_fail, must_skip = expected_losses(mutant, suite)
    lost = {r.name for r in report.results if r.score < r.max_score}
    assert lost - mutant.may_lose == must_fail | must_skip, \
        {r.name: r.feedback for r in report.results if r.name in lost}
    for result in report.results:
        if result.name in mutant.raises:
            assert result.status in (Status.CRASH, Status.MEMORY), result
        elif result.name in mutant.may_lose:
            assert result.status in (Status.PASSED, Status.FAILED), result
        elif result.name in must_fail:  # (a saved model holding code is not a gradable file)
            assert result.status in (Status.FAILED, Status.NOT_IMPLEMENTED, Status.INVALID_SUBMISSION), result
        elif result.name in must_skip:
            assert result.status is Status.SKIPPED, result
    if mutant.hint:
        assert any(mutant.hint in r.feedback for r in report.results if r.name in must_fail), \
            {r.name: r.feedback for r in report.results if r.name in must_fail}
