"""Probes for PyTorch code (a converted notebook, see ``grader/notebook.py``), run inside a worker.

* ``torch_call``: call a function with tensors made from the arrays sent;
* ``torch_module``: build an ``nn.Module``, optionally copy given weights in, run a batch;
* ``torch_inspect``: a notebook's ``model`` and ``optimizer``: parameter counts, a
  forward pass and one timed training step;
* ``torch_train``: train them for a budget of epochs and time, then score unlabeled inputs.

Torch is imported only when one of these runs, so workers that never use PyTorch do
not pay for it. Tensors go back as arrays: plain data, as with every probe; the grader
scores predictions against labels that never enter the worker.
"""
from __future__ import annotations

import importlib
import math
import os
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
    started = time.perf_counter()
    return "monotonic", lambda: time.perf_counter() - started


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


def torch_call(target: str, args: dict, kwargs: dict | None = None, dout=None):
    """Call ``target`` with the arrays of ``args`` (and of lists in it) as tensors. With
    ``dout``, the floating-point arguments require gradients and ``grads`` holds the
    gradient of ``sum(out * dout)`` with respect to each (None where autograd gives none)."""
    tensors = to_torch(list(args.values()))
    if dout is not None:
        tensors = [_requiring_grad(t) for t in tensors]
    out = _resolve(target)(*tensors, **to_torch(kwargs or {}))
    result = {"out": to_plain(out), "tensor": tensor_facts(out), "args_after": args}
    if dout is not None:
        result["grads"] = _backward(out, dout, dict(zip(args, tensors)))
    return result


def _requiring_grad(value):
    """A float tensor as a copy that requires gradients (so the arrays sent stay as sent)."""
    import torch

    if isinstance(value, torch.Tensor) and value.is_floating_point():
        return value.detach().clone().requires_grad_(True)
    return value


def _backward(out, dout, leaves: dict) -> dict:
    """Gradients of ``sum(out * dout)`` (or of ``out`` itself when ``dout`` is 1) with
    respect to the tensors of ``leaves``; None for those autograd cannot reach."""
    import torch

    from .probes import Wrong

    if not isinstance(out, torch.Tensor) or not out.requires_grad:
        raise Wrong("the result does not depend on the inputs through autograd (was it detached, or computed "
                    "with NumPy?)")
    weight = torch.as_tensor(np.asarray(dout), dtype=out.dtype, device=out.device)
    (out * weight).sum().backward()
    return {name: to_plain(t.grad) if isinstance(t, torch.Tensor) and t.grad is not None else None
            for name, t in leaves.items()}


def torch_object(cls: str, init: dict, steps: list, attrs: dict | None = None, grads: bool = False):
    """Build ``cls(**init)``, replace entries of its attributes with the arrays of
    ``attrs`` (``{"params": {"W": array}}`` sets ``obj.params["W"]``) as tensors, and call
    ``steps`` in turn (``[name, args, kwargs]``, arrays as tensors). With ``grads``, the
    injected float tensors require gradients, and ``grads`` holds the gradient of the
    last step's (scalar) result with respect to each."""
    obj = _resolve(cls)(**init)
    leaves = {}
    for name, entries in (attrs or {}).items():
        holder = getattr(obj, name, None)
        if not isinstance(holder, dict):
            from .probes import Missing

            raise Missing(f"{cls.rpartition(':')[2]} has no dict attribute {name!r}")
        for key, array in entries.items():
            holder[key] = leaves[f"{name}.{key}"] = (_requiring_grad if grads else lambda t: t)(to_torch(array))
    outs = []
    for method, args, kwargs in steps:
        outs.append(getattr(obj, method)(*to_torch(list(args.values())), **to_torch(kwargs)))
    result = {"out": to_plain(outs[-1]) if outs else None, "outs": [to_plain(o) for o in outs],
              "tensor": tensor_facts(outs[-1]) if outs else None}
    if grads and outs:
        result["grads"] = _backward(outs[-1], 1.0, leaves)
    return result


