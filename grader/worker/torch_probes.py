"""Probes for PyTorch code (a converted notebook, see ``grader/notebook.py``), run inside a worker.

* (``torch_call``, ``torch_object`` and ``torch_fit``, for functions and objects, are in
  ``torch_calls``;)
* ``torch_module``: build an ``nn.Module``, optionally copy given weights in, run a batch;
* ``torch_inspect``: a notebook's ``model`` and ``optimizer``: parameter counts, a
  forward pass and timed training steps;
* ``torch_train``: train them for a number of steps within a time budget, then score
  unlabeled inputs.

Torch is imported only when one of these runs, so workers that never use PyTorch do
not pay for it. Tensors go back as arrays: plain data, as with every probe; the grader
scores predictions against labels that never enter the worker. The device is the one
the grader's limits name (``GRADER_DEVICE``: "cpu", "cuda" or "auto"). Time is the
process's CPU time on a CPU (other load on the machine does not count; the worker runs
one thread) and CUDA events on a GPU.
"""
from __future__ import annotations

import contextlib
import importlib
import math
import os
import resource
import sys
import time

import numpy as np


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
    started = time.process_time()
    return "cpu-time", lambda: time.process_time() - started


class Pace:
    """When a training run of ``planned`` steps stops for time; ``clock()`` gives the
    seconds of work so far (any clock: the tests give a fake one).

    The first step is a warm-up (memory, kernels); the ``estimate_after`` steps after it
    give the time per step and the estimate of the whole run. With ``give_up``, a run
    whose estimate is beyond ``give_up_at`` times the budget stops there ("too slow"),
    after a few steps rather than at the end of the budget. Three steps on a busy
    machine can overstate a run by a fifth, and a run may end early (it fits), so one
    estimated between the budget and that is not given up: it goes on, and the budget
    decides. A run stops once the budget is spent ("time budget", checked every
    ``check_every`` steps: on a GPU reading the clock waits for the queued work), or when
    its steps are done ("steps"). ``step()`` says which, or "".
    """

    def __init__(self, planned: int, budget: float, clock, estimate_after: int = 3, give_up: bool = True,
                 check_every: int = 1, give_up_at: float = 1.5):
        self.planned, self.budget, self.clock, self.give_up_at = planned, budget, clock, give_up_at
        self.estimate_after, self.give_up, self.check_every = estimate_after, give_up, check_every
        self.steps, self.warm_up, self.per_step, self.estimate = 0, None, None, None

    def step(self) -> str:
        self.steps += 1
        if self.steps >= self.planned:
            return "steps"
        timing = self.steps == 1 + self.estimate_after
        if not (timing or self.steps == 1 or self.steps % self.check_every == 0):
            return ""
        now = self.clock()
        if self.steps == 1:
            self.warm_up = now
        elif timing:
            self.per_step = (now - self.warm_up) / self.estimate_after
            self.estimate = self.warm_up + self.per_step * (self.planned - 1)
            if self.give_up and self.estimate > self.give_up_at * self.budget:
                return "too slow"
        return "time budget" if now >= self.budget else ""

    def finish(self, seconds: float) -> None:
        """The time per step and the estimate from the whole run, when it ended before its estimate."""
        if self.per_step is None and self.steps > 1 and self.warm_up is not None:
            self.per_step = (seconds - self.warm_up) / (self.steps - 1)
            self.estimate = self.warm_up + self.per_step * (self.planned - 1)
        elif self.per_step is None and self.steps:
            self.per_step = self.estimate = seconds / self.steps * max(self.planned, 1)


