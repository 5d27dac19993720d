"""Helpers that tile many small images (e.g. first-layer filters) into one
image for display."""
from math import ceil, sqrt

import numpy as np


def _stretch(img, low_target, high_target):
    """Map the value range of img linearly onto [low_target, high_target]
    (a constant image maps to low_target). Returns a float array of img's shape."""
    low, high = float(np.min(img)), float(np.max(img))
    if high == low:
        return np.full(img.shape, low_target, dtype=np.float64)
    return low_target + (high_target - low_target) * (img - low) / (high - low)


def visualize_grid(Xs, ubound=255.0, padding=1):
    """
    Tile a batch of images into a square grid, each image stretched on its own
    to the range [0, ubound].

    Inputs:
    - Xs: images of shape (N, H, W, C).
    - ubound: float, every image is rescaled to [0, ubound].
    - padding: int, number of blank (zero) pixels between neighbouring images.

    Returns:
    - grid: float array of shape (G * H + (G - 1) * padding,
      G * W + (G - 1) * padding, C) with G = ceil(sqrt(N)); cells after the
      last image stay zero.
    """
    N, H, W, C = Xs.shape
    G = int(ceil(sqrt(N)))
    grid = np.zeros((G * H + (G - 1) * padding, G * W + (G - 1) * padding, C))
    for idx in range(N):
        row, col = divmod(idx, G)
        top, left = row * (H + padding), col * (W + padding)
        grid[top:top + H, left:left + W] = _stretch(Xs[idx], 0.0, ubound)
    return grid


def vis_grid(Xs):
    """
    Tile a batch of images into a square grid with one-pixel borders and
    stretch the whole grid (not each image) to [0, 1].

    Inputs:
    - Xs: images of shape (N, H, W, C).

    Returns:
    - grid: float array of shape (G * (H + 1), G * (W + 1), C), G = ceil(sqrt(N)).
      Borders and empty cells hold the smallest value of Xs before stretching.
    """
    N, H, W, C = Xs.shape
    G = int(ceil(sqrt(N)))
    grid = np.full((G * (H + 1), G * (W + 1), C), float(np.min(Xs)))
    for idx in range(N):
        row, col = divmod(idx, G)
        top, left = row * (H + 1), col * (W + 1)
        grid[top:top + H, left:left + W] = Xs[idx]
    return _stretch(grid, 0.0, 1.0)


def vis_nn(rows):
    """
    Tile a table of images, one table row per grid row, with one-pixel borders,
    and stretch the whole grid to [0, 1].

    Inputs:
    - rows: list of R lists of D images, each image of shape (H, W, C).

    Returns:
    - grid: float array of shape (R * (H + 1), D * (W + 1), C). Borders hold the
      smallest pixel value of all images before stretching.
    """
    R, D = len(rows), len(rows[0])
    H, W, C = np.shape(rows[0][0])
    smallest = min(float(np.min(img)) for row in rows for img in row)
    grid = np.full((R * (H + 1), D * (W + 1), C), smallest)
    for r, row in enumerate(rows):
        for d, img in enumerate(row):
            top, left = r * (H + 1), d * (W + 1)
            grid[top:top + H, left:left + W] = img
    return _stretch(grid, 0.0, 1.0)
