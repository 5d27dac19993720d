"""Judging one returned value against an expected one, and saying how they differ.

Everything a worker returned is untrusted: before any tolerance is applied, the
type, dtype and shape are checked against the expected value, so an object that
claims to equal everything, a complex or object array, or a NaN cannot pass.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .worker.wire import Unsupported

ABSOLUTE_FLOOR = 1e-12  # differences below this count as equal, whatever the scale


@dataclass
class Mismatch:
    path: str
    text: str
    unimplemented: bool = False  # the value is None where something was expected

    def __str__(self):
        return f"{self.path}: {self.text}" if self.path else self.text


def relative_error(got: np.ndarray, expected: np.ndarray) -> float:
    """Largest absolute difference over the largest magnitude of either side."""
    got, expected = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    if got.size == 0:
        return 0.0
    difference = float(np.max(np.abs(got - expected)))
    if difference <= ABSOLUTE_FLOOR:
        return 0.0
    scale = max(float(np.max(np.abs(expected))), float(np.max(np.abs(got))))
    return difference / scale


def diff(got, expected, tol: float, path: str = "", names=None) -> Mismatch | None:
    """None when ``got`` matches ``expected`` within ``tol``, else what differs first.

    ``names`` labels the items of a tuple or list result (e.g. ``("loss", "dW")``).
    """
    if got is None and expected is not None:
        return Mismatch(path, "returned None (not implemented yet?)", unimplemented=True)
    if isinstance(got, Unsupported):
        return Mismatch(path, f"returned a value the grader cannot use: {got.what}")
    if isinstance(expected, (tuple, list)):
        if not isinstance(got, (tuple, list)):
            return Mismatch(path, f"returned {_kind(got)} where {len(expected)} values were expected")
        if len(got) != len(expected):
            return Mismatch(path, f"returned {len(got)} values where {len(expected)} were expected")
        for index, (g, e) in enumerate(zip(got, expected)):
            label = names[index] if names and index < len(names) else f"{path}[{index}]"
            found = diff(g, e, tol, label)
            if found:
                return found
        return None
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return Mismatch(path, f"returned {_kind(got)} where a dict was expected")
        absent = [key for key in expected if key not in got]
        if absent:
            return Mismatch(path, f"has no entry {absent[0]!r}")
        for key in expected:
            found = diff(got[key], expected[key], tol, f"{path}[{key!r}]" if path else key)
            if found:
                return found
        return None
    if isinstance(expected, np.ndarray):
        return _diff_array(got, expected, tol, path)
    if isinstance(expected, bool) or expected is None or isinstance(expected, str):
        return None if (type(got) is type(expected) and got == expected) else \
            Mismatch(path, f"is {_show(got)}, expected {_show(expected)}")
    if isinstance(expected, (int, float)):
        if isinstance(got, np.ndarray) and got.shape == ():
            got = got.item() if got.dtype.kind in "iuf" else got
        if isinstance(got, bool) or not isinstance(got, (int, float)):
            return Mismatch(path, f"is {_kind(got)} where a number was expected")
        if not np.isfinite(got):
            return Mismatch(path, f"is {got} where a finite number was expected")
        error = relative_error(np.float64(got), np.float64(expected))
        if error > tol:
            return Mismatch(path, f"is {got:.6g}, expected {expected:.6g} (relative error {error:.1e}, "
                                  f"tolerance {tol:.0e})")
        return None
    return Mismatch(path, "cannot be compared (grader error: unknown expected type)")


def _diff_array(got, expected: np.ndarray, tol: float, path: str) -> Mismatch | None:
    if not isinstance(got, np.ndarray):
        return Mismatch(path, f"is {_kind(got)} where an array of shape {expected.shape} was expected")
    if got.dtype.kind == "c":
        return Mismatch(path, "holds complex numbers where real numbers were expected")
    if got.dtype.kind not in "biuf" or (got.dtype.kind == "b") != (expected.dtype.kind == "b"):
        return Mismatch(path, f"has dtype {got.dtype} where {expected.dtype} was expected")
    if got.shape != expected.shape:
        return Mismatch(path, f"has shape {got.shape}, expected {expected.shape}")
    if got.dtype.kind == "f" and not np.all(np.isfinite(got)) and np.all(np.isfinite(expected)):
        bad = np.argwhere(~np.isfinite(got))[0]
        return Mismatch(path, f"contains {got[tuple(bad)]} (first at index {_index(bad)})")
    if expected.dtype.kind in "iub" and tol == 0:
        wrong = np.argwhere(got != expected)
        if len(wrong):
            first = tuple(wrong[0])
            return Mismatch(path, f"{len(wrong)} of {expected.size} entries differ; first at index "
                                  f"{_index(first)}: got {got[first]}, expected {expected[first]}")
        return None
    error = relative_error(got, expected)
    if error > tol:
        worst = np.unravel_index(np.argmax(np.abs(got.astype(np.float64) - expected)), expected.shape)
        return Mismatch(path, f"relative error {error:.1e} (tolerance {tol:.0e}); largest difference at index "
                              f"{_index(worst)}: got {got[worst]:.6g}, expected {expected[worst]:.6g}")
    return None


def changed_inputs(sent: dict, after: dict) -> list[str]:
    """Names of array arguments whose contents differ after the call."""
    changed = []
    for name, before in sent.items():
        if isinstance(before, np.ndarray):
            now = after.get(name) if isinstance(after, dict) else None
            if not isinstance(now, np.ndarray) or now.shape != before.shape or \
                    not np.array_equal(now, before, equal_nan=before.dtype.kind == "f"):
                changed.append(name)
    return changed


def describe(value) -> str:
    """A short description of an input, for messages: shapes, not contents."""
    if isinstance(value, np.ndarray):
        return f"array{value.shape}" if value.ndim else _show(value.item())
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {describe(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(describe(v) for v in value[:4]) + (", ..." if len(value) > 4 else "") + "]"
    return _show(value)


def _kind(value) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, Unsupported):
        return value.what
    return {type(None): "None", tuple: "a tuple", list: "a list", dict: "a dict"}.get(
        type(value), f"a {type(value).__name__}")


def _show(value) -> str:
    return f"{value:.6g}" if isinstance(value, float) else repr(value)


def _index(index) -> str:
    return "[" + ", ".join(str(int(i)) for i in index) + "]"
