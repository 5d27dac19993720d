"""Spatial batch normalization and spatial group normalization: forward against the
reference and against the definition computed here from the call's own inputs,
backward and numerical checks."""
from __future__ import annotations

import numpy as np

from ..checks import GradientCheck, Matches, Property
from ..probe import call, forward_backward
from ..suite import Part
from .batchnorm import GRADS
from .common import close, layer, layer_out, scale_shift, shape_of, standardized


def spatial(args) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """x, gamma and beta shaped to broadcast over (N, C, H, W), and eps, of a spatial norm's call."""
    param = args.get("bn_param") or args.get("gn_param") or {}
    return args["x"], np.reshape(args["gamma"], (1, -1, 1, 1)), np.reshape(args["beta"], (1, -1, 1, 1)), \
        param.get("eps", 1e-5)


def normalizes(target: str, grouped, axes, what: str):
    """A Property test: the output is gamma * (x standardized over ``axes`` of
    ``grouped(x)``) + beta, computed here from the call's own inputs."""
    def test(value, probe):
        out = layer_out(value)
        x, gamma, beta, eps = spatial(probe.spec["args"])
        if not isinstance(out, np.ndarray) or out.shape != x.shape or out.dtype.kind != "f":
            return f"{target} should return (out, cache) with out of shape {x.shape}; got {shape_of(out)}"
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
    if probe.arg("bn_param")["mode"] != "train":
        return None
    N, C, H, W = x.shape
    unmoved = (gamma.reshape(C) * standardized(x.reshape(-1, C), 0, eps) + beta.reshape(C)).reshape(x.shape)
    if close(got, unmoved):
        return "normalize each channel over N, H and W: move the channel axis last before reshaping to " \
               "(N*H*W, C), and move it back afterwards"
    if close(got, gamma * standardized(x, 0, eps) + beta):
        return "the statistics are taken over N alone, for each channel and position: take each channel's over " \
               "N, H and W together (x.transpose(0, 2, 3, 1).reshape(-1, C))"
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


GROUP_AXES = "normalize each example's group of C // G consecutive channels over those channels and H, W: " \
             "reshape x to (N, G, C // G, H, W) and take the statistics over the last three axes"


def wrong_group_axes(got, expected, probe):
    """Statistics per channel, per example, over the batch too, or per pixel, instead of per group."""
    x, gamma, beta, eps = spatial(probe.spec["args"])
    grouped = by_group(x, probe.arg("G"))
    for values, axes, text in ((x, (2, 3), GROUP_AXES), (x, (1, 2, 3), GROUP_AXES), (grouped, (0, 2, 3, 4), GROUP_AXES),
                               (grouped, (2,), "the statistics are taken per pixel, over the group's channels only: "
                                               "take them over the group's C // G channels and H and W together")):
        if close(got, gamma * standardized(values, axes, eps).reshape(x.shape) + beta):
            return text
    return None


def gamma_shaped_grads(got, expected, probe):
    C = probe.arg("x").shape[1]
    if isinstance(got, (tuple, list)) and len(got) == 3 and any(
            isinstance(g, np.ndarray) and g.shape != (1, C, 1, 1) and g.size == C for g in got[1:]):
        return f"dgamma and dbeta should have the shape of gamma and beta, (1, {C}, 1, 1)"
    return None



def part() -> Part:
    sbn, sgn = "spatial_batchnorm_backward", "spatial_groupnorm_backward"
    return Part("spatial_norm", (
        Matches("spatial_batchnorm_forward", 2, cases=sbn_cases(), pick=("out", 0), tol=1e-8,
                hints=(wrong_spatial_axes,)),
        Property("spatial batchnorm normalizes each channel over N, H and W", 1, cases=sbn_cases(plain=True),
                 test=normalizes("spatial_batchnorm_forward", by_channel, (0, 2, 3),
                                 "over N, H and W for each channel"), pick=("out", 0)),
        Matches(sbn, 2, cases=sbn_cases(backward=True), pick="grads", names=GRADS, tol=1e-8),
        GradientCheck("spatial_batchnorm_backward matches a numerical gradient", 1,
                      cases=sbn_cases(backward=True, numeric=True), requires=(sbn,)),
        Matches("spatial_groupnorm_forward", 2, cases=sgn_cases(), pick=("out", 0), tol=1e-8,
                hints=(wrong_group_axes,)),
        Property("spatial groupnorm normalizes each group over its channels, H and W", 1, cases=sgn_cases(plain=True),
                 test=normalizes("spatial_groupnorm_forward", by_group, (2, 3, 4),
                                 "over each group's C // G channels, H and W, for each example"), pick=("out", 0)),
        Matches(sgn, 2, cases=sgn_cases(backward=True), pick="grads", names=GRADS, tol=1e-8,
                hints=(gamma_shaped_grads,)),
        GradientCheck("spatial_groupnorm_backward matches a numerical gradient", 1,
                      cases=sgn_cases(backward=True, numeric=True), requires=(sgn,)),
    ))
