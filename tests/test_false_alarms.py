"""The false alarms found on real students' folders (issue 13): each student-like correct
implementation passes the check that used to fail it, and the wrong one fails with its
own hint. The checks are the suites' own, judged against a fake context (no worker):
the reference's answers come from the reference's module run here, the student's from
the implementations below."""
from __future__ import annotations

import importlib.util
import subprocess
import sys

import numpy as np
import pytest

from conftest import REFERENCE
from grader.checks import Matches, scored
from grader.parts import linear_classifier, linear_losses, optim
from grader.results import Status
from grader.worker import numpy2
from test_checks import FakeContext


def reference_module(relative: str):
    spec = importlib.util.spec_from_file_location(f"reference_{relative.replace('/', '_')[:-3]}", REFERENCE / relative)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def calling(function):
    """A fake worker's reply to a call probe: ``function`` on the probe's arguments."""
    def reply(probe):
        args = {**probe.spec["args"], **probe.spec["kwargs"]}
        with np.errstate(all="ignore"):
            return {"out": function(**args), "args_after": probe.spec["args"]}
    return reply


def check(part, name):
    return next(c for c in part.checks if c.name == name)


# -- 1. softmax with large scores -----------------------------------------------------------------

def softmax_by(shift):
    """The course's vectorized softmax loss with its scores shifted by ``shift(scores)``."""
    def loss(W, X, y, reg):
        N = len(y)
        scores = X @ W
        scores = scores - shift(scores)
        probs = np.exp(scores) / np.sum(np.exp(scores), axis=1, keepdims=True)
        data_loss = -np.mean(np.log(probs[np.arange(N), y]))
        probs[np.arange(N), y] -= 1
        return data_loss + reg * np.sum(W * W), X.T @ probs / N + 2 * reg * W
    return loss


def log_sum_exp(W, X, y, reg):
    N, scores = len(y), X @ W
    top = np.max(scores, axis=1, keepdims=True)
    log_probs = scores - top - np.log(np.sum(np.exp(scores - top), axis=1, keepdims=True))
    dscores = np.exp(log_probs)
    dscores[np.arange(N), y] -= 1
    return -np.mean(log_probs[np.arange(N), y]) + reg * np.sum(W * W), X.T @ dscores / N + 2 * reg * W


SOFTMAX = reference_module("assignment1/cs231n/classifiers/softmax.py")
PER_ROW = softmax_by(lambda s: np.max(s, axis=1, keepdims=True))


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("student, hint", [
    (PER_ROW, None), (log_sum_exp, None), (SOFTMAX.softmax_loss_naive, None),
    (softmax_by(lambda s: 0.0), "exp overflowed: subtract each row's largest score"),
    (softmax_by(np.max), "not the largest score of the whole matrix")])
def test_large_scores_pass_every_stable_form_and_name_each_unstable_one(seed, student, hint):
    large = check(linear_losses.softmax(), "vectorized loss stays finite for large scores")
    ctx = FakeContext(calling(student), calling(SOFTMAX.softmax_loss_vectorized))
    ctx.rng = np.random.default_rng(seed)
    verdict = large.judge(ctx)
    if hint is None:
        assert verdict.status is Status.PASSED, verdict.feedback
    else:
        assert verdict.status is Status.FAILED and hint in verdict.feedback, verdict.feedback


def test_the_reference_naive_loop_is_stable_where_a_row_is_far_below_its_maximum():
    W, X, y = np.eye(2), np.array([[0.0, 2000.0], [1.0, 0.0]]), np.array([0, 0])
    loss, dW = SOFTMAX.softmax_loss_naive(W, X, y, 0.0)
    assert np.isclose(loss, SOFTMAX.softmax_loss_vectorized(W, X, y, 0.0)[0]) and np.all(np.isfinite(dW))


# -- 2. predictions as a list ---------------------------------------------------------------------

def test_a_list_of_labels_is_scored_but_still_fails_predict():
    labels = np.array([0, 1, 2, 1])
    assert scored([0, 1, 2, 0], labels) == (0.75, None)
    assert scored((0, 1, 2, 1), labels) == (1.0, None)
    for bad in ([0, 1, 2], [True, False, True, True], ["0", "1", "2", "1"], [[0], [1], [2], [1]], {"a": 1}):
        assert scored(bad, labels)[1] is not None, bad
    def labels_of(probe):
        return np.argmax(probe.arg("X") @ probe.arg("W"), axis=1)
    predict = check(linear_classifier.part(), "predict")
    verdict = predict.judge(FakeContext(lambda probe: {"out": labels_of(probe).tolist(),
                                                       "args_after": [probe.spec["steps"][0][1]]},
                                        lambda probe: {"out": labels_of(probe)}))
    assert verdict.status is Status.FAILED and "is a list where an array" in verdict.feedback


# -- 3. NumPy 2 removals --------------------------------------------------------------------------

