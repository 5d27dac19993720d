"""Dropout, judged by its statistics (the student's random draws need not match ours):
keep probability p, mean preserved, the same mask for the same seed, the identity at
test time, and a backward pass through the forward pass's own mask.

The statistics allow six standard errors computed from the sample size (20000 units),
so a correct solution fails them with probability below 1e-8.
"""
from __future__ import annotations

import numpy as np

from ..checks import GradientCheck, Matches, Property
from ..probe import call, forward_backward
from ..suite import Part
from .common import away_from_zero, close, layer, layer_out, shape_of


def dropout_samples(rng):
    x = rng.uniform(1.0, 2.0, size=(100, 200))
    return [call(layer("dropout_forward"), x=x, dropout_param={"mode": "train", "p": p, "seed": int(seed)})
            for p, seed in ((0.3, rng.integers(1000)), (0.75, rng.integers(1000)))]


def keeps_with_probability_p(value, probe):
    x, p = probe.arg("x"), probe.arg("dropout_param")["p"]
    out = layer_out(value)
    if not isinstance(out, np.ndarray) or out.shape != x.shape or out.dtype.kind != "f":
        return f"dropout_forward should return (out, cache) with out of shape {x.shape}; got {shape_of(out)}"
    kept, margin = float(np.mean(out != 0)), 6 * np.sqrt(p * (1 - p) / x.size)
    if abs(kept - p) <= margin:
        return None
    text = f"kept {kept:.1%} of {x.size} units with p = {p} (expected {p:.0%} within {margin:.1%})"
    if abs(kept - (1 - p)) <= margin:
        text += "\n  hint: p is the probability of KEEPING a unit, not of dropping it"
    return text


def keeps_the_mean(value, probe):
    x, p = probe.arg("x"), probe.arg("dropout_param")["p"]
    out = layer_out(value)
    if not isinstance(out, np.ndarray) or out.shape != x.shape or out.dtype.kind != "f":
        return f"dropout_forward should return (out, cache) with out of shape {x.shape}; got {shape_of(out)}"
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
    p = probe.arg("dropout_param")["p"]
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
    x, dout = probe.arg("x"), probe.arg("dout")
    out, dx = (value.get("out"), value.get("grads")) if isinstance(value, dict) else (None, None)
    if not isinstance(dx, np.ndarray) or dx.shape != x.shape or dx.dtype.kind != "f":
        return f"dx should be an array of shape {x.shape}; got {shape_of(dx)}"
    if probe.arg("dropout_param")["mode"] == "test":
        return None if close(dx, dout, 1e-12) else "in test mode dx should equal dout"
    if not isinstance(out, np.ndarray) or out.shape != x.shape:
        return f"dropout_forward should return (out, cache) with out of shape {x.shape}"
    if not close(dx, dout * (out / x), 1e-9):
        return "dx should be dout times the mask the forward pass applied (scaling by 1/p included)"
    return None



def part() -> Part:
    mask = "dropout_backward uses the forward pass's mask"
    return Part("dropout", (
        Property("train mode keeps each unit with probability p", 2, cases=dropout_samples,
                 test=keeps_with_probability_p, pick=("out", 0)),
        Property("train mode preserves the mean (inverted dropout)", 2, cases=dropout_samples, test=keeps_the_mean,
                 pick=("out", 0)),
        Matches("test mode returns the input unchanged", 1, cases=dropout_test_mode, pick=("out", 0), tol=0,
                hints=(scaled_at_test_time,)),
        Property("the same seed gives the same mask", 1, cases=dropout_repeats, test=same_mask_twice,
                 pick=("outs", 0, 0)),
        Property(mask, 2, cases=dropout_backward_cases(), test=routes_through_the_mask, pick="grads"),
        GradientCheck("dropout_backward matches a numerical gradient", 1, cases=dropout_backward_cases(numeric=True),
                      requires=(mask,)),
    ))
