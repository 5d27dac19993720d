"""Assignment 1: k-nearest neighbours, linear SVM, softmax, layers and the two-layer net.

The table at the bottom (``SUITE``) is the assignment: what is checked, on what
inputs, against what, for how many points. Everything above it makes inputs.
Random inputs come from the generator each check is given (seeded per check);
data-driven checks use the grading dataset's views from ``grader.data``.

Accuracy thresholds (held-out split, which the worker never sees the labels of):
* digits (embedded): the reference's lowest held-out accuracy over 5 training seeds,
  minus 6 points (about two standard errors on 300 images), rounded down to a percent.
  Measured on the 2-core CI machine: kNN k=1 68.0% (deterministic); LinearSVM 75.0-79.3%;
  Softmax 73.7-75.3%; TwoLayerNet 83.0-86.3%.
* cifar10: CIFAR-10 cannot be downloaded where this was built, so these are the
  course's stated targets minus a margin, not measurements; calibrate them by grading
  the reference with ``--data`` before relying on them.
"""
from __future__ import annotations

import numpy as np

from .. import data
from ..checks import Accuracy, Agrees, Alternative, Faster, GradientCheck, LoopCount, Matches, Property
from ..grading import Suite
from ..probe import call, forward_backward, method, solver_train, step

KNN = "cs231n.classifiers.k_nearest_neighbor:KNearestNeighbor"
SVM_NAIVE = "cs231n.classifiers.linear_svm:svm_loss_naive"
SVM_VECTORIZED = "cs231n.classifiers.linear_svm:svm_loss_vectorized"
SOFTMAX_NAIVE = "cs231n.classifiers.softmax:softmax_loss_naive"
SOFTMAX_VECTORIZED = "cs231n.classifiers.softmax:softmax_loss_vectorized"
LINEAR_SVM = "cs231n.classifiers.linear_classifier:LinearSVM"
LINEAR_SOFTMAX = "cs231n.classifiers.linear_classifier:Softmax"
LAYERS = "cs231n.layers"
NET = "cs231n.classifiers.fc_net:TwoLayerNet"

# Hyperparameters handed to the student's training code, and the accuracy it must reach.
TRAINING = {
    "digits": {
        "knn": dict(num_train=None, num_test=None, k=1),
        "svm": dict(learning_rate=1e-6, reg=1e3, num_iters=500, batch_size=200),
        "softmax": dict(learning_rate=1e-6, reg=1e2, num_iters=500, batch_size=200),
        "net": dict(hidden_dim=100, weight_scale=1e-3, reg=0.1, learning_rate=2e-3, num_epochs=20, batch_size=100),
    },
    "cifar10": {
        "knn": dict(num_train=5000, num_test=500, k=1),
        "svm": dict(learning_rate=1e-7, reg=2.5e4, num_iters=1500, batch_size=200),
        "softmax": dict(learning_rate=1e-7, reg=2.5e4, num_iters=1500, batch_size=200),
        "net": dict(hidden_dim=100, weight_scale=1e-3, reg=0.25, learning_rate=1e-3, num_epochs=10, batch_size=200),
    },
}
THRESHOLDS = {
    "knn": {"digits": 0.62, "cifar10": 0.25},
    "svm": {"digits": 0.69, "cifar10": 0.35},
    "softmax": {"digits": 0.67, "cifar10": 0.32},
    "net": {"digits": 0.77, "cifar10": 0.44},
}


# -- kNN -----------------------------------------------------------------------------

def knn_distances(method_name: str):
    def cases(rng):
        probes = []
        for num_train, num_test, dim in ((40, 15, 20), (7, 3, 5), (25, 1, 12)):
            X_train, X_test = rng.normal(size=(num_train, dim)), rng.normal(size=(num_test, dim))
            y_train = rng.integers(0, 5, num_train)
            probes.append(method(KNN, step("train", X=X_train, y=y_train), step(method_name, X=X_test)))
        return probes
    return cases


