"""Hints and judges of the parts, on values made here: no worker runs (the fast tier)."""
from __future__ import annotations

import numpy as np
import pytest

from grader.parts import batchnorm, common, conv, dropout, optim, pytorch, spatial_norm
from grader.probe import call, forward_backward


def test_spatial_hints_recognise_statistics_over_the_wrong_axes():
    rng = np.random.default_rng(0)
    x, gamma, beta = rng.normal(size=(2, 6, 3, 4)), rng.uniform(0.5, 2, (1, 6, 1, 1)), rng.normal(size=(1, 6, 1, 1))
    probe = call("cs231n.layers:spatial_groupnorm_forward", x=x, gamma=gamma, beta=beta, G=2, gn_param={})
    right = gamma * common.standardized(spatial_norm.by_group(x, 2), (2, 3, 4), 1e-5).reshape(x.shape) + beta
    per_channel = gamma * common.standardized(x, (2, 3), 1e-5) + beta
    assert spatial_norm.wrong_group_axes(per_channel, right, probe) and spatial_norm.wrong_group_axes(right + 1, right, probe) is None
    assert spatial_norm.normalizes("f", spatial_norm.by_group, (2, 3, 4), "")({"out": (right, None)}, probe) is None
    assert spatial_norm.normalizes("f", spatial_norm.by_group, (2, 3, 4), "")({"out": (per_channel, None)}, probe)

    probe = call("cs231n.layers:spatial_batchnorm_forward", x=x, gamma=gamma.ravel(), beta=beta.ravel(),
                 bn_param={"mode": "train"})
    per_position = gamma * common.standardized(x, 0, 1e-5) + beta
    assert spatial_norm.wrong_spatial_axes(per_position, right, probe)


def test_update_rule_and_pooling_hints():
    rng = np.random.default_rng(1)
    w, dw = rng.normal(size=(3, 2)), rng.normal(size=(3, 2))
    probe = call("cs231n.optim:adam", kwargs={"w": w, "dw": dw, "config": {"learning_rate": 0.1, "t": 5}}, repeat=3,
                 feed={"w": 0, "config": 1})
    right = optim.adam_variant(probe, correct=True, t_first=True)
    assert "bias correction" in optim.adam_mistakes((optim.adam_variant(probe, False, True), {}), (right, {}), probe)
    assert "before the bias correction" in optim.adam_mistakes((optim.adam_variant(probe, True, False), {}), (right, {}),
                                                            probe)
    assert optim.adam_mistakes((right + 1, {}), (right, {}), probe) is None

    x, dout = conv.distinct(rng, (1, 1, 4, 4)), rng.normal(size=(1, 1, 2, 2))
    probe = forward_backward("f", "b", x=x, pool_param={"pool_height": 2, "pool_width": 2, "stride": 2}, dout=dout)
    averaged = np.kron(dout, np.ones((2, 2))) / 4
    assert "maximum only" in conv.spread_over_window(averaged, np.zeros_like(x), probe)
    assert conv.spread_over_window(np.zeros_like(x), np.zeros_like(x), probe) is None


def test_running_average_hint_names_the_unbiased_variance():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(5, 3))
    probe = call("cs231n.layers:batchnorm_forward", x=x, gamma=np.ones(3), beta=np.zeros(3), bn_param={"mode": "train"})
    expected = {"running_mean": 0.1 * x.mean(axis=0), "running_var": 0.1 * x.var(axis=0)}
    unbiased = {"running_mean": 0.1 * x.mean(axis=0), "running_var": 0.1 * x.var(axis=0, ddof=1)}
    assert "biased batch variance" in batchnorm.running_stats_hint(unbiased, expected, probe)
    assert "bn_param should hold" in batchnorm.running_stats_hint({"mode": "train"}, expected, probe)


@pytest.mark.parametrize("kept, p, problem", [(0.3, 0.3, None), (0.7, 0.3, "KEEPING"), (0.5, 0.3, "expected")])
def test_keep_probability_allows_six_standard_errors(kept, p, problem):
    rng = np.random.default_rng(3)
    x = rng.uniform(1, 2, size=(100, 200))
    out = np.where(rng.random(x.shape) < kept, x / p, 0.0)
    probe = call("cs231n.layers:dropout_forward", x=x, dropout_param={"mode": "train", "p": p, "seed": 0})
    verdict = dropout.keeps_with_probability_p({"out": (out, None)}, probe)
    assert verdict is None if problem is None else problem in verdict


def test_the_training_report_survives_any_reply():
    for value in ({}, {"epochs": "ten", "seconds": None, "losses": "x", "stopped": "time budget", "steps": 0},
                  {"epochs": float("nan"), "cell_errors": {"3": "x" * 10000}, "timing": ["?"]}):
        text = pytorch.training_report(value)
        assert text.startswith("trained 0 of 0 steps") and len(text) < 2000
    assert pytorch.part_v_ready({"forward_shape": [64, 10], "params": 5, "optimized_params": 0}, None).startswith(
        "the optimizer holds none")
    assert "was it built for an earlier model" in pytorch.part_v_facts({"params": 10, "optimized_params": 4}, None)
