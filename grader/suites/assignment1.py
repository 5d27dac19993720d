"""Assignment 1, edition by edition: which parts each year asks for, how its folders are
told apart, and how our reference and starter become that year's folder."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..editions import Edition, Layout, defines, has_file, lacks_file
from ..parts import (fc_net, knn, layers, linear_classifier, linear_losses, neural_net, optim, saved_models,
                     two_layer_net)
from ..suite import Suite, among

A1 = "assignment1"
SVM, FC, NN = "cs231n/classifiers/linear_svm.py", "cs231n/classifiers/fc_net.py", "cs231n/classifiers/neural_net.py"
LINEAR = "cs231n/classifiers/linear_classifier.py"
ABOUT = {"2020": "kNN, linear SVM, softmax, the one-class two-layer net (neural_net.py)",
         "2021-2024": "kNN, linear SVM, softmax, layers, two-layer net",
         "2025-2026": "kNN, softmax, layers, two-layer net, fully connected net, optimizers, saved models"}
# Run only in official grading (on the secret seed): edge cases (ties in the vote, huge
# scores) and a second case of a function whose first case is public (with regularization,
# several optimizer steps), none of them a check that others build on. A student's own run
# shows every function at work; the official one also checks what the student cannot try.
HIDDEN = ("knn: predict_labels, k>1 with ties", "softmax: vectorized loss stays finite for large scores",
          "two_layer_net: loss and gradients, with reg", "neural_net: loss and gradients, with reg",
          "fc_net: loss and gradients with regularization", "optim: adam, several steps from a given m, v and t")


def suite_2020() -> Suite:
    parts = [knn.part(), linear_losses.svm(), linear_losses.softmax(), linear_classifier.part(), neural_net.part()]
    return Suite("assignment1-2020", reference=A1, about=ABOUT["2020"], parts=parts, hidden=among(HIDDEN, parts))


def suite_2021() -> Suite:
    parts = [knn.part(), linear_losses.svm(), linear_losses.softmax(), linear_classifier.part(), layers.part(),
             two_layer_net.part()]
    return Suite("assignment1-2021-2024", reference=A1, about=ABOUT["2021-2024"], parts=parts,
                 hidden=among(HIDDEN, parts))


def suite_2025() -> Suite:
    """No SVM (``linear_svm.py`` is gone, ``LinearSVM`` is left untrained); the fully
    connected net (plain) and the update rules move here; ``TwoLayerNet.__init__`` is
    provided; the notebooks save their models."""
    parts = [knn.part(), linear_losses.softmax(), linear_classifier.part(("Softmax",)),
             layers.part().without("svm_loss"), two_layer_net.part(init_points=0),
             fc_net.part(options=False, fast_layers=False), optim.part(), saved_models.part()]
    return Suite("assignment1-2025-2026", reference=A1, about=ABOUT["2025-2026"], parts=parts,
                 hidden=among(HIDDEN, parts))


def saved_weights(folder: Path, role: str) -> None:
    """What the 2025-26 notebooks leave in cs231n/saved/ (the reference-like folder only:
    a starter folder has run no notebook)."""
    if role != "reference":
        return
    rng = np.random.default_rng(0)
    saved = folder / "cs231n" / "saved"
    saved.mkdir(parents=True, exist_ok=True)
    for name, (shapes, _, _) in saved_models.MODELS.items():
        sizes = {"H": 100, "F": 170}
        params = {k: 0.01 * rng.normal(size=tuple(sizes.get(d, d) for d in shape)) for k, shape in shapes.items()}
        np.save(saved / name, params)


EDITIONS = [
    Edition(A1, "2020", (2020,), suite_2020, clues=(has_file(NN), lacks_file(FC)),
            layout=Layout(remove=(FC, "cs231n/layers.py", "cs231n/layer_utils.py", "cs231n/optim.py",
                                  "cs231n/solver.py"))),
    Edition(A1, "2021-2024", (2021, 2022, 2023, 2024), suite_2021, clues=(has_file(SVM), has_file(FC)),
            layout=Layout(remove=(NN,), drop={FC: ("FullyConnectedNet",)})),
    Edition(A1, "2025-2026", (2025, 2026), suite_2025, clues=(lacks_file(SVM), defines(FC, "FullyConnectedNet")),
            layout=Layout(remove=(SVM, NN), replace={LINEAR: (("from .linear_svm import *\n", ""),)},
                          extra=saved_weights)),
]
DEFAULT = "2021-2024"  # the layout the mission's starter code follows
