"""RNN image captioning in PyTorch (assignment 2, 2025 on): the layers of
``rnn_layers_pytorch.py`` and ``CaptioningRNN`` of ``classifiers/rnn_pytorch.py``.

The layers are compared with the reference's on several shapes, and their gradients
(by autograd, through the student's own forward pass) too; the LSTM functions are
optional in the course and earn no points. ``CaptioningRNN.loss`` is compared with
injected weights (value and gradients), ``sample`` is checked for its shape, and the
model must overfit a tiny caption set the grader makes (no COCO download): the
reference's loss after 200 Adam steps is 0.030-0.038 (RNN) over 3 seeds
(``benchmarks/captioning_overfit.py``); the check asks for 0.3.
"""
from __future__ import annotations

import numpy as np

from ..checks import Matches, Property
from ..probe import step, torch_call, torch_fit, torch_object
from ..suite import Part

LAYERS = "cs231n.rnn_layers_pytorch"
MODEL = "cs231n.classifiers.rnn_pytorch:CaptioningRNN"
OVERFIT_STEPS, OVERFIT_LOSS = 200, 0.3
WORDS = ["<NULL>", "<START>", "<END>"] + [f"w{i}" for i in range(10)]
NULL, START, END = 0, 1, 2


def layer(name: str) -> str:
    return f"{LAYERS}:{name}"


def weights(rng, D, H, gates=1):
    return {"Wx": 0.3 * rng.normal(size=(D, gates * H)), "Wh": 0.3 * rng.normal(size=(H, gates * H)),
            "b": 0.1 * rng.normal(size=gates * H)}


def step_cases(name: str, gates: int = 1):
    def cases(rng):
        probes = []
        for N, D, H in ((3, 10, 4), (1, 5, 6)):
            args = dict(x=rng.normal(size=(N, D)), prev_h=rng.normal(size=(N, H)))
            if gates == 4:
                args["prev_c"] = rng.normal(size=(N, H))
            probes.append(torch_call(layer(name), **args, **weights(rng, D, H, gates)))
        return probes
    return cases


def sequence_cases(name: str, gates: int = 1, gradients: bool = False):
    def cases(rng):
        probes = []
        for N, T, D, H in ((2, 5, 4, 3), (1, 1, 6, 5), (3, 4, 2, 6))[: 1 if gradients else None]:
            dout = rng.normal(size=(N, T, H)) if gradients else None
            probes.append(torch_call(layer(name), x=rng.normal(size=(N, T, D)), h0=rng.normal(size=(N, H)),
                                     **weights(rng, D, H, gates), dout=dout))
        return probes
    return cases


def embedding_cases(rng):
    return [torch_call(layer("word_embedding_forward"), x=rng.integers(0, V, size=(N, T)), W=rng.normal(size=(V, D)))
            for N, T, V, D in ((2, 4, 7, 3), (1, 1, 5, 6), (4, 3, 10, 2))]


# -- the captioning model ----------------------------------------------------------------------

SIZES = dict(input_dim=20, wordvec_dim=6, hidden_dim=8)


def model_init(cell_type: str = "rnn", **sizes) -> dict:
    return {"word_to_idx": {word: i for i, word in enumerate(WORDS)}, "cell_type": cell_type, **(sizes or SIZES)}


def model_params(rng, input_dim, wordvec_dim, hidden_dim, gates=1) -> dict:
    V, H, W = len(WORDS), hidden_dim, wordvec_dim
    shapes = {"W_embed": (V, W), "W_proj": (input_dim, H), "b_proj": (H,), "Wx": (W, gates * H),
              "Wh": (H, gates * H), "b": (gates * H,), "W_vocab": (H, V), "b_vocab": (V,)}
    return {name: (0.4 * rng.normal(size=shape)).astype(np.float32) for name, shape in shapes.items()}


def captions(rng, N, T):
    """Captions as the course pads them: <START>, words, <END>, then <NULL>s."""
    out = np.full((N, T), NULL, dtype=np.int64)
    for row in out:
        length = int(rng.integers(1, T - 1))
        row[0], row[1:length + 1], row[length + 1] = START, rng.integers(3, len(WORDS), length), END
    return out


