"""Reading pickles that hold only data: dicts, lists, strings, numbers and NumPy arrays.

CIFAR-10's batches and the models the 2025-26 notebooks save (``np.save`` of a dict)
are pickles. A pickle can name any class and call it while it loads; the unpickler here
refuses every class but what rebuilds a NumPy array, so a crafted file (a ``__reduce__``
payload) fails to load instead of running anything.
"""
from __future__ import annotations

import io
import pickle

import numpy as np

ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
    ("numpy", "ndarray"), ("numpy", "dtype"), ("_codecs", "encode"),
}


class UnsafePickle(pickle.UnpicklingError, ValueError):
    """The pickle names something other than plain data."""


class _ArraysOnly(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) in ALLOWED:
            return super().find_class(module.replace("numpy.core", "numpy._core"), name)
        raise UnsafePickle(f"refusing to load {module}.{name}")


def load(handle, encoding: str = "ASCII"):
    """Unpickle plain data from a binary file object."""
    return _ArraysOnly(handle, encoding=encoding).load()


def read_npy_object(blob: bytes):
    """The object a ``.npy`` file holds when it was written by ``np.save`` of a Python
    object (a 0-d object array, pickled), without running anything; a plain array
    comes back as it is. Raises ValueError (UnsafePickle for a crafted pickle)."""
    handle = io.BytesIO(blob)
    version = np.lib.format.read_magic(handle)
    if version == (1, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(handle)
    else:
        shape, fortran, dtype = np.lib.format.read_array_header_2_0(handle)
    if not dtype.hasobject:
        return np.lib.format.read_array(io.BytesIO(blob), allow_pickle=False)
    try:
        array = load(handle)
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, IndexError) as exc:
        raise (exc if isinstance(exc, UnsafePickle) else ValueError(f"not a readable pickle: {exc}")) from None
    if not isinstance(array, np.ndarray) or array.shape != tuple(shape):
        raise ValueError("the file's header and its contents disagree")
    return array.item() if array.shape == () else array
