"""The PyTorch part: the notebook ``PyTorch.ipynb`` (or ``pytorch_model.py``).

All of this part's code lives in the notebook. ``prepare_workspace`` turns it into the
module ``_pytorch_notebook`` in the workspace (``grader/notebook.py``: definitions
only, nothing trains), and every check below asks a worker about that module.
``CHECKS`` is the part; ``SUITE`` grades it on its own ("assignment2-pytorch").

Points go to what the student writes: ``three_layer_convnet``, ``ThreeLayerConvNet``
and Part V. The code the notebook provides (``flatten``, ``two_layer_fc``,
``random_weight``, ``zero_weight``, ``TwoLayerFC``) is checked for 0 points, so that a
student who broke it sees where, and the starter notebook scores zero.

Part V: the grader trains the notebook's ``model`` with its ``optimizer`` itself, as
``train_part34`` does (batches of 64, cross-entropy), and scores the class scores it
gives for the validation and held-out images (the labels never enter the worker):

* the run (``RUNS``): ten epochs of CIFAR-10 are 7,660 steps; on the embedded digits the
  run is up to ``RUNS["digits"].steps`` steps (as many passes over the 1,297 images as
  that takes), ending once at least ten passes are done and a pass classifies 99% of its
  training batches right, so that a model tuned for CIFAR-10 with a small learning rate is
  not starved, and one that learns quickly costs no more than ten passes;
* the budget (``Budget``, ``BUDGETS``): before the student's run, the reference's model is
  timed for a few steps on the same device in the same worker set-up (one request, cached
  by the reference for every submission); the budget is a multiple of the reference's
  time for the whole run, within a floor and a cap per device class. Time is the worker's
  CPU time on a CPU (other load on the machine does not count) and CUDA events on a GPU;
* a run that a CPU cannot finish within its budget (``part_v_unfinished``: decided on its
  first few steps when they say it is well beyond, else when the budget is spent) is not judged: status ``needs_gpu``, with its time per step, its
  estimate and what to do; on a GPU the budget is final, and what the run reached is
  scored. "Make it smaller" is said only of a model far beyond the course's size;
* the Part V checks run in a worker allowed ``MEMORY`` (a model's out-of-memory error
  names its size and the limit).

Points come in two tiers (``TIERS``): 60% of the points at the threshold, all of them 5
points of accuracy above it. The calibration (``benchmarks/pytorch_part_v.py``,
``benchmarks/part_v_models.py``: the reference and student-like models over three seeds)
and the GPU check (``benchmarks/gpu_part_v.sh``) are in README, "The PyTorch notebook".
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import notebook
from ..checks import BudgetedAccuracy, Matches, Property
from ..probe import torch_call, torch_inspect, torch_module, torch_train
from ..reference import GraderError
from ..suite import Part

MODULE = "_pytorch_notebook"  # written into the workspace by prepare_workspace
NOTEBOOK_NAMES = ("pytorch.ipynb", "pytorch_model.py")
OTHER_FRAMEWORKS = ("tensorflow.ipynb",)  # 2020's alternative to the PyTorch notebook  # looked for in this order, in any case

EPOCHS, BATCH = 10, 64
COURSE_STEPS = EPOCHS * math.ceil(49_000 / BATCH)  # ten epochs of the course's 49,000 CIFAR-10 training images


@dataclass(frozen=True)
class Run:
    """Part V's training run on one dataset: ``steps`` of ``BATCH`` images (None: ``EPOCHS``
    passes over the training set), ending early once ``min_steps`` are done and a pass
    classifies at least ``fit`` of its training batches right (None: never)."""

    steps: int | None = None
    min_steps: int = 0
    fit: float | None = None


# Ten CIFAR-10 epochs are 7,660 steps; ten passes over the 1,297 digits only 210, which
# starves a model tuned for CIFAR-10 with a small learning rate (README, "Calibration").
RUNS = {"digits": Run(steps=2100, min_steps=210, fit=0.99), "cifar10": Run()}
# By device class: (multiple of the reference's time for the same run, floor, cap), seconds.
BUDGETS = {"cpu": (3.0, 60.0, 900.0), "cuda": (10.0, 60.0, 600.0)}
REFERENCE_STEPS = 5  # training steps of the reference's model timed (after one to warm up)
WALL_SLACK = 3  # a run is stopped from outside after this many times its budget in wall-clock time
FAR_BEYOND = 100  # times the reference's parameters: only then is "make it smaller" the advice
MEMORY = 12 * 2**30  # Part V's workers: twice the 5.9 GiB a CIFAR-10 ResNet-50 needs (README)
SETUP_TIME = 120  # seconds the worker may take besides training: import, first forward pass, scoring
# digits: from the calibration over student-like models (README): all points 3 below the lowest run
# of a model built to reach 70% on CIFAR-10, the threshold 7 above the best weak one.
THRESHOLDS = {"digits": 0.88, "cifar10": 0.70}
CLASSES = 10
# How the notebook's transform makes tensors of CIFAR-10's uint8 images: scaled to [0, 1],
# then standardised with these per-channel means and standard deviations.
NORMALIZE = {"mean": [0.4914, 0.4822, 0.4465], "std": [0.2023, 0.1994, 0.2010]}
TIERS = ((0.0, 0.6), (0.05, 1.0))  # (accuracy above the threshold, share of the points)


def at(name: str) -> str:
    return f"{MODULE}:{name}"


# -- the workspace ---------------------------------------------------------------------

def prepare_workspace(root: Path) -> list[str]:
    """Convert the submission's notebook into ``MODULE``; never raises. When there is no
    notebook, or it cannot be read, the module says so on import instead."""
    target = root / f"{MODULE}.py"
    source = find_notebook(root)
    if source is None or source.name.lower() in OTHER_FRAMEWORKS:
        message = "the submission has no PyTorch.ipynb or pytorch_model.py"
        if source is not None:
            message += f" ({source.name} is handed in: students of 2020 could choose it, but only the PyTorch " \
                       "notebook is graded)"
        notebook.write_unavailable(target, message, missing=True)
        return [f"pytorch: {message}"]
    try:
        conversion = notebook.write_module(source, target)
    except notebook.NotebookError as exc:
        notebook.write_unavailable(target, str(exc), missing=False)
        return [f"pytorch: {exc}"]
    cells = conversion.cells
    counts = {status: sum(c.status == status for c in cells) for status in ("kept", "partly kept", "skipped")}
    note = (f"pytorch: {source.relative_to(root)}: {len(cells)} code cells, {counts['kept']} kept, "
            f"{counts['partly kept']} kept in part, {counts['skipped']} skipped (nothing to define)")
    broken = [f"cell {c.index} (line {c.error_line}: {c.error})" for c in cells if c.status == "unparsable"]
    return [note + (f"; do not parse: {', '.join(broken)}" if broken else "")]


def find_notebook(root: Path) -> Path | None:
    """``PyTorch.ipynb``, else ``pytorch_model.py`` (the shallowest, any case), else the only
    notebook there is (a notebook handed in alone may have any name)."""
    files = sorted((p for p in root.rglob("*") if p.is_file() and not p.is_symlink()),
                   key=lambda p: (len(p.relative_to(root).parts), str(p)))
    for name in NOTEBOOK_NAMES:
        found = [p for p in files if p.name.lower() == name]
        if found:
            return found[0]
    notebooks = [p for p in files if p.suffix == ".ipynb"]
    other = [p for p in notebooks if p.name.lower() in OTHER_FRAMEWORKS]
    return notebooks[0] if len(notebooks) == 1 else (other[0] if other else None)


# -- inputs -----------------------------------------------------------------------------

def normal(rng, *shape, scale=1.0) -> np.ndarray:
    return (scale * rng.normal(size=shape)).astype(np.float32)


def kaiming(rng, *shape) -> np.ndarray:
    fan_in = shape[0] if len(shape) == 2 else int(np.prod(shape[1:]))
    return normal(rng, *shape, scale=math.sqrt(2.0 / fan_in))


def flatten_cases(rng):
    return [torch_call(at("flatten"), x=normal(rng, *shape)) for shape in ((2, 3, 4, 5), (5, 7), (1, 2, 3, 1))]


def two_layer_fc_cases(rng):
    probes = []
    for num, shape, hidden, classes in ((6, (3, 4, 4), 20, 7), (1, (10,), 5, 3)):
        D = int(np.prod(shape))
        params = [kaiming(rng, D, hidden), kaiming(rng, hidden, classes)]
        probes.append(torch_call(at("two_layer_fc"), x=normal(rng, num, *shape), params=params))
    return probes


def convnet_params(rng, channels: int, channel_1: int, channel_2: int, H: int, W: int, classes: int) -> list:
    """[conv_w1, conv_b1, conv_w2, conv_b2, fc_w, fc_b] as ``three_layer_convnet`` takes them."""
    return [kaiming(rng, channel_1, channels, 5, 5), normal(rng, channel_1, scale=0.1),
            kaiming(rng, channel_2, channel_1, 3, 3), normal(rng, channel_2, scale=0.1),
            kaiming(rng, channel_2 * H * W, classes), normal(rng, classes, scale=0.1)]


def three_layer_convnet_cases(rng):
    probes = []
    for num, (H, W), channel_1, channel_2, classes in ((3, (8, 8), 6, 5, 7), (2, (10, 6), 4, 3, 10)):
        params = convnet_params(rng, 3, channel_1, channel_2, H, W, classes)
        probes.append(torch_call(at("three_layer_convnet"), x=normal(rng, num, 3, H, W), params=params))
    return probes


def weight_cases(name: str, shapes):
    def cases(rng):
        return [torch_call(at(name), shape=shape) for shape in shapes]
    return cases


WEIGHT_SHAPES = ((400, 300), (64, 32, 3, 3))


def kaiming_normal(value, probe):
    return tensor_problem(value, probe, "random_weight") or std_problem(value["out"], probe.spec["args"]["shape"])


def zeros(value, probe):
    problem = tensor_problem(value, probe, "zero_weight")
    if problem is None and np.any(value["out"] != 0):
        problem = "should hold zeros"
    return problem


def tensor_problem(value, probe, name) -> str | None:
    """A float32 tensor of the shape asked for, that autograd fills ``.grad`` of."""
    shape = tuple(probe.spec["args"]["shape"])
    out, facts = value.get("out"), value.get("tensor")
    if not isinstance(facts, dict) or not isinstance(out, np.ndarray):
        return f"{name} should return a torch tensor; got {type(out).__name__}"
    if out.shape != shape or facts.get("dtype") != "float32":
        return f"should give a float32 tensor of shape {shape}; got {facts.get('dtype')} of shape {out.shape}"
    if facts.get("requires_grad") is not True or facts.get("is_leaf") is not True:
        return ("should give a tensor that requires gradients and is a leaf of the graph (create it, scale it, "
                "then set w.requires_grad = True), so that loss.backward() fills w.grad")
    return None


def std_problem(w: np.ndarray, shape) -> str | None:
    fan_in = shape[0] if len(shape) == 2 else int(np.prod(shape[1:]))
    expected, n = math.sqrt(2.0 / fan_in), w.size
    std, mean = float(np.std(w)), float(np.mean(w))
    # The sample standard deviation of n normal draws lies within 6/sqrt(2n) of the true one
    # (six standard errors), and the mean within 6/sqrt(n): a right initialization never fails.
    if abs(std - expected) > 6 * expected / math.sqrt(2 * n) or abs(mean) > 6 * expected / math.sqrt(n):
        return (f"should be normal with standard deviation sqrt(2 / fan_in) = {expected:.4f} (fan_in {fan_in}); "
                f"its standard deviation is {std:.4f} and its mean {mean:.4f}")
    return None


# -- modules ------------------------------------------------------------------------------

def module_shape_cases(cls: str, init: dict, x_shape: tuple):
    def cases(rng):
        return [torch_module(at(cls), init=init, x=normal(rng, *x_shape))]
    return cases


def output_shape(classes: int):
    def test(value, probe):
        out, expected = value.get("out"), (len(probe.spec["x"]), classes)
        if not isinstance(out, np.ndarray) or out.shape != expected:
            shown = out.shape if isinstance(out, np.ndarray) else type(out).__name__
            return f"should give scores of shape {expected}; got {shown}"
        if not np.all(np.isfinite(out)):
            return "gives scores that are not finite"
        return None
    return test


def two_layer_fc_module_cases(rng):
    input_size, hidden, classes = 48, 20, 7
    weights = [kaiming(rng, input_size, hidden).T.copy(), normal(rng, hidden, scale=0.1),  # nn.Linear: (out, in)
               kaiming(rng, hidden, classes).T.copy(), normal(rng, classes, scale=0.1)]
    init = dict(input_size=input_size, hidden_size=hidden, num_classes=classes)
    return [torch_module(at("TwoLayerFC"), init=init, x=normal(rng, 5, 3, 4, 4), weights=weights)]


def convnet_module_cases(rng):
    channel_1, channel_2, classes = 6, 5, 7  # every parameter then has a shape of its own
    conv_w1, conv_b1, conv_w2, conv_b2, fc_w, fc_b = convnet_params(rng, 3, channel_1, channel_2, 32, 32, classes)
    weights = [conv_w1, conv_b1, conv_w2, conv_b2, fc_w.T.copy(), fc_b]  # nn.Linear: (out, in)
    init = dict(in_channel=3, channel_1=channel_1, channel_2=channel_2, num_classes=classes)
    return [torch_module(at("ThreeLayerConvNet"), init=init, x=normal(rng, 4, 3, 32, 32), weights=weights)]


# -- Part V ---------------------------------------------------------------------------------

def part_v_batch(rng):
    X = rng.integers(0, 256, size=(BATCH, 32, 32, 3), dtype=np.uint8)
    return [torch_inspect(MODULE, data={"X": X, "y": rng.integers(0, CLASSES, BATCH)}, normalize=NORMALIZE,
                          classes=CLASSES, timeout=SETUP_TIME, memory=MEMORY)]


def part_v_ready(value, probe):
    shape, held = value.get("forward_shape"), number(value, "optimized_params")
    if shape != [BATCH, CLASSES]:
        return (f"the model should give {CLASSES} class scores per image, ({BATCH}, {CLASSES}) for a batch of "
                f"{BATCH}; it gives {shape}")
    if not held:
        return ("the optimizer holds none of the model's parameters: build it from this model's "
                "parameters(), after the model, in the Part V cell")
    return None


def part_v_facts(value, probe) -> str:
    params, held = number(value, "params"), number(value, "optimized_params")
    step, device = number(value, "step_seconds"), str(value.get("device"))[:80]
    text = f"model: {params or 0:,.0f} parameters"
    if held is not None and params and held < params:
        text += f", of which the optimizer holds only {held:,.0f} (was it built for an earlier model?)"
    text += f"; a batch of {BATCH} images (3, 32, 32) gives scores of shape {value.get('forward_shape')}"
    if step is not None:
        text += f"; one training step took {step * 1e3:.0f} ms on {device} ({timing_name(value)})"
    return text


@dataclass(frozen=True)
class Budget:
    """Part V's time budget, from the reference's model timed on the same device in the
    same worker set-up: ``multiple`` times the reference's time for the run, within
    [``floor``, ``cap``] (``BUDGETS``)."""

    device: str  # the device type the reference was timed on: "cpu" or "cuda"
    steps: int
    reference_step: float
    reference_params: int
    multiple: float
    floor: float
    cap: float

    @property
    def reference_run(self) -> float:
        return self.reference_step * self.steps

    @property
    def seconds(self) -> float:
        return min(max(self.multiple * self.reference_run, self.floor), self.cap)

    def by_device(self) -> dict[str, float]:
        """Seconds by device type: this one's, and the cap of any other."""
        return {**{device: cap for device, (_, _, cap) in BUDGETS.items()}, self.device: self.seconds}

    def describe(self) -> str:
        return (f"time budget {self.seconds:.0f} s on {self.device}: {self.multiple:g} x the reference's "
                f"{self.reference_run:.1f} s for the same {self.steps:,} steps ({self.reference_step * 1e3:.1f} ms "
                f"per step, measured in the reference's worker), at least {self.floor:g} s, at most {self.cap:g} s")


