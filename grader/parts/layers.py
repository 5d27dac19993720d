"""The basic layers of ``cs231n/layers.py``: affine, ReLU and the score losses, each
compared with the reference and checked against a numerical gradient of the
student's own forward pass once the comparison passes."""
from __future__ import annotations

from ..checks import GradientCheck, Matches
from ..suite import Part
from .common import affine_cases, relu_cases, score_loss_cases
from .linear_losses import not_averaged


def part() -> Part:
    """Assignment 1's points; assignment 2 drops ``svm_loss`` and weighs some less."""
    return Part("layers", (
        Matches("affine_forward", 2, cases=affine_cases(forward_only=True), pick=("out", 0), tol=1e-9),
        Matches("affine_backward", 3, cases=affine_cases(), pick="grads", names=("dx", "dw", "db"), tol=1e-9),
        GradientCheck("affine_backward matches a numerical gradient", 1, cases=affine_cases(numeric=True),
                      requires=("affine_backward",)),
        Matches("relu_forward", 1, cases=relu_cases(forward_only=True), pick=("out", 0), tol=1e-12),
        Matches("relu_backward", 2, cases=relu_cases(), pick="grads", tol=1e-12),
        GradientCheck("relu_backward matches a numerical gradient", 1, cases=relu_cases(numeric=True),
                      requires=("relu_backward",)),
        Matches("svm_loss", 2, cases=score_loss_cases("svm_loss"), names=("loss", "dx"), tol=1e-9,
                hints=(not_averaged,)),
        Matches("softmax_loss", 2, cases=score_loss_cases("softmax_loss"), names=("loss", "dx"), tol=1e-9,
                hints=(not_averaged,)),
        GradientCheck("softmax_loss matches a numerical gradient", 1, cases=score_loss_cases("softmax_loss", True),
                      requires=("softmax_loss",)),
    ))
