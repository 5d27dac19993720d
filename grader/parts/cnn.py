"""``ThreeLayerConvNet``: parameters, the loss at initialization, scores, loss and
gradients with injected parameters, and one epoch of training with the Solver.

Threshold on the embedded digits (16x16): the reference's lowest held-out accuracy after
one epoch with Adam over 20 grading seeds (67.3-82.7%) minus 6 points, 61%. CIFAR-10:
the course's "above 40% after one epoch", here on 10000 images, minus a margin: 30%,
not a measurement.
"""
from __future__ import annotations

import numpy as np

from ..checks import Accuracy, Matches, Property
from ..probe import method, solver_train, step
from ..suite import Part
from .common import SOLVER, initialized, provided_fast_layers, solver_kwargs, test_labels, training_views
from .fc_net import REG_HINTS

CNN = "cs231n.classifiers.cnn:ThreeLayerConvNet"
SETTINGS = {
    "digits": dict(num_filters=16, filter_size=5, hidden_dim=100, weight_scale=1e-2, update_rule="adam",
                   learning_rate=2e-3, lr_decay=1.0, num_epochs=1, batch_size=50, num_train=None, size=16),
    "cifar10": dict(num_filters=32, filter_size=7, hidden_dim=100, weight_scale=1e-3, update_rule="adam",
                    learning_rate=1e-3, lr_decay=1.0, num_epochs=1, batch_size=50, num_train=10000, size=32),
}
THRESHOLD = {"digits": 0.61, "cifar10": 0.30}


CNN_SHAPES = (((3, 3, 8, 8), 4, 3, 6, 5), ((2, 2, 10, 6), 3, 5, 4, 3))  # (X shape, filters, size, hidden, classes)


def cnn_params(rng, shape, filters, size, hidden, classes):
    _, C, H, W = shape
    pooled = filters * (H // 2) * (W // 2)
    return {"W1": rng.normal(size=(filters, C, size, size)) / np.sqrt(C * size * size),
            "b1": 0.1 * rng.normal(size=filters),
            "W2": rng.normal(size=(pooled, hidden)) / np.sqrt(pooled), "b2": 0.1 * rng.normal(size=hidden),
            "W3": rng.normal(size=(hidden, classes)) / np.sqrt(hidden), "b3": 0.1 * rng.normal(size=classes)}


def cnn_cases(with_labels: bool = True, reg: float = 0.0):
    def cases(rng):
        probes = []
        for shape, filters, size, hidden, classes in CNN_SHAPES:
            X, y = rng.normal(size=shape), rng.integers(0, classes, shape[0])
            init = dict(input_dim=tuple(shape[1:]), num_filters=filters, filter_size=size, hidden_dim=hidden,
                        num_classes=classes, reg=reg, dtype="float64")
            probes.append(method(CNN, step("loss", X=X, y=y) if with_labels else step("loss", X=X), init=init,
                                 attrs={"params": cnn_params(rng, shape, filters, size, hidden, classes)}))
        return probes
    return cases


def cnn_init(rng):
    return [method(CNN, init=dict(input_dim=(3, 10, 8), num_filters=6, filter_size=5, hidden_dim=40, num_classes=4,
                                  weight_scale=0.05, dtype="float64"), read=["params"])]


def cnn_expected_shapes(probe) -> dict:
    init = probe.spec["init"]
    C, H, W = init["input_dim"]
    F, size = init["num_filters"], init["filter_size"]
    return {"W1": (F, C, size, size), "b1": (F,), "W2": (F * (H // 2) * (W // 2), init["hidden_dim"]),
            "b2": (init["hidden_dim"],), "W3": (init["hidden_dim"], init["num_classes"]), "b3": (init["num_classes"],)}


def pooled_from_height(name, value, shape, probe) -> str | None:
    init = probe.spec["init"]
    C, H, W = init["input_dim"]
    if name == "W2" and isinstance(value, np.ndarray) and value.ndim == 2 and H != W and \
            value.shape[0] == init["num_filters"] * (H // 2) * (H // 2):
        return "the pooled size is computed from H for both axes: the pooled output is H // 2 by W // 2"
    return None


def cnn_first_loss(rng):
    X, y = rng.normal(size=(6, 3, 16, 16)), rng.integers(0, 10, 6)
    return [method(CNN, step("loss", X=X, y=y), init=dict(input_dim=(3, 16, 16), num_filters=8, filter_size=3,
                                                          hidden_dim=20, num_classes=10, weight_scale=1e-3))]


def loss_near_log_classes(value, probe):
    out = value.get("out") if isinstance(value, dict) else None
    loss = out[0] if isinstance(out, (tuple, list)) and out else None
    if isinstance(loss, np.ndarray) and loss.shape == () and loss.dtype.kind == "f":
        loss = float(loss)
    if not isinstance(loss, float) or not np.isfinite(loss):
        return f"loss(X, y) should return (loss, grads) with a finite float loss; got {type(loss).__name__}"
    # Scores of tiny weights are all about 0, so the softmax loss is log(10) to within 1e-3.
    if abs(loss - np.log(10)) > 0.05:
        return f"the loss at initialization is {loss:.4f}; with small random weights and 10 classes it should " \
               f"be about log(10) = {np.log(10):.4f}"
    return None


def cnn_training(dataset, rng):
    s = SETTINGS[dataset.name]
    views, score_inputs = training_views(dataset, s["size"], s["num_train"], images=True)
    return solver_train(CNN, solver=SOLVER, model_kwargs=dict(input_dim=(3, s["size"], s["size"]), num_filters=s["num_filters"],
                                               filter_size=s["filter_size"], hidden_dim=s["hidden_dim"],
                                               num_classes=10, weight_scale=s["weight_scale"]),
                        data=views, score_inputs=score_inputs, solver_kwargs=solver_kwargs(s), timeout=300)


def part() -> Part:
    return Part("cnn", (
        Property("parameter names, shapes and initial values", 1, cases=cnn_init,
                 test=initialized(cnn_expected_shapes, {"b": 0.0}, hints=(pooled_from_height,))),
        Property("loss near log(10) at initialization", 1, cases=cnn_first_loss, test=loss_near_log_classes),
        Matches("scores with injected parameters", 1, cases=cnn_cases(with_labels=False), tol=1e-8),
        Matches("loss and gradients with injected parameters", 3, cases=cnn_cases(reg=0.0), names=("loss", "grads"),
                tol=1e-8),
        Matches("loss and gradients with regularization", 1, cases=cnn_cases(reg=0.3), names=("loss", "grads"),
                tol=1e-8, hints=REG_HINTS),
        Accuracy("one epoch of training: accuracy on held-out images", 3, probe=cnn_training,
                 pick=("scores", "test"), labels=test_labels, threshold=THRESHOLD),
    ), prepare=provided_fast_layers)
