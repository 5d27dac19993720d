"""Assignment 2 (NumPy parts): layers, batch/layer/group norm, dropout, convolution,
update rules, the fully connected net and the three-layer convolutional net.

The table at the bottom (``SUITE``) is the assignment; everything above it makes
inputs or recognises known mistakes. Random inputs come from the generator each
check is given (seeded per check); training checks use the grading dataset.

Tolerances (measured with ``benchmarks/assignment2_tolerances.py``, 20 seeds):
* Value checks compare with the reference on the same inputs, backward passes with the
  student's own cache, as the largest difference over the largest magnitude. Two correct
  formulas (batchnorm_backward against _alt, naive against fast convolution and max pool)
  differ by less than the comparison's 1e-12 floor on these inputs; the checks allow
  1e-8 (1e-12 where nothing is summed); the mistakes in the catalogue are off by 2e-4
  (Adam's t counted late, after five steps) to 1.
* Numerical gradient checks are a second opinion, scored only once the comparison with
  the reference has passed, on inputs at least 0.1 from ReLU kinks and 0.05 from max-pool
  ties; the reference's worst relative error is 6e-9 (the network with dropout) and 1e-9
  elsewhere, against a tolerance of 1e-6. Gradients that are exactly zero (a bias before
  batchnorm) are compared with an absolute 1e-8, above the estimate's rounding noise.
* Dropout's statistics allow six standard errors computed from the sample size (20000
  units), so a correct solution fails them with probability below 1e-8.
* The timed check asks batchnorm_backward_alt to take at most 1/0.7 of the CPU time of
  batchnorm_backward: the reference's ratio is 1.0-1.3 (both are vectorized, and students'
  step-by-step versions are often compact), so the course's "faster" cannot be demanded
  of correct code; a closed form with a Python loop is several times slower.

Training thresholds (the held-out split, whose labels never enter a worker):
* digits (embedded, shown at 16x16): the reference's lowest held-out accuracy over 20
  grading seeds minus 6 points (about two standard errors on 300 images), rounded down
  to a percent (``benchmarks/assignment2_training.py``, 2-core CI machine):
  FullyConnectedNet with SGD+momentum 84.7-89.3% -> 78%; ThreeLayerConvNet after one
  epoch with Adam 67.3-82.7% -> 61%. The 50-image overfitting reached 100% training
  accuracy for all 20 seeds. The mistakes in the catalogue that touch training land
  far from these lines (below 53%, or at the reference's own accuracy).
* cifar10: CIFAR-10 cannot be downloaded where this was built, so these are the
  course's stated targets minus a margin, not measurements (fully connected net 50% ->
  45%; three-layer net "above 40% after one epoch", here on 10000 images -> 30%); grade
  the reference with ``--data`` to check them before relying on them.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from .. import data
from ..checks import Accuracy, Alternative, Agrees, Faster, GradientCheck, Matches, Property
from ..grading import Suite, reference_root
from ..probe import call, forward_backward, method, solver_train, step
from .assignment1 import affine_cases, away_from_zero, by_key, relu_cases, score_loss_cases, test_labels
from . import pytorch

LAYERS, OPTIM = "cs231n.layers", "cs231n.optim"
FC_NET = "cs231n.classifiers.fc_net:FullyConnectedNet"
CNN = "cs231n.classifiers.cnn:ThreeLayerConvNet"


def layer(name: str) -> str:
    return f"{LAYERS}:{name}"


# Hyperparameters handed to the student's training code, and the accuracy it must reach.
# ``size``: the digits are shown at half resolution (16x16), which keeps their shapes and
# makes training four times cheaper; CIFAR-10 keeps its 32x32.
TRAINING = {
    "digits": {
        "fc": dict(hidden_dims=[100, 100], normalization=None, weight_scale=1e-2, update_rule="sgd_momentum",
                   learning_rate=5e-3, lr_decay=0.9, num_epochs=10, batch_size=100, num_train=None, size=16),
        "cnn": dict(num_filters=16, filter_size=5, hidden_dim=100, weight_scale=1e-2, update_rule="adam",
                    learning_rate=2e-3, lr_decay=1.0, num_epochs=1, batch_size=50, num_train=None, size=16),
    },
    "cifar10": {
        "fc": dict(hidden_dims=[100, 100], normalization="batchnorm", weight_scale=1e-2, update_rule="adam",
                   learning_rate=1e-3, lr_decay=0.9, num_epochs=10, batch_size=200, num_train=None, size=32),
        "cnn": dict(num_filters=32, filter_size=7, hidden_dim=100, weight_scale=1e-3, update_rule="adam",
                    learning_rate=1e-3, lr_decay=1.0, num_epochs=1, batch_size=50, num_train=10000, size=32),
    },
}
THRESHOLDS = {
    "fc": {"digits": 0.78, "cifar10": 0.45},
    "cnn": {"digits": 0.61, "cifar10": 0.30},
}
# The overfitting check: the course's 50 images, 20 epochs; settings that reach 100%
# train accuracy on the digits for every seed tried (and on CIFAR-10 in the course).
OVERFIT = dict(hidden_dims=[100, 100], weight_scale=3e-2, learning_rate=5e-3, num_epochs=20, batch_size=25)


# -- shared input makers ------------------------------------------------------------

def features(rng, N: int, D: int) -> np.ndarray:
    """Data with a different mean and spread in every feature, as batchnorm meets it."""
    return rng.normal(size=(N, D)) * rng.uniform(0.5, 3.0, D) + rng.normal(0.0, 4.0, D)


def scale_shift(rng, shape) -> tuple[np.ndarray, np.ndarray]:
    return rng.uniform(0.5, 2.0, shape), rng.normal(0.0, 1.0, shape)


def standardized(x, axes, eps: float) -> np.ndarray:
    """``x`` with zero mean and unit variance over ``axes`` (eps added to the variance)."""
    return (x - x.mean(axis=axes, keepdims=True)) / np.sqrt(x.var(axis=axes, keepdims=True) + eps)


def spatial(args) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """x, gamma and beta shaped to broadcast over (N, C, H, W), and eps, of a spatial norm's call."""
    param = args.get("bn_param") or args.get("gn_param") or {}
    return args["x"], np.reshape(args["gamma"], (1, -1, 1, 1)), np.reshape(args["beta"], (1, -1, 1, 1)), \
        param.get("eps", 1e-5)


