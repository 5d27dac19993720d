"""How far apart correct answers of assignment 2 are: the numbers behind its tolerances.

    python benchmarks/assignment2_tolerances.py [seeds=20]

Runs in one process with the reference on the path (no workers). For every seed it
makes the suite's own inputs and reports, as the grader measures it (largest absolute
difference over the largest magnitude):
* two different correct formulas on the same inputs: batchnorm_backward against
  batchnorm_backward_alt, the naive convolution and max pool against the fast ones;
* the reference's analytic gradients against the numerical ones of every
  GradientCheck of the suite;
* Adam in the textbook form (the reference) against the paper's efficient form (bias
  corrections folded into the step size) on the optimizer checks' inputs, and, as
  "smallest mistake", the nearest a known Adam mistake comes to the reference (no
  bias correction, t increased after the correction); RMSProp with eps inside the
  root against the reference's eps outside it, and with the decay weights swapped as
  its mistake: the optimizer tolerance sits between the forms and the mistakes.
"""
from __future__ import annotations

import sys
from collections import defaultdict

import numpy as np

from grader.checks import GradientCheck
from grader.compare import relative_error
from grader.parts import batchnorm, conv, optim
from grader.reference import reference_root
from grader.suites import load_suite
from grader.worker import server

sys.path.insert(0, str(reference_root() / "assignment2"))
from cs231n import fast_layers, layers  # noqa: E402  (the reference, for this measurement only)
from cs231n import optim as reference_optim  # noqa: E402


def formulas(rng, worst):
    for probe in batchnorm.bn_cases("train", "batchnorm_backward")(rng):
        args = probe.spec["args"]
        _, cache = layers.batchnorm_forward(*args.values())
        plain = layers.batchnorm_backward(probe.spec["dout"], cache)
        alt = layers.batchnorm_backward_alt(probe.spec["dout"], cache)
        worst["batchnorm_backward vs _alt"] = max([worst["batchnorm_backward vs _alt"]] +
                                                  [relative_error(p, q) for p, q in zip(plain, alt)])
    for probe in conv.conv_cases(backward=True)(rng):
        args, dout = probe.spec["args"], probe.spec["dout"]
        naive, naive_cache = layers.conv_forward_naive(*args.values())
        fast, fast_cache = fast_layers.conv_forward_fast(*args.values())
        worst["conv forward naive vs fast"] = max(worst["conv forward naive vs fast"], relative_error(naive, fast))
        pairs = zip(layers.conv_backward_naive(dout, naive_cache), fast_layers.conv_backward_fast(dout, fast_cache))
        worst["conv backward naive vs fast"] = max([worst["conv backward naive vs fast"]] +
                                                   [relative_error(p, q) for p, q in pairs])
    for probe in conv.pool_cases(backward=True)(rng):
        args, dout = probe.spec["args"], probe.spec["dout"]
        naive, naive_cache = layers.max_pool_forward_naive(*args.values())
        fast, fast_cache = fast_layers.max_pool_forward_fast(*args.values())
        worst["max pool naive vs fast"] = max(worst["max pool naive vs fast"], relative_error(naive, fast),
                                              relative_error(layers.max_pool_backward_naive(dout, naive_cache),
                                                             fast_layers.max_pool_backward_fast(dout, fast_cache)))


def adam_efficient(w, dw, config):
    """Adam as in Kingma and Ba's section 2: the bias corrections folded into the step size."""
    config = dict(config or {})
    lr, beta1, beta2, eps = (config.setdefault(k, d) for k, d in (("learning_rate", 1e-3), ("beta1", 0.9),
                                                                   ("beta2", 0.999), ("epsilon", 1e-8)))
    t = config["t"] = config.get("t", 0) + 1
    m = config["m"] = beta1 * config.get("m", np.zeros_like(w)) + (1 - beta1) * dw
    v = config["v"] = beta2 * config.get("v", np.zeros_like(w)) + (1 - beta2) * dw ** 2
    step = lr * np.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
    return w - step * m / (np.sqrt(v) + eps), config


