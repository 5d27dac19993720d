"""``FullyConnectedNet``: parameters, scores, loss and gradients with injected
parameters (plain, with regularization, batchnorm, layernorm and dropout), overfitting
50 images, and the accuracy it reaches trained with the student's Solver.

Networks with dropout are compared with the reference in test mode and checked
numerically with a fixed seed, because the student's random draws need not match ours.
Thresholds on the embedded digits (shown at 16x16): the reference's lowest held-out
accuracy over 20 grading seeds (84.7-89.3%, SGD+momentum) minus 6 points, 78%
(``benchmarks/training_thresholds.py``); the 50-image overfitting reached 100% for all
20 seeds. CIFAR-10: the course's target minus a margin (45%), not a measurement.
"""
from __future__ import annotations

import numpy as np

from .. import data
from ..checks import Accuracy, Alternative, GradientCheck, Matches, Property
from ..probe import method, solver_train, step
from ..suite import Part
from .common import (SOLVER, close, initialized, penalty_mistakes, provided_fast_layers, solver_kwargs, standardized,
                     test_labels, training_views, weight_matrices)

FC_NET = "cs231n.classifiers.fc_net:FullyConnectedNet"
# Hyperparameters handed to the student's training code. ``size``: the digits are shown at
# half resolution (16x16), which keeps their shapes and makes training four times cheaper.
SETTINGS = {
    "digits": dict(hidden_dims=[100, 100], normalization=None, weight_scale=1e-2, update_rule="sgd_momentum",
                   learning_rate=5e-3, lr_decay=0.9, num_epochs=10, batch_size=100, num_train=None, size=16),
    "cifar10": dict(hidden_dims=[100, 100], normalization="batchnorm", weight_scale=1e-2, update_rule="adam",
                    learning_rate=1e-3, lr_decay=0.9, num_epochs=10, batch_size=200, num_train=None, size=32),
}
THRESHOLD = {"digits": 0.78, "cifar10": 0.45}
# The overfitting check: the course's 50 images, 20 epochs; settings that reach 100%
# train accuracy on the digits for every seed tried (and on CIFAR-10 in the course).
OVERFIT = dict(hidden_dims=[100, 100], weight_scale=3e-2, learning_rate=5e-3, num_epochs=20, batch_size=25)


def net_params(rng, dims, normalization=None):
    params = {}
    for i, (fan_in, fan_out) in enumerate(zip(dims[:-1], dims[1:]), start=1):
        params[f"W{i}"] = rng.normal(size=(fan_in, fan_out)) / np.sqrt(fan_in)
        params[f"b{i}"] = 0.1 * rng.normal(size=fan_out)
        if normalization and i < len(dims) - 1:
            params[f"gamma{i}"], params[f"beta{i}"] = rng.uniform(0.5, 1.5, fan_out), 0.1 * rng.normal(size=fan_out)
    return params


FC_SHAPES = (((5, 12), [7, 6], 4), ((3, 2, 3, 2), [6, 5, 7, 4], 3))  # (X shape, hidden_dims, classes)


def fc_cases(with_labels: bool = True, normalization=None, reg: float = 0.0, test_after_train: bool = False):
    def cases(rng):
        probes = []
        for shape, hidden, classes in FC_SHAPES:
            X, y = rng.normal(size=shape), rng.integers(0, classes, shape[0])
            dims = [int(np.prod(shape[1:])), *hidden, classes]
            init = dict(hidden_dims=hidden, input_dim=dims[0], num_classes=classes, normalization=normalization,
                        reg=reg, weight_scale=0.1, dtype="float64")
            steps = [step("loss", X=X, y=y)] if with_labels else [step("loss", X=X)]
            if test_after_train:
                steps = [step("loss", X=X, y=y), step("loss", X=rng.normal(size=shape))]
            probes.append(method(FC_NET, *steps, init=init, attrs={"params": net_params(rng, dims, normalization)}))
        return probes
    return cases


def fc_init(rng, normalizations=(None, "batchnorm", "layernorm")):
    probes = []
    for normalization in normalizations:
        probes.append(method(FC_NET, init=dict(hidden_dims=[40, 30, 20], input_dim=60, num_classes=8,
                                               normalization=normalization, weight_scale=0.05, dtype="float64"),
                             read=["params"]))
    return probes


def fc_expected_shapes(probe) -> dict:
    init = probe.spec["init"]
    dims = [init["input_dim"], *init["hidden_dims"], init["num_classes"]]
    shapes = {}
    for i, (fan_in, fan_out) in enumerate(zip(dims[:-1], dims[1:]), start=1):
        shapes[f"W{i}"], shapes[f"b{i}"] = (fan_in, fan_out), (fan_out,)
        if init.get("normalization") and i < len(dims) - 1:
            shapes[f"gamma{i}"], shapes[f"beta{i}"] = (fan_out,), (fan_out,)
    return shapes

