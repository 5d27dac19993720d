"""Convenience layers that chain a few basic layers from layers.py."""

from .layers import *


def affine_relu_forward(x, w, b):
    """
    An affine layer followed by a ReLU.

    Inputs:
    - x: input of shape (N, d_1, ..., d_k).
    - w: weights of shape (D, M), D = d_1 * ... * d_k.
    - b: biases of shape (M,).

    Returns a tuple of:
    - out: output of the ReLU, of shape (N, M).
    - cache: (affine cache, relu cache), for affine_relu_backward.
    """
    scores, affine_cache = affine_forward(x, w, b)
    out, relu_cache = relu_forward(scores)
    cache = (affine_cache, relu_cache)
    return out, cache


def affine_relu_backward(dout, cache):
    """
    Backward pass of affine_relu_forward.

    Inputs:
    - dout: upstream gradient, of shape (N, M).
    - cache: the cache returned by affine_relu_forward.

    Returns a tuple of:
    - dx: gradient with respect to x, of shape (N, d_1, ..., d_k).
    - dw: gradient with respect to w, of shape (D, M).
    - db: gradient with respect to b, of shape (M,).
    """
    affine_cache, relu_cache = cache
    dscores = relu_backward(dout, relu_cache)
    dx, dw, db = affine_backward(dscores, affine_cache)
    return dx, dw, db
