"""Recognisers whose arithmetic comes close to a solution (a mistake is one substitution
away from the right formula): graded with in official grading, left out of the student
release (``grader/release/wheel.py``), where ``common.private`` stands in a recogniser
that recognises nothing."""
from __future__ import annotations

import numpy as np

from .common import close


def uses_x_for_centered(got, expected, probe):
    """The backward pass with x where x - mean belongs: in x_hat, or in the variance's
    terms of the step-by-step form."""
    if not isinstance(got, (tuple, list)) or len(got) != 3:
        return None
    x, gamma, dout = probe.arg("x"), probe.arg("gamma"), probe.arg("dout")
    D = x.shape[1]
    std = np.sqrt(x.var(axis=1, keepdims=True) + (probe.arg("ln_param") or {}).get("eps", 1e-5))
    dx_hat, x_hat = dout * gamma, x / std
    folded = (dx_hat - dx_hat.mean(axis=1, keepdims=True)
              - x_hat * np.mean(dx_hat * x_hat, axis=1, keepdims=True)) / std
    dvar = np.sum(dx_hat * x, axis=1, keepdims=True) * -0.5 / std ** 3
    dmean = -np.sum(dx_hat, axis=1, keepdims=True) / std + dvar * np.mean(-2 * x, axis=1, keepdims=True)
    stepwise = dx_hat / std + dvar * 2 * x / D + dmean / D
    if close(got[0], folded) or close(got[0], stepwise) or close(got[1], np.sum(dout * x_hat, axis=0)):
        return "the backward pass uses x where the centered x - mean belongs (x_hat = (x - mean) / std)"
    return None


def loss_shifted_globally(scores, y):
    """The softmax loss of ``scores`` computed with a shift by the largest score of the
    whole matrix (which underflows rows whose own scores are far below it)."""
    with np.errstate(all="ignore"):
        shifted = scores - np.max(scores)
        log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
        return -np.mean(log_probs[np.arange(len(scores)), y])