def as_images(X, normalize: dict) -> "torch.Tensor":
    """Images as float32 (N, C, H, W): uint8 (N, H, W, C) arrays are scaled to [0, 1] and
    standardised per channel with ``normalize["mean"]`` and ``normalize["std"]`` (what
    the caller's transform does); float arrays are taken to be (N, C, H, W) already."""
    import torch

    X = np.asarray(X)
    if X.dtype == np.uint8 and X.ndim == 4:
        mean, std = (np.array(normalize[key], dtype=np.float32) for key in ("mean", "std"))
        X = (X.astype(np.float32) / 255.0 - mean) / std
        X = X.transpose(0, 3, 1, 2)
    return torch.as_tensor(np.ascontiguousarray(X), dtype=torch.float32)


def to_torch(value):
    """Arrays sent by the grader as tensors (sharing memory, so that a change made in place
    shows in the arrays sent back), inside lists, tuples and dicts too."""
    import torch

    if isinstance(value, np.ndarray):
        return torch.from_numpy(value)
    if isinstance(value, (list, tuple)):
        return type(value)(to_torch(item) for item in value)
    if isinstance(value, dict):
        return {key: to_torch(item) for key, item in value.items()}
    return value


def to_plain(value):
    """Tensors in a returned value as arrays (detached, on the CPU), inside lists, tuples and dicts too."""
    import torch

    if isinstance(value, torch.Tensor):
        value = value.detach().cpu()
        return (value.float() if value.dtype == torch.bfloat16 else value).numpy()
    if isinstance(value, (list, tuple)):
        return type(value)(to_plain(item) for item in value)
    if isinstance(value, dict):
        return {key: to_plain(item) for key, item in value.items()}
    return value


def tensor_facts(value) -> dict | None:
    """What an array alone does not say about a returned tensor."""
    import torch

    if not isinstance(value, torch.Tensor):
        return None
    return {"dtype": str(value.dtype).replace("torch.", ""), "requires_grad": bool(value.requires_grad),
            "is_leaf": bool(value.is_leaf), "device": value.device.type}


def torch_module(cls: str, init: dict, x, weights: list | None = None):
    """Build ``cls(**init)`` and run the batch ``x`` through it in eval mode.

    With ``weights`` (arrays of distinct shapes), each of the module's parameters is
    first set to the array of its shape, whatever the parameter's name, so that a
    module built like the reference computes exactly what the reference computes.
    """
    import torch

    from .probes import Wrong

    net = _resolve(cls)(**init)
    if not isinstance(net, torch.nn.Module):
        raise Wrong(f"{cls.rpartition(':')[2]}(...) should be a torch.nn.Module; it is a {type(net).__name__}")
    first = next(net.parameters(), None)
    batch = torch.from_numpy(x).to(first.device if first is not None else "cpu")  # a module may put itself on a GPU
    net.eval()
    with torch.no_grad():
        out = net(batch)
        if weights is not None and out is not None:
            _load_by_shape(net, weights)
            out = net(batch)
    return {"out": to_plain(out), "params": [[name, list(p.shape)] for name, p in net.named_parameters()]}


def _load_by_shape(net, weights: list) -> None:
    import torch

    from .probes import Wrong

    wanted = {tuple(w.shape): w for w in weights}
    if len(wanted) != len(weights):
        raise ValueError("grader error: weights loaded by shape must have distinct shapes")
    params = list(net.named_parameters())
    if sorted(tuple(p.shape) for _, p in params) != sorted(wanted):
        have = ", ".join(f"{name} {tuple(p.shape)}" for name, p in params) or "none"
        raise Wrong(f"{type(net).__name__} should have parameters of shapes "
                    f"{', '.join(map(str, wanted))}; it has {have}")
    with torch.no_grad():
        for _, p in params:
            p.copy_(torch.from_numpy(wanted[tuple(p.shape)]))


