"""Calibration of the PyTorch notebook's Part V check (``grader/parts/pytorch.py``).

Trains the reference notebook's Part V network and the student-like Part V cells of
``part_v_models.py`` (models built to reach 70% on CIFAR-10, and weak ones) the way the
grader does: the same worker set-up, the same probe, the budget measured from the
reference's step time. Over several seeds it prints, per run, held-out and validation
accuracy, the steps run and why they stopped, the time per step and in all; then one
Markdown table, side by side, next to the threshold:

    PYTHONPATH=. python benchmarks/pytorch_part_v.py [--seeds 3] [--jobs 2] [--only NAME] [--device cpu] [--data DIR]

The numbers in README ("The PyTorch notebook") come from this script. It says the load of
the machine before and after, since wall-clock times mean little on a busy machine (the
per-step times are the worker's CPU time, which other load barely changes).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import replace
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import nbformat
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import part_v_models  # noqa: E402

from grader import data  # noqa: E402
from grader.checks import picked, scored  # noqa: E402
from grader.parts import pytorch  # noqa: E402
from grader.reference import open_reference, reference_root  # noqa: E402
from grader.suites import load_suite  # noqa: E402
from grader.worker.client import Worker  # noqa: E402
from grader.worker.limits import Limits  # noqa: E402


def with_part_v(notebook_path: Path, code: str | None, target: Path) -> None:
    """A copy of the notebook whose Part V cell builds ``code`` instead (None: as it is)."""
    book = nbformat.read(str(notebook_path), as_version=4)
    if code is not None:
        cell = next(c for c in book.cells if c.cell_type == "code" and "epochs=10" in c.source)
        cell.source = code + "train_part34(model, optimizer, epochs=10)\n"
    nbformat.write(book, str(target))


def measured_budget(dataset, limits: Limits) -> pytorch.Budget:
    """The budget the grader sets: the reference's model timed in its worker."""
    with open_reference(load_suite("assignment2-pytorch"), limits) as reference:
        ctx = SimpleNamespace(dataset=dataset, reference=lambda probe: reference.run(probe, 0))
        return pytorch.part_v_budget(ctx)


def runs(code: str | None, dataset, budget, limits: Limits, seeds: int) -> list:
    """The worker's replies to Part V's training request, one per seed, for the reference
    notebook with ``code`` as its Part V cell (None: the reference's own)."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        with_part_v(reference_root() / "assignment2" / "PyTorch.ipynb", code, root / "PyTorch.ipynb")
        pytorch.prepare_workspace(root)
        probe = pytorch.part_v_training(dataset, np.random.default_rng(0), budget)
        with Worker(root, limits) as worker:
            return [worker.ask(probe, seed=seed) for seed in range(seeds)]


def train(name: str, code: str | None, dataset, budget, limits: Limits, seeds: int) -> list[dict]:
    rows = []
    for seed, reply in enumerate(runs(code, dataset, budget, limits, seeds)):
        if not reply.ok:
            print(f"{name}, seed {seed}: {reply.status.value}: {reply.message}", flush=True)
            continue
        value = reply.value
        test, _ = scored(picked(value, ("scores", "test")), dataset.y_test)
        val, _ = scored(picked(value, ("scores", "val")), dataset.y_val)
        rows.append({"test": test, "val": val, **{k: value[k] for k in (
            "steps", "epochs", "stopped", "seconds", "wall_seconds", "step_seconds", "params", "device")}})
        print(f"{name}, seed {seed}: held out {test:.1%}, validation {val:.1%}, {value['steps']} steps "
              f"({value['stopped']}) in {value['seconds']:.1f} s CPU/GPU time ({value['wall_seconds']:.1f} s "
              f"wall), {value['step_seconds'] * 1e3:.1f} ms per step on {value['device']}, "
              f"{value['params']:,} parameters", flush=True)
    return rows


def span(values, form: str) -> str:
    low, high = min(values), max(values)
    return format(low, form) if format(low, form) == format(high, form) else f"{low:{form}}-{high:{form}}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=1, help="models trained at once (one worker each)")
    parser.add_argument("--only", action="append", help="a model's name (repeatable); default: all")
    parser.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"))
    parser.add_argument("--data", help="a cifar-10-batches-py folder instead of the embedded digits")
    parser.add_argument("--old-rule", action="store_true",
                        help="the rule before: ten passes over the training set, no early end (to compare)")
    args = parser.parse_args()
    dataset = data.load(args.data) if args.data else data.digits()
    limits = Limits(device=args.device)
    models = {"reference (5 conv-BN-ReLU, Adam 1e-3)": None, **part_v_models.PASSING, **part_v_models.SLOW,
              **part_v_models.WEAK}
    chosen = {k: v for k, v in models.items() if not args.only or any(o in k for o in args.only)}
    started, load = time.perf_counter(), os.getloadavg()
    print(f"{dataset.describe()}; {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    budget = measured_budget(dataset, limits)
    if args.old_rule:
        steps = pytorch.EPOCHS * -(-len(dataset.y_train) // pytorch.BATCH)
        pytorch.RUNS[dataset.name] = pytorch.Run(steps=steps)
        budget = replace(budget, steps=steps)
    threshold = pytorch.THRESHOLDS[dataset.name]
    run = pytorch.RUNS[dataset.name]
    print(f"threshold {threshold:.0%} (all points at {threshold + pytorch.TIERS[-1][0]:.0%}); run: {budget.steps} "
          f"steps, ending once {run.min_steps} are done and a pass fits {run.fit}; {budget.describe()}", flush=True)
    table = []
    with ThreadPoolExecutor(args.jobs) as pool:  # each model in a worker process of its own
        results = list(pool.map(lambda item: train(*item, dataset, budget, limits, args.seeds), chosen.items()))
    for name, rows in zip(chosen, results):
        if not rows:
            table.append(f"| {name} | | | | | | all runs failed |")
            continue
        lowest = min(r["test"] for r in rows)
        verdict = "passes" if lowest >= threshold else ("below" if max(r["test"] for r in rows) < threshold
                                                        else "passes on some seeds")
        table.append(f"| {name} | {rows[0]['params']:,} | {span([r['step_seconds'] * 1e3 for r in rows], '.0f')} | "
                     f"{span([r['steps'] for r in rows], 'd')} | {span([r['seconds'] for r in rows], '.0f')} | "
                     f"{', '.join(format(r['test'], '.1%') for r in rows)} | {span([r['val'] for r in rows], '.1%')} | "
                     f"{verdict} ({threshold:.0%}) |")
    load = os.getloadavg()
    print(f"\ndone in {time.perf_counter() - started:.0f} s wall; load average {load[0]:.2f} {load[1]:.2f} "
          f"{load[2]:.2f}; device {limits.device}\n")
    print("| model | parameters | ms per step | steps run | seconds | held out, by seed | validation | "
          "against the threshold |")
    print("|---|---|---|---|---|---|---|---|")
    print("\n".join(table))


if __name__ == "__main__":
    main()
