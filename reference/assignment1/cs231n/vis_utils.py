"""Tile many small images into one large array for display."""

from math import ceil, sqrt

import numpy as np


def visualize_grid(Xs, ubound=255.0, padding=1):
    """
    Arrange images (e.g. first-layer filters) in a square grid, each image
    rescaled to the range [0, ubound].

    Inputs:
    - Xs: array of shape (N, H, W, C), N images.
    - ubound: every image is rescaled to [0, ubound].
    - padding: number of blank pixels between neighboring images.

    Returns:
    - grid: array of shape (G * H + (G - 1) * padding,
      G * W + (G - 1) * padding, C) with G = ceil(sqrt(N)).
    """
    N, H, W, C = Xs.shape
    grid_size = int(ceil(sqrt(N)))
    grid_height = H * grid_size + padding * (grid_size - 1)
    grid_width = W * grid_size + padding * (grid_size - 1)
    grid = np.zeros((grid_height, grid_width, C))

    for n in range(N):
        row, col = divmod(n, grid_size)
        top = row * (H + padding)
        left = col * (W + padding)
        img = Xs[n]
        low, high = np.min(img), np.max(img)
        span = high - low if high > low else 1.0
        grid[top:top + H, left:left + W] = ubound * (img - low) / span
    return grid


def vis_grid(Xs):
    """
    Arrange images in a square grid separated by one-pixel borders, and
    rescale the whole grid to [0, 1].

    Input:
    - Xs: array of shape (N, H, W, C), N images.

    Returns:
    - grid: array of shape (A * H + A, A * W + A, C) with A = ceil(sqrt(N)).
    """
    N, H, W, C = Xs.shape
    A = int(ceil(sqrt(N)))
    grid = np.full((A * H + A, A * W + A, C), np.min(Xs), dtype=float)

    for n in range(N):
        row, col = divmod(n, A)
        top = row * (H + 1)
        left = col * (W + 1)
        grid[top:top + H, left:left + W] = Xs[n]

    low, high = np.min(grid), np.max(grid)
    span = high - low if high > low else 1.0
    return (grid - low) / span


def vis_nn(rows):
    """
    Arrange a table of images, one list of images per row, separated by
    one-pixel borders, and rescale the whole grid to [0, 1].

    Input:
    - rows: list of N lists, each of D images of shape (H, W, C).

    Returns:
    - grid: array of shape (N * H + N, D * W + D, C).
    """
    N = len(rows)
    D = len(rows[0])
    H, W, C = rows[0][0].shape
    grid = np.full((N * H + N, D * W + D, C), np.min(rows[0][0]), dtype=float)

    for i in range(N):
        for j in range(D):
            top = i * (H + 1)
            left = j * (W + 1)
            grid[top:top + H, left:left + W] = rows[i][j]

    low, high = np.min(grid), np.max(grid)
    span = high - low if high > low else 1.0
    return (grid - low) / span
