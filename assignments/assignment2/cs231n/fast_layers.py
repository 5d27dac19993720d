"""Fast convolution and max-pooling layers written in plain NumPy.

Every forward function returns (out, cache) and the cache is only meant for the
matching backward function of this module. The results equal those of the naive
layers in layers.py:

- convolution: input x (N, C, H, W), filters w (F, C, HH, WW), biases b (F,),
  conv_param {'stride': int, 'pad': int}; zeros are padded on both sides of each
  spatial axis and the output has shape (N, F, H', W') with
  H' = 1 + (H + 2 * pad - HH) // stride and W' = 1 + (W + 2 * pad - WW) // stride.
- max pooling: input x (N, C, H, W), pool_param {'pool_height', 'pool_width',
  'stride'}; output (N, C, H', W') with H' = 1 + (H - pool_height) // stride and
  W' = 1 + (W - pool_width) // stride. The backward pass sends each upstream
  gradient to the first maximal entry of its window (row-major order) only.

conv_forward_fast / conv_backward_fast are the strided versions.
"""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .im2col import col2im_indices, im2col_indices


def _conv_geometry(x_shape, w_shape, conv_param):
    """Return (stride, pad, out_h, out_w) of a convolution (all ints)."""
    _, C, H, W = x_shape
    _, Cw, HH, WW = w_shape
    if C != Cw:
        raise ValueError("input has %d channels but the filters expect %d" % (C, Cw))
    stride, pad = conv_param["stride"], conv_param["pad"]
    out_h = 1 + (H + 2 * pad - HH) // stride
    out_w = 1 + (W + 2 * pad - WW) // stride
    if out_h <= 0 or out_w <= 0:
        raise ValueError("filters of size %dx%d do not fit the padded input" % (HH, WW))
    return stride, pad, out_h, out_w


def _pool_geometry(x_shape, pool_param):
    """Return (pool_height, pool_width, stride, out_h, out_w) of a max pool (ints)."""
    _, _, H, W = x_shape
    ph, pw = pool_param["pool_height"], pool_param["pool_width"]
    stride = pool_param["stride"]
    out_h = 1 + (H - ph) // stride
    out_w = 1 + (W - pw) // stride
    if out_h <= 0 or out_w <= 0:
        raise ValueError("pooling window %dx%d larger than the input" % (ph, pw))
    return ph, pw, stride, out_h, out_w


def conv_forward_im2col(x, w, b, conv_param):
    """
    Convolution forward pass through an im2col matrix product.

    Inputs:
    - x: input of shape (N, C, H, W).
    - w: filters of shape (F, C, HH, WW).
    - b: biases of shape (F,).
    - conv_param: dict with 'stride' and 'pad'.

    Returns a tuple of:
    - out: output of shape (N, F, H', W').
    - cache: (x, w, b, conv_param, x_cols) with x_cols of shape
      (C * HH * WW, H' * W' * N), for conv_backward_im2col.
    """
    N = x.shape[0]
    F, _, HH, WW = w.shape
    stride, pad, out_h, out_w = _conv_geometry(x.shape, w.shape, conv_param)

    x_cols = im2col_indices(x, HH, WW, padding=pad, stride=stride)
    flat = w.reshape(F, -1) @ x_cols + b.reshape(F, 1)  # (F, H'*W'*N)
    out = flat.reshape(F, out_h, out_w, N).transpose(3, 0, 1, 2)
    out = np.ascontiguousarray(out)

    cache = (x, w, b, conv_param, x_cols)
    return out, cache


def conv_backward_im2col(dout, cache):
    """
    Backward pass of conv_forward_im2col.

    Inputs:
    - dout: upstream gradient of shape (N, F, H', W').
    - cache: the cache returned by conv_forward_im2col.

    Returns a tuple of:
    - dx: gradient of shape (N, C, H, W).
    - dw: gradient of shape (F, C, HH, WW).
    - db: gradient of shape (F,).
    """
    x, w, b, conv_param, x_cols = cache
    F, _, HH, WW = w.shape
    stride, pad = conv_param["stride"], conv_param["pad"]

    db = dout.sum(axis=(0, 2, 3))
    dout_flat = dout.transpose(1, 2, 3, 0).reshape(F, -1)  # (F, H'*W'*N)
    dw = (dout_flat @ x_cols.T).reshape(w.shape)
    dx_cols = w.reshape(F, -1).T @ dout_flat  # (C*HH*WW, H'*W'*N)
    dx = col2im_indices(dx_cols, x.shape, HH, WW, padding=pad, stride=stride)
    return dx, dw, db