def run_steps(dataset) -> int:
    steps = RUNS[dataset.name].steps
    return steps if steps is not None else EPOCHS * math.ceil(len(dataset.y_train) / BATCH)


def reference_timing():
    """The request that times the reference's Part V model: the same for every submission
    (a fixed batch), so the reference answers it once per grading process."""
    rng = np.random.default_rng(BATCH)
    X = rng.integers(0, 256, size=(BATCH, 32, 32, 3), dtype=np.uint8)
    return torch_inspect(MODULE, data={"X": X, "y": rng.integers(0, CLASSES, BATCH)}, normalize=NORMALIZE,
                         classes=CLASSES, timed_steps=REFERENCE_STEPS, timeout=SETUP_TIME)


def part_v_budget(ctx) -> Budget:
    timing = ctx.reference(reference_timing())
    step, device = number(timing, "step_seconds"), timing.get("device_type")
    if step is None or device not in BUDGETS:
        raise GraderError(f"the reference's Part V model could not be timed: {str(timing)[:300]}")
    multiple, floor, cap = BUDGETS[device]
    return Budget(device, run_steps(ctx.dataset), step, int(number(timing, "params") or 0), multiple, floor, cap)


def part_v_training(dataset, rng, budget: Budget):
    run = RUNS[dataset.name]
    return torch_train(MODULE, data={"X_train": dataset.X_train, "y_train": dataset.y_train},
                       score_inputs={"val": dataset.X_val, "test": dataset.X_test}, normalize=NORMALIZE,
                       steps=budget.steps, time_budget=budget.by_device(), batch_size=BATCH, fit=run.fit,
                       min_steps=run.min_steps, timeout=WALL_SLACK * budget.seconds + SETUP_TIME, memory=MEMORY)


