"""The registries and how suites are composed of parts, read without running anything
(the fast tier): every suite well formed, parts reused under other names and points,
every probe kind backed by a worker function, one list of statuses."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from grader.checks import Matches
from grader.parts import knn, layers
from grader.probe import KINDS, Kind, call, register
from grader.results import Status
from grader.suite import Part, Suite
from grader.suites import SUITES, load_suite
from grader.worker import server
from grader.worker.statuses import FROM_WORKER, SubmissionStatus, from_worker, submission_status

GRADER = Path(__file__).resolve().parents[1] / "grader"


@pytest.mark.parametrize("name", sorted(SUITES))
def test_every_suite_is_well_formed(name):
    suite = load_suite(name)
    titles = [c.title for c in suite.checks]
    assert suite.name == name and len(set(titles)) == len(titles) and suite.max_score > 0
    assert all(r in titles[:titles.index(c.title)] for c in suite.checks for r in c.requires)  # earlier checks
    assert {c.part for c in suite.checks} == {p.name for p in suite.parts}


def test_a_part_is_reused_with_other_points_and_without_some_checks():
    full = layers.part()
    lighter = full.without("svm_loss").scored({"affine_backward": 2})
    assert {c.name for c in full.checks} - {c.name for c in lighter.checks} == {"svm_loss"}
    assert next(c for c in lighter.checks if c.name == "affine_backward").points == 2
    assert next(c for c in full.checks if c.name == "affine_backward").points == 3  # the original is untouched
    dropped = full.without("affine_backward")  # and what builds on it
    assert "affine_backward matches a numerical gradient" not in {c.name for c in dropped.checks}
    with pytest.raises(ValueError, match="no check named nothing"):
        full.scored({"nothing": 1})
    renamed = Suite("two", reference="assignment1", parts=[knn.part(), knn.part().named("knn_again")])
    assert "knn_again: no_loops uses no loop" in [c.title for c in renamed.checks]
    assert next(c for c in renamed.checks if c.title == "knn_again: no_loops uses no loop").requires == (
        "knn_again: compute_distances_no_loops",)


def test_a_suite_refuses_duplicates_and_unknown_requirements():
    check = Matches("c", 1, cases=lambda rng: [])
    with pytest.raises(ValueError, match="duplicated"):
        Suite("bad", reference="x", parts=[Part("p", (check, check))])
    with pytest.raises(ValueError, match="unknown requirements"):
        Suite("bad", reference="x", parts=[Part("p", (Matches("d", 1, cases=lambda rng: [], requires=("c",)),))])


def test_only_keeps_what_the_checks_build_on():
    suite = load_suite("assignment1").only("knn: no_loops uses no loop")
    assert [c.title for c in suite.checks] == ["knn: compute_distances_no_loops", "knn: no_loops uses no loop"]


def test_every_probe_kind_has_a_worker_function_and_a_label():
    for kind in KINDS.values():
        assert callable(server.probe_function(kind.worker)), kind.name
    assert call("m.n:f", x=np.zeros((2, 3)), kwargs={"k": 1}).label == "f(x=array(2, 3), k=1)"
    with pytest.raises(ValueError, match="twice"):
        register(Kind("call", "probes:call", str))


def test_one_list_of_statuses():
    assert from_worker("numpy2") is Status.NUMPY2 and from_worker("passed") is Status.CRASH
    assert from_worker("grader_error") is Status.CRASH  # a worker cannot blame the grader
    assert Status.GRADER_ERROR not in FROM_WORKER and Status.PASSED not in FROM_WORKER
    assert submission_status([]) is SubmissionStatus.INVALID_SUBMISSION
    assert submission_status([(Status.PASSED, True), (Status.TIMEOUT, False), (Status.CRASH, False)]) is \
        SubmissionStatus.TIMEOUT
    assert submission_status([(Status.PASSED, True), (Status.FAILED, False)]) is SubmissionStatus.PARTIAL
    assert submission_status([(Status.PASSED, False)]) is SubmissionStatus.PARTIAL  # passed, but not all points


def test_no_module_of_the_grader_is_over_500_lines():
    long = {str(p.relative_to(GRADER)): n for p in GRADER.rglob("*.py") if (n := len(p.read_text().splitlines())) > 500}
    assert long == {}


def test_a_mutants_edit_reaches_the_checks_that_import_it_and_no_others(tmp_path):
    from grader import data
    from grader.mutants import catalogue, suite_name
    from grader.mutants.reach import reached
    from grader.reference import reference_root

    by_file = {m.file: m for m in catalogue() if m.assignment == "assignment1" and not m.edition}
    suite = load_suite("assignment1")
    knn = reached(suite, by_file["cs231n/classifiers/k_nearest_neighbor.py"], reference_root() / "assignment1",
                  data.digits())
    assert knn == {c.title for c in suite.checks if c.part == "knn"}
    layers_edit = reached(suite, by_file["cs231n/layers.py"], reference_root() / "assignment1", data.digits())
    assert "two_layer_net: trained with the Solver: accuracy on held-out images" in layers_edit  # via fc_net
    assert not any(t.startswith(("knn:", "svm:", "softmax:")) for t in layers_edit)
    assert suite_name(by_file["cs231n/layers.py"]) == "assignment1"
