"""Mistakes in the parts of the later course editions: assignment 1's fully connected net,
update rules and saved models (2025-2026), and RNN captioning (assignment 2, 2025 on)."""
from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np

from . import Mutant, mutant

A1, A2 = "assignment1", "assignment2"
A1_2025, RNN_ONLY = "assignment1-2025-2026", "assignment2-rnn"
FC, OPTIM = "cs231n/classifiers/fc_net.py", "cs231n/optim.py"
RNN, MODEL = "cs231n/rnn_layers_pytorch.py", "cs231n/classifiers/rnn_pytorch.py"


def saved(name: str, value):
    """A mutant's ``make``: writes ``value`` where the notebook saves ``name``."""
    def make(path: Path) -> None:
        buffer = io.BytesIO()
        np.save(buffer, value, allow_pickle=True)
        path.write_bytes(buffer.getvalue())
    return make


class Payload:
    """Unpickling it would run a shell command (it never is: the grader refuses it)."""

    def __reduce__(self):
        return (os.system, ("touch /tmp/saved-model-payload-ran",))


FC_NET = {"fc_net: scores with injected parameters, 2 and 4 hidden layers",
          "fc_net: loss and gradients, 2 and 4 hidden layers", "fc_net: loss and gradients with regularization"}

MUTANTS: list[Mutant] = [
    mutant("FullyConnectedNet: ReLU after the output layer too", A1, FC,
           [('        scores, out_cache = affine_forward(hidden, p["W%d" % L], p["b%d" % L])\n',
             '        scores, out_cache = affine_forward(hidden, p["W%d" % L], p["b%d" % L])\n'
             '        scores = np.maximum(scores, 0)\n')],
           FC_NET, "the net still trains: only the comparisons with injected parameters see it", edition=A1_2025),
    mutant("FullyConnectedNet: weights drawn with std 1", A1, FC,
           [('            self.params["W%d" % layer] = weight_scale * np.random.randn(fan_in, fan_out)',
             '            self.params["W%d" % layer] = np.random.randn(fan_in, fan_out)')],
           {"fc_net: parameter names, shapes and initial values", "fc_net: overfits 50 training images with the Solver",
            "fc_net: accuracy on held-out images"}, hint="std weight_scale", edition=A1_2025),
    mutant("sgd_momentum: the velocity adds the gradient", A1, OPTIM,
           [('    v = config["momentum"] * v - config["learning_rate"] * dw', '    v = config["momentum"] * v + config["learning_rate"] * dw')],
           {"optim: sgd_momentum, first step", "optim: sgd_momentum, several steps from a given velocity",
            "fc_net: accuracy on held-out images"}, edition=A1_2025),
    mutant("rmsprop: no square root of the cache", A1, OPTIM,
           [('        np.sqrt(config["cache"]) + config["epsilon"]', '        config["cache"] + config["epsilon"]')],
           {"optim: rmsprop, first step", "optim: rmsprop, several steps from a given cache"}, edition=A1_2025),
    mutant("best_softmax.npy: the bare W saved, not the dict", A1, "cs231n/saved/best_softmax.npy", (),
           {"saved_models: best_softmax.npy: the saved weights"}, hint="not the dict",
           edition=A1_2025, make=saved("best_softmax.npy", np.zeros((3073, 10)))),
    mutant("best_two_layer_net.npy: W2 transposed", A1, "cs231n/saved/best_two_layer_net.npy", (),
           {"saved_models: best_two_layer_net.npy: the saved weights"}, hint="W2 has shape (10, 100)",
           edition=A1_2025, make=saved("best_two_layer_net.npy", {"W1": np.zeros((3072, 100)), "b1": np.zeros(100),
                                                                  "W2": np.zeros((10, 100)), "b2": np.zeros(10)})),
    mutant("softmax.npy: a pickled object that would run a command", A1, "cs231n/saved/softmax.npy", (),
           {"saved_models: softmax.npy: the saved weights"}, hint="nothing in the file was run",
           edition=A1_2025, make=saved("softmax.npy", {"W": Payload()})),
    mutant("rnn_step_forward: sigmoid instead of tanh", A2, RNN,
           [("    next_h = torch.tanh(x @ Wx + prev_h @ Wh + b)", "    next_h = torch.sigmoid(x @ Wx + prev_h @ Wh + b)")],
           {"rnn: rnn_step_forward", "rnn: rnn_forward", "rnn: CaptioningRNN.loss with injected weights"},
           edition=RNN_ONLY),
    mutant("rnn_forward: every step starts from h0", A2, RNN,
           [("        prev_h = rnn_step_forward(x[:, t], prev_h, Wx, Wh, b)",
             "        prev_h = rnn_step_forward(x[:, t], h0, Wx, Wh, b)")],
           {"rnn: rnn_forward", "rnn: CaptioningRNN.loss with injected weights"}, edition=RNN_ONLY),
    mutant("word_embedding_forward: word indices taken as 1-based", A2, RNN,
           [("    out = W[x]", "    out = W[x - 1]")],
           {"rnn: word_embedding_forward", "rnn: CaptioningRNN.loss with injected weights"}, edition=RNN_ONLY),
    mutant("CaptioningRNN.loss: the <NULL> padding counted", A2, MODEL,
           [("        mask = captions_out != self._null\n", "        mask = torch.ones_like(captions_out, dtype=torch.bool)\n")],
           {"rnn: CaptioningRNN.loss with injected weights"}, edition=RNN_ONLY),
    mutant("CaptioningRNN.loss: the hidden state detached", A2, MODEL,
           [("        h0 = affine_forward(features, W_proj, b_proj)\n",
             "        h0 = affine_forward(features, W_proj, b_proj).detach()\n")],
           {"rnn: CaptioningRNN.loss gradients"}, edition=RNN_ONLY),
    mutant("CaptioningRNN.sample: words by time, not by image", A2, MODEL,
           [("                captions[:, t] = word\n", "                captions[:, t] = word\n            captions = captions.T\n")],
           {"rnn: CaptioningRNN.sample gives word indices of shape (N, max_length)"}, edition=RNN_ONLY),
]
