"""How fast the reference CaptioningRNN (PyTorch, assignment 2 of 2025-2026) overfits a
tiny synthetic caption set, over seeds: the numbers behind the thresholds of
``tests/test_rnn_reference.py::test_overfits_a_tiny_caption_set``.

    python benchmarks/captioning_overfit.py [seeds=3] [steps=500]

20 random 32-d feature vectors, each with one random caption of 3 to 6 words from a
vocabulary of 10 (13 tokens with <NULL>, <START>, <END>), 8 tokens long; word vectors 16,
hidden state 32, Adam 1e-2, one full batch per step, one CPU thread. Prints the loss at
a grid of steps, the share of captions sampled back exactly and the seconds taken.
"""
from __future__ import annotations

import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from test_rnn_reference import overfit  # noqa: E402

GRID = (0, 25, 50, 100, 150, 200, 300, 400, 500)


def main(seeds: int, steps: int) -> None:
    torch.set_num_threads(1)
    for cell_type in ("rnn", "lstm"):
        for seed in range(seeds):
            history, exact, seconds = overfit(cell_type, seed, steps=steps)
            curve = "  ".join(f"{step}: {history[min(step, len(history) - 1)]:.3f}"
                              for step in GRID if step < steps)
            print(f"{cell_type} seed {seed}: {curve}  last ({steps}): {history[-1]:.3f}  "
                  f"sampled exactly {exact:.0%}  {seconds:.2f} s", flush=True)


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:3]))