def torch_fit(cls: str, init: dict, optimize: str, loss: list, steps: int, learning_rate: float, then: list):
    """Build ``cls(**init)`` (its random start fixed by the request's seed), train the
    tensors of its dict attribute ``optimize`` with Adam for ``steps`` steps of the
    loss method call ``loss`` (``[name, args, kwargs]``), then make the call ``then``.
    Returns every step's loss and what ``then`` gave."""
    import torch

    obj = _resolve(cls)(**init)
    tensors = [t for t in getattr(obj, optimize, {}).values() if isinstance(t, torch.Tensor) and t.requires_grad]
    if not tensors:
        from .probes import Wrong

        raise Wrong(f"{cls.rpartition(':')[2]}.{optimize} holds no tensor that requires gradients")
    optimizer = torch.optim.Adam(tensors, lr=learning_rate)
    name, args, kwargs = loss
    args, kwargs = to_torch(list(args.values())), to_torch(kwargs)
    losses = []
    for _ in range(steps):
        value = getattr(obj, name)(*args, **kwargs)
        optimizer.zero_grad()
        value.backward()
        optimizer.step()
        losses.append(float(value.detach()))
        if not math.isfinite(losses[-1]):
            break
    name, args, kwargs = then
    with torch.no_grad():
        out = getattr(obj, name)(*to_torch(list(args.values())), **to_torch(kwargs))
    return {"losses": losses, "out": to_plain(out)}


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
                  optimizer: str = "optimizer"):
    """A notebook's ``model`` and ``optimizer``: parameter counts, the output of a forward
    pass on the batch ``data["X"]``, and, when it gives ``classes`` scores per image,
    the time of one training step on it (after one step to warm up), on the device
    training would use."""
    import torch
    import torch.nn.functional as F

    code, net, opt, device, _ = _notebook_model(module, model, optimizer)
    X = as_images(data["X"], normalize).to(device)
    y = torch.as_tensor(np.asarray(data["y"]), dtype=torch.long).to(device)
    parameters = list(net.parameters())
    held = {id(p) for group in opt.param_groups for p in group["params"]}
    net.eval()
    with torch.no_grad():
        out = net(X)
    shape = list(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
    method, step_seconds = "", None
    if shape == [len(X), classes]:
        net.train()
        for _ in range(2):  # the first step allocates and picks kernels; the second is timed
            method, elapsed = stopwatch(device)
            loss = F.cross_entropy(net(X), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            step_seconds = elapsed()
    return {
        "forward_shape": shape,
        "params": sum(p.numel() for p in parameters),
        "optimized_params": sum(p.numel() for p in parameters if id(p) in held),
        "step_seconds": step_seconds,
        "timing": method,
        "device": _device_name(device),
        "cell_errors": {str(k): v for k, v in getattr(code, "__cell_errors__", {}).items()},
    }


def torch_train(module: str, data: dict, epochs: int, time_budget, score_inputs: dict, normalize: dict,
                model: str = "model", optimizer: str = "optimizer", batch_size: int = 64):
    """Train the ``model`` and ``optimizer`` that ``module`` defines, then score unlabeled inputs.

    The module is imported afresh after seeding, so the model starts from the same
    weights for the same request seed. Training follows the notebook's
    ``train_part34``: shuffled minibatches, cross-entropy, ``optimizer.step()``; it
    stops after ``epochs`` passes or once the time budget has gone: ``time_budget`` is
    seconds, or a dict of seconds by device type (``"cpu"``, ``"cuda"``). ``data`` holds
    ``X_train`` (made tensors by ``as_images`` with ``normalize``) and ``y_train``.
    """
    import torch
    import torch.nn.functional as F

    code, net, opt, device, seed = _notebook_model(module, model, optimizer)
    budget = float(time_budget[device.type] if isinstance(time_budget, dict) else time_budget)
    X, y = as_images(data["X_train"], normalize), torch.as_tensor(np.asarray(data["y_train"]), dtype=torch.long)
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
            if time.perf_counter() - started >= budget:
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
            images = as_images(inputs, normalize)
            parts = [net(images[i : i + 256].to(device)).float().cpu().numpy() for i in range(0, len(images), 256)]
            scores[name] = np.concatenate(parts) if parts else np.zeros((0, 0), np.float32)
    return {
        "scores": scores,
        "epochs": epochs_run,
        "steps": steps,
        "stopped": stopped or "epochs",
        "batches_per_epoch": math.ceil(len(X) / batch_size),
        "losses": losses,
        "seconds": seconds,
        "timing": method,
        "time_budget": budget,
        "device": _device_name(device),
        "params": sum(p.numel() for p in parameters),
        "optimized_params": sum(p.numel() for p in parameters if id(p) in held),
        "forward_shape": forward_shape,
        "cell_errors": {str(k): v for k, v in getattr(code, "__cell_errors__", {}).items()},
    }


def _notebook_model(module: str, model: str, optimizer: str):
    """Seed, import ``module`` afresh, and check its ``model`` and ``optimizer``; the
    model is moved to the best device there is. Returns (module, model, optimizer,
    device, seed)."""
    import torch

    from .probes import Missing, Wrong

    seed = int(np.random.randint(2**31))  # the server seeded NumPy with the request's seed
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
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
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    net.to(device)  # moves the parameters in place, so the optimizer still holds them
    return code, net, opt, device, seed


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
