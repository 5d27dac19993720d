"""How a check describes one request to a worker, and the registry of probe kinds.

A ``Probe`` is one request: a kind and the plain data it is called with. A kind
(``KINDS``) says everything the grader needs to know about it: the worker function
that runs it (``"probes:call"``: module of ``grader.worker`` and function), how to
show the call to a student, and which of the inputs sent may come back changed in
place. The builders below make probes, so a part's line reads like the call it makes:

    call("cs231n.classifiers.linear_svm:svm_loss_naive", W=W, X=X, y=y, reg=0.1)

Adding a kind is adding one ``Kind`` entry and its worker function.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from typing import Callable

from .compare import describe


@dataclass(frozen=True)
class Kind:
    name: str
    worker: str  # "module:function" inside grader.worker
    label: Callable[[dict], str]  # the call as a student reads it, inputs shown by shape
    # (arguments sent, where they come back in the reply) for the in-place checks
    sent: Callable[[dict], list[tuple[dict, tuple]]] = lambda spec: []


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    if kind.name in KINDS:
        raise ValueError(f"probe kind {kind.name!r} registered twice")
    KINDS[kind.name] = kind
    return kind


@dataclass(frozen=True)
class Probe:
    kind: str
    spec: dict
    timeout: float | None = None
    memory: int | None = None  # bytes of memory the worker needs for it, when more than the limits give

    @property
    def worker_function(self) -> str:
        return KINDS[self.kind].worker

    @property
    def modules(self) -> list[str]:
        """Modules to import before running: those of every ``module:name`` target, and ``module``."""
        targets = [v for v in self.spec.values() if isinstance(v, str) and ":" in v]
        named = [self.spec["module"]] if isinstance(self.spec.get("module"), str) else []
        return list(dict.fromkeys(named + [t.partition(":")[0] for t in targets]))

    @property
    def label(self) -> str:
        return KINDS[self.kind].label(self.spec)

    def sent_inputs(self) -> list[tuple[dict, tuple]]:
        return KINDS[self.kind].sent(self.spec)

    def arg(self, name: str, default=None):
        """The first argument called ``name`` that the probe sends: in its arguments, its
        keyword arguments, the constructor's, then each method step's, then ``dout``."""
        for scope in self._scopes():
            if isinstance(scope, dict) and name in scope:
                return scope[name]
        return default

    def _scopes(self):
        spec = self.spec
        yield from (spec.get("args"), spec.get("kwargs"), spec.get("init"), spec.get("attrs"))
        for step_ in spec.get("steps", []):
            yield from step_[1:]
        yield {key: spec[key] for key in ("dout", "data") if key in spec}

    def renamed(self, names: dict[str, str]) -> "Probe":
        """The same probe with arguments called otherwise (``{"old": "new"}``), wherever they appear."""
        if not names:
            return self

        def visit(node):
            if isinstance(node, dict):
                return {names.get(k, k): visit(v) for k, v in node.items()}
            if isinstance(node, list):
                return [visit(item) for item in node]
            return node
        return replace(self, spec=visit(self.spec))

    def with_args(self, **changes) -> "Probe":
        """The same probe with some named arguments replaced, wherever they appear."""
        spec = copy.deepcopy(self.spec)

        def visit(node):
            if isinstance(node, dict):
                for key in node:
                    if key in changes and not isinstance(node[key], dict):
                        node[key] = changes[key]
                    else:
                        visit(node[key])
            elif isinstance(node, list):
                for item in node:
                    visit(item)

        visit(spec)
        return replace(self, spec=spec)


def _args(args: dict, kwargs: dict | None = None) -> str:
    return ", ".join(f"{k}={describe(v)}" for k, v in {**args, **(kwargs or {})}.items())


def _name(target: str) -> str:
    return target.rpartition(":")[2]


# -- plain calls ------------------------------------------------------------------------------

def _call_label(spec: dict) -> str:
    text = f"{_name(spec['target'])}({_args(spec['args'], spec.get('kwargs'))})"
    if spec.get("repeat", 1) > 1:
        passed = ", ".join(f"{name} from item {index} of the result" for name, index in spec["feed"].items())
        text += f" called {spec['repeat']} times in a row" + (f", each time with {passed}" if passed else "")
    return text


def _args_sent(spec: dict) -> list[tuple[dict, tuple]]:
    return [(spec["args"], ("args_after",))]


register(Kind("call", "probes:call", _call_label, _args_sent))


def call(target: str, /, *, kwargs: dict | None = None, numeric: str | None = None, repeat: int = 1,
         feed: dict | None = None, timeout: float | None = None, **args) -> Probe:
    """Call ``target(*args, **kwargs)``; with ``numeric``, also a numerical gradient of
    the first returned value with respect to that argument; with ``repeat``, several
    calls in a row, passing the items of each result named in ``feed`` to the next."""
    spec = {"target": target, "args": args, "kwargs": kwargs or {}}
    if numeric:
        spec["numeric"] = numeric
    if repeat > 1:
        spec.update(repeat=repeat, feed=feed or {})
    return Probe("call", spec, timeout)


def _method_label(spec: dict) -> str:
    calls = ", then ".join(f".{s[0]}({_args(s[1], s[2])})" for s in spec["steps"])
    return f"{_name(spec['cls'])}({_args(spec.get('init') or {})}){calls}"


register(Kind("method", "probes:method", _method_label,
              lambda spec: [(s[1], ("args_after", i)) for i, s in enumerate(spec["steps"])]))


def step(name: str, /, kwargs: dict | None = None, **args) -> list:
    """One method call inside ``method(...)``."""
    return [name, args, kwargs or {}]


def method(cls: str, /, *steps, init: dict | None = None, attrs: dict | None = None,
           read: list | None = None, numeric: str | None = None, timeout: float | None = None) -> Probe:
    """Build ``cls(**init)``, set ``attrs``, call ``steps`` in turn, read back ``read``;
    with ``numeric`` (an attribute holding a dict of arrays), also a numerical gradient
    of the loss the last step returns with respect to each of those arrays."""
    spec = {"cls": cls, "steps": list(steps), "init": init or {}, "attrs": attrs or {}, "read": list(read or [])}
    if numeric:
        spec["numeric"] = numeric
    return Probe("method", spec, timeout)


def _forward_backward_label(spec: dict) -> str:
    times = f" {spec['repeat']} times" if spec.get("repeat", 1) > 1 else ""
    return f"{_name(spec['forward'])}({_args(spec['args'])}), then {_name(spec['backward'])}(dout, cache){times}"


register(Kind("forward_backward", "probes:forward_backward", _forward_backward_label,
              lambda spec: _args_sent(spec) + [({"dout": spec["dout"]}, ("dout_after",))]))


def forward_backward(forward: str, backward: str, /, *, dout, numeric: bool = False, repeat: int = 1,
                     timeout: float | None = None, **args) -> Probe:
    """Run a layer's forward on ``args``, then its backward on ``dout`` and the cache
    (``repeat`` times, to time the backward pass)."""
    spec = {"forward": forward, "backward": backward, "args": args, "dout": dout, "numeric": numeric}
    if repeat > 1:
        spec["repeat"] = repeat
    return Probe("forward_backward", spec, timeout)


register(Kind("solver_train", "probes:solver_train",
              lambda spec: f"{_name(spec['solver'])}({_name(spec['model'])}({_args(spec['model_kwargs'])}), "
                           f"{_args(spec['solver_kwargs'])}).train()"))


def solver_train(model: str, /, *, solver: str, model_kwargs: dict, data: dict, solver_kwargs: dict,
                 score_inputs: dict, timeout: float | None = None) -> Probe:
    """Train ``model`` with the submission's own ``solver``, then score ``score_inputs``."""
    spec = {"model": model, "model_kwargs": model_kwargs, "solver": solver, "data": data,
            "solver_kwargs": solver_kwargs, "score_inputs": score_inputs}
    return Probe("solver_train", spec, timeout)


