"""Sandwich layers: common sequences of layers bundled into one forward and
one backward function. Each forward returns (out, cache); the matching
backward takes (dout, cache)."""
from .layers import *
from .fast_layers import *


def affine_relu_forward(x, w, b):
    """
    Affine layer followed by a ReLU.

    Inputs:
    - x: input of shape (N, d_1, ..., d_k), read as (N, D) with D = d_1 * ... * d_k.
    - w: weights of shape (D, M).
    - b: biases of shape (M,).

    Returns a tuple of:
    - out: output of shape (N, M).
    - cache: (affine cache, relu cache) for affine_relu_backward.
    """
    a, fc_cache = affine_forward(x, w, b)
    out, relu_cache = relu_forward(a)
    cache = (fc_cache, relu_cache)
    return out, cache


def affine_relu_backward(dout, cache):
    """
    Backward pass of affine_relu_forward.

    Inputs:
    - dout: upstream gradient of shape (N, M).
    - cache: the cache returned by affine_relu_forward.

    Returns a tuple of:
    - dx: gradient of shape (N, d_1, ..., d_k).
    - dw: gradient of shape (D, M).
    - db: gradient of shape (M,).
    """
    fc_cache, relu_cache = cache
    da = relu_backward(dout, relu_cache)
    dx, dw, db = affine_backward(da, fc_cache)
    return dx, dw, db


def conv_relu_forward(x, w, b, conv_param):
    """
    Convolution (fast version) followed by a ReLU.

    Inputs:
    - x: input of shape (N, C, H, W).
    - w: filters of shape (F, C, HH, WW).
    - b: biases of shape (F,).
    - conv_param: dict with 'stride' and 'pad'.

    Returns a tuple of:
    - out: output of shape (N, F, H', W').
    - cache: (conv cache, relu cache) for conv_relu_backward.
    """
    a, conv_cache = conv_forward_fast(x, w, b, conv_param)
    out, relu_cache = relu_forward(a)
    cache = (conv_cache, relu_cache)
    return out, cache


def conv_relu_backward(dout, cache):
    """
    Backward pass of conv_relu_forward.

    Inputs:
    - dout: upstream gradient of shape (N, F, H', W').
    - cache: the cache returned by conv_relu_forward.

    Returns a tuple of:
    - dx: gradient of shape (N, C, H, W).
    - dw: gradient of shape (F, C, HH, WW).
    - db: gradient of shape (F,).
    """
    conv_cache, relu_cache = cache
    da = relu_backward(dout, relu_cache)
    dx, dw, db = conv_backward_fast(da, conv_cache)
    return dx, dw, db


def conv_bn_relu_forward(x, w, b, gamma, beta, conv_param, bn_param):
    """
    Convolution (fast version), spatial batch normalization, then a ReLU.

    Inputs:
    - x: input of shape (N, C, H, W).
    - w: filters of shape (F, C, HH, WW).
    - b: biases of shape (F,).
    - gamma, beta: scale and shift of shape (F,).
    - conv_param: dict with 'stride' and 'pad'.
    - bn_param: batch normalization parameters (see spatial_batchnorm_forward).

    Returns a tuple of:
    - out: output of shape (N, F, H', W').
    - cache: (conv cache, batchnorm cache, relu cache) for conv_bn_relu_backward.
    """
    a, conv_cache = conv_forward_fast(x, w, b, conv_param)
    an, bn_cache = spatial_batchnorm_forward(a, gamma, beta, bn_param)
    out, relu_cache = relu_forward(an)
    cache = (conv_cache, bn_cache, relu_cache)
    return out, cache


def conv_bn_relu_backward(dout, cache):
    """
    Backward pass of conv_bn_relu_forward.

    Inputs:
    - dout: upstream gradient of shape (N, F, H', W').
    - cache: the cache returned by conv_bn_relu_forward.

    Returns a tuple of:
    - dx: gradient of shape (N, C, H, W).
    - dw: gradient of shape (F, C, HH, WW).
    - db: gradient of shape (F,).
    - dgamma, dbeta: gradients of shape (F,).
    """
    conv_cache, bn_cache, relu_cache = cache
    dan = relu_backward(dout, relu_cache)
    da, dgamma, dbeta = spatial_batchnorm_backward(dan, bn_cache)
    dx, dw, db = conv_backward_fast(da, conv_cache)
    return dx, dw, db, dgamma, dbeta


def conv_relu_pool_forward(x, w, b, conv_param, pool_param):
    """
    Convolution (fast version), ReLU, then max pooling (fast version).

    Inputs:
    - x: input of shape (N, C, H, W).
    - w: filters of shape (F, C, HH, WW).
    - b: biases of shape (F,).
    - conv_param: dict with 'stride' and 'pad'.
    - pool_param: dict with 'pool_height', 'pool_width' and 'stride'.

    Returns a tuple of:
    - out: output of shape (N, F, H'', W''), the pooled convolution output.
    - cache: (conv cache, relu cache, pool cache) for conv_relu_pool_backward.
    """
    a, conv_cache = conv_forward_fast(x, w, b, conv_param)
    s, relu_cache = relu_forward(a)
    out, pool_cache = max_pool_forward_fast(s, pool_param)
    cache = (conv_cache, relu_cache, pool_cache)
    return out, cache


def conv_relu_pool_backward(dout, cache):
    """
    Backward pass of conv_relu_pool_forward.

    Inputs:
    - dout: upstream gradient of shape (N, F, H'', W'').
    - cache: the cache returned by conv_relu_pool_forward.

    Returns a tuple of:
    - dx: gradient of shape (N, C, H, W).
    - dw: gradient of shape (F, C, HH, WW).
    - db: gradient of shape (F,).
    """
    conv_cache, relu_cache, pool_cache = cache
    ds = max_pool_backward_fast(dout, pool_cache)
    da = relu_backward(ds, relu_cache)
    dx, dw, db = conv_backward_fast(da, conv_cache)
    return dx, dw, db
