"""Probes: the few ways the grader exercises code inside a worker.

A probe takes plain data (targets are strings ``"package.module:Name.attr"``),
calls the code under test, and returns plain data. Probes know nothing of any one
assignment; suites choose the targets and inputs. Each probe hands back the inputs
as they are after the call, so the grader can tell when code changed them in place.
"""
from __future__ import annotations

import copy
import importlib
import importlib.machinery
import importlib.util
import os
import random
import sys

import numpy as np


class Missing(LookupError):
    """The module imported, but the function, class or method asked for is not in it."""


class Wrong(ValueError):
    """The code ran, but what it built is not what was asked for (the message says how)."""


def import_module(name: str):
    """Import a module of the submission without running its packages' ``__init__``.

    The course's ``classifiers/__init__.py`` imports every classifier, so one module
    that fails at import would otherwise take all its siblings down with it. Parent
    packages that are folders of the submission are made bare (a path, no code run).
    """
    parts = name.split(".")
    for depth in range(1, len(parts)):
        package = ".".join(parts[:depth])
        folder = os.path.join(os.getcwd(), *parts[:depth])
        if package not in sys.modules and os.path.isdir(folder):
            spec = importlib.machinery.ModuleSpec(package, None, is_package=True)
            spec.submodule_search_locations = [folder]
            sys.modules[package] = importlib.util.module_from_spec(spec)
    return importlib.import_module(name)


def resolve(target: str):
    module_name, _, qualname = target.partition(":")
    obj = import_module(module_name)
    for part in qualname.split(".") if qualname else []:
        if not hasattr(obj, part):
            raise Missing(f"{module_name} has no {qualname!r}")
        obj = getattr(obj, part)
    return obj


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    if "torch" in sys.modules:
        sys.modules["torch"].manual_seed(seed)


def call(target: str, args: dict, kwargs: dict | None = None, numeric: str | None = None,
         repeat: int = 1, feed: dict | None = None, h: float = 1e-5):
    """Call a function with positional ``args`` (named only for messages).

    With ``numeric`` naming an argument, the function is taken to return
    ``(loss, gradient)``; the gradient of ``loss`` with respect to that argument is also
    estimated by centered differences.

    With ``repeat``, the function is called that many times in a row, with no reseeding
    in between, each time on a fresh copy of the arguments, except those named in
    ``feed``, which take the item of the previous result that ``feed`` gives (e.g.
    ``{"config": 1}`` runs several steps of an update rule). ``outs`` holds every
    result and ``out`` the last one.
    """
    function, kwargs = resolve(target), kwargs or {}
    pristine = copy.deepcopy((args, kwargs)) if numeric or repeat > 1 else None
    out = function(*args.values(), **kwargs)
    result = {"out": out, "args_after": args}
    if repeat > 1:
        outs = [out]
        for _ in range(repeat - 1):
            trial_args, trial_kwargs = copy.deepcopy(pristine)
            for name, index in (feed or {}).items():
                if not isinstance(outs[-1], (tuple, list)) or len(outs[-1]) <= index:
                    raise TypeError(f"{target} returned {type(outs[-1]).__name__}, not a tuple whose item "
                                    f"{index} can be passed on as {name!r}")
                (trial_args if name in trial_args else trial_kwargs)[name] = outs[-1][index]
            outs.append(function(*trial_args.values(), **trial_kwargs))
        result.update(out=outs[-1], outs=outs)
    if numeric:
        loss = lambda trial: function(*trial.values(), **kwargs)[0]
        result["numeric"] = {numeric: _numeric_gradient(loss, pristine[0], numeric, h)}
        result["analytic"] = {numeric: out[1] if isinstance(out, tuple) and len(out) > 1 else None}
    return result