# -- PyTorch ---------------------------------------------------------------------------------

register(Kind("torch_call", "torch_calls:torch_call", _call_label, _args_sent))


def torch_call(target: str, /, *, kwargs: dict | None = None, dout=None, timeout: float | None = None,
               **args) -> Probe:
    """Call ``target`` with its array arguments (also inside lists) as tensors; tensors
    come back as arrays, with their dtype, device and autograd facts. With ``dout``, also
    the gradients (by autograd) of ``sum(out * dout)`` with respect to the arguments."""
    spec = {"target": target, "args": args, "kwargs": kwargs or {}}
    if dout is not None:
        spec["dout"] = dout
    return Probe("torch_call", spec, timeout)


register(Kind("torch_object", "torch_calls:torch_object", _method_label))


def torch_object(cls: str, /, *steps, init: dict, attrs: dict | None = None, grads: bool = False,
                 timeout: float | None = None) -> Probe:
    """Build ``cls(**init)``, set entries of its dict attributes to the tensors of ``attrs``
    (``{"params": {"W": array}}``), call ``steps`` (made with ``step``) with tensors; with
    ``grads``, the gradients of the last (scalar) result with respect to those tensors."""
    return Probe("torch_object", {"cls": cls, "init": init, "steps": list(steps), "attrs": attrs or {},
                                  "grads": grads}, timeout)