def gradients_miss_reg(got, expected, probe):
    """The loss is right but the weight gradients lack the penalty's share reg * W."""
    reg, params = probe.arg("reg"), probe.arg("params")
    grads = got[1] if isinstance(got, (tuple, list)) and len(got) == 2 else None
    if not reg or not isinstance(grads, dict):
        return None
    weights = [k for k in params if k.startswith("W")]
    if all(close(grads.get(k), expected[1][k] - reg * params[k]) for k in weights):
        return "the weight gradients are missing the penalty's share reg * W"
    return None


def beta_gradient_is_db(got, expected, probe):
    grads = got[1] if isinstance(got, (tuple, list)) and len(got) == 2 and isinstance(got[1], dict) else {}
    for name in (k for k in expected[1] if k.startswith("beta")):
        b = expected[1].get(f"b{name[4:]}")
        if close(grads.get(name), b) and not close(expected[1][name], b):
            return f"grads[{name!r}] holds the affine layer's db (grads['b{name[4:]}']): store the normalization " \
                   "layer's dbeta there"
    return None


REG_HINTS = (
    Alternative({"reg": 0.0}, "the regularization term 0.5 * reg * sum(W*W) over every weight matrix is missing"),
    Alternative(lambda probe: {"reg": 2 * probe.arg("reg")},
                "the penalty is 0.5 * reg * sum(W*W) (gradient reg * W), not reg * sum(W*W)"),
    gradients_miss_reg,
    penalty_mistakes(0.5, weight_matrices),
)


def fc_dropout_scores(rng):
    """Test mode with dropout: the keep ratio must make no difference."""
    probes = []
    for normalization, (shape, hidden, classes) in zip((None, "layernorm"), FC_SHAPES):
        X = rng.normal(size=shape)
        dims = [int(np.prod(shape[1:])), *hidden, classes]
        probes.append(method(FC_NET, step("loss", X=X), init=dict(
            hidden_dims=hidden, input_dim=dims[0], num_classes=classes, normalization=normalization,
            dropout_keep_ratio=0.5, weight_scale=0.1, dtype="float64"),
            attrs={"params": net_params(rng, dims, normalization)}))
    return probes


def first_relu_input(X, params, normalization):
    hidden = X @ params["W1"] + params["b1"]
    if normalization == "batchnorm":
        hidden = params["gamma1"] * standardized(hidden, 0, 1e-5) + params["beta1"]
    return hidden


def fc_dropout_gradients(rng):
    """Inputs whose first ReLU sees nothing within 1e-3 of its kink, where a numerical
    gradient of correct code would be wrong (the layers after it depend on the student's
    dropout masks, which the grader does not know)."""
    probes = []
    for normalization, reg in ((None, 0.1), ("batchnorm", 0.0)):
        while True:
            X, y = rng.normal(size=(4, 6)), rng.integers(0, 3, 4)
            params = net_params(rng, [6, 5, 4, 3], normalization)
            if np.min(np.abs(first_relu_input(X, params, normalization))) >= 1e-3:
                break
        probes.append(method(FC_NET, step("loss", X=X, y=y), numeric="params", init=dict(
            hidden_dims=[5, 4], input_dim=6, num_classes=3, normalization=normalization, reg=reg,
            dropout_keep_ratio=0.6, seed=int(rng.integers(1000)), weight_scale=0.1, dtype="float64"),
            attrs={"params": params}))
    return probes


def fc_dropout_repeats(rng):
    """The same batch twice: the training loss changes unless a seed is given; test
    scores never change."""
    X, y = rng.normal(size=(6, 8)), rng.integers(0, 3, 6)
    init = dict(hidden_dims=[20, 20], input_dim=8, num_classes=3, dropout_keep_ratio=0.5, weight_scale=0.3,
                dtype="float64")
    return [method(FC_NET, step("loss", X=X, y=y), step("loss", X=X, y=y), init=init),
            method(FC_NET, step("loss", X=X, y=y), step("loss", X=X, y=y), init={**init, "seed": 5}),
            method(FC_NET, step("loss", X=X), step("loss", X=X), init=init)]


def dropout_in_the_net(value, probe):
    outs = value.get("outs") if isinstance(value, dict) else None
    if not isinstance(outs, list) or len(outs) != 2:
        return "loss did not return a value for each call"
    training = "y" in probe.spec["steps"][0][1]
    firsts = [o[0] if training and isinstance(o, (tuple, list)) and o else o for o in outs]
    if not all(isinstance(f, (float, int, np.ndarray)) and not isinstance(f, bool) for f in firsts) or \
            not all(np.all(np.isfinite(f)) for f in firsts):
        return "loss should return (loss, grads) with labels and the scores without"
    same = np.shape(firsts[0]) == np.shape(firsts[1]) and np.array_equal(firsts[0], firsts[1])
    if not training and not same:
        return "two test-time forward passes on the same batch differ: dropout must be off in test mode"
    if training and "seed" in probe.spec["init"] and not same:
        return "with a seed, two training-time losses on the same batch differ: pass the seed on to the " \
               "dropout layers (self.dropout_param['seed'])"
    if training and "seed" not in probe.spec["init"] and same:
        return "two training-time losses on the same batch are equal: is dropout applied in train mode?"
    return None


