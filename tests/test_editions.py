"""Course editions told apart by their folders, and the saved models read without running
anything: no worker starts here (the fast tier). Grading every edition's folders to full
marks and zero is test_every_suite.py's."""
from __future__ import annotations

import io
import os

import numpy as np
import pytest

from conftest import REFERENCE, STARTER
from grader import editions
from grader.parts.saved_models import MODELS, SavedModel, shapes_problem
from grader.results import Status
from grader.safe_pickle import UnsafePickle, read_npy_object
from grader.suites import ASSIGNMENTS

EVERY_EDITION = [pytest.param(e, id=e.suite_name) for es in ASSIGNMENTS.values() for e in es]


@pytest.mark.parametrize("edition", EVERY_EDITION)
@pytest.mark.parametrize("role", ["reference", "starter"])
def test_each_years_folder_is_detected_as_its_edition(edition, role, tmp_path):
    assignment = edition.assignment
    top = editions.build(edition, REFERENCE / assignment, STARTER / assignment, role, tmp_path / role)
    root = top / edition.layout.nest if edition.layout.nest else top
    chosen, note = editions.detect(ASSIGNMENTS[assignment], root)
    assert chosen is edition, note
    assert note.startswith(f"edition: {assignment} {edition.name} (detected: ")


def test_our_own_folders_are_the_default_layout():
    for assignment, expected in (("assignment1", "2021-2024"), ("assignment2", "2026")):
        chosen, _ = editions.detect(ASSIGNMENTS[assignment], REFERENCE / assignment)
        assert chosen.name == expected


def test_a_folder_like_no_year_gets_the_closest_edition_and_a_note(tmp_path):
    (tmp_path / "cs231n" / "classifiers").mkdir(parents=True)
    (tmp_path / "cs231n" / "classifiers" / "linear_svm.py").write_text("")  # and neither fc_net.py nor neural_net.py
    chosen, note = editions.detect(ASSIGNMENTS["assignment1"], tmp_path)
    assert chosen.name == "2021-2024" and "no edition matches every clue" in note and "--edition" in note
    assert "cs231n/classifiers/fc_net.py is present" in note  # what it lacks
    chosen, note = editions.detect(ASSIGNMENTS["assignment1"], None)
    assert chosen.name == "2025-2026" and "no cs231n package" in note
    chosen, note = editions.detect(ASSIGNMENTS["assignment1"], tmp_path, asked=2023)
    assert chosen.name == "2021-2024" and note.endswith("(--edition 2023)")
    with pytest.raises(KeyError, match="no edition 2019 of assignment1"):
        editions.find(ASSIGNMENTS["assignment1"], 2019)


def test_a_broken_source_is_no_evidence_and_no_crash(tmp_path):
    (tmp_path / "cs231n" / "classifiers").mkdir(parents=True)
    (tmp_path / "cs231n" / "classifiers" / "fc_net.py").write_text("class FullyConnectedNet(:\n")
    chosen, note = editions.detect(ASSIGNMENTS["assignment2"], tmp_path)
    assert chosen in ASSIGNMENTS["assignment2"] and note.startswith("edition: assignment2")


def test_dropping_names_keeps_the_rest_of_the_file(tmp_path):
    path = tmp_path / "m.py"
    path.write_text("import os\n\n\n@decorate\nclass A:\n    x = 1\n\n\ndef b():\n    return 2\n\n\nC = 3\n")
    editions._drop_names(path, ("A",))
    assert path.read_text() == "import os\n\n\n\n\ndef b():\n    return 2\n\n\nC = 3\n"


# -- saved models -----------------------------------------------------------------------------

def npy(value) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, value, allow_pickle=True)
    return buffer.getvalue()


class Payload:
    """An object whose unpickling would run a command: writes the marker file."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


class FakeContext:
    def __init__(self, files, dataset=None):
        self.files, self.dataset = files, dataset

    def file(self, relative):
        return self.files.get(relative)


def judged(name, blob, dataset=None):
    files = {} if blob is None else {f"cs231n/saved/{name}": blob}
    return SavedModel(name, 1, file=name).judge(FakeContext(files, dataset))


def test_a_pickled_payload_in_a_saved_model_is_refused_and_never_runs(tmp_path):
    marker = tmp_path / "ran"
    blob = npy({"W": Payload(marker)})
    with pytest.raises(UnsafePickle, match="refusing to load"):
        read_npy_object(blob)
    verdict = judged("softmax.npy", blob)
    assert verdict.status is Status.INVALID_SUBMISSION and "nothing in the file was run" in verdict.feedback
    assert not marker.exists()


def test_saved_models_must_be_dicts_of_float_arrays_of_the_right_shapes():
    good = {"W1": np.zeros((3072, 50)), "b1": np.zeros(50), "W2": np.zeros((50, 10)), "b2": np.zeros(10)}
    assert shapes_problem(good, MODELS["best_two_layer_net.npy"][0]) is None
    verdict = judged("best_two_layer_net.npy", npy(good))
    assert verdict.status is Status.PASSED and "its accuracy needs CIFAR-10" in verdict.feedback
    wrong_hidden = {**good, "W2": np.zeros((40, 10))}
    assert "W2 has shape (40, 10); expected (50, 10)" in judged("best_two_layer_net.npy", npy(wrong_hidden)).feedback
    assert "expected W" in judged("softmax.npy", npy({"w": np.zeros((3073, 10))})).feedback
    assert "int64 array" in judged("softmax.npy", npy({"W": np.zeros((3073, 10), dtype=int)})).feedback
    assert "not the dict" in judged("softmax.npy", npy(np.zeros((3073, 10)))).feedback
    assert judged("softmax.npy", None).status is Status.MISSING
    assert judged("softmax.npy", b"not a numpy file").status is Status.INVALID_SUBMISSION


def test_a_saved_model_is_scored_on_cifar10_by_the_graders_own_forward_pass():
    from grader import data

    rng = np.random.default_rng(0)
    y = rng.integers(0, 10, 200)
    X = rng.integers(0, 50, size=(200, 32, 32, 3)).astype(np.uint8)
    X[np.arange(200), 0, 0, 0] = 200 + y  # the label, written in the first pixel
    dataset = data.Dataset("cifar10", X[:100], y[:100], X[:10], y[:10], X[100:], y[100:])
    # Class c scores c * (x0 - 200) - c^2 / 2, a parabola peaking at c = x0 - 200, the label: the
    # first pixel x0 arrives with the training mean subtracted, and the bias row adds it back.
    c, mean_first = np.arange(10), float(X[:100, 0, 0, 0].mean())
    W = np.zeros((3073, 10))
    W[0], W[-1] = c, c * (mean_first - 200) - 0.5 * c ** 2
    verdict = judged("softmax.npy", npy({"W": W}), dataset)
    assert verdict.status is Status.PASSED and "accuracy on the 100 held-out CIFAR-10 images" in verdict.feedback
    assert "100.0%" in verdict.feedback and "reported, not scored" in verdict.feedback


def test_a_2020_tensorflow_notebook_is_named_not_graded(tmp_path):
    from grader.parts import pytorch

    (tmp_path / "cs231n").mkdir()
    for name in ("TensorFlow.ipynb", "Dropout.ipynb"):
        (tmp_path / name).write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
    notes = pytorch.prepare_workspace(tmp_path)
    assert "TensorFlow.ipynb is handed in" in notes[0] and "only the PyTorch notebook is graded" in notes[0]
    assert "only the PyTorch notebook is graded" in (tmp_path / f"{pytorch.MODULE}.py").read_text()
