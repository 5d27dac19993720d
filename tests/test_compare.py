"""Judging returned values: type, dtype and shape first, then the tolerance."""
from __future__ import annotations

import numpy as np

from grader.compare import changed_inputs, diff, relative_error
from grader.worker.wire import Unsupported


def test_close_values_match_and_far_ones_say_where():
    expected = np.arange(12.0).reshape(3, 4)
    assert diff(expected + 1e-12, expected, 1e-9) is None
    got = expected.copy()
    got[2, 1] += 1
    mismatch = diff(got, expected, 1e-9, path="dx")
    assert "index [2, 1]" in str(mismatch) and str(mismatch).startswith("dx")


def test_wrong_kinds_never_pass():
    expected = np.ones((2, 2))
    assert diff(Unsupported("AlwaysEqual"), expected, 1) is not None
    assert diff(np.ones((2, 2), dtype=complex), expected, 1) is not None
    assert diff(np.ones((2, 1)), expected, 1) is not None
    assert diff(np.full((2, 2), np.nan), expected, 1) is not None
    assert diff([[1.0, 1.0], [1.0, 1.0]], expected, 1) is not None
    assert diff(True, 1.0, 1) is not None
    assert diff(float("inf"), 1.0, 1) is not None
    assert diff(None, expected, 1).unimplemented


def test_structures_and_scalars():
    expected = (1.5, {"W1": np.zeros(3)})
    assert diff((np.float64(1.5), {"W1": np.zeros(3), "extra": 1}), expected, 1e-9) is None
    assert "has no entry 'W1'" in str(diff((1.5, {}), expected, 1e-9))
    assert "2 values where 3" in str(diff((1, 2), (1, 2, 3), 1e-9))
    assert diff(np.array(1.5), 1.5, 1e-9) is None
    labels = np.array([1, 2, 3])
    assert diff(np.array([1.0, 2.0, 3.0]), labels, 0) is None
    assert "1 of 3 entries differ" in str(diff(np.array([1, 2, 4]), labels, 0))


def test_relative_error_is_normwise_and_ignores_roundoff_near_zero():
    assert relative_error(np.array([1e-17]), np.array([2e-17])) == 0.0
    assert np.isclose(relative_error(np.array([1.0, 2.0]), np.array([1.0, 2.2])), 0.2 / 2.2)


def test_changed_inputs_are_named():
    sent = {"x": np.ones(3), "p": {"mode": "train"}}
    assert changed_inputs(sent, {"x": np.ones(3), "p": {}}) == []
    assert changed_inputs(sent, {"x": np.zeros(3)}) == ["x"]
