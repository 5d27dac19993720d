"""Hand-made image features: a histogram of oriented gradients and a hue
histogram."""

import numpy as np


def extract_features(imgs, feature_fns, verbose=False):
    """
    Apply several feature functions to every image and stack the results.

    Inputs:
    - imgs: array of shape (N, H, W, C), N images.
    - feature_fns: list of k functions; each takes one image of shape
      (H, W, C) and returns a one-dimensional array of length F_i.
    - verbose: if True, report progress.

    Returns:
    - imgs_features: array of shape (N, F_1 + ... + F_k); row i holds the
      features of image i, those of the first function first.
    """
    num_images = imgs.shape[0]
    if num_images == 0:
        return np.array([])

    # Run every function on the first image to learn the feature sizes.
    first_features = [np.asarray(fn(imgs[0])).ravel() for fn in feature_fns]
    sizes = [feat.size for feat in first_features]
    offsets = np.concatenate([[0], np.cumsum(sizes)])

    imgs_features = np.zeros((num_images, offsets[-1]))
    imgs_features[0] = np.concatenate(first_features)

    for i in range(1, num_images):
        for fn, start, end in zip(feature_fns, offsets[:-1], offsets[1:]):
            imgs_features[i, start:end] = np.asarray(fn(imgs[i])).ravel()
        if verbose and i % 1000 == 999:
            print("Done extracting features for %d / %d images" % (i + 1, num_images))

    return imgs_features


def rgb2gray(rgb):
    """
    Convert an RGB image to grayscale (ITU-R BT.601 luma weights).

    Input:
    - rgb: array of shape (H, W, 3) (extra channels are ignored).

    Returns:
    - gray: array of shape (H, W).
    """
    return np.dot(rgb[..., :3], [0.299, 0.587, 0.114])


def hog_feature(im):
    """
    Histogram of oriented gradients (HOG) of an image.

    The gradient orientation, taken modulo 180 degrees, is split into 9
    bins; every 8x8 cell of the image gets the average gradient magnitude
    falling into each bin.

    Input:
    - im: grayscale image of shape (H, W) or RGB image of shape (H, W, 3).

    Returns:
    - feat: one-dimensional array of length (H // 8) * (W // 8) * 9.

    Reference: Dalal and Triggs, Histograms of Oriented Gradients for Human
    Detection, CVPR 2005.
    """
    if im.ndim == 3:
        image = rgb2gray(im)
    else:
        image = np.atleast_2d(im).astype(float)

    num_rows, num_cols = image.shape
    orientations = 9
    cell_rows, cell_cols = 8, 8
    cells_down = num_rows // cell_rows
    cells_across = num_cols // cell_cols

    # Forward differences, zero on the last column / row.
    gx = np.zeros(image.shape)
    gy = np.zeros(image.shape)
    gx[:, :-1] = np.diff(image, axis=1)
    gy[:-1, :] = np.diff(image, axis=0)
    magnitude = np.sqrt(gx ** 2 + gy ** 2)
    angle = np.rad2deg(np.arctan2(gy, gx)) % 180.0
    bins = np.minimum((angle / (180.0 / orientations)).astype(int), orientations - 1)

    # Keep only whole cells.
    magnitude = magnitude[: cells_down * cell_rows, : cells_across * cell_cols]
    bins = bins[: cells_down * cell_rows, : cells_across * cell_cols]

    histogram = np.zeros((cells_down, cells_across, orientations))
    for o in range(orientations):
        in_bin = np.where(bins == o, magnitude, 0.0)
        cells = in_bin.reshape(cells_down, cell_rows, cells_across, cell_cols)
        histogram[:, :, o] = cells.mean(axis=(1, 3))

    return histogram.ravel()


def _rgb_to_hue(rgb):
    """
    Hue of every pixel of an RGB image with values in [0, 1].

    Input:
    - rgb: array of shape (H, W, 3).

    Returns:
    - hue: array of shape (H, W) with values in [0, 1); gray pixels get 0.
    """
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    max_c = np.max(rgb[..., :3], axis=-1)
    min_c = np.min(rgb[..., :3], axis=-1)
    delta = max_c - min_c
    safe_delta = np.where(delta > 0, delta, 1.0)

    hue_if_red = ((g - b) / safe_delta) % 6.0
    hue_if_green = (b - r) / safe_delta + 2.0
    hue_if_blue = (r - g) / safe_delta + 4.0
    hue = np.where(
        max_c == r, hue_if_red, np.where(max_c == g, hue_if_green, hue_if_blue)
    )
    hue = np.where(delta > 0, hue / 6.0, 0.0)
    return hue


def color_histogram_hsv(im, nbin=10, xmin=0, xmax=255, normalized=True):
    """
    Histogram of the hue of an image (HSV color space).

    Inputs:
    - im: RGB image of shape (H, W, 3) with values in [0, xmax].
    - nbin: number of histogram bins.
    - xmin: lower end of the bins.
    - xmax: upper end of the bins (and largest pixel value).
    - normalized: if True, the counts are divided by the number of pixels
      so the histogram sums to 1.

    Returns:
    - imhist: array of shape (nbin,), the hue histogram.
    """
    bins = np.linspace(xmin, xmax, nbin + 1)
    hue = _rgb_to_hue(np.asarray(im, dtype=float) / xmax) * xmax
    imhist, _ = np.histogram(hue, bins=bins)
    imhist = imhist.astype(float)
    if normalized:
        total = imhist.sum()
        if total > 0:
            imhist /= total
    return imhist
