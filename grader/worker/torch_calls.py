"""Probes for PyTorch functions and objects, run inside a worker:

* ``torch_call``: call a function with tensors made from the arrays sent (and, with
  ``dout``, the gradients autograd gives through it);
* ``torch_object``: build an object, put given tensors into its dict attributes (a
  model's ``params``), call its methods (and take the gradients of the last result);
* ``torch_fit``: train such an object's tensors with Adam for some steps, then call it.

Tensors go back as arrays: plain data, as with every probe.
"""
from __future__ import annotations

import math

import numpy as np

from .torch_probes import _resolve, tensor_facts, to_plain, to_torch


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
