"""The mutation catalogue itself: every mutant applies, and names the checks that must
catch it, so that the exactness tests (test_buggy_variants.py) hold each one to losing
points: a 100% kill rate."""
from __future__ import annotations

import pytest

from conftest import REFERENCE
from grader.mutants import apply, catalogue, suite_name
from grader.suites import load_suite

MUTANTS = catalogue()


def test_the_catalogue_is_large_enough():
    assert len(catalogue()) >= 79  # 24 + 29 before the mistakes real students make (issue 13) added 26


@pytest.mark.parametrize("mutant", MUTANTS, ids=[f"{m.assignment}: {m.name}" for m in MUTANTS])
def test_every_mutant_changes_the_code_and_must_lose_points(mutant, tmp_path):
    titles = {check.title for check in load_suite(suite_name(mutant)).checks}
    assert mutant.caught_by and mutant.caught_by <= titles, mutant.caught_by - titles
    assert mutant.raises <= mutant.caught_by and not mutant.may_lose & mutant.caught_by
    assert all("faster" in title for title in mutant.may_lose), mutant.may_lose  # only timed checks are unsure
    folder = apply(mutant, REFERENCE / mutant.assignment, tmp_path / "mutant")
    original = REFERENCE / mutant.assignment / mutant.file
    assert not original.exists() or (folder / mutant.file).read_bytes() != original.read_bytes()
    assert (folder / mutant.file).exists() or mutant.make is not None