def overfit_probe(dataset, rng):
    mean = data.mean_image(dataset)
    X, y = data.rows(dataset.X_train[:50], mean), dataset.y_train[:50]
    # The 50 images serve as validation data too, so the Solver's best model is the best-fitting one.
    return solver_train(FC_NET, solver=SOLVER, model_kwargs=dict(hidden_dims=OVERFIT["hidden_dims"], input_dim=32 * 32 * 3,
                                                   num_classes=10, weight_scale=OVERFIT["weight_scale"]),
                         data={"X_train": X, "y_train": y, "X_val": X, "y_val": y}, score_inputs={"train": X},
                         solver_kwargs=dict(update_rule="sgd", optim_config={"learning_rate": OVERFIT["learning_rate"]},
                                            num_epochs=OVERFIT["num_epochs"], batch_size=OVERFIT["batch_size"],
                                            verbose=False), timeout=120)


def overfit_labels(dataset):
    return dataset.y_train[:50]

def fc_training(dataset, rng):
    s = SETTINGS[dataset.name]
    views, score_inputs = training_views(dataset, s["size"], s["num_train"], images=False)
    return solver_train(FC_NET, solver=SOLVER, model_kwargs=dict(hidden_dims=s["hidden_dims"], input_dim=s["size"] ** 2 * 3,
                                                  num_classes=10, normalization=s["normalization"],
                                                  weight_scale=s["weight_scale"]),
                        data=views, score_inputs=score_inputs, solver_kwargs=solver_kwargs(s), timeout=300)


# The checks of the normalization and dropout options, left out where a year's notebook
# trains the plain net only (assignment 1, 2025 on).
OPTIONS = ("loss and gradients with batchnorm", "batchnorm: test-mode scores use the running averages",
           "loss and gradients with layernorm", "dropout: test-mode scores",
           "dropout: active in training only, repeatable with a seed",
           "dropout: gradients match a numerical gradient (fixed seed)")


def part(options: bool = True, fast_layers: bool = True) -> Part:
    """``options``: normalization and dropout graded too; ``fast_layers``: the
    assignment's layer_utils imports the course's fast layers (assignment 2)."""
    plain = "loss and gradients, 2 and 4 hidden layers"
    init = fc_init if options else lambda rng: fc_init(rng, (None,))
    part = Part("fc_net", (
        Property("parameter names, shapes and initial values", 2, cases=init,
                 test=initialized(fc_expected_shapes, {"b": 0.0, "gamma": 1.0, "beta": 0.0})),
        Matches("scores with injected parameters, 2 and 4 hidden layers", 2, cases=fc_cases(with_labels=False),
                tol=1e-8),
        Matches(plain, 3, cases=fc_cases(), names=("loss", "grads"), tol=1e-8),
        Matches("loss and gradients with regularization", 2, cases=fc_cases(reg=0.37), names=("loss", "grads"),
                tol=1e-8, hints=REG_HINTS),
        Matches("loss and gradients with batchnorm", 3, cases=fc_cases(normalization="batchnorm", reg=0.21),
                names=("loss", "grads"), tol=1e-8, hints=REG_HINTS + (beta_gradient_is_db,)),
        Matches("batchnorm: test-mode scores use the running averages", 1,
                cases=fc_cases(normalization="batchnorm", test_after_train=True), tol=1e-8),
        Matches("loss and gradients with layernorm", 2, cases=fc_cases(normalization="layernorm", reg=0.21),
                names=("loss", "grads"), tol=1e-8, hints=REG_HINTS + (beta_gradient_is_db,)),
        Matches("dropout: test-mode scores", 1, cases=fc_dropout_scores, tol=1e-8),
        Property("dropout: active in training only, repeatable with a seed", 1, cases=fc_dropout_repeats,
                 test=dropout_in_the_net),
        # tol: batchnorm over 4 examples is curved enough that the reference's numerical gradient is off by
        # up to 1.0e-6 (1 grading seed in 300); the mistakes this check catches are 1e-2 off and more
        GradientCheck("dropout: gradients match a numerical gradient (fixed seed)", 2, cases=fc_dropout_gradients,
                      tol=1e-5, atol=1e-8, requires=(plain,)),
        Accuracy("overfits 50 training images with the Solver", 2, probe=overfit_probe, pick=("scores", "train"),
                 labels=overfit_labels, threshold={"digits": 1.0, "cifar10": 1.0}, images="training"),
        Accuracy("accuracy on held-out images", 3, probe=fc_training, pick=("scores", "test"), labels=test_labels,
                 threshold=THRESHOLD),
    ), prepare=provided_fast_layers if fast_layers else None)
    return part if options else part.without(*OPTIONS)
