"""Calibration of the PyTorch notebook's Part V check (``grader/parts/pytorch.py``).

Trains the reference notebook's Part V network, and weak networks put in its place,
the way the grader does (a worker, the same probe, the same budget), over several
seeds, and prints held-out accuracy and training time per run:

    PYTHONPATH=. python benchmarks/pytorch_part_v.py [--seeds 5] [--data DIR]

The numbers quoted in the suite's docstring and the README come from this script.
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import nbformat
import numpy as np

from grader import data
from grader.checks import picked, scored
from grader.parts import pytorch
from grader.reference import reference_root
from grader.worker.client import Worker

WEAK = {
    "linear, Adam 1e-3": "model = nn.Sequential(nn.Flatten(), nn.Linear(3 * 32 * 32, 10))\n"
                         "optimizer = optim.Adam(model.parameters(), lr=1e-3)\n",
    "linear, SGD 1e-2": "model = nn.Sequential(nn.Flatten(), nn.Linear(3 * 32 * 32, 10))\n"
                        "optimizer = optim.SGD(model.parameters(), lr=1e-2)\n",
}


def with_part_v(notebook_path: Path, code: str | None, target: Path) -> None:
    """A copy of the notebook whose Part V cell builds ``code`` instead (None: as it is)."""
    book = nbformat.read(str(notebook_path), as_version=4)
    if code is not None:
        cell = next(c for c in book.cells if c.cell_type == "code" and "epochs=10" in c.source)
        cell.source = code + "train_part34(model, optimizer, epochs=10)\n"
    nbformat.write(book, str(target))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--data", help="a cifar-10-batches-py folder instead of the embedded digits")
    args = parser.parse_args()
    dataset = data.load(args.data) if args.data else data.digits()
    reference = reference_root() / "assignment2" / "PyTorch.ipynb"
    print(dataset.describe())
    print(f"threshold {pytorch.THRESHOLDS[dataset.name]:.0%}, budget {pytorch.TIME_BUDGET[dataset.name]}")
    for name, code in {"reference": None, **WEAK}.items():
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            with_part_v(reference, code, root / "PyTorch.ipynb")
            pytorch.prepare_workspace(root)
            probe = pytorch.part_v_training(dataset, np.random.default_rng(0))
            rows = []
            with Worker(root) as worker:
                for seed in range(args.seeds):
                    reply = worker.ask(probe, seed=seed)
                    if not reply.ok:
                        print(f"{name}, seed {seed}: {reply.status.value}: {reply.message}")
                        continue
                    value = reply.value
                    test, _ = scored(picked(value, ("scores", "test")), dataset.y_test)
                    val, _ = scored(picked(value, ("scores", "val")), dataset.y_val)
                    rows.append((test, val, value["seconds"], value["epochs"]))
                    print(f"{name}, seed {seed}: held out {test:.1%}, validation {val:.1%}, "
                          f"{value['epochs']} epochs in {value['seconds']:.1f} s on {value['device']} "
                          f"({value['timing']}), {value['params']:,} parameters")
            if rows:
                tests, _, seconds, _ = map(np.array, zip(*rows))
                print(f"== {name}: held out {tests.min():.1%}-{tests.max():.1%}, "
                      f"{seconds.min():.1f}-{seconds.max():.1f} s")


if __name__ == "__main__":
    main()
