"""Assignment 1 (2021-2024 layout): k-nearest neighbours, linear SVM, softmax, the
linear classifiers, layers and the two-layer net: 85 points."""
from __future__ import annotations

from ..parts import knn, layers, linear_classifier, linear_losses, two_layer_net
from ..suite import Suite


def suite() -> Suite:
    return Suite("assignment1", reference="assignment1", about="kNN, linear SVM, softmax, layers, two-layer net",
                 parts=[knn.part(), linear_losses.svm(), linear_losses.softmax(), linear_classifier.part(),
                        layers.part(), two_layer_net.part()])