def part_v_unfinished(value, budget: Budget) -> str | None:
    """Why a run that could not finish on a CPU is not judged here (needs_gpu), else None.
    On a GPU the budget is final: what the run reached is scored."""
    if budget.device != "cpu" or value.get("stopped") not in ("too slow", "time budget"):
        return None
    step, estimate = number(value, "step_seconds") or 0, number(value, "estimate_seconds") or 0
    text = (f"too slow for this machine: {step * 1e3:.0f} ms per training step on its CPU, so the {budget.steps:,} "
            f"steps would take about {estimate:.0f} s (ten CIFAR-10 epochs, {COURSE_STEPS:,} steps, about "
            f"{step * COURSE_STEPS / 60:.0f} min), beyond its {budget.seconds:.0f} s budget. Not failed: no points "
            f"yet. Grade it on a GPU (`grade ... --device cuda`); official grading runs on one.")
    return text + size_advice(value, budget)


def size_advice(value, budget: Budget) -> str:
    params = number(value, "params") or 0
    if not budget.reference_params or params <= FAR_BEYOND * budget.reference_params:
        return ""
    return (f" The model is also far beyond the course's size: {params:,.0f} parameters, where the reference's "
            f"Part V network has {budget.reference_params:,}; make it smaller.")


STOPS = {
    "steps": "it ran all its steps",
    "fit": "it fit the training set",
    "too slow": "its first steps said the run cannot fit the time budget",
    "time budget": "the time budget ran out",
    "non-finite loss": "the loss stopped being a finite number (is the learning rate too high?)",
}