def knn_labels(*ks):
    """Distances without ties among them, labels that often tie in the vote."""
    def cases(rng):
        probes = []
        for k in ks:
            num_train, num_test = 12, 30
            dists = np.array([rng.permutation(num_train) for _ in range(num_test)], dtype=np.float64) + 0.5
            y_train = rng.integers(0, 4, num_train)
            probes.append(method(KNN, step("train", X=np.zeros((num_train, 3)), y=y_train),
                                 step("predict_labels", dists=dists, kwargs={"k": k})))
        return probes
    return cases


def knn_timing(rng):
    X_train, y_train = rng.normal(size=(200, 100)), rng.integers(0, 10, 200)
    def run(name):
        return method(KNN, step("train", X=X_train, y=y_train), step(name, X=rng.normal(size=(200, 100))))
    return run("compute_distances_two_loops"), run("compute_distances_no_loops")


def knn_accuracy(dataset, rng):
    settings = TRAINING[dataset.name]["knn"]
    X_train = dataset.X_train[: settings["num_train"]].reshape(-1, 32 * 32 * 3).astype(np.float64)
    X_test = dataset.X_test[: settings["num_test"]].reshape(-1, 32 * 32 * 3).astype(np.float64)
    return method(KNN, step("train", X=X_train, y=dataset.y_train[: settings["num_train"]]),
                  step("predict", X=X_test, kwargs={"k": settings["k"]}), timeout=120)


def knn_test_labels(dataset):
    return dataset.y_test[: TRAINING[dataset.name]["knn"]["num_test"]]


def looks_squared(got, expected, probe):
    if isinstance(got, np.ndarray) and got.shape == expected.shape and np.allclose(got, expected ** 2, rtol=1e-6):
        return "these look like squared distances: take the square root (the distance is Euclidean)"
    return None


def ties_broken_upward(got, expected, probe):
    args = probe.spec["steps"]
    dists, k = args[1][1]["dists"], args[1][2]["k"]
    y_train = args[0][1]["y"]
    nearest = y_train[np.argsort(dists, axis=1)[:, :k]]
    largest_winner = np.array([max(np.flatnonzero(np.bincount(row) == np.bincount(row).max())) for row in nearest])
    if isinstance(got, np.ndarray) and got.shape == expected.shape and np.array_equal(got, largest_winner):
        return "when labels tie in the vote, choose the smaller label"
    return None


# -- linear losses ---------------------------------------------------------------------

def loss_problems(target: str, reg: float, scale: float = 0.01, sizes=((30, 50, 10), (7, 12, 3), (1, 5, 4))):
    def cases(rng):
        probes = []
        for num, dim, classes in sizes:
            W = scale * rng.normal(size=(dim, classes))
            X, y = rng.normal(size=(num, dim)), rng.integers(0, classes, num)
            probes.append(call(target, W=W, X=X, y=y, reg=reg))
        return probes
    return cases


def pair_problems(first: str, second: str, reg: float):
    def cases(rng):
        return [(a, a_like(a, second)) for a in loss_problems(first, reg)(rng)]
    return cases


def a_like(probe, target):
    return call(target, **probe.spec["args"])


def gradient_problems(target: str, reg: float):
    def cases(rng):
        W, X = 0.05 * rng.normal(size=(8, 4)), rng.normal(size=(6, 8))
        return [call(target, W=W, X=X, y=rng.integers(0, 4, 6), reg=reg, numeric="W")]
    return cases


def large_scores(target: str):
    def cases(rng):
        W, X = rng.normal(size=(20, 10)), 100 * rng.normal(size=(16, 20))
        return [call(target, W=W, X=X, y=rng.integers(0, 10, 16), reg=0.0)]
    return cases


HALF_REG = Alternative(lambda probe: {"reg": probe.spec["args"]["reg"] / 2},
                       "your penalty is 0.5 * reg * sum(W*W); accepted, but the starter code uses reg * sum(W*W)")
NO_REG = Alternative({"reg": 0.0}, "the regularization term is missing from the loss and the gradient")