def method(cls: str, steps: list, init: dict | None = None, attrs: dict | None = None,
           read: list | None = None, numeric: str | None = None, h: float = 1e-5):
    """Build an object, set attributes, call its methods in turn.

    ``steps`` is a list of ``[name, args, kwargs]``; ``read`` names attributes to send
    back after the last step. ``out`` is what the last step returned, ``outs`` what
    every step returned.

    With ``numeric`` naming an attribute that holds a dict of arrays (a model's
    ``params``), the last step is taken to return ``(loss, grads)``; the gradient of
    ``loss`` with respect to every floating-point array of that dict is also estimated
    by centered differences, running the last step again for each entry.
    """
    obj = resolve(cls)(**(init or {}))
    for name, value in (attrs or {}).items():
        setattr(obj, name, value)
    outs, args_after = [], []
    for name, args, kwargs in steps:
        bound = getattr(obj, name, None)
        if bound is None:
            raise Missing(f"{cls} has no method {name!r}")
        outs.append(bound(*args.values(), **kwargs))
        args_after.append(args)
    out = outs[-1] if outs else None
    result = {"out": out, "outs": outs, "args_after": args_after}
    if numeric and steps:
        name, args, kwargs = steps[-1]
        loss = lambda: getattr(obj, name)(*copy.deepcopy(list(args.values())), **copy.deepcopy(kwargs))[0]
        arrays = getattr(obj, numeric, None)
        keys = [k for k, v in arrays.items() if isinstance(v, np.ndarray) and v.dtype.kind == "f"] \
            if isinstance(arrays, dict) else []
        result["numeric"] = {key: _perturbing(lambda key=key: getattr(obj, numeric)[key], loss, h) for key in keys}
        result["analytic"] = dict(out[1]) if isinstance(out, tuple) and len(out) > 1 and \
            isinstance(out[1], dict) else {}
    result["attrs"] = {name: getattr(obj, name, None) for name in (read or [])}
    return result


def _perturbing(array, loss, h: float):
    """Centered differences of ``loss()`` in every entry of the array ``array()`` returns,
    changed in place (and put back) one entry at a time."""
    shape = array().shape
    grad = np.zeros(shape, dtype=np.float64)
    for index in np.ndindex(*shape):
        old = array()[index]
        values = []
        for step in (+h, -h):
            array()[index] = old + step
            values.append(float(loss()))
        array()[index] = old
        grad[index] = (values[0] - values[1]) / (2 * h)
    return grad


def forward_backward(forward: str, backward: str, args: dict, dout, numeric: bool = False,
                     repeat: int = 1, h: float = 1e-5):
    """Run a layer's forward, then its backward on the forward's own cache (``repeat``
    times, for timing the backward pass; the last result is kept).

    With ``numeric``, also estimate the gradient of ``sum(forward(...) * dout)`` with
    respect to every floating-point array argument by centered differences, and pair
    the backward's outputs with those arguments in order.
    """
    forward_fn, backward_fn = resolve(forward), resolve(backward)
    pristine = copy.deepcopy(args)
    out, cache = forward_fn(*args.values())
    dout_sent = np.array(dout, copy=True)
    for _ in range(repeat):
        grads = backward_fn(dout_sent, cache)
    result = {"out": out, "grads": grads, "args_after": args, "dout_after": {"dout": dout_sent}}
    if numeric:
        names = [n for n, v in pristine.items() if isinstance(v, np.ndarray) and v.dtype.kind == "f"]
        loss = lambda trial: np.sum(np.asarray(forward_fn(*trial.values())[0], dtype=np.float64) * dout)
        result["numeric"] = {name: _numeric_gradient(loss, pristine, name, h) for name in names}
        analytic = grads if isinstance(grads, (tuple, list)) else (grads,)
        result["analytic"] = dict(zip(names, analytic))
    return result


def _numeric_gradient(loss, args: dict, name: str, h: float):
    """Centered differences of the scalar ``loss(args)`` in every entry of ``args[name]``."""
    x = args[name]
    grad = np.zeros(x.shape, dtype=np.float64)
    for index in np.ndindex(*x.shape):
        values = []
        for step in (+h, -h):
            trial = copy.deepcopy(args)
            trial[name][index] += step
            values.append(float(loss(trial)))
        grad[index] = (values[0] - values[1]) / (2 * h)
    return grad


def solver_train(model: str, model_kwargs: dict, solver: str, data: dict, solver_kwargs: dict,
                 score_inputs: dict, batch_size: int = 500):
    """Train a model with a Solver, then send back its class scores on unlabeled inputs."""
    net = resolve(model)(**model_kwargs)
    trainer = resolve(solver)(net, data, **solver_kwargs)
    trainer.train()
    scores = {}
    for name, X in score_inputs.items():
        parts = [net.loss(X[i : i + batch_size]) for i in range(0, len(X), batch_size)]
        scores[name] = np.concatenate([np.asarray(p) for p in parts]) if parts else np.zeros(0)
    return {"scores": scores, "loss_history": [float(v) for v in getattr(trainer, "loss_history", [])]}