def training_report(value, budget: Budget | None = None) -> str:
    """Steps, time, device and timing method of a ``torch_train`` reply, why it stopped,
    and the budget. The reply is the student's worker's word: shown, never trusted."""
    steps, planned, seconds = number(value, "steps"), number(value, "planned_steps"), number(value, "seconds")
    epochs, step = number(value, "epochs"), number(value, "step_seconds")
    device = str(value.get("device") or "an unknown device")[:80]
    text = (f"trained {steps or 0:,.0f} of {planned or 0:,.0f} steps ({epochs or 0:.0f} passes over the training "
            f"images) in {seconds or 0:.1f} s on {device}, timed with {timing_name(value)}")
    if step is not None:
        text += f", {step * 1e3:.1f} ms per step"
    stopped = value.get("stopped")
    text += f"; stopped: {STOPS.get(stopped, 'for no reason given') if isinstance(stopped, str) else 'unknown'}"
    accuracy = value.get("train_accuracy") if isinstance(value.get("train_accuracy"), list) else []
    losses = value.get("losses") if isinstance(value.get("losses"), list) else []
    if losses and isinstance(losses[-1], (int, float)):
        text += f"; last pass's training loss {losses[-1]:.3f}"
    if accuracy and isinstance(accuracy[-1], (int, float)):
        text += f", {accuracy[-1]:.1%} of its batches right"
    memory = value.get("memory") if isinstance(value.get("memory"), dict) else {}
    data = memory.get("limit_of") == "data"  # a worker that can reach a GPU limits its data segment instead
    peak, limit = number(memory, "data" if data else "address_space_peak"), number(memory, "limit")
    if peak and limit:
        text += (f"; memory: {'data segment' if data else 'peak address space'} {peak / 2**30:.1f} GiB (resident "
                 f"{(number(memory, 'resident_peak') or 0) / 2**30:.1f} GiB) of the {limit / 2**30:.0f} GiB allowed")
    if budget is not None:
        text += "\n" + budget.describe()
        if stopped == "time budget" and budget.device != "cpu":
            text += ("\nthe run reached the budget's cap on a GPU before its steps were done: it was scored on what "
                     "it learned by then" + size_advice(value, budget))
    errors = value.get("cell_errors")
    if isinstance(errors, dict) and errors:
        text += "\ncells that failed: " + "; ".join(f"cell {k}: {str(v)[:200]}" for k, v in list(errors.items())[:5])
    return text


