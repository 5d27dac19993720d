"""Probes for PyTorch code (the notebook's Part V), run inside a worker.

Torch is imported only when one of these runs, so workers that never use PyTorch do
not pay for it. What comes back is plain data, as with every probe; the grader
scores the predictions against labels that never enter the worker.
"""
from __future__ import annotations

import importlib
import os
import sys
import time

import numpy as np

# The per-channel mean and standard deviation the notebook's transform uses on CIFAR-10.
CIFAR_MEAN = (0.4914, 0.4822, 0.4465)
CIFAR_STD = (0.2023, 0.1994, 0.2010)


def stopwatch(device):
    """Start timing work on ``device``. Returns ``(method, elapsed)``; ``elapsed()``
    gives the seconds since the start, waiting for queued GPU work to finish."""
    if device.type == "cuda":
        import torch

        begin = torch.cuda.Event(enable_timing=True)
        begin.record()

        def elapsed() -> float:
            end = torch.cuda.Event(enable_timing=True)
            end.record()
            end.synchronize()
            return begin.elapsed_time(end) / 1000.0

        return "cuda-events", elapsed
    started = time.perf_counter()
    return "monotonic", lambda: time.perf_counter() - started


def as_images(X) -> "torch.Tensor":
    """Images as float32 (N, C, H, W): uint8 (N, H, W, 3) arrays are scaled to [0, 1] and
    standardised per channel the way the notebook's transform does; float arrays are
    taken to be (N, C, H, W) already."""
    import torch

    X = np.asarray(X)
    if X.dtype == np.uint8 and X.ndim == 4 and X.shape[-1] == 3:
        mean, std = np.array(CIFAR_MEAN), np.array(CIFAR_STD)
        X = (X.astype(np.float32) / 255.0 - mean) / std
        X = X.transpose(0, 3, 1, 2)
    return torch.as_tensor(np.ascontiguousarray(X), dtype=torch.float32)


def torch_train(module: str, data: dict, epochs: int, time_budget: float, score_inputs: dict,
                model: str = "model", optimizer: str = "optimizer", batch_size: int = 64):
    """Train the ``model`` and ``optimizer`` that ``module`` defines, then score unlabeled inputs.

    The module is imported afresh after seeding, so the model starts from the same
    weights for the same request seed. Training follows the notebook's
    ``train_part34``: shuffled minibatches, cross-entropy, ``optimizer.step()``; it
    stops after ``epochs`` passes or once ``time_budget`` wall-clock seconds have gone.
    ``data`` holds ``X_train`` (see ``as_images``) and ``y_train``.
    """
    import torch
    import torch.nn.functional as F

    from .probes import Missing  # here, not at the top: probes imports this module

    seed = int(np.random.randint(2**31))  # the server seeded NumPy with the request's seed
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    torch.manual_seed(seed)
    torch.backends.cudnn.benchmark = False
    torch.use_deterministic_algorithms(True, warn_only=True)
    sys.modules.pop(module, None)
    code = importlib.import_module(module)
    net, opt = _defined(code, model, Missing), _defined(code, optimizer, Missing)
    if net is None or opt is None:
        raise NotImplementedError(f"{model if net is None else optimizer} is None: set it in the Part V cell")
    if not isinstance(net, torch.nn.Module):
        raise TypeError(f"{model} should be a torch.nn.Module; it is a {type(net).__name__}")
    if not isinstance(opt, torch.optim.Optimizer):
        raise TypeError(f"{optimizer} should be a torch.optim optimizer; it is a {type(opt).__name__}")

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    net.to(device)  # moves the parameters in place, so the optimizer still holds them
    X, y = as_images(data["X_train"]), torch.as_tensor(np.asarray(data["y_train"]), dtype=torch.long)
    held = {id(p) for group in opt.param_groups for p in group["params"]}
    parameters = list(net.parameters())

    net.eval()
    with torch.no_grad():
        first = net(X[:batch_size].to(device))
    forward_shape = list(first.shape) if isinstance(first, torch.Tensor) else type(first).__name__

    order = torch.Generator().manual_seed(seed)
    method, elapsed = stopwatch(device)
    started, steps, epochs_run, losses, stopped = time.perf_counter(), 0, 0, [], ""
    while epochs_run < epochs and not stopped:
        net.train()
        total, count = torch.zeros((), device=device), 0  # summed on the device: no wait per step
        batches = torch.randperm(len(X), generator=order).split(batch_size)
        for batch in batches:
            loss = F.cross_entropy(net(X[batch].to(device)), y[batch].to(device))
            opt.zero_grad()
            loss.backward()
            opt.step()
            steps, count, total = steps + 1, count + 1, total + loss.detach()
            if time.perf_counter() - started >= time_budget:
                stopped = "time budget"
                break
        epochs_run += int(count == len(batches))
        losses.append(float(total) / max(count, 1))
        if not np.isfinite(losses[-1]):
            stopped = "non-finite loss"
    seconds = elapsed()

    net.eval()
    scores = {}
    with torch.no_grad():
        for name, inputs in score_inputs.items():
            images = as_images(inputs)
            parts = [net(images[i : i + 256].to(device)).float().cpu().numpy() for i in range(0, len(images), 256)]
            scores[name] = np.concatenate(parts) if parts else np.zeros((0, 0), np.float32)
    return {
        "scores": scores,
        "epochs": epochs_run,
        "steps": steps,
        "stopped": stopped or "epochs",
        "losses": losses,
        "seconds": seconds,
        "timing": method,
        "device": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu",
        "params": sum(p.numel() for p in parameters),
        "optimized_params": sum(p.numel() for p in parameters if id(p) in held),
        "forward_shape": forward_shape,
        "cell_errors": {str(k): v for k, v in getattr(code, "__cell_errors__", {}).items()},
    }


def _defined(code, name: str, missing):
    """``code.<name>``; when the notebook sets it last in a statement the grader skips, or
    in a cell that failed, say so instead of using a value from an earlier cell."""
    skipped = getattr(code, "__skipped_binds__", {}).get(name)
    if skipped:
        raise missing(f"{name} is set last in {skipped}, which the grader does not run; "
                      f"set {name} with a plain assignment in the Part V cell")
    cell = getattr(code, "__cell_binds__", {}).get(name)
    error = getattr(code, "__cell_errors__", {}).get(cell)
    if error:
        raise RuntimeError(f"the cell that sets {name} (cell {cell}: {error['line']}) failed at its line "
                           f"{error['where']}: {error['error']}")
    if not hasattr(code, name):
        raise missing(f"{code.__name__} defines no {name!r}")
    return getattr(code, name)


PROBES = {"torch_train": torch_train}
