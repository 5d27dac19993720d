"""Index arithmetic that lays image patches out as matrix columns, and back.

For an input batch of shape (N, C, H, W) and a receptive field of size
(field_height, field_width) placed every `stride` pixels on the input padded
by `padding` zeros on each side, the column matrix has shape

    (C * field_height * field_width, out_height * out_width * N)

with out_height = 1 + (H + 2 * padding - field_height) // stride (likewise for
the width). Rows are ordered (channel, field row, field column), channel
slowest, which is the order a weight tensor of shape (F, C, HH, WW) takes
after reshape(F, -1). Columns are ordered (output row, output column, image),
image fastest.
"""
import numpy as np


def _out_size(size, field, padding, stride):
    """Number of field positions along one axis of length `size` (an int)."""
    return 1 + (size + 2 * padding - field) // stride


def get_im2col_indices(x_shape, field_height, field_width, padding=1, stride=1):
    """
    Fancy-indexing arrays that gather every receptive field of a padded batch.

    Inputs:
    - x_shape: tuple (N, C, H, W), the shape of the unpadded input.
    - field_height, field_width: size of the receptive field.
    - padding: zeros added on every side of each image.
    - stride: distance between neighbouring field positions.

    Returns a tuple (k, i, j) of integer arrays such that
    x_padded[:, k, i, j] has shape (N, C * field_height * field_width, L),
    L = out_height * out_width:
    - k: shape (C * field_height * field_width, 1), channel of each row.
    - i: shape (C * field_height * field_width, L), row in the padded image.
    - j: shape (C * field_height * field_width, L), column in the padded image.
    """
    _, C, H, W = x_shape
    out_h = _out_size(H, field_height, padding, stride)
    out_w = _out_size(W, field_width, padding, stride)
    if out_h <= 0 or out_w <= 0:
        raise ValueError(
            "field %dx%d does not fit an input of %dx%d with padding %d"
            % (field_height, field_width, H, W, padding)
        )

    # Offsets of each pixel inside one field, repeated once per channel.
    row_in_field = np.tile(np.repeat(np.arange(field_height), field_width), C)
    col_in_field = np.tile(np.arange(field_width), field_height * C)
    # Top-left corner of the field for every output position.
    corner_row = stride * np.repeat(np.arange(out_h), out_w)
    corner_col = stride * np.tile(np.arange(out_w), out_h)

    i = row_in_field[:, None] + corner_row[None, :]
    j = col_in_field[:, None] + corner_col[None, :]
    k = np.repeat(np.arange(C), field_height * field_width)[:, None]
    return k, i, j


def im2col_indices(x, field_height, field_width, padding=1, stride=1):
    """
    Gather every receptive field of a batch into the columns of a matrix.

    Inputs:
    - x: array of shape (N, C, H, W).
    - field_height, field_width, padding, stride: as in get_im2col_indices.

    Returns:
    - cols: array of shape (C * field_height * field_width, out_height * out_width * N),
      laid out as described in the module docstring, same dtype as x.
    """
    p = padding
    x_padded = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)), mode="constant")
    k, i, j = get_im2col_indices(x.shape, field_height, field_width, padding, stride)
    gathered = x_padded[:, k, i, j]  # (N, C*fh*fw, L)
    rows = gathered.shape[1]
    return gathered.transpose(1, 2, 0).reshape(rows, -1)


def col2im_indices(cols, x_shape, field_height=3, field_width=3, padding=1, stride=1):
    """
    Inverse bookkeeping of im2col_indices: scatter columns back onto an image
    batch, summing the contributions of overlapping fields (np.add.at).

    Inputs:
    - cols: array of shape (C * field_height * field_width, out_height * out_width * N).
    - x_shape: tuple (N, C, H, W), the shape of the unpadded image batch.
    - field_height, field_width, padding, stride: as in get_im2col_indices.

    Returns:
    - x: array of shape (N, C, H, W); entries in the padding are dropped.
    """
    N, C, H, W = x_shape
    p = padding
    x_padded = np.zeros((N, C, H + 2 * p, W + 2 * p), dtype=cols.dtype)
    k, i, j = get_im2col_indices(x_shape, field_height, field_width, padding, stride)
    per_image = cols.reshape(C * field_height * field_width, -1, N).transpose(2, 0, 1)
    np.add.at(x_padded, (slice(None), k, i, j), per_image)
    return x_padded[:, :, p:p + H, p:p + W]
