"""The update rules of ``optim.py``: one step from a fresh config (and from none), and
four chained steps from a given state (velocity, cache, m, v and t).

The tolerance, 1e-6, is what separates the correct forms of RMSProp and Adam from their
mistakes. The course does not say where eps goes, and the forms differ only there:
* RMSProp with eps outside the root, g / (sqrt(cache) + eps) (the lecture notes, PyTorch),
  or inside it, g / sqrt(cache + eps) (TensorFlow 1). The first step, from a zero cache, is
  the worst: with s = sqrt(1 - decay) * |g| the two denominators are s + eps and about
  s + eps / (2 s), so the steps differ by at most lr * eps / (2 (1 - decay)**1.5 g**2) =
  4e-7 for lr = 0.02, decay 0.99 and |g| >= 0.5, against weights that stay above 0.8 in
  magnitude (``optimizer_cases``: weights 1 to 2, gradients 0.5 to 2, steps of 0.2):
  5e-7 relative at most (later steps, with a cache away from 0, differ far less).
* Adam in the textbook form (m_hat / (sqrt(v_hat) + eps)) or the paper's efficient one
  (the bias corrections folded into the step size), which differ by 1.3e-8 relative at
  most, and eps inside the root, less still.
``benchmarks/assignment2_tolerances.py`` measures the largest gaps over 200 seeds (RMSProp
1.9e-7, Adam 6.4e-9) and the nearest mistake (1.3e-4: Adam's t increased after the bias
correction, in the chained steps; no bias correction is off by 1e-1): 1e-6 is twice the
bound above and 130 times below that mistake.
"""
from __future__ import annotations

import numpy as np

from ..checks import Matches
from ..probe import call
from ..suite import Part

OPTIM = "cs231n.optim"
STEP = ("next_w", "config")
TOL = 1e-6  # see above


def optimizer_cases(rule: str, state=None):
    """A first step from a fresh config (and from config=None); with ``state(rng, shape)``,
    four steps in a row from that state, each step's next_w and config passed on."""
    def cases(rng):
        shape = (5, 4)
        # magnitudes from 1 to 2 (weights) and 0.5 to 2 (gradients): see TOL
        w, dw = (rng.uniform(low, 2.0, shape) * rng.choice([-1.0, 1.0], shape) for low in (1.0, 0.5))
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


def next_w_none(got, expected, probe):
    if isinstance(got, (tuple, list)) and len(got) == 2 and got[0] is None and isinstance(got[1], dict):
        return "returned None for next_w: put the updated weights in next_w (the starter's next_w = None is " \
               "only a placeholder)"
    return None


def adam_mistakes(got, expected, probe):
    next_w = got[0] if isinstance(got, (tuple, list)) and got else None
    if not isinstance(next_w, np.ndarray):
        return None
    if np.allclose(next_w, adam_variant(probe, correct=False, t_first=True), equal_nan=True):
        return "the update has no bias correction: divide m by (1 - beta1**t) and v by (1 - beta2**t)"
    if np.allclose(next_w, adam_variant(probe, correct=True, t_first=False), equal_nan=True):
        return "increase t by one before the bias correction, so that the first step uses t = 1"
    return None



def part() -> Part:
    step = dict(names=STEP, tol=TOL, hints=(next_w_none,))
    adam = dict(names=STEP, tol=TOL, hints=(next_w_none, adam_mistakes))
    return Part("optim", (
        Matches("sgd_momentum, first step", 1, cases=optimizer_cases("sgd_momentum"), **step),
        Matches("sgd_momentum, several steps from a given velocity", 2,
                cases=optimizer_cases("sgd_momentum", momentum_state), **step),
        Matches("rmsprop, first step", 1, cases=optimizer_cases("rmsprop"), **step),
        Matches("rmsprop, several steps from a given cache", 2, cases=optimizer_cases("rmsprop", rmsprop_state),
                **step),
        Matches("adam, first step", 1, cases=optimizer_cases("adam"), **adam),
        Matches("adam, several steps from a given m, v and t", 2, cases=optimizer_cases("adam", adam_state), **adam),
    ))
