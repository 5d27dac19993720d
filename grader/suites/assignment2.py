"""Assignment 2, edition by edition: the NumPy parts, the PyTorch notebook and, from
2025 on, RNN captioning; which parts each year asks for, how its folders are told
apart, and how our reference and starter become that year's folder. The 2021-2024
halves can be graded on their own (``numpy_suite``, ``pytorch_suite``)."""
from __future__ import annotations

from pathlib import Path

from ..editions import Edition, Layout, defines, has_file, lacks_file, takes
from ..parts import (batchnorm, cnn, conv, dropout, fc_net, layernorm, layers, optim, pytorch, rnn, spatial_norm,
                     two_layer_net)
from ..suite import Part, Suite, among

A2 = "assignment2"
FC, RNN, IM2COL = "cs231n/classifiers/fc_net.py", "cs231n/rnn_layers_pytorch.py", "cs231n/im2col.py"
RNN_FILES = (RNN, "cs231n/classifiers/rnn_pytorch.py", "cs231n/captioning_solver_pytorch.py", "cs231n/coco_utils.py")
# Run only in official grading (on the secret seed), as in assignment 1: a second case of a
# function whose first case is public, none of them a check that others build on.
HIDDEN = ("two_layer_net: loss and gradients, with reg", "fc_net: loss and gradients with layernorm",
          "cnn: loss and gradients with regularization", "optim: adam, several steps from a given m, v and t")


def suite(name: str, parts: list[Part], **options) -> Suite:
    return Suite(name, reference=A2, parts=parts, hidden=among(HIDDEN, parts), **options)


def numpy_parts(with_optim: bool = True) -> list[Part]:
    basic = layers.part().without("svm_loss").scored({"affine_backward": 2, "relu_backward": 1})
    return [basic, batchnorm.part(), layernorm.part(), dropout.part(), conv.part(), spatial_norm.part(),
            *([optim.part()] if with_optim else []), fc_net.part(), cnn.part()]


def suite_2020() -> Suite:
    """The modular TwoLayerNet is in fc_net.py, and the dropout keyword is ``dropout``."""
    parts = numpy_parts()
    return suite("assignment2-2020", [parts[0], two_layer_net.part(), *parts[1:], pytorch.part()],
                 student_args={"dropout_keep_ratio": "dropout"},
                 about="two-layer net, layers, normalization, dropout, convolution, optimizers, FC net, CNN, "
                       "PyTorch notebook")


def suite_2021() -> Suite:
    return suite("assignment2-2021-2024", numpy_parts() + [pytorch.part()],
                 about="layers, normalization, dropout, convolution, optimizers, FC net, CNN, PyTorch notebook")


def suite_2025() -> Suite:
    """optim.py ships filled in (provided, not graded); RNN captioning is new."""
    return suite("assignment2-2025", numpy_parts(with_optim=False) + [pytorch.part(), rnn.part()],
                 about="layers, normalization, dropout, convolution, FC net, CNN, PyTorch notebook, RNN captioning")


def suite_2026() -> Suite:
    return suite("assignment2-2026", numpy_parts() + [pytorch.part(), rnn.part()],
                 about="layers, normalization, dropout, convolution, optimizers, FC net, CNN, PyTorch notebook, "
                       "RNN captioning")


def numpy_suite() -> Suite:
    """The 2021-2024 NumPy parts alone: what the assignment-2 mutants and the 20-seed
    test grade, since the notebook part (a minute of training) cannot see the package."""
    return suite("assignment2-numpy", numpy_parts(), about="assignment 2 (2021-2024) "
                 "without the PyTorch notebook")


def pytorch_suite() -> Suite:
    return suite("assignment2-pytorch", [pytorch.part()], about="the PyTorch notebook alone")


def rnn_suite() -> Suite:
    """RNN captioning alone (2025 on): what the captioning mutants are graded with."""
    return suite("assignment2-rnn", [rnn.part()], about="RNN captioning alone (2025 on)")


def shipped_2025(folder: Path, role: str) -> None:
    """What the 2025 starter ships and students commit: im2col.py with its naive helpers,
    a Cython extension built for one Python, and its build/ folder."""
    with open(folder / IM2COL, "a") as handle:
        handle.write('''

def get_num_fields(x_shape, field_height, field_width, padding, stride):
    """The number of field positions along the height and the width."""
    _, _, H, W = x_shape
    return (H + 2 * padding - field_height) // stride + 1, (W + 2 * padding - field_width) // stride + 1


def im2col_naive(x, field_height=3, field_width=3, padding=1, stride=1):
    """im2col_indices, by another name (kept for the notebook's comparisons)."""
    return im2col_indices(x, field_height, field_width, padding, stride)
''')
    (folder / "cs231n" / "im2col_cython.cpython-39-x86_64-linux-gnu.so").write_bytes(b"\x7fELF" + bytes(60))
    (folder / "build" / "temp.linux-x86_64-3.9").mkdir(parents=True)
    (folder / "build" / "temp.linux-x86_64-3.9" / "im2col_cython.o").write_bytes(bytes(16))


EDITIONS = [
    Edition(A2, "2020", (2020,), suite_2020, clues=(takes(FC, "FullyConnectedNet", "dropout"),),
            layout=Layout(remove=RNN_FILES, replace={FC: (("dropout_keep_ratio", "dropout"),)})),
    Edition(A2, "2021-2024", (2021, 2022, 2023, 2024), suite_2021,
            clues=(takes(FC, "FullyConnectedNet", "dropout_keep_ratio"), lacks_file(RNN)),
            layout=Layout(remove=RNN_FILES, drop={FC: ("TwoLayerNet",)})),
    Edition(A2, "2025", (2025,), suite_2025, clues=(has_file(RNN), defines(IM2COL, "im2col_naive")),
            layout=Layout(drop={FC: ("TwoLayerNet",)}, provided=("cs231n/optim.py",), extra=shipped_2025)),
    Edition(A2, "2026", (2026,), suite_2026, clues=(has_file(RNN), defines(IM2COL, "im2col_naive", present=False)),
            layout=Layout(drop={FC: ("TwoLayerNet",)}, nest="assignment2")),
]
DEFAULT = "2021-2024"  # the layout the mission's starter code follows
