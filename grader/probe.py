"""How a suite describes one request to a worker.

A ``Probe`` names one of the worker's probes (``grader/worker/probes.py``) and the
plain data it is called with. The builders below mirror those probes' arguments, so
a suite line reads like the call it makes:

    call("cs231n.classifiers.linear_svm:svm_loss_naive", W=W, X=X, y=y, reg=0.1)
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, replace

from .compare import describe


@dataclass(frozen=True)
class Probe:
    kind: str
    spec: dict
    timeout: float | None = None

    @property
    def modules(self) -> list[str]:
        """Modules to import before running: those of every ``module:name`` target, and ``module``."""
        targets = [v for v in self.spec.values() if isinstance(v, str) and ":" in v]
        named = [self.spec["module"]] if isinstance(self.spec.get("module"), str) else []
        return list(dict.fromkeys(named + [t.partition(":")[0] for t in targets]))

    @property
    def label(self) -> str:
        """The call as a student would read it, inputs shown by shape."""
        spec = self.spec
        if self.kind == "method":
            name = spec["cls"].rpartition(":")[2]
            calls = ", then ".join(f".{s[0]}({_args(s[1], s[2])})" for s in spec["steps"])
            return f"{name}({_args(spec.get('init') or {}, {})}){calls}"
        if self.kind == "forward_backward":
            forward, backward = (spec[k].rpartition(":")[2] for k in ("forward", "backward"))
            times = f" {spec['repeat']} times" if spec.get("repeat", 1) > 1 else ""
            return f"{forward}({_args(spec['args'], {})}), then {backward}(dout, cache){times}"
        if self.kind == "torch_train":
            budget = spec["time_budget"]
            budget = ", ".join(f"{v:g} s on {k}" for k, v in budget.items()) if isinstance(budget, dict) \
                else f"{budget:g} s"
            return f"training {spec['model']} with {spec['optimizer']} (up to {spec['epochs']} epochs or {budget})"
        if self.kind == "torch_inspect":
            return f"{spec['model']}({describe(spec['data']['X'])}) and one training step with {spec['optimizer']}"
        if self.kind == "torch_module":
            name = spec["cls"].rpartition(":")[2]
            weights = " with given weights" if spec.get("weights") is not None else ""
            return f"{name}({_args(spec['init'], {})}){weights} on x={describe(spec['x'])}"
        if self.kind == "solver_train":
            return f"Solver({spec['model'].rpartition(':')[2]}({_args(spec['model_kwargs'], {})}), " \
                   f"{_args(spec['solver_kwargs'], {})}).train()"
        text = f"{spec['target'].rpartition(':')[2]}({_args(spec['args'], spec.get('kwargs') or {})})"
        if spec.get("repeat", 1) > 1:
            passed = ", ".join(f"{name} from item {index} of the result" for name, index in spec["feed"].items())
            text += f" called {spec['repeat']} times in a row" + (f", each time with {passed}" if passed else "")
        return text

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

    def sent_inputs(self) -> list[tuple[dict, object]]:
        """Pairs of (arguments sent, where they come back in the reply) for in-place checks."""
        if self.kind == "method":
            return [(s[1], ("args_after", i)) for i, s in enumerate(self.spec["steps"])]
        if self.kind in ("call", "torch_call", "forward_backward"):
            pairs = [(self.spec["args"], ("args_after",))]
            if self.kind == "forward_backward":
                pairs.append(({"dout": self.spec["dout"]}, ("dout_after",)))
            return pairs
        return []


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


def forward_backward(forward: str, backward: str, /, *, dout, numeric: bool = False, repeat: int = 1,
                     timeout: float | None = None, **args) -> Probe:
    """Run a layer's forward on ``args``, then its backward on ``dout`` and the cache
    (``repeat`` times, to time the backward pass)."""
    spec = {"forward": forward, "backward": backward, "args": args, "dout": dout, "numeric": numeric}
    if repeat > 1:
        spec["repeat"] = repeat
    return Probe("forward_backward", spec, timeout)


def solver_train(model: str, /, *, model_kwargs: dict, data: dict, solver_kwargs: dict, score_inputs: dict,
                 solver: str = "cs231n.solver:Solver", timeout: float | None = None) -> Probe:
    """Train ``model`` with the submission's own Solver, then score ``score_inputs``."""
    spec = {"model": model, "model_kwargs": model_kwargs, "solver": solver, "data": data,
            "solver_kwargs": solver_kwargs, "score_inputs": score_inputs}
    return Probe("solver_train", spec, timeout)


def torch_call(target: str, /, *, kwargs: dict | None = None, timeout: float | None = None, **args) -> Probe:
    """Call ``target`` with its array arguments (also inside lists) as tensors; tensors
    come back as arrays, with their dtype, device and autograd facts."""
    return Probe("torch_call", {"target": target, "args": args, "kwargs": kwargs or {}}, timeout)


def torch_module(cls: str, /, *, init: dict, x, weights: list | None = None, timeout: float | None = None) -> Probe:
    """Build the ``nn.Module`` ``cls(**init)``, set its parameters to ``weights`` (matched
    by shape, so their shapes must differ), and run the batch ``x`` through it."""
    return Probe("torch_module", {"cls": cls, "init": init, "x": x, "weights": weights}, timeout)


def torch_inspect(module: str, /, *, data: dict, model: str = "model", optimizer: str = "optimizer",
                  timeout: float | None = None) -> Probe:
    """The ``model`` and ``optimizer`` a (converted) notebook module defines: parameter
    counts, a forward pass on ``data["X"]`` and one timed training step."""
    return Probe("torch_inspect", {"module": module, "data": data, "model": model, "optimizer": optimizer}, timeout)


def torch_train(module: str, /, *, data: dict, score_inputs: dict, epochs: int, time_budget: float | dict,
                model: str = "model", optimizer: str = "optimizer", batch_size: int = 64,
                timeout: float | None = None) -> Probe:
    """Train the ``model`` and ``optimizer`` a (converted) notebook module defines, then
    score ``score_inputs``; ``time_budget`` is seconds, or seconds by device type
    (``{"cpu": 90, "cuda": 30}``); see ``worker/torch_probes.py``."""
    spec = {"module": module, "data": data, "score_inputs": score_inputs, "epochs": epochs,
            "time_budget": time_budget, "model": model, "optimizer": optimizer, "batch_size": batch_size}
    return Probe("torch_train", spec, timeout)


def _args(args: dict, kwargs: dict) -> str:
    shown = [f"{k}={describe(v)}" for k, v in {**args, **kwargs}.items()]
    return ", ".join(shown)
