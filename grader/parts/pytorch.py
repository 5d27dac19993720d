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
``train_part34`` does (batches of 64, cross-entropy), for ``EPOCHS`` epochs or until
the time budget of the device it runs on is spent (``TIME_BUDGET``: CUDA when there is
a GPU, else the CPU; timed with CUDA events on a GPU and a monotonic clock on the
CPU). The worker returns class scores for the validation and held-out images; the
grader scores them, and the labels never enter the worker. Points come in two tiers
(``TIERS``): 60% of the points at the threshold, all of them 5 points of accuracy above it.

Calibration (``benchmarks/pytorch_part_v.py``; embedded digits: 1297 training images,
200 validation, 300 held out; the 2-core CI machine, one thread per worker; no GPU was
lent for this work):
* the reference's Part V network over 5 seeds: 98.3-99.3% held out (97.5-98.5%
  validation), 10 epochs in 32-46 s (the machine was shared; 3.2-4.6 s per epoch);
* a single linear layer: 78.7-82.3% with Adam (lr 1e-3), 50.0-74.7% with SGD (lr 1e-2).
All points at 95%: 3.3 points below the reference's lowest run, about four standard
errors on 300 images, so a network as good as the reference earns them. The threshold
(the first tier) is 5 points lower, 90%: 7.7 points above the best linear run. The CPU
budget, 120 s, is about three times the reference's time, so that a busy machine does
not cut the reference short; the GPU budget is a guess (no GPU was lent).
CIFAR-10 could not be downloaded where this was built: its threshold is the course's
stated target (70% validation accuracy within 10 epochs) and its budgets are estimates,
not measurements; on a CPU, 10 CIFAR-10 epochs do not fit any reasonable budget, so
grade Part V on CIFAR-10 on a GPU. Grade the reference with ``--data`` to check them.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from .. import notebook
from ..checks import Accuracy, Matches, Property
from ..probe import torch_call, torch_inspect, torch_module, torch_train
from ..suite import Part

MODULE = "_pytorch_notebook"  # written into the workspace by prepare_workspace
NOTEBOOK_NAMES = ("pytorch.ipynb", "pytorch_model.py")  # looked for in this order, in any case

EPOCHS, BATCH = 10, 64
TIME_BUDGET = {  # seconds of training by dataset and device class
    "digits": {"cpu": 120, "cuda": 30},
    "cifar10": {"cpu": 600, "cuda": 300},
}
SETUP_TIME = 120  # seconds the worker may take besides training: import, first forward pass, scoring
THRESHOLDS = {"digits": 0.90, "cifar10": 0.70}
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
    if source is None:
        message = "the submission has no PyTorch.ipynb or pytorch_model.py"
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
    return notebooks[0] if len(notebooks) == 1 else None


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
                          classes=CLASSES, timeout=SETUP_TIME)]


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


def part_v_training(dataset, rng):
    budget = TIME_BUDGET[dataset.name]
    return torch_train(MODULE, data={"X_train": dataset.X_train, "y_train": dataset.y_train},
                       score_inputs={"val": dataset.X_val, "test": dataset.X_test}, normalize=NORMALIZE, epochs=EPOCHS,
                       time_budget=budget, batch_size=BATCH, timeout=max(budget.values()) + SETUP_TIME)


def training_report(value) -> str:
    """Epochs, time, device and timing method of a ``torch_train`` reply, and why it
    stopped early if it did. The reply is the student's worker's word: shown, never trusted."""
    epochs, steps, seconds = number(value, "epochs"), number(value, "steps"), number(value, "seconds")
    budget, device = number(value, "time_budget"), str(value.get("device"))[:80]
    losses = value.get("losses") if isinstance(value.get("losses"), list) else []
    text = (f"trained {epochs or 0:.0f} of {EPOCHS} epochs ({steps or 0:.0f} steps) in {seconds or 0:.1f} s on "
            f"{device}, timed with {timing_name(value)}; time budget {budget or 0:g} s on this device")
    if losses and isinstance(losses[-1], (int, float)):
        text += f"; last epoch's training loss {losses[-1]:.3f}"
    stopped = value.get("stopped")
    if stopped == "time budget" and steps and seconds:
        per_step = seconds / steps
        text += (f"\ntraining stopped at the time budget after {epochs or 0:.0f} of {EPOCHS} epochs "
                 f"({per_step * 1e3:.0f} ms per step; {EPOCHS} epochs would take about "
                 f"{per_step * (number(value, 'batches_per_epoch') or 0) * EPOCHS:.0f} s): the model is too big or too slow for "
                 f"the budget; make it smaller")
    elif stopped == "non-finite loss":
        text += "\ntraining stopped: the loss stopped being a finite number (is the learning rate too high?)"
    errors = value.get("cell_errors")
    if isinstance(errors, dict) and errors:
        text += "\ncells that failed: " + "; ".join(f"cell {k}: {str(v)[:200]}" for k, v in list(errors.items())[:5])
    return text


def number(value, key):
    item = value.get(key) if isinstance(value, dict) else None
    return float(item) if isinstance(item, (int, float)) and not isinstance(item, bool) and math.isfinite(item) \
        else None


def timing_name(value) -> str:
    names = {"cuda-events": "CUDA events", "monotonic": "a monotonic clock"}
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
        Accuracy("Part V: trained by the grader, held-out accuracy", 10, probe=part_v_training,
                 pick=("scores", "test"), labels=lambda d: d.y_test, threshold=THRESHOLDS, tiers=TIERS,
                 also={"validation": (("scores", "val"), lambda d: d.y_val)}, describe=training_report,
                 requires=(PART_V_READY,)),
    ), prepare=prepare_workspace, needs_package=False)