def gradient_misses_reg(got, expected, probe):
    reg, W = probe.spec["args"]["reg"], probe.spec["args"]["W"]
    if isinstance(got, tuple) and len(got) == 2 and isinstance(got[1], np.ndarray) and got[1].shape == W.shape:
        if np.allclose(got[1] + 2 * reg * W, expected[1], rtol=1e-6, atol=1e-10):
            return "the gradient is missing the regularization term 2 * reg * W"
    return None


def not_averaged(got, expected, probe):
    num = len(probe.spec["args"]["y"])
    if num > 1 and isinstance(got, tuple) and len(got) == 2 and isinstance(got[1], np.ndarray) \
            and got[1].shape == expected[1].shape and np.allclose(got[1], num * expected[1], rtol=1e-6):
        return "the gradient is not divided by the number of examples N"
    return None


def overflow(got, expected, probe):
    if isinstance(got, tuple) and got and isinstance(got[0], (float, np.ndarray)) and not np.all(np.isfinite(got[0])):
        return "exp overflowed: subtract each row's largest score before exponentiating"
    return None


LOSS_HINTS = (NO_REG, gradient_misses_reg, not_averaged, overflow)


# -- linear classifiers -----------------------------------------------------------------

def linear_views(dataset):
    mean = data.mean_image(dataset)
    return data.with_bias(data.rows(dataset.X_train, mean)), data.with_bias(data.rows(dataset.X_test, mean))


def linear_accuracy(cls: str, name: str):
    def probe(dataset, rng):
        X_train, X_test = linear_views(dataset)
        return method(cls, step("train", X=X_train, y=dataset.y_train, kwargs=TRAINING[dataset.name][name]),
                      step("predict", X=X_test), timeout=120)
    return probe


def linear_predict(rng):
    W, X = rng.normal(size=(12, 5)), rng.normal(size=(9, 12))
    return [method(LINEAR_SVM, step("predict", X=X), attrs={"W": W})]


def training_run(rng):
    X, y = rng.normal(size=(60, 15)), rng.integers(0, 3, 60)
    return [method(LINEAR_SOFTMAX, step("train", X=X, y=y, kwargs=dict(learning_rate=0.05, reg=1e-3,
                                                                      num_iters=40, batch_size=20)))]


def loss_history_falls(value, probe):
    history = value.get("out") if isinstance(value, dict) else None
    if not isinstance(history, list) or len(history) != 40:
        return f"train should return a list with one loss per iteration (40); got {type(history).__name__} " \
               f"of length {len(history) if isinstance(history, list) else '-'}"
    losses = np.array([h if isinstance(h, (int, float)) else np.nan for h in history], dtype=float)
    if not np.all(np.isfinite(losses)) or losses[-10:].mean() >= losses[:10].mean():
        return "the loss did not go down during training: is the update w -= learning_rate * grad applied?"
    return None


# -- layers ---------------------------------------------------------------------------------

AFFINE_SHAPES = ((2, (4, 5, 6), 3), (3, (7,), 5), (1, (2, 3), 4))


def affine_cases(forward_only: bool = False, numeric: bool = False):
    def cases(rng):
        probes = []
        for num, shape, out_dim in AFFINE_SHAPES[: 1 if numeric else None]:
            x = rng.normal(size=(num, *shape))
            w, b = rng.normal(size=(int(np.prod(shape)), out_dim)), rng.normal(size=out_dim)
            if forward_only:
                probes.append(call(f"{LAYERS}:affine_forward", x=x, w=w, b=b))
            else:
                probes.append(forward_backward(f"{LAYERS}:affine_forward", f"{LAYERS}:affine_backward",
                                               x=x, w=w, b=b, dout=rng.normal(size=(num, out_dim)), numeric=numeric))
        return probes
    return cases


def away_from_zero(rng, shape):
    """Values at least 0.1 from zero, so a numerical check never straddles the ReLU kink."""
    x = rng.uniform(0.1, 2.0, size=shape)
    return x * rng.choice([-1.0, 1.0], size=shape)


