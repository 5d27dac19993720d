"""Assignment 1's 2020 two-layer net (classifiers/neural_net.py) and the save/load methods of
2025-2026: the reference matches the course notebook's known values and numerical
gradients and learns a separable problem; the starter is unimplemented where the student
works. Fast: no grading workers."""
from __future__ import annotations

import shutil

import numpy as np
import pytest

from conftest import REFERENCE, STARTER
from course_package import load_module

REF, START = REFERENCE / "assignment1", STARTER / "assignment1"


def neural_net(folder=REF, alias="a1_reference"):
    return load_module(folder, alias, "classifiers.neural_net")


def toy_net_and_data(folder=REF, alias="a1_reference"):
    """The course notebook's toy problem: 5 inputs of size 4, 10 hidden units, 3 classes."""
    np.random.seed(0)
    net = neural_net(folder, alias).TwoLayerNet(4, 10, 3, std=1e-1)
    np.random.seed(1)
    X = 10 * np.random.randn(5, 4)
    y = np.array([0, 1, 2, 2, 1])
    return net, X, y


def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for index in np.ndindex(*x.shape):
        saved = x[index]
        x[index] = saved + h
        plus = f()
        x[index] = saved - h
        minus = f()
        x[index] = saved
        grad[index] = (plus - minus) / (2 * h)
    return grad


def relative_error(a, b):
    return np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b)))


def test_init_draws_small_weights_and_zero_biases():
    np.random.seed(3)
    net = neural_net().TwoLayerNet(6, 5, 4)
    assert {k: v.shape for k, v in net.params.items()} == {"W1": (6, 5), "b1": (5,), "W2": (5, 4), "b2": (4,)}
    assert not net.params["b1"].any() and not net.params["b2"].any()
    assert 0 < np.std(net.params["W1"]) < 1e-3


def test_toy_scores_and_loss_match_the_course_notebook():
    """The notebook's known scores, and its known loss at reg=0.05: the penalty is
    reg * sum(W * W), without a factor 0.5 (with it, the loss would be 0.019 lower)."""
    net, X, y = toy_net_and_data()
    correct_scores = np.array([[-0.81233741, -1.27654624, -0.70335995],
                               [-0.17129677, -1.18803311, -0.47310444],
                               [-0.51590475, -1.01354314, -0.8504215],
                               [-0.15419291, -0.48629638, -0.52901952],
                               [-0.00618733, -0.12435261, -0.15226949]])
    scores = net.loss(X)
    assert scores.shape == (5, 3)
    assert np.sum(np.abs(scores - correct_scores)) < 1e-7
    loss, _ = net.loss(X, y, reg=0.05)
    assert abs(loss - 1.30378789133) < 1e-10


@pytest.mark.parametrize("reg", [0.0, 0.05])
def test_gradients_match_numerical_gradients(reg):
    net, X, y = toy_net_and_data()
    loss, grads = net.loss(X, y, reg=reg)
    assert set(grads) == set(net.params)
    for name, param in net.params.items():
        expected = numerical_gradient(lambda: net.loss(X, y, reg=reg)[0], param)
        assert grads[name].shape == param.shape
        assert relative_error(grads[name], expected) < 1e-7, name


def separable_problem(seed, per_class=100, dim=10, classes=3, draw=0):
    """Gaussian blobs well apart (their centres fixed by seed), ``draw`` choosing the
    points drawn around them; returns X, y."""
    centres = 4 * np.random.default_rng(seed).normal(size=(classes, dim))
    rng = np.random.default_rng([seed, draw])
    y = rng.permutation(np.repeat(np.arange(classes), per_class))
    X = centres[y] + rng.normal(size=(len(y), dim))
    return X, y


def test_training_learns_a_separable_problem():
    X, y = separable_problem(0)
    X_val, y_val = separable_problem(0, per_class=20, draw=1)
    np.random.seed(0)
    net = neural_net().TwoLayerNet(10, 20, 3, std=1e-1)
    stats = net.train(X, y, X_val, y_val, learning_rate=1e-1, learning_rate_decay=0.95, reg=1e-4,
                      num_iters=200, batch_size=50)
    assert set(stats) == {"loss_history", "train_acc_history", "val_acc_history"}
    assert len(stats["loss_history"]) == 200
    # 300 examples, batches of 50: an epoch is 6 iterations, recorded at iterations 0, 6, ..., 198
    assert len(stats["train_acc_history"]) == len(stats["val_acc_history"]) == 34
    assert np.mean(stats["loss_history"][-10:]) < 0.2 * stats["loss_history"][0]
    assert stats["val_acc_history"][-1] > 0.95
    X_test, y_test = separable_problem(0, draw=2)
    assert np.mean(net.predict(X_test) == y_test) > 0.95


