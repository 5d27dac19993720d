"""Part V measured on a GPU (run by ``gpu_part_v.sh``; also runs on a CPU with ``--device cpu``).

1. The device: its name, and its measured fp32 and TF32 matrix-product throughput.
2. The reference notebook graded as a student's (the PyTorch suite, through the real
   sandbox and worker), with its report.
3. Three Part V models of real sizes (``part_v_models.SIZES``) and the reference's, on the
   embedded digits and on CIFAR-10-format data (random images in the real file format,
   49,000 training images: the course's step count; their accuracy means nothing), each
   trained the way the grader trains it, with the budget the grader sets. For each: steps,
   epochs, time per epoch, accuracy, the budget, why it stopped, its memory, its FLOPs per
   training step, and the ratio of its time per step to the device's limit (the FLOPs per
   step divided by the measured matrix-product throughput).

    PYTHONPATH=. python benchmarks/gpu_part_v.py [--device cuda] [--quick]
"""
from __future__ import annotations

import argparse
import os
import pickle
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import part_v_models  # noqa: E402
from pytorch_part_v import measured_budget, runs  # noqa: E402

from grader import api, data  # noqa: E402
from grader.checks import picked, scored  # noqa: E402
from grader.reference import reference_root  # noqa: E402
from grader.reports.terminal import render  # noqa: E402
from grader.worker import sandbox  # noqa: E402
from grader.worker.limits import Limits  # noqa: E402

REFERENCE = "reference (5 conv-BN-ReLU, Adam 1e-3)"


def matmul_throughput(device: str, tf32: bool, size: int = 8192, repeats: int = 10) -> float:
    """FLOP/s of a (size x size) @ (size x size) float32 product, mean of ``repeats`` after three warm-ups."""
    import torch

    torch.backends.cuda.matmul.allow_tf32 = tf32
    if device == "cpu":  # one thread, as in the workers
        torch.set_num_threads(1)
        size, repeats = 2048, 3
    a, b = (torch.randn(size, size, device=device) for _ in range(2))
    for _ in range(3):
        a @ b
    if device == "cuda":
        torch.cuda.synchronize()
    started = time.perf_counter()
    for _ in range(repeats):
        a @ b
    if device == "cuda":
        torch.cuda.synchronize()
    torch.backends.cuda.matmul.allow_tf32 = False  # PyTorch's default: what students' models get
    return 2 * size**3 * repeats / (time.perf_counter() - started)


def flops_per_step(code: str | None) -> float:
    """FLOPs of one training step (forward and backward, a batch of 64) of a Part V cell, counted by PyTorch."""
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    import torch.optim as optim
    from torch.utils.flop_counter import FlopCounterMode

    if code is None:
        book = (reference_root() / "assignment2" / "PyTorch.ipynb").read_text()
        import json

        cell = next("".join(c["source"]) for c in json.loads(book)["cells"]
                    if c["cell_type"] == "code" and "epochs=10" in "".join(c["source"]))
        code = cell.replace("train_part34(model, optimizer, epochs=10)", "")
    names = {"torch": torch, "nn": nn, "F": F, "optim": optim, "np": np}
    exec(code, names)
    net = names["model"]
    x, y = torch.randn(64, 3, 32, 32), torch.randint(0, 10, (64,))
    with FlopCounterMode(display=False) as counter:
        F.cross_entropy(net(x), y).backward()
    return float(counter.get_total_flops())


def cifar_format(folder: Path, train: int = 50_000, test: int = 10_000) -> Path:
    """Random images in CIFAR-10's file format (five training batches and a test batch)."""
    target = folder / "cifar-10-batches-py"
    target.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    for name in names:
        count = test if name == "test_batch" else train // 5
        batch = {b"data": rng.integers(0, 256, (count, 3072), dtype=np.uint8),
                 b"labels": rng.integers(0, 10, count).tolist()}
        with open(target / name, "wb") as handle:
            pickle.dump(batch, handle)
    return target