def relu_cases(forward_only: bool = False, numeric: bool = False):
    def cases(rng):
        probes = []
        for shape in ((6, 8), (2, 3, 4), (1, 5))[: 1 if numeric else None]:
            x = away_from_zero(rng, shape)
            if forward_only:
                probes.append(call(f"{LAYERS}:relu_forward", x=x))
            else:
                probes.append(forward_backward(f"{LAYERS}:relu_forward", f"{LAYERS}:relu_backward", x=x,
                                               dout=rng.normal(size=shape), numeric=numeric))
        return probes
    return cases


def score_loss_cases(name: str, numeric: bool = False):
    def cases(rng):
        probes = []
        for num, classes in ((20, 10), (3, 4))[: 1 if numeric else None]:
            x = rng.normal(size=(num, classes))
            probes.append(call(f"{LAYERS}:{name}", x=x, y=rng.integers(0, classes, num),
                               numeric="x" if numeric else None))
        return probes
    return cases


# -- two-layer net -------------------------------------------------------------------------

NET_SIZE = dict(input_dim=12, hidden_dim=7, num_classes=4)


def injected_params(rng, input_dim=12, hidden_dim=7, num_classes=4):
    return {"W1": 0.3 * rng.normal(size=(input_dim, hidden_dim)), "b1": 0.1 * rng.normal(size=hidden_dim),
            "W2": 0.3 * rng.normal(size=(hidden_dim, num_classes)), "b2": 0.1 * rng.normal(size=num_classes)}


def net_cases(with_labels: bool, reg: float):
    def cases(rng):
        probes = []
        for num in (5, 1):
            X, y = rng.normal(size=(num, 12)), rng.integers(0, 4, num)
            args = step("loss", X=X, y=y) if with_labels else step("loss", X=X)
            probes.append(method(NET, args, init={**NET_SIZE, "weight_scale": 1e-3, "reg": reg},
                                 attrs={"params": injected_params(rng)}))
        return probes
    return cases


def net_init(rng):
    return [method(NET, init=dict(input_dim=300, hidden_dim=200, num_classes=10, weight_scale=0.02, reg=0.0),
                   read=["params"])]


def initialized_well(value, probe):
    params = (value.get("attrs") or {}).get("params") if isinstance(value, dict) else None
    shapes = {"W1": (300, 200), "b1": (200,), "W2": (200, 10), "b2": (10,)}
    if not isinstance(params, dict):
        return "self.params should be a dict holding W1, b1, W2, b2"
    for name, shape in shapes.items():
        value = params.get(name)
        if not isinstance(value, np.ndarray) or value.shape != shape or value.dtype.kind != "f":
            return f"params[{name!r}] should be a float array of shape {shape}"
    for name in ("b1", "b2"):
        if np.any(params[name] != 0):
            return f"params[{name!r}] should start at zero"
    for name in ("W1", "W2"):
        # The sample standard deviation of n normal draws is within 6/sqrt(2n) of the true one
        # (six standard errors): a correct initialization never fails this.
        std, n = float(np.std(params[name])), params[name].size
        if abs(std - 0.02) > 6 * 0.02 / np.sqrt(2 * n) or abs(float(np.mean(params[name]))) > 6 * 0.02 / np.sqrt(n):
            return f"params[{name!r}] should be drawn from a normal distribution with std weight_scale " \
                   f"(0.02); its std is {std:.4f}"
    return None


def net_training(dataset, rng):
    settings = TRAINING[dataset.name]["net"]
    mean = data.mean_image(dataset)
    views = {"X_train": data.rows(dataset.X_train, mean), "y_train": dataset.y_train,
             "X_val": data.rows(dataset.X_val, mean), "y_val": dataset.y_val}
    return solver_train(NET, model_kwargs=dict(input_dim=32 * 32 * 3, hidden_dim=settings["hidden_dim"], num_classes=10,
                                               weight_scale=settings["weight_scale"], reg=settings["reg"]),
                        data=views, score_inputs={"test": data.rows(dataset.X_test, mean)},
                        solver_kwargs=dict(update_rule="sgd", optim_config={"learning_rate": settings["learning_rate"]},
                                           lr_decay=0.95, num_epochs=settings["num_epochs"],
                                           batch_size=settings["batch_size"], verbose=False),
                        timeout=300)