def loss_cases(grads: bool):
    def cases(rng):
        probes = []
        for N, T in ((4, 6), (1, 3)):
            features = rng.normal(size=(N, SIZES["input_dim"])).astype(np.float32)
            probes.append(torch_object(MODEL, step("loss", features=features, captions=captions(rng, N, T)),
                                       init=model_init(), attrs={"params": model_params(rng, **SIZES)}, grads=grads))
        return probes
    return cases


def sample_cases(rng):
    features = rng.normal(size=(3, SIZES["input_dim"])).astype(np.float32)
    return [torch_object(MODEL, step("sample", features=features, kwargs={"max_length": 7}), init=model_init(),
                         attrs={"params": model_params(rng, **SIZES)})]


def sampled_words(value, probe):
    out, (N, max_length) = value.get("out"), (len(probe.arg("features")), probe.arg("max_length"))
    if not isinstance(out, np.ndarray) or out.shape != (N, max_length):
        shown = out.shape if isinstance(out, np.ndarray) else type(out).__name__
        return f"sample should give word indices of shape ({N}, {max_length}); got {shown}"
    if out.dtype.kind not in "iu" or out.min() < 0 or out.max() >= len(WORDS):
        return f"sample should give integer word indices from 0 to {len(WORDS) - 1}; got {out.dtype} values"
    return None


def overfit_cases(rng):
    features, words = rng.normal(size=(20, 32)).astype(np.float32), captions(rng, 20, 8)
    return [torch_fit(MODEL, init=model_init(input_dim=32, wordvec_dim=16, hidden_dim=32), optimize="params",
                      loss=step("loss", features=features, captions=words), steps=OVERFIT_STEPS, learning_rate=1e-2,
                      then=step("sample", features=features, kwargs={"max_length": 8}), timeout=120)]


def overfits(value, probe):
    losses = value.get("losses") if isinstance(value, dict) else None
    if not isinstance(losses, list) or not losses or not all(isinstance(v, float) for v in losses):
        return "training gave no losses"
    if not np.isfinite(losses[-1]) or len(losses) < OVERFIT_STEPS:
        return f"the loss stopped being a finite number after {len(losses)} steps"
    if losses[-1] > OVERFIT_LOSS:
        return (f"after {len(losses)} Adam steps on 20 captions the loss is {losses[-1]:.3f} (from {losses[0]:.3f}); "
                f"a correct model gets below {OVERFIT_LOSS}")
    return None


def losses_seen(value, probe) -> str:
    losses = value.get("losses") if isinstance(value, dict) else None
    if isinstance(losses, list) and losses and all(isinstance(v, float) for v in losses):
        return f"loss {losses[0]:.3f} at the start, {losses[-1]:.3f} after {len(losses)} steps"
    return ""


def part() -> Part:
    optional = " (optional, no points)"
    return Part("rnn", (
        Matches("rnn_step_forward", 2, cases=step_cases("rnn_step_forward"), tol=1e-8),
        Matches("rnn_forward", 3, cases=sequence_cases("rnn_forward"), tol=1e-8),
        Matches("rnn_forward gradients (autograd through your forward pass)", 1,
                cases=sequence_cases("rnn_forward", gradients=True), pick="grads", tol=1e-8, requires=("rnn_forward",)),
        Matches("word_embedding_forward", 2, cases=embedding_cases, tol=0),
        Matches("lstm_step_forward" + optional, 0, cases=step_cases("lstm_step_forward", gates=4), tol=1e-8),
        Matches("lstm_forward" + optional, 0, cases=sequence_cases("lstm_forward", gates=4), tol=1e-8),
        Matches("CaptioningRNN.loss with injected weights", 3, cases=loss_cases(grads=False), tol=1e-5),
        Matches("CaptioningRNN.loss gradients", 2, cases=loss_cases(grads=True), pick="grads", tol=1e-4,
                requires=("CaptioningRNN.loss with injected weights",)),
        Property("CaptioningRNN.sample gives word indices of shape (N, max_length)", 1, cases=sample_cases,
                 test=sampled_words, pick="out"),
        Property("CaptioningRNN overfits a tiny caption set", 2, cases=overfit_cases, test=overfits,
                 describe=losses_seen, requires=("CaptioningRNN.loss with injected weights",)),
    ))
