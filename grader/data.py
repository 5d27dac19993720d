"""Images and labels the grader trains and tests on, and the views suites send.

Two sources, both presented in CIFAR-10's shapes (uint8 images of 32x32x3, 10
classes) so that code written for CIFAR-10 runs unchanged:

* ``digits``: the default, built offline from scikit-learn's handwritten digits
  (1797 real 8x8 scans): each scan is enlarged to 24x24, placed with a small random
  shift on a 32x32 canvas, and painted with random ink and background colours.
* ``cifar10``: real CIFAR-10 read from a ``cifar-10-batches-py`` folder. The batches
  are pickles; they are read with an unpickler that only rebuilds NumPy arrays, so a
  crafted file cannot run code. A folder found inside a submission is used only when
  every file has the published checksum, so a student cannot hand in their own
  "test" labels.
"""
from __future__ import annotations

import functools
import hashlib
import pickle
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import safe_pickle

CIFAR_MD5 = {
    "data_batch_1": "c99cafc152244af753f735de768cd75f",
    "data_batch_2": "d4bba439e000b95fd0a9bffe97cbabec",
    "data_batch_3": "54ebc095f3ab1f0389bbae665268c751",
    "data_batch_4": "634d18415352ddfa80567beed471001a",
    "data_batch_5": "482c414d41f54cd18b22e5b47cb7c3cb",
    "test_batch": "40351d587109b95175f43aff81a1287e",
}
SUBMISSION_CIFAR = Path("cs231n") / "datasets" / "cifar-10-batches-py"


class DataError(ValueError):
    """A dataset folder that cannot be used, with the reason."""


@dataclass
class Dataset:
    """Images (N, 32, 32, 3) uint8 and labels (N,) int64, split three ways.

    ``train`` and ``val`` (labels included) may be sent to a worker for training;
    ``test`` labels never leave the grader.
    """

    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    origin: str = ""

    def describe(self) -> str:
        return (f"{self.name} ({self.origin}): {len(self.y_train)} train, {len(self.y_val)} validation, "
                f"{len(self.y_test)} held-out images")


@functools.lru_cache(maxsize=2)
def digits(seed: int = 231) -> Dataset:
    """The embedded default: scikit-learn's digits in CIFAR-10's shapes.

    Built once per process and shared (a batch grades many submissions in one
    process), so its arrays are read-only.
    """
    from sklearn.datasets import load_digits

    scans = load_digits()
    rng = np.random.default_rng(seed)
    ink = scans.images / 16.0  # (N, 8, 8) in [0, 1]
    big = np.kron(ink, np.ones((3, 3)))  # (N, 24, 24)
    big = _blur(_blur(big))
    n = len(big)
    canvas = np.zeros((n, 32, 32))
    shifts = rng.integers(2, 7, size=(n, 2))
    for i, (dy, dx) in enumerate(shifts):
        canvas[i, dy : dy + 24, dx : dx + 24] = big[i]
    background = rng.uniform(0, 110, size=(n, 1, 1, 3))
    foreground = rng.uniform(150, 255, size=(n, 1, 1, 3))
    images = background + canvas[..., None] * (foreground - background)
    images += rng.normal(0, 6, size=images.shape)
    images = np.clip(np.rint(images), 0, 255).astype(np.uint8)
    labels = scans.target.astype(np.int64)
    order = rng.permutation(n)
    test, val, train = order[:300], order[300:500], order[500:]
    arrays = [images[train], labels[train], images[val], labels[val], images[test], labels[test]]
    for array in arrays:
        array.setflags(write=False)
    return Dataset("digits", *arrays, origin="scikit-learn handwritten digits, embedded")


def _blur(images: np.ndarray) -> np.ndarray:
    """A [1, 2, 1] / 4 smoothing along both image axes."""
    padded = np.pad(images, ((0, 0), (1, 1), (1, 1)), mode="edge")
    rows = (padded[:, :-2] + 2 * padded[:, 1:-1] + padded[:, 2:]) / 4
    return (rows[:, :, :-2] + 2 * rows[:, :, 1:-1] + rows[:, :, 2:]) / 4


