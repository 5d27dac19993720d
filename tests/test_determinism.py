"""Grading the same submission again gives the same report.

The submission flips coins: each edited function answers right or wrong on a draw
from NumPy's global generator, Python's ``random``, or ``hash()`` of a string. With
inputs made from a seed, generators seeded before every call and a fixed hash seed,
ten gradings agree; without that, ten runs of a handful of coins would almost surely
differ somewhere.
"""
from __future__ import annotations

import shutil

import pytest

from conftest import REFERENCE, checks_of
from grader import api
from grader.worker.limits import Limits

pytestmark = pytest.mark.slow  # every test here starts workers

COINS = {
    "cs231n/classifiers/linear_svm.py": """
_right_svm = svm_loss_naive


def svm_loss_naive(W, X, y, reg):
    loss, dW = _right_svm(W, X, y, reg)
    return (loss if np.random.rand() < 0.5 else loss + 1.0), dW
""",
    "cs231n/classifiers/softmax.py": """
import random

_right_softmax = softmax_loss_naive


def softmax_loss_naive(W, X, y, reg):
    loss, dW = _right_softmax(W, X, y, reg)
    return (loss if random.random() < 0.5 else loss + 1.0), dW
""",
    "cs231n/layers.py": """
_right_affine, _right_relu = affine_forward, relu_forward


def affine_forward(x, w, b):
    out, cache = _right_affine(x, w, b)
    return (out if np.random.randint(2) else out + 1.0), cache


def relu_forward(x):
    out, cache = _right_relu(x)
    return (out if hash(repr(x.shape) + "salt") % 2 else out + 1.0), cache
""",
}
CHECKS = ("svm: svm_loss_naive, no reg", "svm: svm_loss_naive, with reg", "softmax: softmax_loss_naive, no reg",
          "softmax: softmax_loss_naive, with reg", "layers: affine_forward", "layers: relu_forward",
          "linear_classifier: train returns a falling loss history", "two_layer_net: initialization")


def test_ten_gradings_of_a_coin_flipping_submission_agree(tmp_path, references):
    folder = tmp_path / "coins"
    shutil.copytree(REFERENCE / "assignment1", folder, ignore=shutil.ignore_patterns("__pycache__"))
    for file, code in COINS.items():
        path = folder / file
        path.write_text(path.read_text() + "\n" + code)
    suite = checks_of("assignment1", CHECKS)
    runs = []
    for _ in range(10):
        report = api.grade(suite, folder, references=references, limits=Limits(timeout_scale=0.2))
        runs.append([(r.name, r.score, r.status, r.feedback) for r in report.results])
    assert all(run == runs[0] for run in runs)
    scores = [score for _, score, _, _ in runs[0]]
    assert 0 < sum(scores) < suite.max_score  # the coins fell both ways: the test could have failed