def test_labels(dataset):
    return dataset.y_test


def by_key(*path):
    def pick(value):
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        return value
    return pick


# -- the suite ------------------------------------------------------------------------------

KNN_V = "knn: compute_distances_no_loops"
SVM_V, SOFTMAX_V = "svm: svm_loss_vectorized, with reg", "softmax: softmax_loss_vectorized, with reg"
SVM_N, SOFTMAX_N = "svm: svm_loss_naive, with reg", "softmax: softmax_loss_naive, with reg"

SUITE = Suite("assignment1", reference="assignment1", parts={
    "knn": [
        Matches("compute_distances_two_loops", 3, cases=knn_distances("compute_distances_two_loops"),
                tol=1e-7, hints=(looks_squared,)),
        Matches("compute_distances_one_loop", 3, cases=knn_distances("compute_distances_one_loop"),
                tol=1e-7, hints=(looks_squared,)),
        Matches("compute_distances_no_loops", 3, cases=knn_distances("compute_distances_no_loops"),
                tol=1e-7, hints=(looks_squared,)),
        LoopCount("one_loop uses exactly one loop", 1, file="cs231n/classifiers/k_nearest_neighbor.py",
                  function="KNearestNeighbor.compute_distances_one_loop", loops=1,
                  requires=("knn: compute_distances_one_loop",)),
        LoopCount("no_loops uses no loop", 2, file="cs231n/classifiers/k_nearest_neighbor.py",
                  function="KNearestNeighbor.compute_distances_no_loops", loops=0, requires=(KNN_V,)),
        Faster("no_loops is at least 10x faster than two_loops", 1, cases=knn_timing, min_ratio=10,
               requires=(KNN_V,)),
        Matches("predict_labels, k=1", 2, cases=knn_labels(1), tol=0),
        Matches("predict_labels, k>1 with ties", 3, cases=knn_labels(2, 3, 4, 5), tol=0,
                hints=(ties_broken_upward,)),
        Accuracy("accuracy on held-out images", 2, probe=knn_accuracy, predictions=by_key("out"),
                 labels=knn_test_labels, threshold=THRESHOLDS["knn"]),
    ],
    "svm": [
        Matches("svm_loss_naive, no reg", 3, cases=loss_problems(SVM_NAIVE, 0.0), tol=1e-7,
                names=("loss", "dW"), hints=LOSS_HINTS),
        Matches("svm_loss_naive, with reg", 2, cases=loss_problems(SVM_NAIVE, 1.3), tol=1e-7,
                names=("loss", "dW"), accept=(HALF_REG,), hints=LOSS_HINTS),
        Matches("svm_loss_vectorized, no reg", 3, cases=loss_problems(SVM_VECTORIZED, 0.0), tol=1e-7,
                names=("loss", "dW"), hints=LOSS_HINTS),
        Matches("svm_loss_vectorized, with reg", 2, cases=loss_problems(SVM_VECTORIZED, 1.3), tol=1e-7,
                names=("loss", "dW"), accept=(HALF_REG,), hints=LOSS_HINTS),
        Agrees("naive and vectorized agree", 1, cases=pair_problems(SVM_NAIVE, SVM_VECTORIZED, 0.7),
               tol=1e-7, names=("loss", "dW"), requires=(SVM_N, SVM_V)),
        GradientCheck("vectorized gradient matches a numerical gradient", 1,
                      cases=gradient_problems(SVM_VECTORIZED, 0.7), tol=1e-5, requires=(SVM_V,)),
    ],
    "softmax": [
        Matches("softmax_loss_naive, no reg", 3, cases=loss_problems(SOFTMAX_NAIVE, 0.0), tol=1e-7,
                names=("loss", "dW"), hints=LOSS_HINTS),
        Matches("softmax_loss_naive, with reg", 2, cases=loss_problems(SOFTMAX_NAIVE, 1.3), tol=1e-7,
                names=("loss", "dW"), accept=(HALF_REG,), hints=LOSS_HINTS),
        Matches("softmax_loss_vectorized, no reg", 3, cases=loss_problems(SOFTMAX_VECTORIZED, 0.0), tol=1e-7,
                names=("loss", "dW"), hints=LOSS_HINTS),
        Matches("softmax_loss_vectorized, with reg", 2, cases=loss_problems(SOFTMAX_VECTORIZED, 1.3), tol=1e-7,
                names=("loss", "dW"), accept=(HALF_REG,), hints=LOSS_HINTS),
        Agrees("naive and vectorized agree", 1, cases=pair_problems(SOFTMAX_NAIVE, SOFTMAX_VECTORIZED, 0.7),
               tol=1e-7, names=("loss", "dW"), requires=(SOFTMAX_N, SOFTMAX_V)),
        Matches("vectorized loss stays finite for large scores", 2, cases=large_scores(SOFTMAX_VECTORIZED),
                tol=1e-7, names=("loss", "dW"), hints=(overflow,)),
        GradientCheck("vectorized gradient matches a numerical gradient", 1,
                      cases=gradient_problems(SOFTMAX_VECTORIZED, 0.7), tol=1e-6, requires=(SOFTMAX_V,)),
    ],
    "linear_classifier": [
        Matches("predict", 2, cases=linear_predict, tol=0),
        Property("train returns a falling loss history", 1, cases=training_run, test=loss_history_falls),
        Accuracy("LinearSVM accuracy on held-out images", 3, probe=linear_accuracy(LINEAR_SVM, "svm"),
                 predictions=by_key("out"), labels=test_labels, threshold=THRESHOLDS["svm"]),
        Accuracy("Softmax accuracy on held-out images", 3, probe=linear_accuracy(LINEAR_SOFTMAX, "softmax"),
                 predictions=by_key("out"), labels=test_labels, threshold=THRESHOLDS["softmax"]),
    ],
    "layers": [
        Matches("affine_forward", 2, cases=affine_cases(forward_only=True), returns=("out", 0), tol=1e-9),
        Matches("affine_backward", 3, cases=affine_cases(), returns="grads", names=("dx", "dw", "db"), tol=1e-9),
        GradientCheck("affine_backward matches a numerical gradient", 1, cases=affine_cases(numeric=True),
                      requires=("layers: affine_backward",)),
        Matches("relu_forward", 1, cases=relu_cases(forward_only=True), returns=("out", 0), tol=1e-12),
        Matches("relu_backward", 2, cases=relu_cases(), returns="grads", tol=1e-12),
        GradientCheck("relu_backward matches a numerical gradient", 1, cases=relu_cases(numeric=True),
                      requires=("layers: relu_backward",)),
        Matches("svm_loss", 2, cases=score_loss_cases("svm_loss"), names=("loss", "dx"), tol=1e-9,
                hints=(not_averaged,)),
        Matches("softmax_loss", 2, cases=score_loss_cases("softmax_loss"), names=("loss", "dx"), tol=1e-9,
                hints=(not_averaged,)),
        GradientCheck("softmax_loss matches a numerical gradient", 1, cases=score_loss_cases("softmax_loss", True),
                      requires=("layers: softmax_loss",)),
    ],
    "two_layer_net": [
        Property("initialization", 2, cases=net_init, test=initialized_well),
        Matches("scores with injected parameters", 3, cases=net_cases(False, 0.0), tol=1e-9),
        Matches("loss and gradients, no reg", 3, cases=net_cases(True, 0.0), names=("loss", "grads"), tol=1e-8),
        Matches("loss and gradients, with reg", 3, cases=net_cases(True, 0.7), names=("loss", "grads"), tol=1e-8,
                hints=(Alternative({"reg": 0.0}, "the regularization term 0.5 * reg * sum(W*W) is missing"),)),
        Accuracy("trained with the Solver: accuracy on held-out images", 4, probe=net_training,
                 predictions=by_key("scores", "test"), labels=test_labels, threshold=THRESHOLDS["net"]),
    ],
})