@pytest.mark.parametrize("message, removed, instead", [
    ("AttributeError: module 'numpy' has no attribute 'product'", "np.product", "np.prod"),
    ("AttributeError: `np.alltrue` was removed in the NumPy 2.0 release. Use `np.all` instead.", "np.alltrue",
     "np.all"),
    ("AttributeError: module 'numpy' has no attribute 'int'.\n`np.int` was a deprecated alias", "np.int", "int"),
    ("AttributeError: module 'numpy' has no attribute 'in1d'", "np.in1d", "np.isin"),
    ("AttributeError: module 'numpy' has no attribute 'trapz'", "np.trapz", "np.trapezoid"),
    ("AttributeError: module 'numpy' has no attribute 'asscalar'", "np.asscalar", "a.item()"),
    ("TypeError: reshape() got an unexpected keyword argument 'newshape'", "np.reshape(newshape=)",
     "np.reshape(a, shape)"),
    ("AttributeError: 'numpy.ndarray' object has no attribute 'ptp'", "a.ptp()", "np.ptp(a)"),
    ("ValueError: Unable to avoid copy while creating an array as requested.", "np.array(copy=False)", "np.asarray"),
])
def test_every_numpy2_removal_is_named_with_its_replacement(message, removed, instead):
    assert numpy2.recognise(message) == removed
    assert instead in numpy2.hint(message) and removed in numpy2.hint(message)


def test_a_typo_in_a_numpy_name_is_not_a_numpy2_removal():
    for message in ("AttributeError: module 'numpy' has no attribute 'arange2'",
                    "TypeError: f() got an unexpected keyword argument 'newshape'", "ValueError: bad shape"):
        assert numpy2.recognise(message) is None


RESTORED_CODE = """
import warnings; warnings.simplefilter("error")
import numpy as np
if np.lib.NumpyVersion(np.__version__) < "2.4.0":  # in1d, trapz, newshape= ... still there, deprecated
    warnings.filterwarnings("ignore", category=DeprecationWarning)
from grader.worker import numpy2
numpy2.restore()
a = np.arange(6.0)
assert np.product([2, 3]) == 6 and np.cumproduct([1, 2, 3])[-1] == 6 and np.alltrue(a >= 0) and np.sometrue(a > 4)
assert np.reshape(a, newshape=(2, 3)).shape == (2, 3) and np.reshape(a, (3, 2)).shape == (3, 2)
assert np.in1d([[1, 9]], [1]).tolist() == [True, False] and np.trapz([1.0, 2.0]) == 1.5
assert np.asscalar(np.array([2.5])) == 2.5
assert np.zeros(2, dtype=np.int).dtype.kind == "i" and np.float is float and np.object is object
assert np.array(a, copy=False) is a and np.NINF == -np.inf
print("restored")
"""