def number(value, key):
    item = value.get(key) if isinstance(value, dict) else None
    return float(item) if isinstance(item, (int, float)) and not isinstance(item, bool) and math.isfinite(item) \
        else None


def timing_name(value) -> str:
    names = {"cuda-events": "CUDA events", "cpu-time": "the worker's CPU time"}
    timing = value.get("timing") if isinstance(value, dict) else None
    return names.get(timing, "an unknown clock") if isinstance(timing, str) else "an unknown clock"


# -- the part -------------------------------------------------------------------------------

PROVIDED = " (provided code, no points)"
CONVNET = "three_layer_convnet with given weights"
MODULE_SHAPE = "ThreeLayerConvNet output shape"
PART_V_READY = "Part V: model gives class scores, optimizer holds its parameters"


def part() -> Part:
    return Part("pytorch", (
        Matches("flatten" + PROVIDED, 0, cases=flatten_cases, tol=0),
        Matches("two_layer_fc with given weights" + PROVIDED, 0, cases=two_layer_fc_cases, tol=1e-5),
        Matches(CONVNET, 4, cases=three_layer_convnet_cases, tol=1e-5),
        Property("random_weight: Kaiming normal, requires grad" + PROVIDED, 0,
                 cases=weight_cases("random_weight", WEIGHT_SHAPES), test=kaiming_normal, pick="out"),
        Property("zero_weight: zeros, requires grad" + PROVIDED, 0, cases=weight_cases("zero_weight", ((7,), (3, 4))),
                 test=zeros, pick="out"),
        Property("TwoLayerFC output shape" + PROVIDED, 0, pick="out", test=output_shape(10),
                 cases=module_shape_cases("TwoLayerFC", dict(input_size=50, hidden_size=42, num_classes=10), (16, 50))),
        Matches("TwoLayerFC with the reference's weights" + PROVIDED, 0, cases=two_layer_fc_module_cases, tol=1e-5),
        Property(MODULE_SHAPE, 2, pick="out", test=output_shape(10),
                 cases=module_shape_cases("ThreeLayerConvNet", dict(in_channel=3, channel_1=12, channel_2=8,
                                                                    num_classes=10), (8, 3, 32, 32))),
        Matches("ThreeLayerConvNet with the reference's weights", 4, cases=convnet_module_cases, tol=1e-5),
        Property(PART_V_READY, 1, cases=part_v_batch, test=part_v_ready, describe=part_v_facts),
        BudgetedAccuracy("Part V: trained by the grader, held-out accuracy", 10, probe=part_v_training,
                         pick=("scores", "test"), labels=lambda d: d.y_test, threshold=THRESHOLDS, tiers=TIERS,
                         also={"validation": (("scores", "val"), lambda d: d.y_val)}, describe=training_report,
                         budget=part_v_budget, unfinished=part_v_unfinished, requires=(PART_V_READY,)),
    ), prepare=prepare_workspace, needs_package=False)