def train_once(code: str | None, dataset, budget, limits: Limits) -> dict | str:
    """One training run the grader's way: the reply, with its held-out accuracy, or why it failed."""
    reply = runs(code, dataset, budget, limits, seeds=1)[0]
    if not reply.ok:
        return f"{reply.status.value}: {reply.message[:300]}"
    value = reply.value
    value["test_accuracy"], _ = scored(picked(value, ("scores", "test")), dataset.y_test)
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda", choices=("cuda", "cpu"))
    parser.add_argument("--quick", action="store_true",
                        help="a check of this script on a CPU: 1,800 CIFAR-10-format images, the small model only")
    args = parser.parse_args()
    import torch

    try:
        sandbox.isolation("auto")
        mode = "auto"
    except sandbox.SandboxUnavailable as exc:
        print(f"no sandbox for submitted code here ({exc}); the trusted code of this check runs with --sandbox none")
        mode = "none"
    limits = Limits(device=args.device, sandbox=mode)
    print(f"torch {torch.__version__}, CUDA {torch.version.cuda}, cuDNN {torch.backends.cudnn.version()}; "
          f"device {args.device}: {torch.cuda.get_device_name() if args.device == 'cuda' else 'cpu'}; "
          f"{os.cpu_count()} cores; isolation: {sandbox.isolation(mode).kind}")
    fp32, tf32 = matmul_throughput(args.device, False), matmul_throughput(args.device, True)
    print(f"matrix products: {fp32 / 1e12:.3f} TFLOP/s in float32, {tf32 / 1e12:.3f} TFLOP/s with TF32 "
          f"(convolutions may use TF32: cuDNN's default)", flush=True)

    started = time.perf_counter()
    if not args.quick:
        report = api.grade("assignment2-pytorch", reference_root() / "assignment2", limits=limits)
        render(report, verbose=True)
        print(f"reference notebook graded in {time.perf_counter() - started:.0f} s", flush=True)

    models = {REFERENCE: None, **part_v_models.SIZES}
    if args.quick:
        models = {name: code for name, code in models.items() if name.startswith("small")}
    flops = {name: flops_per_step(code) for name, code in models.items()}
    with tempfile.TemporaryDirectory() as folder:
        cifar = data.load(cifar_format(Path(folder), *((2_000, 500) if args.quick else ())))
        rows = []
        for dataset in (data.digits(), cifar):
            budget = measured_budget(dataset, limits)
            print(f"\n{dataset.describe()}: {budget.describe()}", flush=True)
            for name, code in models.items():
                value = train_once(code, dataset, budget, limits)
                if isinstance(value, str):
                    print(f"{name}: {value}", flush=True)
                    rows.append(f"| {dataset.name} | {name} | {value} |")
                    continue
                per_epoch = value["seconds"] / max(value["steps"], 1) * value["batches_per_epoch"]
                limit = flops[name] / fp32  # seconds per step at the float32 matrix-product rate
                memory = value.get("memory") or {}
                print(f"{name}: {value['steps']} of {value['planned_steps']} steps ({value['epochs']} epochs, "
                      f"stopped: {value['stopped']}) in {value['seconds']:.1f} s ({value['timing']}; "
                      f"{value['wall_seconds']:.1f} s wall), {per_epoch:.2f} s per epoch, "
                      f"{value['step_seconds'] * 1e3:.2f} ms per step; held out {value['test_accuracy']:.1%}; "
                      f"{flops[name] / 1e9:.1f} GFLOP per step, limit {limit * 1e3:.2f} ms per step (float32), "
                      f"{flops[name] / tf32 * 1e3:.2f} ms (TF32): measured / limit = "
                      f"{value['step_seconds'] / limit:.1f}; memory {memory}", flush=True)
                rows.append(f"| {dataset.name} | {name} | {value['params']:,} | {value['steps']} "
                            f"({value['stopped']}) | {per_epoch:.2f} | {value['seconds']:.1f} | "
                            f"{value['test_accuracy']:.1%} | {budget.seconds:.0f} | {flops[name] / 1e9:.1f} | "
                            f"{value['step_seconds'] * 1e3:.2f} | {limit * 1e3:.2f} | "
                            f"{value['step_seconds'] / limit:.1f} |")
    print("\n| data | model | parameters | steps (why it stopped) | s per epoch | s in all | held out | budget s | "
          "GFLOP per step | ms per step | limit ms (float32) | measured / limit |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    print(f"\nall done in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