register(Kind("torch_fit", "torch_calls:torch_fit",
              lambda spec: f"{_name(spec['cls'])}({_args(spec['init'])}) trained with Adam "
                           f"(lr {spec['learning_rate']:g}) for {spec['steps']} steps of .{spec['loss'][0]}("
                           f"{_args(spec['loss'][1], spec['loss'][2])}), then .{spec['then'][0]}("
                           f"{_args(spec['then'][1], spec['then'][2])})"))


def torch_fit(cls: str, /, *, init: dict, optimize: str, loss: list, steps: int, learning_rate: float, then: list,
              timeout: float | None = None) -> Probe:
    """Train the tensors of the dict attribute ``optimize`` of ``cls(**init)`` with Adam,
    ``steps`` calls of the method call ``loss`` (made with ``step``), then call ``then``."""
    return Probe("torch_fit", {"cls": cls, "init": init, "optimize": optimize, "loss": loss, "steps": steps,
                               "learning_rate": learning_rate, "then": then}, timeout)


def _module_label(spec: dict) -> str:
    weights = " with given weights" if spec.get("weights") is not None else ""
    return f"{_name(spec['cls'])}({_args(spec['init'])}){weights} on x={describe(spec['x'])}"


register(Kind("torch_module", "torch_probes:torch_module", _module_label))


def torch_module(cls: str, /, *, init: dict, x, weights: list | None = None, timeout: float | None = None) -> Probe:
    """Build the ``nn.Module`` ``cls(**init)``, set its parameters to ``weights`` (matched
    by shape, so their shapes must differ), and run the batch ``x`` through it."""
    return Probe("torch_module", {"cls": cls, "init": init, "x": x, "weights": weights}, timeout)


register(Kind("torch_inspect", "torch_probes:torch_inspect",
              lambda spec: f"{spec['model']}({describe(spec['data']['X'])}) and "
                           f"{spec.get('timed_steps', 1) + 1} training steps with {spec['optimizer']}"))


def torch_inspect(module: str, /, *, data: dict, normalize: dict, classes: int, model: str = "model",
                  optimizer: str = "optimizer", timed_steps: int = 1, timeout: float | None = None,
                  memory: int | None = None) -> Probe:
    """The ``model`` and ``optimizer`` a (converted) notebook module defines: parameter
    counts, a forward pass on ``data["X"]`` and, when it gives ``classes`` scores per
    image, the mean time of ``timed_steps`` training steps after one to warm up.
    ``normalize`` says how uint8 images become tensors (``{"mean": [...], "std": [...]}``
    per channel, see ``worker/torch_probes.py``)."""
    spec = {"module": module, "data": data, "normalize": normalize, "classes": classes, "model": model,
            "optimizer": optimizer, "timed_steps": timed_steps}
    return Probe("torch_inspect", spec, timeout, memory)


def _budget(budget) -> str:
    return ", ".join(f"{v:.0f} s on {k}" for k, v in budget.items()) if isinstance(budget, dict) else f"{budget:.0f} s"


register(Kind("torch_train", "torch_probes:torch_train",
              lambda spec: f"training {spec['model']} with {spec['optimizer']} (up to {spec['steps']} steps of "
                           f"{spec['batch_size']} images or {_budget(spec['time_budget'])})"))


def torch_train(module: str, /, *, data: dict, score_inputs: dict, normalize: dict, steps: int,
                time_budget: float | dict, model: str = "model", optimizer: str = "optimizer", batch_size: int = 64,
                fit: float | None = None, min_steps: int = 0, timeout: float | None = None,
                memory: int | None = None) -> Probe:
    """Train the ``model`` and ``optimizer`` a (converted) notebook module defines for
    ``steps`` steps (as many passes over the data as that takes), then score
    ``score_inputs``. ``time_budget`` is seconds, or seconds by device type
    (``{"cpu": 300, "cuda": 60}``); with ``fit``, the run ends once ``min_steps`` are done
    and a pass classifies that share of its training batches right. See
    ``worker/torch_probes.py``."""
    spec = {"module": module, "data": data, "score_inputs": score_inputs, "normalize": normalize, "steps": steps,
            "time_budget": time_budget, "model": model, "optimizer": optimizer, "batch_size": batch_size,
            "fit": fit, "min_steps": min_steps}
    return Probe("torch_train", spec, timeout, memory)
