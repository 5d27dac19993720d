"""Hints and judges of the parts, on values made here: no worker runs (the fast tier)."""
from __future__ import annotations

import numpy as np
import pytest

from grader.parts import (batchnorm, cnn, common, conv, dropout, fc_net, linear_losses, optim, private, pytorch,
                          spatial_norm)
from grader.probe import call, forward_backward, method, step


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


# -- the hints for the mistakes real students make (issue 13) -------------------------------------

def test_generic_hints_name_a_piece_left_at_zero_or_in_the_wrong_shape():
    from grader import hints

    db, dw = np.array([1.0, -2.0, 3.0]), np.ones((2, 3))
    assert "db is the number 0" in hints.generic((dw, 0), (dw, db), ("dw", "db"))
    assert "grads['b1'] is all zeros" in hints.generic((1.0, {"b1": np.zeros(3)}), (1.0, {"b1": db}), ("loss", "grads"))
    kept = hints.generic((dw, db[None, :]), (dw, db), ("dw", "db"))
    assert "db has the right values but shape (1, 3)" in kept and "keepdims=True" in kept
    assert "are missing" in hints.generic(db, db.reshape(1, 3, 1))
    assert hints.generic((dw, db + 1), (dw, db), ("dw", "db")) is None
    assert hints.generic((dw, np.zeros(3)), (dw, np.zeros(3)), ("dw", "db")) is None  # zero where zero is right


def penalty_probe(rng, reg=0.5, num=6):
    return call("m:loss", W=rng.normal(size=(4, 3)), X=rng.normal(size=(num, 4)), y=rng.integers(0, 3, num), reg=reg)


@pytest.mark.parametrize("mistake, says", [
    (lambda l, g, W, reg, N: (l, g - reg * W), "is 2 * reg * W, not reg * W"),
    (lambda l, g, W, reg, N: (l - reg * np.sum(W * W) + reg * np.sum(W) ** 2, g), "squares the sum"),
    (lambda l, g, W, reg, N: (l + (N - 1) * reg * np.sum(W * W), g), "once per example"),
    (lambda l, g, W, reg, N: (l - reg * np.sum(W * W), g), "throws it away"),
])
def test_penalty_mistakes_are_told_apart(mistake, says):
    rng = np.random.default_rng(4)
    probe = penalty_probe(rng)
    W, reg = probe.arg("W"), probe.arg("reg")
    right = (1.7 + reg * np.sum(W * W), rng.normal(size=W.shape) + 2 * reg * W)
    hint = common.penalty_mistakes(1.0, lambda p: {"W": p.arg("W")})
    assert says in hint(mistake(*right, W, reg, 6), right, probe)
    assert hint((right[0] + 0.1, right[1]), right, probe) is None


def test_a_net_penalty_without_its_last_layer_is_named():
    rng = np.random.default_rng(5)
    params = {"W1": rng.normal(size=(3, 4)), "b1": np.zeros(4), "W2": rng.normal(size=(4, 2)), "b2": np.zeros(2)}
    probe = method("m:Net", step("loss", X=np.ones((2, 3)), y=np.array([0, 1])), init={"reg": 0.3},
                   attrs={"params": params})
    right = (2.0, {k: np.ones_like(v) for k, v in params.items()})
    wrong = (right[0] - 0.5 * 0.3 * np.sum(params["W2"] ** 2), right[1])
    assert "last layer's weights W2" in common.penalty_mistakes(0.5, common.weight_matrices)(wrong, right, probe)


def test_svm_loss_one_too_high_and_softmax_shift_hints():
    rng = np.random.default_rng(6)
    probe = penalty_probe(rng, reg=0.0)
    assert "exactly 1 too high" in linear_losses.counts_the_correct_class((3.5, None), (2.5, None), probe)
    assert linear_losses.counts_the_correct_class((3.4, None), (2.5, None), probe) is None


def test_conv_and_pool_hints():
    rng = np.random.default_rng(7)
    x = rng.normal(size=(2, 3, 5, 5))
    probe = forward_backward("f", "b", x=x, w=np.ones((2, 3, 3, 3)), b=np.zeros(2), conv_param={"stride": 1, "pad": 0},
                             dout=np.ones((2, 2, 3, 3)))
    assert "-0 is 0" in conv.padding_left_in_dx((np.zeros((2, 3, 0, 0)), None, None), None, probe)
    out = rng.normal(size=(1, 2, 3, 4))
    assert "runs to its height" in conv.loop_bound_swapped(np.concatenate([out[..., :3], np.zeros((1, 2, 3, 1))], 3),
                                                           out, probe)
    assert conv.loop_bound_swapped(out, out + 1, probe) is None
    x = conv.distinct(rng, (1, 1, 5, 5))
    param = {"pool_height": 3, "pool_width": 3, "stride": 2}
    dout = rng.normal(size=(1, 1, 2, 2))
    assigned = list(conv.overwritten(x, dout, 3, 3, 2))[0]
    probe = forward_backward("f", "b", x=x, pool_param=param, dout=dout)
    assert "instead of assigning it" in conv.spread_over_window(assigned, np.zeros_like(x), probe)


def test_normalization_hints():
    rng = np.random.default_rng(8)
    x, gamma, beta = common.features(rng, 6, 4), rng.uniform(0.5, 2, 4), rng.normal(size=4)
    probe = call("m:batchnorm_forward", x=x, gamma=gamma, beta=beta, bn_param={"mode": "train"})
    centered = x - x.mean(axis=0)
    wrong = gamma * centered / (np.sqrt(np.mean(centered ** 2, axis=0)) + 1e-5) + beta
    hint = common.eps_outside_sqrt(0, "bn_param")
    assert "inside the square root" in hint(wrong, None, probe)
    assert hint(gamma * common.standardized(x, 0, 1e-5) + beta, None, probe) is None

    dout = rng.normal(size=(6, 4))
    probe = forward_backward("f", "b", x=x, gamma=gamma, beta=beta, ln_param={}, dout=dout)
    x_hat = x / np.sqrt(x.var(axis=1, keepdims=True) + 1e-5)
    assert "x - mean" in private.uses_x_for_centered((None, np.sum(dout * x_hat, axis=0), None), None, probe)
    assert private.uses_x_for_centered((None, np.zeros(4), None), None, probe) is None


def test_parameter_hints_name_fixed_classes_and_a_pooled_size_from_h():
    probe = method("m:Net", init=dict(hidden_dims=[5], input_dim=4, num_classes=3, weight_scale=1.0))
    assert "not a fixed 10" in common.fixed_classes("W2", np.ones((5, 10)), (5, 3), probe)
    assert common.fixed_classes("W2", np.ones((5, 4)), (5, 3), probe) is None
    probe = method("m:CNN", init=dict(input_dim=(3, 10, 8), num_filters=6, filter_size=5, hidden_dim=40, num_classes=4))
    assert "from H for both axes" in cnn.pooled_from_height("W2", np.ones((150, 40)), (120, 40), probe)


def test_beta_gradient_from_db_and_next_w_none():
    b, beta = np.array([0.5, -1.0]), np.array([2.0, 3.0])
    expected = (1.0, {"b1": b, "beta1": beta})
    assert "holds the affine layer's db" in fc_net.beta_gradient_is_db((1.0, {"b1": b, "beta1": b}), expected, None)
    assert fc_net.beta_gradient_is_db(expected, expected, None) is None
    assert "returned None for next_w" in optim.next_w_none((None, {}), (np.ones(2), {}), None)