def cifar10(folder: str | Path, verify: bool = False, num_val: int = 1000) -> Dataset:
    """CIFAR-10 from a ``cifar-10-batches-py`` folder: the five training batches give
    train (all but the last ``num_val``, or a tenth of them if that is fewer) and val;
    ``test_batch`` is held out.

    With ``verify``, every batch must have its published MD5 checksum.
    """
    folder = Path(folder)
    missing = [name for name in CIFAR_MD5 if not (folder / name).is_file()]
    if missing:
        raise DataError(f"{folder} is not a cifar-10-batches-py folder: {', '.join(missing)} missing")
    if verify:
        for name, expected in CIFAR_MD5.items():
            if hashlib.md5((folder / name).read_bytes()).hexdigest() != expected:
                raise DataError(f"{folder / name} is not the published CIFAR-10 file (checksum differs)")
    parts = [read_cifar_batch(folder / f"data_batch_{i}") for i in range(1, 6)]
    X = np.concatenate([p[0] for p in parts])
    y = np.concatenate([p[1] for p in parts])
    X_test, y_test = read_cifar_batch(folder / "test_batch")
    num_val = min(num_val, len(X) // 10)
    if num_val < 1:
        raise DataError(f"{folder} holds only {len(X)} training images")
    return Dataset("cifar10", X[:-num_val], y[:-num_val], X[-num_val:], y[-num_val:], X_test, y_test,
                   origin=str(folder))


def read_cifar_batch(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """One batch file: a pickled dict with b'data' (N, 3072) uint8 and b'labels'."""
    try:
        with open(path, "rb") as handle:
            batch = safe_pickle.load(handle, encoding="bytes")
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError) as exc:
        raise DataError(f"{path} is not a CIFAR-10 batch: {exc}") from None
    if not isinstance(batch, dict):
        raise DataError(f"{path} is not a CIFAR-10 batch: it holds a {type(batch).__name__}")
    data = batch.get(b"data", batch.get("data"))
    labels = batch.get(b"labels", batch.get("labels"))
    if not isinstance(data, np.ndarray) or data.ndim != 2 or data.shape[1] != 3072 or labels is None:
        raise DataError(f"{path} is not a CIFAR-10 batch: no (N, 3072) 'data' array with 'labels'")
    labels = np.asarray(labels)
    if labels.shape != (len(data),) or labels.dtype.kind not in "iu" or labels.min() < 0 or labels.max() > 9:
        raise DataError(f"{path}: 'labels' must be {len(data)} integers in 0..9")
    images = data.astype(np.uint8).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return np.ascontiguousarray(images), labels.astype(np.int64)


def load(data_dir: str | Path) -> Dataset:
    """CIFAR-10 from a folder an instructor names (the batches, or their parent folder)."""
    folder = Path(data_dir)
    if (folder / "cifar-10-batches-py").is_dir():
        folder = folder / "cifar-10-batches-py"
    return cifar10(folder)


def choose(given: Dataset | None, submission_root: Path | None) -> tuple[Dataset, list[str]]:
    """The dataset for one grading run, and notes saying which and why.

    A dataset the instructor gave wins; then a verified CIFAR-10 folder inside the
    submission; then the embedded digits.
    """
    if given is not None:
        return given, [f"data: {given.describe()}"]
    notes = []
    if submission_root is not None and (submission_root / SUBMISSION_CIFAR).is_dir():
        try:
            dataset = cifar10(submission_root / SUBMISSION_CIFAR, verify=True)
            return dataset, [f"data: {dataset.describe()}"]
        except DataError as exc:
            notes.append(f"CIFAR-10 in the submission not used: {exc}")
    dataset = digits()
    return dataset, notes + [f"data: {dataset.describe()}"]


def private_files() -> tuple[str, ...]:
    """Files a student worker must not read: scikit-learn's digits, from which the
    embedded held-out images are made (the sandbox shows them as empty files)."""
    import importlib.util

    spec = importlib.util.find_spec("sklearn")
    folders = (spec.submodule_search_locations or []) if spec else []
    paths = (Path(folder) / "datasets" / "data" / "digits.csv.gz" for folder in folders)
    return tuple(str(path) for path in paths if path.is_file())


# -- views sent to workers ---------------------------------------------------------------

def rows(images: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """Images as float64 rows with the training mean image subtracted, as the notebooks do."""
    return images.reshape(len(images), -1).astype(np.float64) - mean


def with_bias(X: np.ndarray) -> np.ndarray:
    """Append a column of ones (the notebooks' bias trick for linear classifiers)."""
    return np.hstack([X, np.ones((len(X), 1))])


def mean_image(dataset: Dataset) -> np.ndarray:
    return dataset.X_train.reshape(len(dataset.X_train), -1).astype(np.float64).mean(axis=0)
