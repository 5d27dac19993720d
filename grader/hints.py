"""Hints that hold for any check: what the form of a wrong answer says about its cause,
whatever the function. ``Matches`` tries them after the part's own hints.

* an array left all zeros, or the number 0 where an array belongs: not computed;
* the right values in the wrong shape: an axis of size 1 kept (``keepdims=True``) or lost.

They read only the student's answer and the expected one, and name a piece of the
answer by its place (``db``, ``grads['b1']``), never an input's values.
"""
from __future__ import annotations

from typing import Iterator

import numpy as np


def leaves(got, expected, names=None, path: str = "") -> Iterator[tuple[str, object, np.ndarray]]:
    """(label, what came back, expected array) for each array of the expected answer, the
    label as ``compare.diff`` writes it (``names`` labels a tuple's items)."""
    if isinstance(expected, (tuple, list)):
        if isinstance(got, (tuple, list)) and len(got) == len(expected):
            for index, (g, e) in enumerate(zip(got, expected)):
                label = names[index] if names and index < len(names) else f"{path}[{index}]"
                yield from leaves(g, e, None, label)
    elif isinstance(expected, dict):
        if isinstance(got, dict):
            for key, e in expected.items():
                yield from leaves(got.get(key), e, None, f"{path}[{key!r}]" if path else key)
    elif isinstance(expected, np.ndarray):
        yield path or "the result", got, expected


def not_computed(got, expected, names=None) -> str | None:
    for label, g, e in leaves(got, expected, names):
        if not np.any(e):
            continue
        if isinstance(g, (int, float)) and not isinstance(g, bool) and g == 0:
            return f"{label} is the number 0 where an array of shape {e.shape} belongs: is it computed?"
        if isinstance(g, np.ndarray) and g.shape == e.shape and g.dtype.kind in "iuf" and not np.any(g):
            return f"{label} is all zeros: is it computed (or is the starter's placeholder still there)?"
    return None


def wrong_shape(got, expected, names=None) -> str | None:
    for label, g, e in leaves(got, expected, names):
        if not isinstance(g, np.ndarray) or g.shape == e.shape or g.size != e.size or g.dtype.kind not in "iuf":
            continue
        scale = max(float(np.max(np.abs(e), initial=0.0)), 1e-12)
        if np.allclose(g.reshape(e.shape), e, rtol=1e-6, atol=1e-6 * scale):
            why = ""
            if g.ndim > e.ndim and g.squeeze().shape == e.squeeze().shape:
                why = " (an extra axis of size 1: sum without keepdims=True, or reshape it)"
            elif g.ndim < e.ndim and g.squeeze().shape == e.squeeze().shape:
                why = " (the axes of size 1 are missing: sum with keepdims=True, or reshape it)"
            return f"{label} has the right values but shape {g.shape}; it should have shape {e.shape}{why}"
    return None


GENERIC = (not_computed, wrong_shape)


def generic(got, expected, names=None) -> str | None:
    """The first generic hint that recognises this answer, or None."""
    return next((text for hint in GENERIC if (text := hint(got, expected, names))), None)
