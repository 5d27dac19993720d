"""``TwoLayerNet`` of ``fc_net.py`` (2021 on): initialization, scores, loss and
gradients with injected parameters, and the accuracy it reaches trained with the Solver.

Threshold on the embedded digits: the reference's lowest held-out accuracy over 5
training seeds (83.0-86.3%) minus 6 points, 77%; CIFAR-10: the course's target minus
a margin (44%), not a measurement.
"""
from __future__ import annotations

from .. import data
from ..checks import Accuracy, Alternative, Matches, Property
from ..probe import method, solver_train, step
from ..suite import Part
from .common import SOLVER, initialized, penalty_mistakes, test_labels, weight_matrices

NET = "cs231n.classifiers.fc_net:TwoLayerNet"
SIZE = dict(input_dim=12, hidden_dim=7, num_classes=4)
SETTINGS = {
    "digits": dict(hidden_dim=100, weight_scale=1e-3, reg=0.1, learning_rate=2e-3, num_epochs=20, batch_size=100),
    "cifar10": dict(hidden_dim=100, weight_scale=1e-3, reg=0.25, learning_rate=1e-3, num_epochs=10, batch_size=200),
}
THRESHOLD = {"digits": 0.77, "cifar10": 0.44}


def injected_params(rng, input_dim=12, hidden_dim=7, num_classes=4):
    return {"W1": 0.3 * rng.normal(size=(input_dim, hidden_dim)), "b1": 0.1 * rng.normal(size=hidden_dim),
            "W2": 0.3 * rng.normal(size=(hidden_dim, num_classes)), "b2": 0.1 * rng.normal(size=num_classes)}


def net_cases(with_labels: bool, reg: float):
    def cases(rng):
        probes = []
        for num in (5, 1):
            X, y = rng.normal(size=(num, 12)), rng.integers(0, 4, num)
            args = step("loss", X=X, y=y) if with_labels else step("loss", X=X)
            probes.append(method(NET, args, init={**SIZE, "weight_scale": 1e-3, "reg": reg},
                                 attrs={"params": injected_params(rng)}))
        return probes
    return cases


def init_cases(rng):
    return [method(NET, init=dict(input_dim=300, hidden_dim=200, num_classes=7, weight_scale=0.02, reg=0.0),
                   read=["params"])]


def expected_shapes(probe) -> dict:
    init = probe.spec["init"]
    D, H, C = init["input_dim"], init["hidden_dim"], init["num_classes"]
    return {"W1": (D, H), "b1": (H,), "W2": (H, C), "b2": (C,)}


def training(dataset, rng):
    settings = SETTINGS[dataset.name]
    mean = data.mean_image(dataset)
    views = {"X_train": data.rows(dataset.X_train, mean), "y_train": dataset.y_train,
             "X_val": data.rows(dataset.X_val, mean), "y_val": dataset.y_val}
    return solver_train(NET, solver=SOLVER, model_kwargs=dict(input_dim=32 * 32 * 3, hidden_dim=settings["hidden_dim"],
                                                              num_classes=10, weight_scale=settings["weight_scale"],
                                                              reg=settings["reg"]),
                        data=views, score_inputs={"test": data.rows(dataset.X_test, mean)},
                        solver_kwargs=dict(update_rule="sgd", optim_config={"learning_rate": settings["learning_rate"]},
                                           lr_decay=0.95, num_epochs=settings["num_epochs"],
                                           batch_size=settings["batch_size"], verbose=False),
                        timeout=300)


def part(init_points: float = 2) -> Part:
    """``init_points``: 0 where ``__init__`` is provided code (2025 on)."""
    init = "initialization" + ("" if init_points else " (provided code, no points)")
    return Part("two_layer_net", (
        Property(init, init_points, cases=init_cases, test=initialized(expected_shapes, {"b": 0.0})),
        Matches("scores with injected parameters", 3, cases=net_cases(False, 0.0), tol=1e-9),
        Matches("loss and gradients, no reg", 3, cases=net_cases(True, 0.0), names=("loss", "grads"), tol=1e-8),
        Matches("loss and gradients, with reg", 3, cases=net_cases(True, 0.7), names=("loss", "grads"), tol=1e-8,
                hints=(Alternative({"reg": 0.0}, "the regularization term 0.5 * reg * sum(W*W) is missing"),
                       penalty_mistakes(0.5, weight_matrices))),
        Accuracy("trained with the Solver: accuracy on held-out images", 4, probe=training, pick=("scores", "test"),
                 labels=test_labels, threshold=THRESHOLD),
    ))