def torch_inspect(module: str, data: dict, normalize: dict, classes: int, model: str = "model",
                  optimizer: str = "optimizer", timed_steps: int = 1):
    """A notebook's ``model`` and ``optimizer``: parameter counts, the output of a forward
    pass on the batch ``data["X"]``, and, when it gives ``classes`` scores per image,
    the mean time of ``timed_steps`` training steps on it (after one step to warm up),
    on the device training would use."""
    import torch
    import torch.nn.functional as F

    code, net, opt, device, _ = _notebook_model(module, model, optimizer)
    parameters = list(net.parameters())
    held = {id(p) for group in opt.param_groups for p in group["params"]}
    method, step_seconds = "", None
    with _out_of_memory(parameters):
        X = as_images(data["X"], normalize).to(device)
        y = torch.as_tensor(np.asarray(data["y"]), dtype=torch.long).to(device)
        net.eval()
        with torch.no_grad():
            out = net(X)
        shape = list(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
        if shape == [len(X), classes]:
            net.train()
            for step in range(1 + max(timed_steps, 1)):  # the first step allocates and picks kernels
                if step == 1:
                    method, elapsed = stopwatch(device)
                loss = F.cross_entropy(net(X), y)
                opt.zero_grad()
                loss.backward()
                opt.step()
            step_seconds = elapsed() / max(timed_steps, 1)
    return {
        "forward_shape": shape,
        "params": sum(p.numel() for p in parameters),
        "optimized_params": sum(p.numel() for p in parameters if id(p) in held),
        "step_seconds": step_seconds,
        "timing": method,
        "device": _device_name(device),
        "device_type": device.type,
        "cell_errors": {str(k): v for k, v in getattr(code, "__cell_errors__", {}).items()},
    }


def torch_train(module: str, data: dict, steps: int, time_budget, score_inputs: dict, normalize: dict,
                model: str = "model", optimizer: str = "optimizer", batch_size: int = 64, fit: float | None = None,
                min_steps: int = 0, estimate_after: int = 3, give_up_on: tuple = ("cpu",)):
    """Train the ``model`` and ``optimizer`` that ``module`` defines, then score unlabeled inputs.

    The module is imported afresh after seeding, so the model starts from the same
    weights for the same request seed. Training follows the notebook's
    ``train_part34`` (shuffled minibatches, cross-entropy, ``optimizer.step()``) with the
    model and optimizer as they are, the data resident on the device (no loader, no
    copies per step), for ``steps`` steps: passes over ``data["X_train"]`` (made tensors
    by ``as_images`` with ``normalize``) and ``data["y_train"]``, reshuffled each time.
    It stops earlier:

    * at the end of a pass, once ``min_steps`` are done, when the model classified at
      least ``fit`` of that pass's training batches right (it fits the training set);
    * for time (``Pace``): ``time_budget`` is seconds, or seconds by device type
      (``"cpu"``, ``"cuda"``); on the device types of ``give_up_on``, as soon as the
      first steps say the whole run is well beyond the budget ("too slow", ``Pace``);
    * when the loss is not a finite number.

    A run stopped as "too slow" scores nothing: it is not judged.
    """
    import torch
    import torch.nn.functional as F

    code, net, opt, device, seed = _notebook_model(module, model, optimizer)
    budget = float(time_budget[device.type] if isinstance(time_budget, dict) else time_budget)
    held = {id(p) for group in opt.param_groups for p in group["params"]}
    parameters = list(net.parameters())
    with _out_of_memory(parameters):
        X = as_images(data["X_train"], normalize).to(device)
        y = torch.as_tensor(np.asarray(data["y_train"]), dtype=torch.long).to(device)
        net.eval()
        with torch.no_grad():
            first = net(X[:batch_size])
        forward_shape = list(first.shape) if isinstance(first, torch.Tensor) else type(first).__name__

        order = torch.Generator().manual_seed(seed)  # on the CPU: the same batches on every device
        method, elapsed = stopwatch(device)
        wall = time.perf_counter()
        pace = Pace(steps, budget, elapsed, estimate_after, give_up=device.type in give_up_on,
                    check_every=1 if device.type == "cpu" else 25)
        losses, accuracies, passes, stopped = [], [], 0, ""
        while not stopped:
            net.train()
            total, right, count = torch.zeros((), device=device), torch.zeros((), device=device), 0
            batches = torch.randperm(len(X), generator=order).to(device).split(batch_size)
            for batch in batches:
                scores = net(X[batch])
                loss = F.cross_entropy(scores, y[batch])
                opt.zero_grad()
                loss.backward()
                opt.step()
                count, total = count + 1, total + loss.detach()  # summed on the device: no wait per step
                right = right + (scores.detach().argmax(1) == y[batch]).sum()
                stopped = pace.step()
                if stopped:
                    break
            passes += int(count == len(batches))
            losses.append(float(total) / max(count, 1))
            accuracies.append(float(right) / max(min(count * batch_size, len(X)), 1))
            if not np.isfinite(losses[-1]):
                stopped = "non-finite loss"
            elif fit is not None and not stopped and pace.steps >= min_steps and accuracies[-1] >= fit:
                stopped = "fit"
        seconds = elapsed()
        pace.finish(seconds)

        net.eval()
        scores = {}
        with torch.no_grad():
            for name, inputs in score_inputs.items() if stopped != "too slow" else ():  # not judged: not scored
                images = as_images(inputs, normalize)
                parts = [net(images[i : i + 256].to(device)).float().cpu().numpy() for i in range(0, len(images), 256)]
                scores[name] = np.concatenate(parts) if parts else np.zeros((0, 0), np.float32)
    return {
        "scores": scores,
        "steps": pace.steps,
        "planned_steps": steps,
        "epochs": passes,
        "batches_per_epoch": math.ceil(len(X) / batch_size),
        "stopped": stopped,
        "step_seconds": pace.per_step,
        "estimate_seconds": pace.estimate,
        "losses": losses,
        "train_accuracy": accuracies,
        "seconds": seconds,
        "wall_seconds": time.perf_counter() - wall,
        "timing": method,
        "time_budget": budget,
        "device": _device_name(device),
        "device_type": device.type,
        "params": sum(p.numel() for p in parameters),
        "optimized_params": sum(p.numel() for p in parameters if id(p) in held),
        "forward_shape": forward_shape,
        "memory": memory_use(),
        "cell_errors": {str(k): v for k, v in getattr(code, "__cell_errors__", {}).items()},
    }


def memory_use() -> dict:
    """Peak address space and peak resident memory of this process, and its memory limit, in bytes."""
    found = {}
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                key, _, rest = line.partition(":")
                if key in ("VmPeak", "VmHWM", "VmData"):
                    found[key] = int(rest.split()[0]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    limit, of = memory_limit()
    return {"address_space_peak": found.get("VmPeak"), "resident_peak": found.get("VmHWM"),
            "data": found.get("VmData"), "limit": limit, "limit_of": of}


def memory_limit() -> tuple[int | None, str]:
    """The memory limit this worker runs under, and what it limits: its address space, or
    its data segment (where it can reach a GPU, see ``Limits``)."""
    for kind, name in ((resource.RLIMIT_AS, "address space"), (resource.RLIMIT_DATA, "data")):
        limit = resource.getrlimit(kind)[0]
        if limit != resource.RLIM_INFINITY:
            return limit, name
    return None, ""


@contextlib.contextmanager
def _out_of_memory(parameters):
    """PyTorch's out-of-memory errors (a RuntimeError on the CPU, torch.OutOfMemoryError on a
    GPU) as MemoryError, saying how big the model is and what the worker may use."""
    try:
        yield
    except (MemoryError, RuntimeError) as exc:
        text = str(exc)
        if not isinstance(exc, MemoryError) and not any(
                words in text.lower() for words in ("can't allocate memory", "not enough memory", "out of memory")):
            raise
        limit, of = memory_limit()
        allowed = f"the worker may use {limit / 2**30:.1f} GiB ({of})" if limit else "the worker has no memory limit"
        first = text.strip().splitlines()[0][:200] if text.strip() else type(exc).__name__
        raise MemoryError(f"the model ({sum(p.numel() for p in parameters):,} parameters) ran out of memory; "
                          f"{allowed} ({first})") from None


def _notebook_model(module: str, model: str, optimizer: str):
    """Seed, import ``module`` afresh, and check its ``model`` and ``optimizer``; the
    model is moved to the best device there is. Returns (module, model, optimizer,
    device, seed)."""
    import torch

    from .probes import Missing, Wrong

    seed = int(np.random.randint(2**31))  # the server seeded NumPy with the request's seed
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")  # set at launch too: CUDA reads it once
    torch.manual_seed(seed)
    torch.backends.cudnn.benchmark = False
    torch.use_deterministic_algorithms(True, warn_only=True)
    sys.modules.pop(module, None)
    code = importlib.import_module(module)
    net, opt = _defined(code, model, Missing), _defined(code, optimizer, Missing)
    if net is None or opt is None:
        raise NotImplementedError(f"{model if net is None else optimizer} is None: set it in the notebook")
    if not isinstance(net, torch.nn.Module):
        raise Wrong(f"{model} should be a torch.nn.Module; it is a {type(net).__name__}")
    if not isinstance(opt, torch.optim.Optimizer):
        raise Wrong(f"{optimizer} should be a torch.optim optimizer; it is a {type(opt).__name__}")
    device = training_device()
    net.to(device)  # moves the parameters in place, so the optimizer still holds them
    return code, net, opt, device, seed


def training_device():
    """The device the grader's limits name (``GRADER_DEVICE``): "cuda" must be there,
    "auto" is CUDA when there is a GPU, "cpu" (CUDA then sees no GPU at all) is the CPU."""
    import torch

    wanted = os.environ.get("GRADER_DEVICE", "auto")
    if wanted == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("grader error: the grader asked for --device cuda, but CUDA is not available in the worker")
    return torch.device("cuda" if wanted != "cpu" and torch.cuda.is_available() else "cpu")


def _device_name(device) -> str:
    import torch

    return torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"


def _resolve(target: str):
    """``probes.resolve``, saying why a name is missing when its notebook cell failed."""
    from .probes import Missing, resolve

    try:
        return resolve(target)
    except Missing:
        module, _, name = target.partition(":")
        code = sys.modules.get(module)
        why = _why_undefined(code, name.split(".")[0]) if code is not None else None
        raise Missing(why or f"{module} has no {name!r}") from None


def _why_undefined(code, name: str) -> str | None:
    skipped = getattr(code, "__skipped_binds__", {}).get(name)
    if skipped:
        return f"{name} is set last in {skipped}, which the grader does not run"
    cell = getattr(code, "__cell_binds__", {}).get(name)
    error = getattr(code, "__cell_errors__", {}).get(cell)
    if error:
        return (f"{name} is not defined: its cell (cell {cell}: {error['line']}) failed at its line "
                f"{error['where']}: {error['error']}")
    if hasattr(code, "__notebook__"):
        return f"{code.__notebook__} defines no {name!r}"
    return None


def _defined(code, name: str, missing):
    """``code.<name>``; when the notebook sets it last in a statement the grader skips, or
    in a cell that failed, say so instead of using a value from an earlier cell."""
    skipped = getattr(code, "__skipped_binds__", {}).get(name)
    if skipped:
        raise missing(f"{name} is set last in {skipped}, which the grader does not run; "
                      f"set {name} with a plain assignment in its cell")
    cell = getattr(code, "__cell_binds__", {}).get(name)
    error = getattr(code, "__cell_errors__", {}).get(cell)
    if error:
        raise RuntimeError(f"the cell that sets {name} (cell {cell}: {error['line']}) failed at its line "
                           f"{error['where']}: {error['error']}")
    if not hasattr(code, name):
        raise missing(f"{getattr(code, '__notebook__', code.__name__)} defines no {name!r}")
    return getattr(code, name)
