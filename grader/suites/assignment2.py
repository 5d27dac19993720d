"""Assignment 2 (2021-2024 layout): the NumPy parts (107 points) and the PyTorch
notebook (21 points); each half can be graded on its own."""
from __future__ import annotations

from ..parts import batchnorm, cnn, conv, dropout, fc_net, layernorm, layers, optim, pytorch, spatial_norm
from ..suite import Part, Suite


def numpy_parts() -> list[Part]:
    basic = layers.part().without("svm_loss").scored({"affine_backward": 2, "relu_backward": 1})
    return [basic, batchnorm.part(), layernorm.part(), dropout.part(), conv.part(), spatial_norm.part(),
            optim.part(), fc_net.part(), cnn.part()]


def suite() -> Suite:
    return Suite("assignment2", reference="assignment2", parts=numpy_parts() + [pytorch.part()],
                 about="layers, normalization, dropout, convolution, optimizers, FC net, CNN, PyTorch notebook")


def numpy_suite() -> Suite:
    """The NumPy parts alone: what the assignment-2 mutants and the 20-seed test grade,
    since the notebook part (a minute of training) cannot see the cs231n package."""
    return Suite("assignment2-numpy", reference="assignment2", parts=numpy_parts(),
                 about="assignment 2 without the PyTorch notebook")


def pytorch_suite() -> Suite:
    return Suite("assignment2-pytorch", reference="assignment2", parts=[pytorch.part()],
                 about="assignment 2's PyTorch notebook alone")