def conv_forward_strides(x, w, b, conv_param):
    """
    Convolution forward pass that reads the receptive fields through a strided
    window view of the padded input (no index arrays) and multiplies them with
    the filters.

    Inputs:
    - x: input of shape (N, C, H, W).
    - w: filters of shape (F, C, HH, WW).
    - b: biases of shape (F,).
    - conv_param: dict with 'stride' and 'pad'.

    Returns a tuple of:
    - out: output of shape (N, F, H', W').
    - cache: (x, w, b, conv_param, x_cols) with x_cols of shape
      (C * HH * WW, N * H' * W'), for conv_backward_strides.
    """
    N, C, _, _ = x.shape
    F, _, HH, WW = w.shape
    stride, pad, out_h, out_w = _conv_geometry(x.shape, w.shape, conv_param)

    x_padded = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), mode="constant")
    # windows[n, c, r, s, i, j] = x_padded[n, c, stride * r + i, stride * s + j]
    windows = sliding_window_view(x_padded, (HH, WW), axis=(2, 3))
    windows = windows[:, :, ::stride, ::stride][:, :, :out_h, :out_w]
    # Rows ordered (c, i, j) like the filters, columns ordered (n, r, s).
    x_cols = np.ascontiguousarray(windows.transpose(1, 4, 5, 0, 2, 3))
    x_cols = x_cols.reshape(C * HH * WW, N * out_h * out_w)

    flat = w.reshape(F, -1) @ x_cols + b.reshape(F, 1)  # (F, N*H'*W')
    out = np.ascontiguousarray(flat.reshape(F, N, out_h, out_w).transpose(1, 0, 2, 3))

    cache = (x, w, b, conv_param, x_cols)
    return out, cache


def conv_backward_strides(dout, cache):
    """
    Backward pass of conv_forward_strides.

    Inputs:
    - dout: upstream gradient of shape (N, F, H', W').
    - cache: the cache returned by conv_forward_strides.

    Returns a tuple of:
    - dx: gradient of shape (N, C, H, W).
    - dw: gradient of shape (F, C, HH, WW).
    - db: gradient of shape (F,).
    """
    x, w, b, conv_param, x_cols = cache
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    stride, pad, out_h, out_w = _conv_geometry(x.shape, w.shape, conv_param)

    dout_flat = dout.transpose(1, 0, 2, 3).reshape(F, -1)  # (F, N*H'*W')
    db = dout_flat.sum(axis=1)
    dw = (dout_flat @ x_cols.T).reshape(w.shape)

    # Gradient of every receptive field, d_fields[c, i, j, n, r, s]; each filter
    # offset (i, j) is one strided slab added onto the padded input, which is
    # kept channel-first (C, N, ...) so that the slabs line up without copies.
    d_fields = (w.reshape(F, -1).T @ dout_flat).reshape(C, HH, WW, N, out_h, out_w)
    dx_padded = np.zeros((C, N, H + 2 * pad, W + 2 * pad), dtype=d_fields.dtype)
    row_end = stride * (out_h - 1) + 1
    col_end = stride * (out_w - 1) + 1
    for i in range(HH):
        for j in range(WW):
            dx_padded[:, :, i:i + row_end:stride, j:j + col_end:stride] += d_fields[:, i, j]
    dx = dx_padded[:, :, pad:pad + H, pad:pad + W].transpose(1, 0, 2, 3)
    return np.ascontiguousarray(dx), dw, db


conv_forward_fast = conv_forward_strides
conv_backward_fast = conv_backward_strides


def max_pool_forward_fast(x, pool_param):
    """
    Max pooling forward pass that picks the quicker method: the reshape method
    when the window is square, the stride equals its side (no overlap) and the
    windows tile the input exactly; the im2col method otherwise.

    Inputs:
    - x: input of shape (N, C, H, W).
    - pool_param: dict with 'pool_height', 'pool_width' and 'stride'.

    Returns a tuple of:
    - out: output of shape (N, C, H', W').
    - cache: (method, inner_cache) with method 'reshape' or 'im2col', for
      max_pool_backward_fast.
    """
    _, _, H, W = x.shape
    ph, pw = pool_param["pool_height"], pool_param["pool_width"]
    stride = pool_param["stride"]
    if ph == pw == stride and H % ph == 0 and W % pw == 0:
        out, inner = max_pool_forward_reshape(x, pool_param)
        return out, ("reshape", inner)
    out, inner = max_pool_forward_im2col(x, pool_param)
    return out, ("im2col", inner)


def max_pool_backward_fast(dout, cache):
    """
    Backward pass of max_pool_forward_fast.

    Inputs:
    - dout: upstream gradient of shape (N, C, H', W').
    - cache: the cache returned by max_pool_forward_fast.

    Returns:
    - dx: gradient of shape (N, C, H, W).
    """
    method, inner = cache
    if method == "reshape":
        return max_pool_backward_reshape(dout, inner)
    if method == "im2col":
        return max_pool_backward_im2col(dout, inner)
    raise ValueError('unknown max pooling method "%s"' % method)


