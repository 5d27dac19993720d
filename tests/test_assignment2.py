"""Assignment 2 end to end: the reference earns everything, whatever the seed; the
starter code earns nothing; the hints name the known mistakes."""
from __future__ import annotations

import json

import numpy as np
import pytest

from conftest import REFERENCE, STARTER
from grader.grading import Suite, grade
from grader.probe import call, forward_backward
from grader.results import Status
from grader.suites import assignment2 as a2
from test_assignment1 import run_cli


def lost_points(report):
    return [(r.name, r.status.value, r.feedback) for r in report.results if r.score < r.max_score]


def test_reference_scores_full_marks(grade_with, digits):
    report = grade_with("assignment2", REFERENCE / "assignment2", dataset=digits)
    assert lost_points(report) == []
    assert report.score == report.max_score > 0
    assert {c.part for c in a2.SUITE.checks} == set(a2.SUITE.parts)


def value_checks() -> Suite:
    """The suite without the checks that train a model: their inputs (the dataset and
    the hyperparameters) are the same for every seed, and their thresholds come from
    the reference's accuracies over 20 seeds (benchmarks/assignment2_training.py)."""
    parts = {part: [c for c in checks if c.title not in a2.TRAINED] for part, checks in a2.NUMPY_SUITE.parts.items()}
    return Suite("assignment2", reference="assignment2", parts=parts, prepare_workspace=a2.SUITE.prepare_workspace)


def test_reference_loses_no_points_over_20_seeds(references, digits):
    suite = value_checks()
    assert len(suite.checks) == len(a2.NUMPY_SUITE.checks) - len(a2.TRAINED)
    lost = {}
    for seed in range(1, 21):
        report = grade(suite, REFERENCE / "assignment2", reference=references("assignment2"), dataset=digits,
                       seed=seed)
        lost.update({(seed, name): feedback for name, _, feedback in lost_points(report)})
    assert lost == {}


def test_starter_code_scores_zero_with_a_clear_status_everywhere(tmp_path):
    out = tmp_path / "stubs.json"
    result = run_cli("assignment2", str(STARTER / "assignment2"), "--json", str(out))
    assert result.returncode == 0, result.stderr
    report = json.loads(out.read_text())
    assert report["score"] == 0 and report["max_score"] == a2.SUITE.max_score
    statuses = set()
    for test in report["tests"]:
        assert test["status"] != Status.GRADER_ERROR, test
        assert test["status"] != Status.PASSED or test["max_score"] == 0, test  # provided code may pass
        assert test["output"].strip() or test["status"] == Status.PASSED, test["name"]
        statuses.add(test["status"])
    assert {Status.FAILED, Status.NOT_IMPLEMENTED, Status.SKIPPED} <= statuses


def test_the_course_fast_layers_are_replaced_by_the_graders(references, solution_copy, digits):
    """The course's fast_layers.py needs a Cython extension students build themselves:
    without it, a correct ThreeLayerConvNet still earns its points."""
    folder = solution_copy("assignment2")
    (folder / "cs231n" / "fast_layers.py").write_text("from .im2col_cython import col2im_6d_cython\n")
    cnn = Suite("assignment2", reference="assignment2", prepare_workspace=a2.SUITE.prepare_workspace,
                parts={"cnn": [c for c in a2.SUITE.parts["cnn"] if c.title not in a2.TRAINED]})
    report = grade(cnn, folder, reference=references("assignment2"), dataset=digits)
    assert lost_points(report) == [] and any("pure-NumPy" in note for note in report.notes)
    assert (folder / "cs231n" / "fast_layers.py").read_text().startswith("from .im2col_cython")


def test_grading_on_cifar10_files_given_with_data(grade_with, tmp_path):
    from grader import data
    from test_data import fake_cifar

    fake_cifar(tmp_path / "cifar-10-batches-py", num=30)
    report = grade_with("assignment2-numpy", REFERENCE / "assignment2", dataset=data.load(tmp_path))
    lost = {name: feedback for name, _, feedback in lost_points(report)}
    # random labels cannot be learned (but 50 of them can be memorized): only the held-out accuracies drop
    assert set(lost) == {"fc_net: accuracy on held-out images",
                         "cnn: one epoch of training: accuracy on held-out images"}
    assert all("on cifar10" in feedback for feedback in lost.values())


