"""Assignment 2 end to end: the reference loses nothing whatever the seed, the course's
fast layers are replaced by the grader's, and CIFAR-10 files change only what depends
on the data. (Full marks for the reference and zero for the starter: test_every_suite.py.)"""
from __future__ import annotations

import pytest

from conftest import REFERENCE
from grader.checks import Accuracy
from grader.suites import load_suite

pytestmark = pytest.mark.slow


def lost_points(report):
    return [(r.name, r.status.value, r.feedback) for r in report.results if r.score < r.max_score]


def value_checks():
    """The NumPy suite without the checks that train a model: their inputs (the dataset
    and the hyperparameters) are the same for every seed, and their thresholds come from
    the reference's accuracies over 20 seeds (benchmarks/training_thresholds.py)."""
    suite = load_suite("assignment2-numpy")
    return suite.only(*(c.title for c in suite.checks if not isinstance(c, Accuracy)))


def test_reference_loses_no_points_over_20_seeds(grade_with, digits):
    suite = value_checks()
    assert 0 < len(suite.checks) < len(load_suite("assignment2-numpy").checks)
    lost = {}
    for seed in range(1, 21):
        report = grade_with(suite, REFERENCE / "assignment2", dataset=digits, seed=seed)
        lost.update({(seed, name): feedback for name, _, feedback in lost_points(report)})
    assert lost == {}


def test_the_course_fast_layers_are_replaced_by_the_graders(grade_with, solution_copy, digits):
    """The course's fast_layers.py needs a Cython extension students build themselves:
    without it, a correct ThreeLayerConvNet still earns its points."""
    folder = solution_copy("assignment2")
    (folder / "cs231n" / "fast_layers.py").write_text("from .im2col_cython import col2im_6d_cython\n")
    cnn = value_checks().only(*(c.title for c in value_checks().checks if c.part == "cnn"))
    report = grade_with(cnn, folder, dataset=digits)
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
