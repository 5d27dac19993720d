"""Small image helpers used by the notebooks: blurring, normalization for
ImageNet-trained networks, and loading images from disk or the web.

Reading image files needs the `imageio` package, which is imported only inside
the functions that read files."""
import os
import tempfile
import urllib.error
import urllib.parse
import urllib.request

import numpy as np

# Per-channel (R, G, B) mean and standard deviation of ImageNet images scaled
# to [0, 1]; networks trained on ImageNet expect inputs normalized by them.
SQUEEZENET_MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
SQUEEZENET_STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)


def blur_image(X):
    """
    Blur every channel of every image slightly with a 3x3 kernel (each output
    pixel keeps most of its own value and takes a little from its neighbours).
    Borders are zero-padded, so the image size is unchanged.

    Inputs:
    - X: images of shape (N, C, H, W).

    Returns:
    - X_blur: blurred images of shape (N, C, H, W).
    """
    from .fast_layers import conv_forward_fast

    C = X.shape[1]
    kernel = np.array([[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]]) / 16.0
    identity = np.zeros((3, 3))
    identity[1, 1] = 1.0
    kernel = 0.9 * identity + 0.1 * kernel  # weights sum to 1

    w_blur = np.zeros((C, C, 3, 3), dtype=X.dtype)
    for c in range(C):
        w_blur[c, c] = kernel  # each channel only sees itself
    b_blur = np.zeros(C, dtype=X.dtype)
    return conv_forward_fast(X, w_blur, b_blur, {"stride": 1, "pad": 1})[0]


def preprocess_image(img):
    """
    Turn an RGB image into the normalized input of an ImageNet network: scale
    to [0, 1], subtract SQUEEZENET_MEAN, divide by SQUEEZENET_STD.

    Inputs:
    - img: image of shape (H, W, 3), values in [0, 255] (e.g. uint8).

    Returns:
    - array of shape (H, W, 3), dtype float32.
    """
    scaled = img.astype(np.float32) / 255.0
    return (scaled - SQUEEZENET_MEAN) / SQUEEZENET_STD


def deprocess_image(img, rescale=False):
    """
    Undo preprocess_image and return a displayable image.

    Inputs:
    - img: normalized image of shape (H, W, 3).
    - rescale: if True, stretch the values linearly so they span [0, 1] before
      converting (useful for images that are not natural photos).

    Returns:
    - array of shape (H, W, 3), dtype uint8, values clipped to [0, 255].
    """
    img = img * SQUEEZENET_STD + SQUEEZENET_MEAN
    if rescale:
        low, high = img.min(), img.max()
        img = (img - low) / max(high - low, 1e-12)
    return np.rint(np.clip(255.0 * img, 0.0, 255.0)).astype(np.uint8)


def _imread(path):
    """Read an image file with imageio; returns an array of shape (H, W) or (H, W, C)."""
    try:
        import imageio.v2 as imageio
    except ImportError:
        import imageio
    return np.asarray(imageio.imread(path))


def image_from_url(url):
    """
    Download an image and decode it.

    Inputs:
    - url: string, address of the image.

    Returns:
    - image array of shape (H, W) or (H, W, C), or None if the download failed
      (the reason is printed).
    """
    try:
        with urllib.request.urlopen(url) as response:
            data = response.read()
    except urllib.error.HTTPError as e:
        print("HTTP error %s while fetching %s" % (e.code, url))
        return None
    except urllib.error.URLError as e:
        print("URL error (%s) while fetching %s" % (e.reason, url))
        return None

    suffix = os.path.splitext(urllib.parse.urlparse(url).path)[1]
    handle, path = tempfile.mkstemp(suffix=suffix or ".img")
    try:
        with os.fdopen(handle, "wb") as f:
            f.write(data)
        return _imread(path)
    finally:
        os.remove(path)


def _resize_bilinear(img, new_h, new_w):
    """
    Bilinear resampling that treats pixels as unit squares (centres at k + 0.5).

    Inputs:
    - img: array of shape (H, W) or (H, W, C).
    - new_h, new_w: ints, the output size.

    Returns:
    - float64 array of shape (new_h, new_w) or (new_h, new_w, C).
    """
    H, W = img.shape[:2]
    src = img.astype(np.float64)

    def sample_positions(old, new):
        pos = (np.arange(new) + 0.5) * (old / new) - 0.5
        pos = np.clip(pos, 0.0, old - 1)
        low = np.floor(pos).astype(np.intp)
        high = np.minimum(low + 1, old - 1)
        return low, high, pos - low

    r0, r1, fr = sample_positions(H, new_h)
    c0, c1, fc = sample_positions(W, new_w)
    extra = (1,) * (img.ndim - 2)
    fr = fr.reshape((new_h, 1) + extra)
    fc = fc.reshape((1, new_w) + extra)

    top = src[r0][:, c0] * (1 - fc) + src[r0][:, c1] * fc
    bottom = src[r1][:, c0] * (1 - fc) + src[r1][:, c1] * fc
    return top * (1 - fr) + bottom * fr


def load_image(filename, size=None):
    """
    Load an image from disk, optionally resized so that its shorter side has
    `size` pixels (aspect ratio kept, bilinear interpolation).

    Inputs:
    - filename: path of the image file.
    - size: int or None.

    Returns:
    - image array of shape (H, W) or (H, W, C) with the dtype of the file's
      pixels (usually uint8).
    """
    img = _imread(filename)
    if size is not None:
        H, W = img.shape[:2]
        scale = float(size) / min(H, W)
        new_h = max(1, int(round(H * scale)))
        new_w = max(1, int(round(W * scale)))
        resized = _resize_bilinear(img, new_h, new_w)
        if np.issubdtype(img.dtype, np.integer):
            info = np.iinfo(img.dtype)
            resized = np.clip(np.rint(resized), info.min, info.max)
        img = resized.astype(img.dtype)
    return img