def test_restore_puts_the_removed_names_back():
    done = subprocess.run([sys.executable, "-c", RESTORED_CODE], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "restored", done.stderr
    assert "np.product" in numpy2.note() or "product" in vars(np), numpy2.note()


# -- 4. Adam in the paper's efficient form --------------------------------------------------------

OPTIM = reference_module("assignment2/cs231n/optim.py")


def adam_efficient(w, dw, config=None):
    config = dict(config or {})
    for key, default in (("learning_rate", 1e-3), ("beta1", 0.9), ("beta2", 0.999), ("epsilon", 1e-8)):
        config.setdefault(key, default)
    config["t"] = config.get("t", 0) + 1
    config["m"] = config["beta1"] * config.get("m", np.zeros_like(w)) + (1 - config["beta1"]) * dw
    config["v"] = config["beta2"] * config.get("v", np.zeros_like(w)) + (1 - config["beta2"]) * dw ** 2
    step = config["learning_rate"] * np.sqrt(1 - config["beta2"] ** config["t"]) / (1 - config["beta1"] ** config["t"])
    return w - step * config["m"] / (np.sqrt(config["v"]) + config["epsilon"]), config


def adam_late_correction(w, dw, config=None):
    """The bias corrections with t - 1 from the second step on (t counted after them)."""
    config = dict(config or {})
    t = config.get("t", 0)
    next_w, config = OPTIM.adam(w, dw, {**config, "t": max(t - 1, 0)} if t > 1 else config)
    return next_w, {**config, "t": t + 1}


def chained(rule):
    """A fake worker's reply to a (possibly repeated) optimizer call."""
    def reply(probe):
        spec = probe.spec["kwargs"]
        w, config = spec["w"].copy(), None if spec["config"] is None else dict(spec["config"])
        with np.errstate(all="ignore"):
            for _ in range(probe.spec.get("repeat", 1)):
                w, config = rule(w, spec["dw"], config)
        return {"out": (w, config), "args_after": probe.spec["args"]}
    return reply


@pytest.mark.parametrize("seed", range(20))
def test_adam_in_both_correct_forms_passes_and_a_wrong_bias_correction_fails(seed):
    adam = [c for c in optim.part().checks if c.name.startswith("adam")]
    for student, status in ((OPTIM.adam, Status.PASSED), (adam_efficient, Status.PASSED),
                            (adam_late_correction, Status.FAILED)):
        for one in adam:
            ctx = FakeContext(chained(student), chained(OPTIM.adam))
            ctx.rng = np.random.default_rng([seed, len(one.name)])
            verdict = one.judge(ctx)
            if student is adam_late_correction and one.name == "adam, first step":
                continue  # a first step from t = 0 is the same in both
            assert verdict.status is status, (one.name, verdict.feedback)


def rmsprop_eps_inside(w, dw, config=None):
    """RMSProp with eps inside the square root (TensorFlow 1's form): found on a real folder."""
    config = dict(config or {})
    for key, default in (("learning_rate", 1e-2), ("decay_rate", 0.99), ("epsilon", 1e-8)):
        config.setdefault(key, default)
    config["cache"] = config["decay_rate"] * config.get("cache", np.zeros_like(w)) + (1 - config["decay_rate"]) * dw ** 2
    return w - config["learning_rate"] * dw / np.sqrt(config["cache"] + config["epsilon"]), config


def rmsprop_without_decay(w, dw, config=None):
    """The cache summed instead of averaged (AdaGrad's rule): a mistake."""
    config = dict(config or {})
    config.setdefault("learning_rate", 1e-2)
    config["cache"] = config.get("cache", np.zeros_like(w)) + dw ** 2
    return w - config["learning_rate"] * dw / (np.sqrt(config["cache"]) + 1e-8), config


@pytest.mark.parametrize("seed", range(20))
def test_rmsprop_with_eps_inside_or_outside_the_root_passes_and_adagrad_fails(seed):
    for student, status in ((OPTIM.rmsprop, Status.PASSED), (rmsprop_eps_inside, Status.PASSED),
                            (rmsprop_without_decay, Status.FAILED)):
        for one in (c for c in optim.part().checks if c.name.startswith("rmsprop")):
            ctx = FakeContext(chained(student), chained(OPTIM.rmsprop))
            ctx.rng = np.random.default_rng([seed, len(one.name)])
            verdict = one.judge(ctx)
            assert verdict.status is status, (student.__name__, one.name, verdict.feedback)


def test_the_optimizer_tolerance_is_the_derived_one():
    assert all(isinstance(c, Matches) and c.tol == optim.TOL == 1e-6 for c in optim.part().checks)


def test_the_batch_settings_hold_numpy_compat_so_resume_regrades_without_it():
    from grader.batch.engine import Job
    from grader.worker.limits import Limits

    plain, compat = Job("ada", "ada", "assignment1"), Job("ada", "ada", "assignment1", Limits(numpy_compat=True))
    assert plain.settings != compat.settings and '"numpy_compat": true' in compat.settings


# -- 5. a backward pass that writes into dout ----------------------------------------------------

def test_relu_backward_writing_into_dout_passes_with_a_note_and_a_changed_x_still_fails(tmp_path):
    """``dx = dout; dx[x <= 0] = 0`` (found in an independent solution) is correct by the
    course: its nets never read dout again. Changing x is still a failure."""
    layers = reference_module("assignment1/cs231n/layers.py")

    def into_dout(dout, cache):
        dout[cache <= 0] = 0
        return dout

    def into_x(dout, cache):
        cache[cache <= 0] = 0
        return dout * (cache > 0)

    check_ = check(importlib.import_module("grader.parts.layers").part(), "relu_backward")
    for backward, status in ((into_dout, Status.PASSED), (into_x, Status.FAILED)):
        def reply(probe, backward=backward):
            spec = probe.spec
            x, dout = spec["args"]["x"].copy(), spec["dout"].copy()
            out, cache = layers.relu_forward(x)
            return {"out": out, "grads": (backward(dout, cache),), "args_after": {"x": x}, "dout_after": {"dout": dout}}

        def expected(probe):
            out, cache = layers.relu_forward(probe.spec["args"]["x"])
            return {"out": out, "grads": (layers.relu_backward(probe.spec["dout"], cache),)}
        verdict = check_.judge(FakeContext(reply, expected))
        assert verdict.status is status, verdict.feedback
        assert ("changed its input dout in place: not counted" if status is Status.PASSED else
                "changed its input x in place") in verdict.feedback


# -- found while measuring: a numerical gradient across a ReLU's kink -----------------------------

@pytest.mark.slow
@pytest.mark.parametrize("seed", [121, 213])
def test_the_reference_passes_the_dropout_gradient_check_where_it_used_to_fail(seed, grade_with):
    title = "fc_net: dropout: gradients match a numerical gradient (fixed seed)"
    from grader.suites import load_suite

    report = grade_with(load_suite("assignment2-numpy").only(title), REFERENCE / "assignment2", seed=seed)
    assert all(r.status is Status.PASSED for r in report.results), [(r.name, r.feedback) for r in report.results]