def normalizes(target: str, grouped, axes, what: str):
    """A Property test: the output is gamma * (x standardized over ``axes`` of
    ``grouped(x)``) + beta, computed here from the call's own inputs."""
    def test(value, probe):
        out = _out(value)
        x, gamma, beta, eps = spatial(probe.spec["args"])
        if not isinstance(out, np.ndarray) or out.shape != x.shape or out.dtype.kind != "f":
            return f"{target} should return (out, cache) with out of shape {x.shape}; got {_shape(out)}"
        G = probe.spec["args"].get("G", 1)
        expected = gamma * standardized(grouped(x, G), axes, eps).reshape(x.shape) + beta
        if not close(out, expected):
            return f"the output is not x normalized {what}"
        return None
    return test


def by_channel(x, G):
    return x


def by_group(x, G):
    N, C, H, W = x.shape
    return x.reshape(N, G, C // G, H, W)


def _out(value):
    """The ``out`` of a layer's ``(out, cache)`` in a reply, or None."""
    out = value.get("out") if isinstance(value, dict) else None
    return out[0] if isinstance(out, (tuple, list)) and out else None


def _shape(value) -> str:
    return f"an array of shape {value.shape}" if isinstance(value, np.ndarray) else type(value).__name__


def close(got, expected, tol: float = 1e-6) -> bool:
    return isinstance(got, np.ndarray) and got.shape == np.shape(expected) and got.dtype.kind == "f" and \
        np.allclose(got, expected, rtol=tol, atol=tol * max(1e-12, float(np.max(np.abs(expected), initial=0))))


# -- batch normalization ----------------------------------------------------------------

BN_SHAPES = ((6, 5), (9, 3), (2, 7))


def bn_cases(mode: str, backward: str | None = None, numeric: bool = False):
    def cases(rng):
        probes = []
        for index, (N, D) in enumerate(BN_SHAPES[: 1 if numeric else None]):
            x, (gamma, beta) = features(rng, N, D), scale_shift(rng, D)
            bn_param = {"mode": mode} if index != 1 else {"mode": mode, "eps": 1e-3, "momentum": 0.8}
            if mode == "test":
                bn_param.update(running_mean=rng.normal(0, 2, D), running_var=rng.uniform(0.5, 4.0, D))
            if backward:
                probes.append(forward_backward(layer("batchnorm_forward"), layer(backward), x=x, gamma=gamma,
                                               beta=beta, bn_param=bn_param, dout=rng.normal(size=(N, D)),
                                               numeric=numeric))
            else:
                probes.append(call(layer("batchnorm_forward"), x=x, gamma=gamma, beta=beta, bn_param=bn_param))
        return probes
    return cases


def bn_running_cases(rng):
    """A first call (no running averages yet) and one that continues given averages."""
    N, D = 8, 4
    first = call(layer("batchnorm_forward"), x=features(rng, N, D), gamma=np.ones(D), beta=np.zeros(D),
                 bn_param={"mode": "train"})
    later = call(layer("batchnorm_forward"), x=features(rng, N, D), gamma=np.ones(D), beta=np.zeros(D),
                 bn_param={"mode": "train", "momentum": 0.7, "running_mean": rng.normal(0, 2, D),
                           "running_var": rng.uniform(0.5, 4.0, D)})
    return [first, later]


def running_stats_hint(got, expected, probe):
    sent = probe.spec["args"]["bn_param"]
    if not isinstance(got, dict) or not isinstance(got.get("running_mean"), np.ndarray):
        return "bn_param should hold 'running_mean' and 'running_var' after a train-mode forward pass: " \
               "store the updated running averages back into bn_param"
    x = probe.spec["args"]["x"]
    momentum = sent.get("momentum", 0.9)
    old = sent.get("running_mean", np.zeros(x.shape[1]))
    if close(got["running_mean"], old):
        return "running_mean was not updated: store momentum * running_mean + (1 - momentum) * sample_mean " \
               "(and likewise running_var) back into bn_param on every train-mode pass"
    if close(got["running_mean"], (1 - momentum) * old + momentum * x.mean(axis=0)):
        return "the momentum weighs the old running average: running_mean = momentum * running_mean + " \
               "(1 - momentum) * sample_mean"
    if close(got.get("running_var"), momentum * sent.get("running_var", np.zeros(x.shape[1]))
             + (1 - momentum) * x.var(axis=0, ddof=1)):
        return "use the biased batch variance (divide by N, np.var's default) for running_var"
    return None


def bn_alt_timing(rng):
    N, D = 400, 200
    x, (gamma, beta) = features(rng, N, D), scale_shift(rng, D)
    dout = rng.normal(size=(N, D))

    def run(backward):
        return forward_backward(layer("batchnorm_forward"), layer(backward), x=x, gamma=gamma, beta=beta,
                                bn_param={"mode": "train"}, dout=dout, repeat=120)
    return run("batchnorm_backward"), run("batchnorm_backward_alt")


TEST_MODE_HINTS = (
    Alternative(lambda probe: {"gamma": np.ones_like(probe.spec["args"]["gamma"]),
                               "beta": np.zeros_like(probe.spec["args"]["beta"])},
                "in test mode, scale by gamma and shift by beta as in train mode"),
    Alternative({"mode": "train"}, "in test mode, normalize with bn_param's running_mean and running_var, "
                                   "not with the statistics of the batch"),
)


# -- layer normalization ------------------------------------------------------------------

LN_SHAPES = ((4, 6), (1, 5), (7, 3))


def ln_cases(backward: bool = False, numeric: bool = False):
    def cases(rng):
        probes = []
        for index, (N, D) in enumerate(LN_SHAPES[: 1 if numeric else None]):
            x = rng.normal(size=(N, D)) * rng.uniform(0.5, 3.0, (N, 1)) + rng.normal(0.0, 4.0, (N, 1))
            gamma, beta = scale_shift(rng, D)
            ln_param = {} if index != 2 else {"eps": 1e-3}
            if backward:
                probes.append(forward_backward(layer("layernorm_forward"), layer("layernorm_backward"), x=x,
                                               gamma=gamma, beta=beta, ln_param=ln_param,
                                               dout=rng.normal(size=(N, D)), numeric=numeric))
            else:
                probes.append(call(layer("layernorm_forward"), x=x, gamma=gamma, beta=beta, ln_param=ln_param))
        return probes
    return cases


def over_the_batch(got, expected, probe):
    args = probe.spec["args"]
    eps = args["ln_param"].get("eps", 1e-5)
    if args["x"].shape[0] > 1 and close(got, args["gamma"] * standardized(args["x"], 0, eps) + args["beta"]):
        return "layer normalization takes the statistics of each example over its features (axis 1), " \
               "not of each feature over the batch"
    return None


def ln_batch_pairs(rng):
    """The first example alone, and in two different batches: its output must not change."""
    D = 6
    x = rng.normal(size=(5, D)) * 2.0 + 1.0
    other = np.vstack([x[:1], 10.0 * rng.normal(size=(3, D)) - 5.0])
    gamma, beta = scale_shift(rng, D)

    def ln(batch):
        return call(layer("layernorm_forward"), x=batch, gamma=gamma, beta=beta, ln_param={})
    return [(ln(x[:1]), ln(x)), (ln(x[:1]), ln(other))]


# -- dropout --------------------------------------------------------------------------------

def dropout_samples(rng):
    x = rng.uniform(1.0, 2.0, size=(100, 200))
    return [call(layer("dropout_forward"), x=x, dropout_param={"mode": "train", "p": p, "seed": int(seed)})
            for p, seed in ((0.3, rng.integers(1000)), (0.75, rng.integers(1000)))]


def keeps_with_probability_p(value, probe):
    x, p = probe.spec["args"]["x"], probe.spec["args"]["dropout_param"]["p"]
    out = _out(value)
    if not isinstance(out, np.ndarray) or out.shape != x.shape or out.dtype.kind != "f":
        return f"dropout_forward should return (out, cache) with out of shape {x.shape}; got {_shape(out)}"
    kept, margin = float(np.mean(out != 0)), 6 * np.sqrt(p * (1 - p) / x.size)
    if abs(kept - p) <= margin:
        return None
    text = f"kept {kept:.1%} of {x.size} units with p = {p} (expected {p:.0%} within {margin:.1%})"
    if abs(kept - (1 - p)) <= margin:
        text += "\n  hint: p is the probability of KEEPING a unit, not of dropping it"
    return text


def keeps_the_mean(value, probe):
    x, p = probe.spec["args"]["x"], probe.spec["args"]["dropout_param"]["p"]
    out = _out(value)
    if not isinstance(out, np.ndarray) or out.shape != x.shape or out.dtype.kind != "f":
        return f"dropout_forward should return (out, cache) with out of shape {x.shape}; got {_shape(out)}"
    # Each output is x/p with probability p, else 0: its variance is x^2 (1 - p) / p.
    margin = 6 * np.sqrt((1 - p) / p * np.sum(x ** 2)) / x.size
    mean, expected = float(out.mean()), float(x.mean())
    if abs(mean - expected) <= margin:
        return None
    text = f"the mean output is {mean:.4f} where the input's mean is {expected:.4f} (allowed: {margin:.4f})"
    kept = out != 0
    if np.any(kept) and np.allclose(out[kept], x[kept]):
        text += "\n  hint: the kept units are not rescaled: inverted dropout divides them by p at train time"
    return text


def dropout_repeats(rng):
    x = rng.normal(size=(20, 30))
    return [call(layer("dropout_forward"), x=x, dropout_param={"mode": "train", "p": 0.5, "seed": 231}, repeat=2)]


def same_mask_twice(value, probe):
    outs = value.get("outs") if isinstance(value, dict) else None
    firsts = [o[0] if isinstance(o, (tuple, list)) and o else None for o in outs or []]
    if len(firsts) != 2 or not all(isinstance(o, np.ndarray) and o.dtype.kind == "f" for o in firsts):
        return "dropout_forward should return (out, cache) with out an array"
    if not np.array_equal(firsts[0], firsts[1]):
        return "two calls with the same dropout_param['seed'] dropped different units: when 'seed' is in " \
               "dropout_param, call np.random.seed(seed) before drawing the mask"
    return None


def dropout_test_mode(rng):
    return [call(layer("dropout_forward"), x=rng.normal(size=shape), dropout_param={"mode": "test", "p": p})
            for shape, p in (((6, 9), 0.4), ((2, 3, 4), 0.8))]


def scaled_at_test_time(got, expected, probe):
    p = probe.spec["args"]["dropout_param"]["p"]
    if close(got, p * expected) or close(got, expected / p):
        return "at test time inverted dropout returns the input unchanged (the scaling happens at train time)"
    return None


def dropout_backward_cases(numeric: bool = False):
    def cases(rng):
        shapes = ((4, 5),) if numeric else ((30, 40), (2, 3, 5))
        probes = []
        for index, shape in enumerate(shapes):
            mode = "test" if index == 1 else "train"
            probes.append(forward_backward(layer("dropout_forward"), layer("dropout_backward"),
                                           x=away_from_zero(rng, shape),
                                           dropout_param={"mode": mode, "p": 0.6, "seed": int(rng.integers(1000))},
                                           dout=rng.normal(size=shape), numeric=numeric))
        return probes
    return cases


def routes_through_the_mask(value, probe):
    """dx must be dout times the mask the forward pass applied (out / x), or dout in test mode."""
    x, dout = probe.spec["args"]["x"], probe.spec["dout"]
    out, dx = (value.get("out"), value.get("grads")) if isinstance(value, dict) else (None, None)
    if not isinstance(dx, np.ndarray) or dx.shape != x.shape or dx.dtype.kind != "f":
        return f"dx should be an array of shape {x.shape}; got {_shape(dx)}"
    if probe.spec["args"]["dropout_param"]["mode"] == "test":
        return None if close(dx, dout, 1e-12) else "in test mode dx should equal dout"
    if not isinstance(out, np.ndarray) or out.shape != x.shape:
        return f"dropout_forward should return (out, cache) with out of shape {x.shape}"
    if not close(dx, dout * (out / x), 1e-9):
        return "dx should be dout times the mask the forward pass applied (scaling by 1/p included)"
    return None


# -- convolution and pooling ----------------------------------------------------------------------

# (N, C, H, W, F, HH, WW, stride, pad): odd sizes, stride 2, padding 0, 1 and 2, a single image.
CONV_SHAPES = ((2, 3, 7, 5, 4, 3, 3, 1, 1), (1, 2, 9, 7, 3, 3, 3, 2, 0), (3, 1, 6, 5, 2, 5, 5, 1, 2),
               (2, 2, 8, 8, 3, 4, 4, 2, 1))
CONV_NUMERIC = ((1, 2, 5, 5, 2, 3, 3, 2, 1),)


def conv_out(H, HH, stride, pad):
    return 1 + (H + 2 * pad - HH) // stride


def conv_cases(backward: bool = False, numeric: bool = False):
    def cases(rng):
        probes = []
        for N, C, H, W, F, HH, WW, stride, pad in CONV_NUMERIC if numeric else CONV_SHAPES:
            x, w, b = rng.normal(size=(N, C, H, W)), rng.normal(size=(F, C, HH, WW)), rng.normal(size=F)
            conv_param = {"stride": stride, "pad": pad}
            if backward:
                dout = rng.normal(size=(N, F, conv_out(H, HH, stride, pad), conv_out(W, WW, stride, pad)))
                probes.append(forward_backward(layer("conv_forward_naive"), layer("conv_backward_naive"), x=x, w=w,
                                               b=b, conv_param=conv_param, dout=dout, numeric=numeric))
            else:
                probes.append(call(layer("conv_forward_naive"), x=x, w=w, b=b, conv_param=conv_param))
        return probes
    return cases


def padding_left_in_dx(got, expected, probe):
    pad = probe.spec["args"]["conv_param"]["pad"]
    dx = got[0] if isinstance(got, (tuple, list)) and got else None
    N, C, H, W = probe.spec["args"]["x"].shape
    if pad and isinstance(dx, np.ndarray) and dx.shape == (N, C, H + 2 * pad, W + 2 * pad):
        return "dx still has the padding: drop the padded border (dx_pad[:, :, pad:-pad, pad:-pad]) at the end"
    return None


# (N, C, H, W, pool_height, pool_width, stride): square and not, overlapping windows, odd sizes.
POOL_SHAPES = ((2, 3, 8, 8, 2, 2, 2), (1, 2, 7, 9, 3, 3, 2), (3, 1, 5, 6, 2, 3, 1))
POOL_NUMERIC = ((1, 2, 5, 6, 2, 3, 1),)


def distinct(rng, shape):
    """Values 0.05 apart at least: no ties in a pooling window, and no tie within a
    numerical gradient's step."""
    size = int(np.prod(shape))
    return 0.05 * (rng.permutation(size) - size / 2).reshape(shape)


def pool_cases(backward: bool = False, numeric: bool = False):
    def cases(rng):
        probes = []
        for N, C, H, W, ph, pw, stride in POOL_NUMERIC if numeric else POOL_SHAPES:
            x = distinct(rng, (N, C, H, W))
            pool_param = {"pool_height": ph, "pool_width": pw, "stride": stride}
            if backward:
                dout = rng.normal(size=(N, C, conv_out(H, ph, stride, 0), conv_out(W, pw, stride, 0)))
                probes.append(forward_backward(layer("max_pool_forward_naive"), layer("max_pool_backward_naive"),
                                               x=x, pool_param=pool_param, dout=dout, numeric=numeric))
            else:
                probes.append(call(layer("max_pool_forward_naive"), x=x, pool_param=pool_param))
        return probes
    return cases


def spread_over_window(got, expected, probe):
    """The gradient given to every entry of each window (or its average) instead of the maximum."""
    x, dout = probe.spec["args"]["x"], probe.spec["dout"]
    param = probe.spec["args"]["pool_param"]
    ph, pw, stride = param["pool_height"], param["pool_width"], param["stride"]
    spread = np.zeros_like(x)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            spread[:, :, i * stride:i * stride + ph, j * stride:j * stride + pw] += dout[:, :, i, j, None, None]
    if close(got, spread) or close(got, spread / (ph * pw)):
        return "the gradient of each window goes to the input that held its maximum only, not to every entry"
    return None


# -- spatial normalization --------------------------------------------------------------------

SPATIAL_SHAPES = ((2, 3, 4, 5), (1, 4, 3, 3), (3, 2, 5, 2))


def spatial_data(rng, shape):
    N, C, H, W = shape
    return rng.normal(size=shape) * rng.uniform(0.5, 3.0, (1, C, 1, 1)) + rng.normal(0.0, 4.0, (1, C, 1, 1))


def sbn_cases(backward: bool = False, numeric: bool = False, plain: bool = False):
    def cases(rng):
        probes = []
        modes = ("train",) if numeric or plain or backward else ("train", "train", "test")
        for shape, mode in zip(SPATIAL_SHAPES[: 1 if numeric else None], modes * 3):
            C = shape[1]
            gamma, beta = (np.ones(C), np.zeros(C)) if plain else scale_shift(rng, C)
            bn_param = {"mode": mode}
            if mode == "test":
                bn_param.update(running_mean=rng.normal(0, 2, C), running_var=rng.uniform(0.5, 4.0, C))
            x = spatial_data(rng, shape)
            if backward:
                probes.append(forward_backward(layer("spatial_batchnorm_forward"), layer("spatial_batchnorm_backward"),
                                               x=x, gamma=gamma, beta=beta, bn_param=bn_param,
                                               dout=rng.normal(size=shape), numeric=numeric))
            else:
                probes.append(call(layer("spatial_batchnorm_forward"), x=x, gamma=gamma, beta=beta, bn_param=bn_param))
        return probes
    return cases


def wrong_spatial_axes(got, expected, probe):
    """Two ways of normalizing the wrong values: reshaping to (N*H*W, C) without moving
    the channel axis last, and statistics over N alone."""
    x, gamma, beta, eps = spatial(probe.spec["args"])
    if probe.spec["args"]["bn_param"]["mode"] != "train":
        return None
    N, C, H, W = x.shape
    unmoved = (gamma.reshape(C) * standardized(x.reshape(-1, C), 0, eps) + beta.reshape(C)).reshape(x.shape)
    if close(got, unmoved) or close(got, gamma * standardized(x, 0, eps) + beta):
        return "normalize each channel over N, H and W: move the channel axis last before reshaping to " \
               "(N*H*W, C), and move it back afterwards"
    return None


# (N, C, H, W, G): groups of one channel, of several, and a single group.
GROUP_SHAPES = ((2, 6, 4, 5, 3), (1, 4, 3, 3, 2), (3, 6, 2, 3, 6), (2, 4, 3, 2, 1))


def sgn_cases(backward: bool = False, numeric: bool = False, plain: bool = False):
    def cases(rng):
        probes = []
        for N, C, H, W, G in GROUP_SHAPES[: 1 if numeric else None]:
            x = spatial_data(rng, (N, C, H, W))
            gamma, beta = (np.ones((1, C, 1, 1)), np.zeros((1, C, 1, 1))) if plain else \
                scale_shift(rng, (1, C, 1, 1))
            gn_param = {} if N != 1 else {"eps": 1e-3}
            if backward:
                probes.append(forward_backward(layer("spatial_groupnorm_forward"), layer("spatial_groupnorm_backward"),
                                               x=x, gamma=gamma, beta=beta, G=G, gn_param=gn_param,
                                               dout=rng.normal(size=(N, C, H, W)), numeric=numeric))
            else:
                probes.append(call(layer("spatial_groupnorm_forward"), x=x, gamma=gamma, beta=beta, G=G,
                                   gn_param=gn_param))
        return probes
    return cases


def wrong_group_axes(got, expected, probe):
    """Statistics per channel, per example or over the batch too, instead of per group."""
    x, gamma, beta, eps = spatial(probe.spec["args"])
    grouped = by_group(x, probe.spec["args"]["G"])
    for values, axes in ((x, (2, 3)), (x, (1, 2, 3)), (grouped, (0, 2, 3, 4))):
        if close(got, gamma * standardized(values, axes, eps).reshape(x.shape) + beta):
            return "normalize each example's group of C // G consecutive channels over those channels and " \
                   "H, W: reshape x to (N, G, C // G, H, W) and take the statistics over the last three axes"
    return None


def gamma_shaped_grads(got, expected, probe):
    C = probe.spec["args"]["x"].shape[1]
    if isinstance(got, (tuple, list)) and len(got) == 3 and any(
            isinstance(g, np.ndarray) and g.shape != (1, C, 1, 1) and g.size == C for g in got[1:]):
        return f"dgamma and dbeta should have the shape of gamma and beta, (1, {C}, 1, 1)"
    return None


# -- update rules -----------------------------------------------------------------------------------

def optimizer_cases(rule: str, state=None):
    """A first step from a fresh config (and from config=None); with ``state(rng, shape)``,
    four steps in a row from that state, each step's next_w and config passed on."""
    def cases(rng):
        shape = (5, 4)
        w, dw = rng.normal(size=shape), rng.normal(size=shape)
        # w and dw go as keyword arguments, which are not checked for changes: an update
        # rule may change w in place, as the provided sgd does.
        if state is None:
            return [call(f"{OPTIM}:{rule}", kwargs={"w": w, "dw": dw, "config": {"learning_rate": 0.02}}),
                    call(f"{OPTIM}:{rule}", kwargs={"w": w, "dw": dw, "config": None})]
        config = {"learning_rate": 0.03, **state(rng, shape)}
        return [call(f"{OPTIM}:{rule}", kwargs={"w": w, "dw": dw, "config": config}, repeat=4,
                     feed={"w": 0, "config": 1})]
    return cases


def momentum_state(rng, shape):
    return {"momentum": 0.8, "velocity": rng.normal(size=shape)}


def rmsprop_state(rng, shape):
    return {"decay_rate": 0.95, "cache": rng.uniform(0.1, 1.0, shape)}


def adam_state(rng, shape):
    return {"m": 0.1 * rng.normal(size=shape), "v": rng.uniform(0.1, 1.0, shape), "t": 5}


def adam_variant(probe, correct: bool, t_first: bool):
    """next_w after the probe's steps of Adam, with or without a known mistake."""
    spec = probe.spec["kwargs"]
    w, dw = spec["w"].copy(), spec["dw"]
    config = dict(spec["config"] or {})
    lr, b1, b2, eps = (config.get(k, d) for k, d in (("learning_rate", 1e-3), ("beta1", 0.9), ("beta2", 0.999),
                                                      ("epsilon", 1e-8)))
    m, v, t = config.get("m", np.zeros_like(w)), config.get("v", np.zeros_like(w)), config.get("t", 0)
    with np.errstate(all="ignore"):
        for _ in range(probe.spec.get("repeat", 1)):
            t += t_first
            m, v = b1 * m + (1 - b1) * dw, b2 * v + (1 - b2) * dw ** 2
            m_hat, v_hat = (m / (1 - b1 ** t), v / (1 - b2 ** t)) if correct else (m, v)
            w = w - lr * m_hat / (np.sqrt(v_hat) + eps)
            t += not t_first
    return w


def adam_mistakes(got, expected, probe):
    next_w = got[0] if isinstance(got, (tuple, list)) and got else None
    if not isinstance(next_w, np.ndarray):
        return None
    if np.allclose(next_w, adam_variant(probe, correct=False, t_first=True), equal_nan=True):
        return "the update has no bias correction: divide m by (1 - beta1**t) and v by (1 - beta2**t)"
    if np.allclose(next_w, adam_variant(probe, correct=True, t_first=False), equal_nan=True):
        return "increase t by one before the bias correction, so that the first step uses t = 1"
    return None


# -- fully connected net -----------------------------------------------------------------------------

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


def fc_init(rng):
    probes = []
    for normalization in (None, "batchnorm", "layernorm"):
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


def initialized(expected_shapes, constants):
    """A Property test: params has exactly the expected names and shapes, weights drawn
    with std weight_scale, the rest at their constant starting values."""
    def test(value, probe):
        params = (value.get("attrs") or {}).get("params") if isinstance(value, dict) else None
        shapes = expected_shapes(probe)
        if not isinstance(params, dict):
            return "self.params should be a dict of the parameters"
        if set(params) != set(shapes):
            missing, extra = sorted(set(shapes) - set(params)), sorted(set(params) - set(shapes))
            return f"self.params should hold exactly {', '.join(sorted(shapes))}" + \
                (f"; missing {', '.join(missing)}" if missing else "") + \
                (f"; unexpected {', '.join(extra)}" if extra else "")
        scale = probe.spec["init"]["weight_scale"]
        for name, shape in shapes.items():
            value = params[name]
            if not isinstance(value, np.ndarray) or value.shape != shape or value.dtype.kind != "f":
                return f"params[{name!r}] should be a float array of shape {shape}; got {_shape(value)}"
            if name.startswith("W"):
                # The sample std of n normal draws is within 6/sqrt(2n) of the true one (six standard errors).
                std, n = float(np.std(value)), value.size
                if abs(std - scale) > 6 * scale / np.sqrt(2 * n) or abs(float(np.mean(value))) > 6 * scale / np.sqrt(n):
                    return f"params[{name!r}] should be drawn from a normal distribution with mean 0 and std " \
                           f"weight_scale ({scale:g}); its std is {std:.4g}"
            else:
                start = constants.get(name.rstrip("0123456789"), 0.0)
                if np.any(value != start):
                    return f"params[{name!r}] should start as all {start:g}"
        return None
    return test


def gradients_miss_reg(got, expected, probe):
    """The loss is right but the weight gradients lack the penalty's share reg * W."""
    reg, params = probe.spec["init"]["reg"], probe.spec["attrs"]["params"]
    grads = got[1] if isinstance(got, (tuple, list)) and len(got) == 2 else None
    if not reg or not isinstance(grads, dict):
        return None
    weights = [k for k in params if k.startswith("W")]
    if all(close(grads.get(k), expected[1][k] - reg * params[k]) for k in weights):
        return "the weight gradients are missing the penalty's share reg * W"
    return None


REG_HINTS = (
    Alternative({"reg": 0.0}, "the regularization term 0.5 * reg * sum(W*W) over every weight matrix is missing"),
    Alternative(lambda probe: {"reg": 2 * probe.spec["init"]["reg"]},
                "the penalty is 0.5 * reg * sum(W*W) (gradient reg * W), not reg * sum(W*W)"),
    gradients_miss_reg,
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


def fc_dropout_gradients(rng):
    probes = []
    for normalization, reg in ((None, 0.1), ("batchnorm", 0.0)):
        X, y = rng.normal(size=(4, 6)), rng.integers(0, 3, 4)
        probes.append(method(FC_NET, step("loss", X=X, y=y), numeric="params", init=dict(
            hidden_dims=[5, 4], input_dim=6, num_classes=3, normalization=normalization, reg=reg,
            dropout_keep_ratio=0.6, seed=int(rng.integers(1000)), weight_scale=0.1, dtype="float64"),
            attrs={"params": net_params(rng, [6, 5, 4, 3], normalization)}))
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
    return solver_train(FC_NET, model_kwargs=dict(hidden_dims=OVERFIT["hidden_dims"], input_dim=32 * 32 * 3,
                                                   num_classes=10, weight_scale=OVERFIT["weight_scale"]),
                         data={"X_train": X, "y_train": y, "X_val": X, "y_val": y}, score_inputs={"train": X},
                         solver_kwargs=dict(update_rule="sgd", optim_config={"learning_rate": OVERFIT["learning_rate"]},
                                            num_epochs=OVERFIT["num_epochs"], batch_size=OVERFIT["batch_size"],
                                            verbose=False), timeout=120)


def overfit_labels(dataset):
    return dataset.y_train[:50]


# (id of the dataset, view) -> (the dataset, which keeps its id from being reused; the views):
# the two latest, one per training check, so that a batch of submissions makes them once.
_VIEWS: dict = {}


def training_views(dataset, settings: dict, images: bool):
    """Training and validation data (mean image subtracted) and the held-out images, as
    rows (N, size*size*3) or images (N, 3, size, size); made once per dataset."""
    size, num = settings["size"], settings["num_train"]
    key = (id(dataset), size, num, images)
    if key not in _VIEWS:
        mean = data.mean_image(dataset)

        def view(X):
            X = data.rows(X, mean).reshape(-1, size, 32 // size, size, 32 // size, 3).mean(axis=(2, 4))
            return X.transpose(0, 3, 1, 2).copy() if images else X.reshape(len(X), -1)
        while len(_VIEWS) >= 2:
            del _VIEWS[next(iter(_VIEWS))]
        _VIEWS[key] = dataset, ({"X_train": view(dataset.X_train[:num]), "y_train": dataset.y_train[:num],
                                 "X_val": view(dataset.X_val), "y_val": dataset.y_val}, {"test": view(dataset.X_test)})
    return _VIEWS[key][1]


def solver_kwargs(settings: dict) -> dict:
    return dict(update_rule=settings["update_rule"], optim_config={"learning_rate": settings["learning_rate"]},
                lr_decay=settings["lr_decay"], num_epochs=settings["num_epochs"], batch_size=settings["batch_size"],
                verbose=False)


def fc_training(dataset, rng):
    s = TRAINING[dataset.name]["fc"]
    views, score_inputs = training_views(dataset, s, images=False)
    return solver_train(FC_NET, model_kwargs=dict(hidden_dims=s["hidden_dims"], input_dim=s["size"] ** 2 * 3,
                                                  num_classes=10, normalization=s["normalization"],
                                                  weight_scale=s["weight_scale"]),
                        data=views, score_inputs=score_inputs, solver_kwargs=solver_kwargs(s), timeout=300)


# -- three-layer convolutional net ------------------------------------------------------------------

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
    s = TRAINING[dataset.name]["cnn"]
    views, score_inputs = training_views(dataset, s, images=True)
    return solver_train(CNN, model_kwargs=dict(input_dim=(3, s["size"], s["size"]), num_filters=s["num_filters"],
                                               filter_size=s["filter_size"], hidden_dim=s["hidden_dim"],
                                               num_classes=10, weight_scale=s["weight_scale"]),
                        data=views, score_inputs=score_inputs, solver_kwargs=solver_kwargs(s), timeout=300)


# -- the workspace --------------------------------------------------------------------------------

PROVIDED = ("cs231n/fast_layers.py", "cs231n/im2col.py")


def provided_fast_layers(root: Path) -> list[str]:
    """Put the grader's pure-NumPy fast layers in the workspace: the course's need a
    Cython extension built on the student's machine, and students do not edit them."""
    source = reference_root() / "assignment2"
    if not (root / "cs231n").is_dir() or (root / "cs231n").resolve() == (source / "cs231n").resolve():
        return []
    for name in PROVIDED:
        shutil.copyfile(source / name, root / name)
    return [f"{' and '.join(PROVIDED)}: the grader's pure-NumPy versions were used (provided code)"]


# -- the suite ------------------------------------------------------------------------------------

BN_BACKWARD, BN_ALT = "batchnorm: batchnorm_backward", "batchnorm: batchnorm_backward_alt"
SBN_BACKWARD, SGN_BACKWARD = "spatial_norm: spatial_batchnorm_backward", "spatial_norm: spatial_groupnorm_backward"
GRADS, STEP = ("dx", "dgamma", "dbeta"), ("next_w", "config")
# Checks that train a model on the dataset: their inputs are the same whatever the grading
# seed (which only changes the initial weights and the minibatches), and their thresholds
# come from the reference's runs over 20 seeds (benchmarks/assignment2_training.py).
TRAINED = ("fc_net: overfits 50 training images with the Solver", "fc_net: accuracy on held-out images",
           "cnn: one epoch of training: accuracy on held-out images")

def prepare_workspace(root: Path) -> list[str]:
    """The grader's fast layers, and the PyTorch notebook turned into a module."""
    return provided_fast_layers(root) + pytorch.prepare_workspace(root)


SUITE = Suite("assignment2", reference="assignment2", prepare_workspace=prepare_workspace,
              package_free_parts=("pytorch",), parts={
    "layers": [
        Matches("affine_forward", 2, cases=affine_cases(forward_only=True), returns=("out", 0), tol=1e-9),
        Matches("affine_backward", 2, cases=affine_cases(), returns="grads", names=("dx", "dw", "db"), tol=1e-9),
        GradientCheck("affine_backward matches a numerical gradient", 1, cases=affine_cases(numeric=True),
                      requires=("layers: affine_backward",)),
        Matches("relu_forward", 1, cases=relu_cases(forward_only=True), returns=("out", 0), tol=1e-12),
        Matches("relu_backward", 1, cases=relu_cases(), returns="grads", tol=1e-12),
        GradientCheck("relu_backward matches a numerical gradient", 1, cases=relu_cases(numeric=True),
                      requires=("layers: relu_backward",)),
        Matches("softmax_loss", 2, cases=score_loss_cases("softmax_loss"), names=("loss", "dx"), tol=1e-9),
        GradientCheck("softmax_loss matches a numerical gradient", 1, cases=score_loss_cases("softmax_loss", True),
                      requires=("layers: softmax_loss",)),
    ],
    "batchnorm": [
        Matches("batchnorm_forward, train mode", 3, cases=bn_cases("train"), returns=("out", 0), tol=1e-8),
        Matches("running averages updated in bn_param", 2, cases=bn_running_cases,
                returns=("args_after", "bn_param"), tol=1e-8, hints=(running_stats_hint,)),
        Matches("batchnorm_forward, test mode", 2, cases=bn_cases("test"), returns=("out", 0), tol=1e-8,
                hints=TEST_MODE_HINTS),
        Matches("batchnorm_backward", 3, cases=bn_cases("train", "batchnorm_backward"), returns="grads",
                names=GRADS, tol=1e-8),
        GradientCheck("batchnorm_backward matches a numerical gradient", 1,
                      cases=bn_cases("train", "batchnorm_backward", numeric=True), requires=(BN_BACKWARD,)),
        Matches("batchnorm_backward_alt", 2, cases=bn_cases("train", "batchnorm_backward_alt"), returns="grads",
                names=GRADS, tol=1e-8),
        Faster("batchnorm_backward_alt runs about as fast as batchnorm_backward, or faster", 1,
               cases=bn_alt_timing, min_ratio=0.7, repeats=2, requires=(BN_BACKWARD, BN_ALT)),
    ],
    "layernorm": [
        Matches("layernorm_forward", 2, cases=ln_cases(), returns=("out", 0), tol=1e-8, hints=(over_the_batch,)),
        Agrees("each example is normalized on its own, whatever the batch", 1, cases=ln_batch_pairs,
               returns=("out", 0, 0), tol=1e-10, requires=("layernorm: layernorm_forward",)),
        Matches("layernorm_backward", 2, cases=ln_cases(backward=True), returns="grads",
                names=GRADS, tol=1e-8),
        GradientCheck("layernorm_backward matches a numerical gradient", 1, cases=ln_cases(True, numeric=True),
                      requires=("layernorm: layernorm_backward",)),
    ],
    "dropout": [
        Property("train mode keeps each unit with probability p", 2, cases=dropout_samples,
                 test=keeps_with_probability_p, returns=("out", 0)),
        Property("train mode preserves the mean (inverted dropout)", 2, cases=dropout_samples, test=keeps_the_mean,
                 returns=("out", 0)),
        Matches("test mode returns the input unchanged", 1, cases=dropout_test_mode, returns=("out", 0), tol=0,
                hints=(scaled_at_test_time,)),
        Property("the same seed gives the same mask", 1, cases=dropout_repeats, test=same_mask_twice,
                 returns=("outs", 0, 0)),
        Property("dropout_backward uses the forward pass's mask", 2, cases=dropout_backward_cases(),
                 test=routes_through_the_mask, returns="grads"),
        GradientCheck("dropout_backward matches a numerical gradient", 1, cases=dropout_backward_cases(numeric=True),
                      requires=("dropout: dropout_backward uses the forward pass's mask",)),
    ],
    "conv": [
        Matches("conv_forward_naive", 3, cases=conv_cases(), returns=("out", 0), tol=1e-8),
        Matches("conv_backward_naive", 3, cases=conv_cases(backward=True), returns="grads", names=("dx", "dw", "db"),
                tol=1e-8, hints=(padding_left_in_dx,)),
        GradientCheck("conv_backward_naive matches a numerical gradient", 1, cases=conv_cases(True, numeric=True),
                      requires=("conv: conv_backward_naive",)),
        Matches("max_pool_forward_naive", 2, cases=pool_cases(), returns=("out", 0), tol=1e-12),
        Matches("max_pool_backward_naive", 2, cases=pool_cases(backward=True), returns="grads", tol=1e-12,
                hints=(spread_over_window,)),
        GradientCheck("max_pool_backward_naive matches a numerical gradient", 1, cases=pool_cases(True, numeric=True),
                      requires=("conv: max_pool_backward_naive",)),
    ],
    "spatial_norm": [
        Matches("spatial_batchnorm_forward", 2, cases=sbn_cases(), returns=("out", 0), tol=1e-8,
                hints=(wrong_spatial_axes,)),
        Property("spatial batchnorm normalizes each channel over N, H and W", 1, cases=sbn_cases(plain=True),
                 test=normalizes("spatial_batchnorm_forward", by_channel, (0, 2, 3),
                                 "over N, H and W for each channel"), returns=("out", 0)),
        Matches("spatial_batchnorm_backward", 2, cases=sbn_cases(backward=True), returns="grads",
                names=GRADS, tol=1e-8),
        GradientCheck("spatial_batchnorm_backward matches a numerical gradient", 1,
                      cases=sbn_cases(backward=True, numeric=True), requires=(SBN_BACKWARD,)),
        Matches("spatial_groupnorm_forward", 2, cases=sgn_cases(), returns=("out", 0), tol=1e-8,
                hints=(wrong_group_axes,)),
        Property("spatial groupnorm normalizes each group over its channels, H and W", 1, cases=sgn_cases(plain=True),
                 test=normalizes("spatial_groupnorm_forward", by_group, (2, 3, 4),
                                 "over each group's C // G channels, H and W, for each example"), returns=("out", 0)),
        Matches("spatial_groupnorm_backward", 2, cases=sgn_cases(backward=True), returns="grads",
                names=GRADS, tol=1e-8, hints=(gamma_shaped_grads,)),
        GradientCheck("spatial_groupnorm_backward matches a numerical gradient", 1,
                      cases=sgn_cases(backward=True, numeric=True), requires=(SGN_BACKWARD,)),
    ],
    "optim": [
        Matches("sgd_momentum, first step", 1, cases=optimizer_cases("sgd_momentum"), names=STEP, tol=1e-8),
        Matches("sgd_momentum, several steps from a given velocity", 2,
                cases=optimizer_cases("sgd_momentum", momentum_state), names=STEP, tol=1e-8),
        Matches("rmsprop, first step", 1, cases=optimizer_cases("rmsprop"), names=STEP, tol=1e-8),
        Matches("rmsprop, several steps from a given cache", 2, cases=optimizer_cases("rmsprop", rmsprop_state),
                names=STEP, tol=1e-8),
        Matches("adam, first step", 1, cases=optimizer_cases("adam"), names=STEP, tol=1e-8, hints=(adam_mistakes,)),
        Matches("adam, several steps from a given m, v and t", 2, cases=optimizer_cases("adam", adam_state),
                names=STEP, tol=1e-8, hints=(adam_mistakes,)),
    ],
    "fc_net": [
        Property("parameter names, shapes and initial values", 2, cases=fc_init,
                 test=initialized(fc_expected_shapes, {"b": 0.0, "gamma": 1.0, "beta": 0.0})),
        Matches("scores with injected parameters, 2 and 4 hidden layers", 2, cases=fc_cases(with_labels=False),
                tol=1e-8),
        Matches("loss and gradients, 2 and 4 hidden layers", 3, cases=fc_cases(), names=("loss", "grads"), tol=1e-8),
        Matches("loss and gradients with regularization", 2, cases=fc_cases(reg=0.37), names=("loss", "grads"),
                tol=1e-8, hints=REG_HINTS),
        Matches("loss and gradients with batchnorm", 3, cases=fc_cases(normalization="batchnorm", reg=0.21),
                names=("loss", "grads"), tol=1e-8, hints=REG_HINTS),
        Matches("batchnorm: test-mode scores use the running averages", 1,
                cases=fc_cases(normalization="batchnorm", test_after_train=True), tol=1e-8),
        Matches("loss and gradients with layernorm", 2, cases=fc_cases(normalization="layernorm", reg=0.21),
                names=("loss", "grads"), tol=1e-8, hints=REG_HINTS),
        Matches("dropout: test-mode scores", 1, cases=fc_dropout_scores, tol=1e-8),
        Property("dropout: active in training only, repeatable with a seed", 1, cases=fc_dropout_repeats,
                 test=dropout_in_the_net),
        GradientCheck("dropout: gradients match a numerical gradient (fixed seed)", 2, cases=fc_dropout_gradients,
                      atol=1e-8, requires=("fc_net: loss and gradients, 2 and 4 hidden layers",)),
        Accuracy("overfits 50 training images with the Solver", 2, probe=overfit_probe,
                 predictions=by_key("scores", "train"), labels=overfit_labels,
                 threshold={"digits": 1.0, "cifar10": 1.0}, images="training"),
        Accuracy("accuracy on held-out images", 3, probe=fc_training, predictions=by_key("scores", "test"),
                 labels=test_labels, threshold=THRESHOLDS["fc"]),
    ],
    "cnn": [
        Property("parameter names, shapes and initial values", 1, cases=cnn_init,
                 test=initialized(cnn_expected_shapes, {"b": 0.0})),
        Property("loss near log(10) at initialization", 1, cases=cnn_first_loss, test=loss_near_log_classes),
        Matches("scores with injected parameters", 1, cases=cnn_cases(with_labels=False), tol=1e-8),
        Matches("loss and gradients with injected parameters", 3, cases=cnn_cases(reg=0.0), names=("loss", "grads"),
                tol=1e-8),
        Matches("loss and gradients with regularization", 1, cases=cnn_cases(reg=0.3), names=("loss", "grads"),
                tol=1e-8, hints=REG_HINTS),
        Accuracy("one epoch of training: accuracy on held-out images", 3, probe=cnn_training,
                 predictions=by_key("scores", "test"), labels=test_labels, threshold=THRESHOLDS["cnn"]),
    ],
    "pytorch": pytorch.CHECKS,  # the notebook's part, in grader/suites/pytorch.py
})

# The NumPy parts alone: what the assignment-2 mutants and the 20-seed test grade, since
# the notebook part (a minute of training) cannot see the cs231n package.
NUMPY_SUITE = SUITE.without("pytorch", name="assignment2-numpy")
