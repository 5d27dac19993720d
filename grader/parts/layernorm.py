"""Layer normalization: forward against the reference, each example normalized on its
own whatever the batch, backward and a numerical check."""
from __future__ import annotations

import numpy as np

from ..checks import Agrees, GradientCheck, Matches
from ..probe import call, forward_backward
from ..suite import Part
from .batchnorm import GRADS
from .common import close, eps_outside_sqrt, layer, private, scale_shift, standardized


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



def part() -> Part:
    return Part("layernorm", (
        Matches("layernorm_forward", 2, cases=ln_cases(), pick=("out", 0), tol=1e-8,
                hints=(over_the_batch, eps_outside_sqrt(1, "ln_param"))),
        Agrees("each example is normalized on its own, whatever the batch", 1, cases=ln_batch_pairs,
               pick=("out", 0, 0), tol=1e-10, requires=("layernorm_forward",)),
        Matches("layernorm_backward", 2, cases=ln_cases(backward=True), pick="grads", names=GRADS, tol=1e-8,
                hints=(private("uses_x_for_centered"),)),
        GradientCheck("layernorm_backward matches a numerical gradient", 1, cases=ln_cases(True, numeric=True),
                      requires=("layernorm_backward",)),
    ))