def optimizer_forms(rng, worst, nearest):
    cases = optim.optimizer_cases("adam")(rng) + optim.optimizer_cases("adam", optim.adam_state)(rng)
    for probe in cases:
        spec = probe.spec["kwargs"]
        answers = []
        for rule in (reference_optim.adam, adam_efficient):
            w, config = spec["w"].copy(), None if spec["config"] is None else dict(spec["config"])
            for _ in range(probe.spec.get("repeat", 1)):
                w, config = rule(w, spec["dw"], config)
            answers.append(w)
        worst["adam textbook vs efficient form"] = max(worst["adam textbook vs efficient form"],
                                                       relative_error(*answers))
        with np.errstate(all="ignore"):
            for correct, t_first in ((False, True), (True, False)):
                wrong = optim.adam_variant(probe, correct=correct, t_first=t_first)
                gap = relative_error(wrong, answers[0]) if np.all(np.isfinite(wrong)) else np.inf
                nearest["adam, smallest mistake"] = min(nearest.get("adam, smallest mistake", np.inf), gap)


def rmsprop_form(w, dw, config, eps_inside=True, swapped=False):
    """RMSProp with eps inside the root (correct), or with the decay weights swapped (a mistake)."""
    config = dict(config or {})
    lr, decay, eps = (config.setdefault(k, d) for k, d in (("learning_rate", 1e-2), ("decay_rate", 0.99),
                                                           ("epsilon", 1e-8)))
    keep = 1 - decay if swapped else decay
    cache = config["cache"] = keep * config.get("cache", np.zeros_like(w)) + (1 - keep) * dw ** 2
    return w - lr * dw / (np.sqrt(cache + eps) if eps_inside else np.sqrt(cache) + eps), config


def rmsprop_forms(rng, worst, nearest):
    for probe in optim.optimizer_cases("rmsprop")(rng) + optim.optimizer_cases("rmsprop", optim.rmsprop_state)(rng):
        spec = probe.spec["kwargs"]
        answers = {}
        for name, rule in (("reference", reference_optim.rmsprop), ("inside", rmsprop_form),
                           ("swapped", lambda w, dw, c: rmsprop_form(w, dw, c, eps_inside=False, swapped=True))):
            w, config = spec["w"].copy(), None if spec["config"] is None else dict(spec["config"])
            for _ in range(probe.spec.get("repeat", 1)):
                w, config = rule(w, spec["dw"], config)
            answers[name] = w
        worst["rmsprop eps outside vs inside the root"] = max(worst["rmsprop eps outside vs inside the root"],
                                                              relative_error(answers["reference"], answers["inside"]))
        nearest["rmsprop, smallest mistake"] = min(nearest.get("rmsprop, smallest mistake", np.inf),
                                                   relative_error(answers["swapped"], answers["reference"]))


def numerical(rng_for, worst):
    for check in (c for c in load_suite("assignment2").checks if isinstance(c, GradientCheck)):
        for probe in check.cases(rng_for(check.title)):
            np.random.seed(0)
            value = server.probe_function(probe.worker_function)(**probe.spec)
            for name, estimate in value["numeric"].items():
                analytic = value["analytic"][name]
                if np.all(np.abs(analytic - estimate) <= check.atol):
                    continue
                worst[check.title] = max(worst[check.title], relative_error(analytic, estimate))


def main(seeds: int) -> None:
    import zlib

    worst: dict[str, float] = defaultdict(float)
    nearest: dict[str, float] = {}
    for seed in range(seeds):
        formulas(np.random.default_rng([seed, 0]), worst)
        numerical(lambda title: np.random.default_rng([seed, zlib.crc32(title.encode())]), worst)
        optimizer_forms(np.random.default_rng([seed, 1]), worst, nearest)
        rmsprop_forms(np.random.default_rng([seed, 2]), worst, nearest)
    for name, error in sorted({**worst, **nearest}.items()):
        print(f"{error:9.1e}  {name}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
