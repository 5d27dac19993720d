"""Naive convolution and max pooling, forward and backward, on several shapes (odd
sizes, stride 2, padding 0, 1 and 2, a single image), with numerical checks on inputs
0.05 from max-pool ties at least."""
from __future__ import annotations

import numpy as np

from ..checks import GradientCheck, Matches
from ..probe import call, forward_backward
from ..suite import Part
from .common import close, conv_out, layer



# (N, C, H, W, F, HH, WW, stride, pad): odd sizes, stride 2, padding 0, 1 and 2, a single image.
CONV_SHAPES = ((2, 3, 7, 5, 4, 3, 3, 1, 1), (1, 2, 9, 7, 3, 3, 3, 2, 0), (3, 1, 6, 5, 2, 5, 5, 1, 2),
               (2, 2, 8, 8, 3, 4, 4, 2, 1))
CONV_NUMERIC = ((1, 2, 5, 5, 2, 3, 3, 2, 1),)

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
    pad = probe.arg("conv_param")["pad"]
    dx = got[0] if isinstance(got, (tuple, list)) and got else None
    N, C, H, W = probe.arg("x").shape
    if pad and isinstance(dx, np.ndarray) and dx.shape == (N, C, H + 2 * pad, W + 2 * pad):
        return "dx still has the padding: drop the padded border (dx_pad[:, :, pad:pad + H, pad:pad + W]) at the end"
    if not pad and isinstance(dx, np.ndarray) and dx.ndim == 4 and dx.shape[:2] == (N, C) and 0 in dx.shape[2:]:
        return "with pad = 0, dx_pad[:, :, pad:-pad, pad:-pad] is empty (-0 is 0): slice pad:pad + H and pad:pad + W"
    return None


def loop_bound_swapped(got, expected, probe):
    """The last columns (or rows) of the output left at zero, as many as the output's
    height and width differ by: a loop over the width that runs to the height, or back."""
    if not isinstance(got, np.ndarray) or got.shape != expected.shape or got.ndim != 4:
        return None
    H_out, W_out = expected.shape[2:]
    if H_out < W_out and close(got[..., :H_out], expected[..., :H_out]) and not np.any(got[..., H_out:]):
        return "the output's last columns are zero: the loop over the output's width runs to its height " \
               "(range(H_out) where range(W_out) belongs)"
    if W_out < H_out and close(got[:, :, :W_out], expected[:, :, :W_out]) and not np.any(got[:, :, W_out:]):
        return "the output's last rows are zero: the loop over the output's height runs to its width " \
               "(range(W_out) where range(H_out) belongs)"
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
    x, dout = probe.arg("x"), probe.arg("dout")
    param = probe.arg("pool_param")
    ph, pw, stride = param["pool_height"], param["pool_width"], param["stride"]
    spread = np.zeros_like(x)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            spread[:, :, i * stride:i * stride + ph, j * stride:j * stride + pw] += dout[:, :, i, j, None, None]
    if close(got, spread) or close(got, spread / (ph * pw)):
        return "the gradient of each window goes to the input that held its maximum only, not to every entry"
    if any(close(got, assigned) for assigned in overwritten(x, dout, ph, pw, stride)):
        return "the pooling windows overlap here (stride < pool size): add each window's gradient into dx " \
               "(dx[...] += ...) instead of assigning it (dx[...] = ...), which overwrites what an earlier " \
               "window gave"
    return None


def overwritten(x, dout, ph, pw, stride):
    """What max-pool backward gives when it assigns each window's gradient instead of
    adding it: the whole window assigned, or only its maximum, with the windows visited
    row by row or column by column."""
    N, C, H_out, W_out = dout.shape
    rows, cols = np.meshgrid(np.arange(N), np.arange(C), indexing="ij")
    for row_major in (True, False):
        whole, at_max = np.zeros_like(x), np.zeros_like(x)
        order = [(i, j) for i in range(H_out) for j in range(W_out)]
        for i, j in order if row_major else sorted(order, key=lambda ij: (ij[1], ij[0])):
            window = x[:, :, i * stride:i * stride + ph, j * stride:j * stride + pw].reshape(N, C, -1)
            a, b = np.unravel_index(np.argmax(window, axis=2), (ph, pw))
            routed = np.zeros((N, C, ph, pw))
            routed[rows, cols, a, b] = dout[:, :, i, j]
            whole[:, :, i * stride:i * stride + ph, j * stride:j * stride + pw] = routed
            at_max[rows, cols, i * stride + a, j * stride + b] = dout[:, :, i, j]
        yield whole
        yield at_max



def part() -> Part:
    return Part("conv", (
        Matches("conv_forward_naive", 3, cases=conv_cases(), pick=("out", 0), tol=1e-8, hints=(loop_bound_swapped,)),
        Matches("conv_backward_naive", 3, cases=conv_cases(backward=True), pick="grads", names=("dx", "dw", "db"),
                tol=1e-8, hints=(padding_left_in_dx,)),
        GradientCheck("conv_backward_naive matches a numerical gradient", 1, cases=conv_cases(True, numeric=True),
                      requires=("conv_backward_naive",)),
        Matches("max_pool_forward_naive", 2, cases=pool_cases(), pick=("out", 0), tol=1e-12,
                hints=(loop_bound_swapped,)),
        Matches("max_pool_backward_naive", 2, cases=pool_cases(backward=True), pick="grads", tol=1e-12,
                hints=(spread_over_window,)),
        GradientCheck("max_pool_backward_naive matches a numerical gradient", 1, cases=pool_cases(True, numeric=True),
                      requires=("max_pool_backward_naive",)),
    ))
