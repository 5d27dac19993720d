"""Batch normalization: train and test mode, the running averages kept in ``bn_param``,
both backward passes (``_alt`` also timed against the other) and a numerical check.

The timed check asks batchnorm_backward_alt to take at most 1/0.7 of the CPU time of
batchnorm_backward: the reference's ratio is 1.0-1.3 (both are vectorized, and students'
step-by-step versions are often compact), so the course's "faster" cannot be demanded
of correct code; a closed form with a Python loop is several times slower.
"""
from __future__ import annotations

import numpy as np

from ..checks import Alternative, Faster, GradientCheck, Matches
from ..probe import call, forward_backward
from ..suite import Part
from .common import close, eps_outside_sqrt, features, layer, scale_shift

GRADS = ("dx", "dgamma", "dbeta")


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
    sent = probe.arg("bn_param")
    if not isinstance(got, dict) or not isinstance(got.get("running_mean"), np.ndarray):
        return "bn_param should hold 'running_mean' and 'running_var' after a train-mode forward pass: " \
               "store the updated running averages back into bn_param"
    x = probe.arg("x")
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
    Alternative(lambda probe: {"gamma": np.ones_like(probe.arg("gamma")),
                               "beta": np.zeros_like(probe.arg("beta"))},
                "in test mode, scale by gamma and shift by beta as in train mode"),
    Alternative({"mode": "train"}, "in test mode, normalize with bn_param's running_mean and running_var, "
                                   "not with the statistics of the batch"),
)



def part() -> Part:
    backward, alt = "batchnorm_backward", "batchnorm_backward_alt"
    return Part("batchnorm", (
        Matches("batchnorm_forward, train mode", 3, cases=bn_cases("train"), pick=("out", 0), tol=1e-8,
                hints=(eps_outside_sqrt(0, "bn_param"),)),
        Matches("running averages updated in bn_param", 2, cases=bn_running_cases,
                pick=("args_after", "bn_param"), tol=1e-8, hints=(running_stats_hint,)),
        Matches("batchnorm_forward, test mode", 2, cases=bn_cases("test"), pick=("out", 0), tol=1e-8,
                hints=TEST_MODE_HINTS),
        Matches(backward, 3, cases=bn_cases("train", backward), pick="grads", names=GRADS, tol=1e-8),
        GradientCheck("batchnorm_backward matches a numerical gradient", 1,
                      cases=bn_cases("train", backward, numeric=True), requires=(backward,)),
        Matches(alt, 2, cases=bn_cases("train", alt), pick="grads", names=GRADS, tol=1e-8),
        Faster("batchnorm_backward_alt runs about as fast as batchnorm_backward, or faster", 1,
               cases=bn_alt_timing, min_ratio=0.7, repeats=3, slow_repeats=3, requires=(backward, alt)),
    ))