# -- hints that no mutant in the catalogue exercises --------------------------------------------

def test_spatial_hints_recognise_statistics_over_the_wrong_axes():
    rng = np.random.default_rng(0)
    x, gamma, beta = rng.normal(size=(2, 6, 3, 4)), rng.uniform(0.5, 2, (1, 6, 1, 1)), rng.normal(size=(1, 6, 1, 1))
    probe = call("cs231n.layers:spatial_groupnorm_forward", x=x, gamma=gamma, beta=beta, G=2, gn_param={})
    right = gamma * a2.standardized(a2.by_group(x, 2), (2, 3, 4), 1e-5).reshape(x.shape) + beta
    per_channel = gamma * a2.standardized(x, (2, 3), 1e-5) + beta
    assert a2.wrong_group_axes(per_channel, right, probe) and a2.wrong_group_axes(right + 1, right, probe) is None
    assert a2.normalizes("f", a2.by_group, (2, 3, 4), "")({"out": (right, None)}, probe) is None
    assert a2.normalizes("f", a2.by_group, (2, 3, 4), "")({"out": (per_channel, None)}, probe)

    probe = call("cs231n.layers:spatial_batchnorm_forward", x=x, gamma=gamma.ravel(), beta=beta.ravel(),
                 bn_param={"mode": "train"})
    per_position = gamma * a2.standardized(x, 0, 1e-5) + beta
    assert a2.wrong_spatial_axes(per_position, right, probe)


def test_update_rule_and_pooling_hints():
    rng = np.random.default_rng(1)
    w, dw = rng.normal(size=(3, 2)), rng.normal(size=(3, 2))
    probe = call("cs231n.optim:adam", kwargs={"w": w, "dw": dw, "config": {"learning_rate": 0.1, "t": 5}}, repeat=3,
                 feed={"w": 0, "config": 1})
    right = a2.adam_variant(probe, correct=True, t_first=True)
    assert "bias correction" in a2.adam_mistakes((a2.adam_variant(probe, False, True), {}), (right, {}), probe)
    assert "before the bias correction" in a2.adam_mistakes((a2.adam_variant(probe, True, False), {}), (right, {}),
                                                            probe)
    assert a2.adam_mistakes((right + 1, {}), (right, {}), probe) is None

    x, dout = a2.distinct(rng, (1, 1, 4, 4)), rng.normal(size=(1, 1, 2, 2))
    probe = forward_backward("f", "b", x=x, pool_param={"pool_height": 2, "pool_width": 2, "stride": 2}, dout=dout)
    averaged = np.kron(dout, np.ones((2, 2))) / 4
    assert "maximum only" in a2.spread_over_window(averaged, np.zeros_like(x), probe)
    assert a2.spread_over_window(np.zeros_like(x), np.zeros_like(x), probe) is None


def test_running_average_hint_names_the_unbiased_variance():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(5, 3))
    probe = call("cs231n.layers:batchnorm_forward", x=x, gamma=np.ones(3), beta=np.zeros(3), bn_param={"mode": "train"})
    expected = {"running_mean": 0.1 * x.mean(axis=0), "running_var": 0.1 * x.var(axis=0)}
    unbiased = {"running_mean": 0.1 * x.mean(axis=0), "running_var": 0.1 * x.var(axis=0, ddof=1)}
    assert "biased batch variance" in a2.running_stats_hint(unbiased, expected, probe)
    assert "bn_param should hold" in a2.running_stats_hint({"mode": "train"}, expected, probe)


@pytest.mark.parametrize("kept, p, problem", [(0.3, 0.3, None), (0.7, 0.3, "KEEPING"), (0.5, 0.3, "expected")])
def test_keep_probability_allows_six_standard_errors(kept, p, problem):
    rng = np.random.default_rng(3)
    x = rng.uniform(1, 2, size=(100, 200))
    out = np.where(rng.random(x.shape) < kept, x / p, 0.0)
    probe = call("cs231n.layers:dropout_forward", x=x, dropout_param={"mode": "train", "p": p, "seed": 0})
    verdict = a2.keeps_with_probability_p({"out": (out, None)}, probe)
    assert verdict is None if problem is None else problem in verdict
