"""``LinearClassifier``: predict, a training run whose loss falls, and the accuracy
``LinearSVM`` and ``Softmax`` reach when the student's code trains them.

Thresholds on the embedded digits: the reference's lowest held-out accuracy over 5
training seeds minus 6 points: LinearSVM 75.0-79.3% -> 69%, Softmax 73.7-75.3% -> 67%.
CIFAR-10: the course's targets minus a margin (35%, 32%), not measurements.
"""
from __future__ import annotations

import numpy as np

from .. import data
from ..checks import Accuracy, Matches, Property
from ..probe import method, step
from ..suite import Part
from .common import test_labels

MODULE = "cs231n.classifiers.linear_classifier"
SETTINGS = {
    "digits": {"svm": dict(learning_rate=1e-6, reg=1e3, num_iters=500, batch_size=200),
               "softmax": dict(learning_rate=1e-6, reg=1e2, num_iters=500, batch_size=200)},
    "cifar10": {"svm": dict(learning_rate=1e-7, reg=2.5e4, num_iters=1500, batch_size=200),
                "softmax": dict(learning_rate=1e-7, reg=2.5e4, num_iters=1500, batch_size=200)},
}
THRESHOLDS = {"svm": {"digits": 0.69, "cifar10": 0.35}, "softmax": {"digits": 0.67, "cifar10": 0.32}}


def views(dataset):
    mean = data.mean_image(dataset)
    return data.with_bias(data.rows(dataset.X_train, mean)), data.with_bias(data.rows(dataset.X_test, mean))


def accuracy_probe(cls: str, name: str):
    def probe(dataset, rng):
        X_train, X_test = views(dataset)
        return method(cls, step("train", X=X_train, y=dataset.y_train, kwargs=SETTINGS[dataset.name][name]),
                      step("predict", X=X_test), timeout=120)
    return probe


def predict_cases(cls: str):
    def cases(rng):
        W, X = rng.normal(size=(12, 5)), rng.normal(size=(9, 12))
        return [method(cls, step("predict", X=X), attrs={"W": W})]
    return cases


def training_run(cls: str):
    def cases(rng):
        X, y = rng.normal(size=(60, 15)), rng.integers(0, 3, 60)
        return [method(cls, step("train", X=X, y=y, kwargs=dict(learning_rate=0.05, reg=1e-3, num_iters=40,
                                                                 batch_size=20)))]
    return cases


def loss_history_falls(value, probe):
    history = value.get("out") if isinstance(value, dict) else None
    if not isinstance(history, list) or len(history) != 40:
        return f"train should return a list with one loss per iteration (40); got {type(history).__name__} " \
               f"of length {len(history) if isinstance(history, list) else '-'}"
    losses = np.array([h if isinstance(h, (int, float)) else np.nan for h in history], dtype=float)
    if not np.all(np.isfinite(losses)) or losses[-10:].mean() >= losses[:10].mean():
        return "the loss did not go down during training: is the update w -= learning_rate * grad applied?"
    return None


def part(classifiers: tuple[str, ...] = ("LinearSVM", "Softmax")) -> Part:
    """``classifiers``: the subclasses trained for accuracy (the first one also answers
    ``predict``, the last one trains for the falling loss)."""
    checks = [
        Matches("predict", 2, cases=predict_cases(f"{MODULE}:{classifiers[0]}"), tol=0),
        Property("train returns a falling loss history", 1, cases=training_run(f"{MODULE}:{classifiers[-1]}"),
                 test=loss_history_falls),
    ]
    for cls in classifiers:
        name = {"LinearSVM": "svm", "Softmax": "softmax"}[cls]
        checks.append(Accuracy(f"{cls} accuracy on held-out images", 3, probe=accuracy_probe(f"{MODULE}:{cls}", name),
                               pick="out", labels=test_labels, threshold=THRESHOLDS[name]))
    return Part("linear_classifier", tuple(checks))