def test_training_samples_with_replacement_and_decays_the_rate_per_epoch():
    """With zero gradients nothing moves; with a batch larger than the data the sampling
    must be with replacement; and each epoch's step is learning_rate_decay times the last."""
    X, y = separable_problem(2, per_class=5)
    np.random.seed(0)
    net = neural_net().TwoLayerNet(10, 8, 3, std=1e-1)
    stats = net.train(X, y, X, y, num_iters=3, batch_size=40)
    assert len(stats["loss_history"]) == 3

    steps = []

    class Recorder(neural_net().TwoLayerNet):
        def loss(self, X, y=None, reg=0.0):
            if y is None:
                return super().loss(X)
            steps.append(self.params["b2"][0])
            grads = {k: np.zeros_like(v) for k, v in self.params.items()}
            grads["b2"][0] = -1.0  # every step adds the current learning rate to b2[0]
            return 0.0, grads

    recorder = Recorder(10, 8, 3)
    recorder.train(X, y, X, y, learning_rate=1.0, learning_rate_decay=0.5, num_iters=7, batch_size=5)
    increments = np.diff(steps + [recorder.params["b2"][0]])
    # 15 examples, batches of 5: 3 iterations per epoch; the rate halves after iterations 0, 3, 6
    assert np.allclose(increments, [1.0, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25])


def test_predict_returns_integer_labels():
    net, X, _ = toy_net_and_data()
    y_pred = net.predict(X)
    assert y_pred.shape == (5,) and np.issubdtype(y_pred.dtype, np.integer)
    assert np.array_equal(y_pred, np.argmax(net.loss(X), axis=1))


def test_starter_is_unimplemented_where_the_student_works():
    net, X, y = toy_net_and_data(START, "a1_starter")
    reference, _, _ = toy_net_and_data()
    for name in reference.params:  # __init__ is provided
        assert np.array_equal(net.params[name], reference.params[name])
    assert net.loss(X) is None
    loss, grads = net.loss(X, y, reg=0.05)
    assert loss is None and grads == {}
    assert net.predict(X) is None


# -- save and load (2025-2026) ----------------------------------------------------------

@pytest.fixture
def course_copy(tmp_path):
    """A scratch copy of a course folder: save() writes into its cs231n/saved/."""
    def make(folder, alias):
        target = tmp_path / alias
        shutil.copytree(folder, target, ignore=shutil.ignore_patterns("__pycache__", "saved"))
        return target
    return make


@pytest.mark.parametrize("folder, name", [(REF, "reference"), (START, "starter")])
def test_two_layer_net_and_linear_classifier_save_and_load(course_copy, capsys, folder, name):
    root = course_copy(folder, f"a1_{name}_saving")
    fc_net = load_module(root, f"a1_{name}_saving", "classifiers.fc_net")
    linear = load_module(root, f"a1_{name}_saving", "classifiers.linear_classifier")

    net = fc_net.TwoLayerNet(input_dim=6, hidden_dim=5, num_classes=3)
    if net.params:  # the starter's __init__ is the student's: fill the params in by hand
        saved = {k: v.copy() for k, v in net.params.items()}
    else:
        saved = net.params = {"W1": np.ones((6, 5)), "b1": np.zeros(5)}
    net.save("best_two_layer_net.npy")
    assert (root / "cs231n" / "saved" / "best_two_layer_net.npy").is_file()
    other = fc_net.TwoLayerNet(input_dim=6, hidden_dim=5, num_classes=3)
    assert other.load("best_two_layer_net.npy") is True
    assert set(other.params) == set(saved)
    for key in saved:
        assert np.array_equal(other.params[key], saved[key])
    assert other.load("nothing_there.npy") is False

    classifier = linear.Softmax()
    classifier.W = np.arange(12.0).reshape(4, 3)
    classifier.save("softmax.npy")
    fresh = linear.Softmax()
    assert fresh.load("softmax.npy") is True and np.array_equal(fresh.W, classifier.W)
    assert np.load(root / "cs231n" / "saved" / "softmax.npy", allow_pickle=True).item().keys() == {"W"}
    assert linear.LinearSVM().load("nothing_there.npy") is False
    out = capsys.readouterr().out
    assert "softmax.npy saved." in out and "nothing_there.npy not available." in out


def test_save_and_load_are_the_same_code_in_starter_and_reference():
    import inspect

    for module, cls in (("classifiers.fc_net", "TwoLayerNet"), ("classifiers.linear_classifier", "LinearClassifier")):
        ref = getattr(load_module(REF, "a1_reference", module), cls)
        start = getattr(load_module(START, "a1_starter", module), cls)
        for method in ("save", "load"):
            assert inspect.getsource(getattr(ref, method)) == inspect.getsource(getattr(start, method))
