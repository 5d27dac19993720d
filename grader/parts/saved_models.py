"""The models the 2025-26 assignment-1 notebooks save in ``cs231n/saved/`` (``np.save``
of a dict of arrays, a pickle inside).

Weights are data, not code: they are read in the grader, never in a worker, by an
unpickler that rebuilds dicts and arrays only (``grader/safe_pickle.py``); anything else
in the file (an object, a ``__reduce__`` payload) is an invalid submission for that
check, and nothing in it runs. Each file must hold the parameters the notebook saves,
float arrays of the right shapes. When the grading data is CIFAR-10 (``--data``), the
models that read raw pixels are also run, here, by the grader's own forward pass on the
held-out images, and their accuracy is reported next to the notebook's target (it is
not scored: the models were trained on the student's machine); on other data, or for
the models trained on image features, the report says what their accuracy needs.
"""
from __future__ import annotations

from dataclasses import KW_ONLY, dataclass

import numpy as np

from .. import data
from ..checks import Check, Verdict
from ..results import Status
from ..safe_pickle import read_npy_object
from ..suite import Part

PIXELS, CLASSES = 32 * 32 * 3, 10


def linear(params, X):
    return np.hstack([X, np.ones((len(X), 1))]) @ params["W"]


def two_layer(params, X):
    return np.maximum(0, X @ params["W1"] + params["b1"]) @ params["W2"] + params["b2"]


# file: (parameter shapes with named free sizes, forward pass on raw pixels or None, the notebook's target)
MODELS = {
    "softmax.npy": ({"W": (PIXELS + 1, CLASSES)}, linear, "validation above 35%"),
    "best_softmax.npy": ({"W": (PIXELS + 1, CLASSES)}, linear, "validation about 36.5% (> 36%)"),
    "best_two_layer_net.npy": ({"W1": (PIXELS, "H"), "b1": ("H",), "W2": ("H", CLASSES), "b2": (CLASSES,)},
                               two_layer, "validation above 48%"),
    "best_softmax_features.npy": ({"W": ("F", CLASSES)}, None, "test at least 42%"),
    "best_two_layer_net_features.npy": ({"W1": ("F", "H"), "b1": ("H",), "W2": ("H", CLASSES), "b2": (CLASSES,)},
                                        None, "test above 58%"),
}


def shapes_problem(params, expected: dict) -> str | None:
    """Why ``params`` is not a dict of float arrays of the ``expected`` shapes (free sizes
    named by strings must agree wherever they appear); None when it is."""
    if not isinstance(params, dict):
        return f"holds {type(params).__name__}, not the dict of parameters save() writes"
    if set(params) != set(expected):
        return f"holds {', '.join(sorted(map(str, params))) or 'nothing'}; expected {', '.join(sorted(expected))}"
    sizes: dict[str, int] = {}
    for name, shape in expected.items():
        value = params[name]
        if not isinstance(value, np.ndarray) or value.dtype.kind != "f" or value.ndim != len(shape):
            kind = f"{value.dtype} array of shape {value.shape}" if isinstance(value, np.ndarray) else type(value).__name__
            return f"{name} is a {kind}; expected a float array of {len(shape)} dimension(s)"
        for size, want in zip(value.shape, shape):
            want = sizes.setdefault(want, size) if isinstance(want, str) else want
            if size != want:
                return f"{name} has shape {value.shape}; expected {_shown(shape, sizes)}"
        if not np.all(np.isfinite(value)):
            return f"{name} holds values that are not finite"
    return None


def _shown(shape, sizes) -> tuple:
    return tuple(sizes.get(s, s) if isinstance(s, str) else s for s in shape)


@dataclass
class SavedModel(Check):
    """One saved model: read safely, shapes checked, accuracy reported where it can be."""

    _: KW_ONLY
    file: str  # name in cs231n/saved/

    def decide(self, ctx) -> Verdict:
        shapes, forward, target = MODELS[self.file]
        relative = f"cs231n/saved/{self.file}"
        blob = ctx.file(relative)
        if blob is None:
            return Verdict(Status.MISSING, f"{relative} is not in the submission (run the notebook cell that saves "
                                           "it, and hand in cs231n/saved/)")
        try:
            params = read_npy_object(blob)
        except ValueError as exc:
            return Verdict(Status.INVALID_SUBMISSION, f"{relative} cannot be read as saved weights: {exc} (only a "
                                                      "dict of float arrays is read; nothing in the file was run)")
        problem = shapes_problem(params, shapes)
        if problem:
            return Verdict(Status.FAILED, f"{relative} {problem}")
        text = f"{relative}: " + ", ".join(f"{k} {params[k].shape}" for k in shapes)
        return Verdict(Status.PASSED, text + "\n" + accuracy_note(params, forward, target, ctx.dataset))


def accuracy_note(params, forward, target: str, dataset) -> str:
    if forward is None:
        return f"trained on image features: its accuracy (the notebook's target: {target}) needs the course's features"
    if dataset is None or dataset.name != "cifar10":
        return (f"its accuracy needs CIFAR-10, the data it was trained on (grade with --data); the notebook's target: "
                f"{target}")
    mean = data.mean_image(dataset)
    with np.errstate(all="ignore"):
        scores = forward(params, data.rows(dataset.X_test, mean))
    accuracy = float(np.mean(np.argmax(scores, axis=1) == dataset.y_test))
    return (f"accuracy on the {len(dataset.y_test)} held-out CIFAR-10 images, by the grader's forward pass: "
            f"{accuracy:.1%} (reported, not scored; the notebook's target: {target})")


def part() -> Part:
    return Part("saved_models", tuple(SavedModel(f"{name}: the saved weights", 1, file=name) for name in MODELS))