def max_pool_forward_reshape(x, pool_param):
    """
    Max pooling forward pass for square, non-overlapping windows that tile the
    input (pool_height == pool_width == stride, H and W multiples of it):
    every window becomes one axis of a reshaped view of x.

    Inputs:
    - x: input of shape (N, C, H, W).
    - pool_param: dict with 'pool_height', 'pool_width' and 'stride'.

    Returns a tuple of:
    - out: output of shape (N, C, H / pool_height, W / pool_width).
    - cache: (x_shape, pool_param, argmax) with argmax of shape (N, C, H', W'),
      the flat index of the maximum inside each window, for
      max_pool_backward_reshape.
    """
    N, C, H, W = x.shape
    ph, pw = pool_param["pool_height"], pool_param["pool_width"]
    stride = pool_param["stride"]
    if not (ph == pw == stride and H % ph == 0 and W % pw == 0):
        raise ValueError("the reshape method needs square windows that tile the input")
    out_h, out_w = H // ph, W // pw

    # windows[n, c, r, s, :] lists the window at output (r, s) in row-major order.
    windows = x.reshape(N, C, out_h, ph, out_w, pw).transpose(0, 1, 2, 4, 3, 5)
    windows = windows.reshape(N, C, out_h, out_w, ph * pw)
    argmax = windows.argmax(axis=-1)
    out = np.take_along_axis(windows, argmax[..., None], axis=-1)[..., 0]

    cache = (x.shape, pool_param, argmax)
    return out, cache


def max_pool_backward_reshape(dout, cache):
    """
    Backward pass of max_pool_forward_reshape.

    Inputs:
    - dout: upstream gradient of shape (N, C, H', W').
    - cache: the cache returned by max_pool_forward_reshape.

    Returns:
    - dx: gradient of shape (N, C, H, W), nonzero only at the argmax of each window.
    """
    x_shape, pool_param, argmax = cache
    N, C, H, W = x_shape
    ph, pw = pool_param["pool_height"], pool_param["pool_width"]
    out_h, out_w = H // ph, W // pw

    d_windows = np.zeros((N, C, out_h, out_w, ph * pw), dtype=dout.dtype)
    np.put_along_axis(d_windows, argmax[..., None], dout[..., None], axis=-1)
    dx = d_windows.reshape(N, C, out_h, out_w, ph, pw).transpose(0, 1, 2, 4, 3, 5)
    return dx.reshape(N, C, H, W)


def max_pool_forward_im2col(x, pool_param):
    """
    Max pooling forward pass for any window size and stride: each channel of
    each image is treated as a one-channel image and its windows are gathered
    with im2col.

    Inputs:
    - x: input of shape (N, C, H, W).
    - pool_param: dict with 'pool_height', 'pool_width' and 'stride'.

    Returns a tuple of:
    - out: output of shape (N, C, H', W').
    - cache: (x_shape, pool_param, argmax) with argmax of shape
      (H' * W' * N * C,), the row of the maximum in each im2col column, for
      max_pool_backward_im2col.
    """
    N, C, H, W = x.shape
    ph, pw, stride, out_h, out_w = _pool_geometry(x.shape, pool_param)

    cols = im2col_indices(x.reshape(N * C, 1, H, W), ph, pw, padding=0, stride=stride)
    argmax = cols.argmax(axis=0)  # (H'*W'*N*C,)
    best = cols[argmax, np.arange(cols.shape[1])]
    out = np.ascontiguousarray(best.reshape(out_h, out_w, N, C).transpose(2, 3, 0, 1))

    cache = (x.shape, pool_param, argmax)
    return out, cache


def max_pool_backward_im2col(dout, cache):
    """
    Backward pass of max_pool_forward_im2col.

    Inputs:
    - dout: upstream gradient of shape (N, C, H', W').
    - cache: the cache returned by max_pool_forward_im2col.

    Returns:
    - dx: gradient of shape (N, C, H, W); where windows overlap, the gradients
      reaching the same input entry are summed.
    """
    x_shape, pool_param, argmax = cache
    N, C, H, W = x_shape
    ph, pw, stride, _, _ = _pool_geometry(x_shape, pool_param)

    d_cols = np.zeros((ph * pw, argmax.size), dtype=dout.dtype)
    d_cols[argmax, np.arange(argmax.size)] = dout.transpose(2, 3, 0, 1).ravel()
    dx = col2im_indices(d_cols, (N * C, 1, H, W), ph, pw, padding=0, stride=stride)
    return dx.reshape(N, C, H, W)
