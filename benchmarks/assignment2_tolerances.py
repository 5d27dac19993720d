"""How far apart correct answers of assignment 2 are: the numbers behind its tolerances.

    python benchmarks/assignment2_tolerances.py [seeds=20]

Runs in one process with the reference on the path (no workers). For every seed it
makes the suite's own inputs and reports, as the grader measures it (largest absolute
difference over the largest magnitude):
* two different correct formulas on the same inputs: batchnorm_backward against
  batchnorm_backward_alt, the naive convolution and max pool against the fast ones;
* the reference's analytic gradients against the numerical ones of every
  GradientCheck of the suite.
"""
from __future__ import annotations

import sys
from collections import defaultdict

import numpy as np

from grader.checks import GradientCheck
from grader.compare import relative_error
from grader.parts import batchnorm, conv
from grader.reference import reference_root
from grader.suites import load_suite
from grader.worker import server

sys.path.insert(0, str(reference_root() / "assignment2"))
from cs231n import fast_layers, layers  # noqa: E402  (the reference, for this measurement only)


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
    for seed in range(seeds):
        formulas(np.random.default_rng([seed, 0]), worst)
        numerical(lambda title: np.random.default_rng([seed, zlib.crc32(title.encode())]), worst)
    for name, error in sorted(worst.items()):
        print(f"{error:9.1e}  {name}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
