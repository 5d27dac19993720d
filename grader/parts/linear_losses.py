"""The linear classifiers' losses, naive and vectorized: the SVM part and the softmax part.

Both are one table (``loss_part``) with the loss's module: values with and without
regularization against the reference, naive and vectorized agreeing, and a numerical
gradient check; softmax also stays finite for large scores.

The large scores are built so that every correct form passes (a shift by each row's
own largest score, as the starter code asks, or a log-sum-exp) and each known mistake
fails with its own hint: each row has a large offset (1e3 to 1.6e4) and a spread of a
few units inside it. Without a shift exp overflows; in the first probe every row has
about the same offset, so a shift by the largest score of the whole matrix passes
there, and in the second the offsets differ by 1000 or more, so such a shift underflows
every row but one to exp(-1000) = 0.
"""
from __future__ import annotations

import numpy as np

from ..checks import Agrees, Alternative, GradientCheck, Matches
from ..probe import call
from ..suite import Part
from .common import penalty_mistakes, private

SVM = "cs231n.classifiers.linear_svm"
SOFTMAX = "cs231n.classifiers.softmax"


def problems(target: str, reg: float, scale: float = 0.01, sizes=((30, 50, 10), (7, 12, 3), (1, 5, 4))):
    def cases(rng):
        probes = []
        for num, dim, classes in sizes:
            W = scale * rng.normal(size=(dim, classes))
            X, y = rng.normal(size=(num, dim)), rng.integers(0, classes, num)
            probes.append(call(target, W=W, X=X, y=y, reg=reg))
        return probes
    return cases


def pairs(first: str, second: str, reg: float):
    def cases(rng):
        return [(a, call(second, **a.spec["args"])) for a in problems(first, reg)(rng)]
    return cases


def gradient_problems(target: str, reg: float):
    def cases(rng):
        W, X = 0.05 * rng.normal(size=(8, 4)), rng.normal(size=(6, 8))
        return [call(target, W=W, X=X, y=rng.integers(0, 4, 6), reg=reg, numeric="W")]
    return cases


def large_scores(target: str):
    """Scores = a row's offset (the first feature, weighted 1 for every class) plus a spread
    of a few units; the same offset for every row, then offsets 1000 apart."""
    def cases(rng):
        num, dim, classes = 16, 20, 10
        probes = []
        for offsets in (1000.0 + rng.uniform(0.0, 3.0, num), 1000.0 * (1.0 + rng.permutation(num))):
            X = np.hstack([offsets[:, None], rng.normal(size=(num, dim - 1))])
            W = np.vstack([np.ones((1, classes)), 0.3 * rng.normal(size=(dim - 1, classes))])
            probes.append(call(target, W=W, X=X, y=rng.integers(0, classes, num), reg=0.0))
        return probes
    return cases


# -- hints -----------------------------------------------------------------------------------

HALF_REG = Alternative(lambda probe: {"reg": probe.arg("reg") / 2},
                       "your penalty is 0.5 * reg * sum(W*W); accepted, but the starter code uses reg * sum(W*W)")
NO_REG = Alternative({"reg": 0.0}, "the regularization term is missing from the loss and the gradient")


def gradient_misses_reg(got, expected, probe):
    reg, W = probe.arg("reg"), probe.arg("W")
    if isinstance(got, tuple) and len(got) == 2 and isinstance(got[1], np.ndarray) and got[1].shape == W.shape:
        if np.allclose(got[1] + 2 * reg * W, expected[1], rtol=1e-6, atol=1e-10):
            return "the gradient is missing the regularization term 2 * reg * W"
    return None


def not_averaged(got, expected, probe):
    num = len(probe.arg("y"))
    if num > 1 and isinstance(got, tuple) and len(got) == 2 and isinstance(got[1], np.ndarray) \
            and got[1].shape == expected[1].shape and np.allclose(got[1], num * expected[1], rtol=1e-6):
        return "the gradient is not divided by the number of examples N"
    return None


GLOBAL_SHIFT = "subtract each row's own largest score (np.max(scores, axis=1, keepdims=True)), not the largest " \
               "score of the whole matrix: the exp of every other row's scores underflows to 0"


def overflow(got, expected, probe):
    """Not finite: no shift, or (where the rows' largest scores are far apart) a shift by
    the largest score of the whole matrix; finite but equal to what that shift gives."""
    loss = got[0] if isinstance(got, tuple) and got else None
    if not isinstance(loss, (float, np.ndarray)):
        return None
    scores = probe.arg("X") @ probe.arg("W")
    rows_apart = np.min(np.max(scores, axis=1)) < np.max(scores) - 700  # exp(-700) is about the smallest double
    if not np.all(np.isfinite(loss)):
        return GLOBAL_SHIFT if rows_apart else "exp overflowed: subtract each row's largest score before exponentiating"
    globally = private("loss_shifted_globally")(scores, probe.arg("y"))
    if rows_apart and globally is not None and np.isfinite(globally) and np.isclose(float(np.squeeze(loss)), globally, rtol=1e-7):
        return GLOBAL_SHIFT
    return None


def counts_the_correct_class(got, expected, probe):
    loss = got[0] if isinstance(got, tuple) and got else None
    if isinstance(loss, float) and np.isclose(loss, expected[0] + 1.0, rtol=1e-9, atol=1e-9):
        return "the loss is exactly 1 too high: the correct class's own margin (always 1) is counted; skip " \
               "j == y[i] (or set margins[rows, y] = 0)"
    return None


HINTS = (NO_REG, gradient_misses_reg, not_averaged, overflow, penalty_mistakes(1.0, lambda probe: {"W": probe.arg("W")}))


def loss_part(name: str, module: str, gradient_tol: float, stable: bool = False, hints: tuple = ()) -> Part:
    naive, vectorized = f"{module}:{name}_loss_naive", f"{module}:{name}_loss_vectorized"
    n, v = f"{name}_loss_naive", f"{name}_loss_vectorized"
    loss = dict(tol=1e-7, names=("loss", "dW"), hints=HINTS + hints)
    checks = [
        Matches(f"{n}, no reg", 3, cases=problems(naive, 0.0), **loss),
        Matches(f"{n}, with reg", 2, cases=problems(naive, 1.3), accept=(HALF_REG,), **loss),
        Matches(f"{v}, no reg", 3, cases=problems(vectorized, 0.0), **loss),
        Matches(f"{v}, with reg", 2, cases=problems(vectorized, 1.3), accept=(HALF_REG,), **loss),
        Agrees("naive and vectorized agree", 1, cases=pairs(naive, vectorized, 0.7), tol=1e-7, names=("loss", "dW"),
               requires=(f"{n}, with reg", f"{v}, with reg")),
    ]
    if stable:
        checks.append(Matches("vectorized loss stays finite for large scores", 2, cases=large_scores(vectorized),
                              tol=1e-7, names=("loss", "dW"), hints=(overflow,)))
    checks.append(GradientCheck("vectorized gradient matches a numerical gradient", 1,
                                cases=gradient_problems(vectorized, 0.7), tol=gradient_tol,
                                requires=(f"{v}, with reg",)))
    return Part(name, tuple(checks))


def svm() -> Part:
    return loss_part("svm", SVM, gradient_tol=1e-5, hints=(counts_the_correct_class,))


def softmax() -> Part:
    return loss_part("softmax", SOFTMAX, gradient_tol=1e-6, stable=True)
