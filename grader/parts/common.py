"""Input makers and small judges that several parts share: layer inputs, statistics
of arrays, the training views of a dataset, and a parameter-initialization test."""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from .. import data
from ..compare import diff
from ..probe import call, forward_backward
from ..reference import provided_root

LAYERS = "cs231n.layers"
SOLVER = "cs231n.solver:Solver"


def layer(name: str) -> str:
    return f"{LAYERS}:{name}"


def private(name: str):
    """A recogniser of ``private.py`` (near a solution, so not in the student release);
    where that module is absent, one that recognises nothing."""
    try:
        from . import private as module
    except ImportError:
        return lambda *args: None
    return getattr(module, name)


# -- arrays ------------------------------------------------------------------------------------

def away_from_zero(rng, shape):
    """Values at least 0.1 from zero, so a numerical check never straddles the ReLU kink."""
    x = rng.uniform(0.1, 2.0, size=shape)
    return x * rng.choice([-1.0, 1.0], size=shape)


def features(rng, N: int, D: int) -> np.ndarray:
    """Data with a different mean and spread in every feature, as batchnorm meets it."""
    return rng.normal(size=(N, D)) * rng.uniform(0.5, 3.0, D) + rng.normal(0.0, 4.0, D)


def scale_shift(rng, shape) -> tuple[np.ndarray, np.ndarray]:
    return rng.uniform(0.5, 2.0, shape), rng.normal(0.0, 1.0, shape)


def standardized(x, axes, eps: float) -> np.ndarray:
    """``x`` with zero mean and unit variance over ``axes`` (eps added to the variance)."""
    return (x - x.mean(axis=axes, keepdims=True)) / np.sqrt(x.var(axis=axes, keepdims=True) + eps)


def eps_outside_sqrt(axis, param: str):
    """A hint for a norm's train-mode forward (statistics over ``axis``, eps in the dict
    ``param``) that adds eps to the standard deviation instead of to the variance."""
    def hint(got, expected, probe):
        x, settings = probe.arg("x"), probe.arg(param) or {}
        if settings.get("mode", "train") != "train" or not isinstance(x, np.ndarray):
            return None
        centered = x - x.mean(axis=axis, keepdims=True)
        std = np.sqrt(np.mean(centered ** 2, axis=axis, keepdims=True))
        if close(got, probe.arg("gamma") * centered / (std + settings.get("eps", 1e-5)) + probe.arg("beta")):
            return "eps goes inside the square root: (x - mean) / np.sqrt(var + eps), not (x - mean) / " \
                   "(np.sqrt(var) + eps)"
        return None
    return hint


def close(got, expected, tol: float = 1e-6) -> bool:
    return isinstance(got, np.ndarray) and got.shape == np.shape(expected) and got.dtype.kind == "f" and \
        np.allclose(got, expected, rtol=tol, atol=tol * max(1e-12, float(np.max(np.abs(expected), initial=0))))


def layer_out(value):
    """The ``out`` of a layer's ``(out, cache)`` in a reply, or None."""
    out = value.get("out") if isinstance(value, dict) else None
    return out[0] if isinstance(out, (tuple, list)) and out else None


def shape_of(value) -> str:
    return f"an array of shape {value.shape}" if isinstance(value, np.ndarray) else type(value).__name__


def conv_out(H, HH, stride, pad):
    return 1 + (H + 2 * pad - HH) // stride


# -- the L2 penalty ---------------------------------------------------------------------------------

def _number(value) -> float | None:
    if isinstance(value, np.ndarray) and value.shape == () and value.dtype.kind in "iuf":
        value = value.item()
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _times(factor: float) -> str:
    return "" if factor == 1 else f"{factor:g} * "


def penalty_mistakes(coef: float, weights):
    """A hint for the known mistakes in the penalty ``coef * reg * sum(W*W)`` over the
    arrays ``weights(probe)`` gives (name -> array, in layer order), read from the
    (loss, gradient) a loss function returned: its gradient ``coef * reg * W`` (half of
    it), the last layer's W left out, ``np.sum(W)**2``, the penalty added once per
    example, and a loss without the penalty though the gradient has it."""
    convention = f"{_times(coef)}reg * sum(W*W)"

    def gradient(value, name):
        grads = value[1] if isinstance(value, (tuple, list)) and len(value) == 2 else None
        return grads.get(name) if isinstance(grads, dict) else grads

    def hint(got, expected, probe):
        reg, arrays = probe.arg("reg"), weights(probe)
        loss, want = _number(got[0]) if isinstance(got, (tuple, list)) and got else None, _number(expected[0])
        if not reg or loss is None or want is None or not arrays:
            return None
        penalty = coef * reg * sum(float(np.sum(w * w)) for w in arrays.values())

        def near(value):
            return bool(np.isclose(loss, value, rtol=1e-7, atol=1e-10))
        if near(want) and all(close(gradient(got, k), gradient(expected, k) - coef * reg * w)
                              for k, w in arrays.items()):
            return f"the gradient of the penalty {convention} is {_times(2 * coef)}reg * W, not {_times(coef)}reg * W"
        last = list(arrays)[-1]
        if len(arrays) > 1 and near(want - coef * reg * float(np.sum(arrays[last] ** 2))):
            return f"the penalty leaves out the last layer's weights {last}: regularize every weight matrix"
        if near(want - penalty + coef * reg * sum(float(np.sum(w)) ** 2 for w in arrays.values())):
            return "np.sum(W)**2 squares the sum of the weights; the penalty sums their squares, np.sum(W * W)"
        examples = len(probe.arg("y", ()))
        if examples > 1 and near(want + (examples - 1) * penalty):
            return f"the penalty is added once per example (inside the loop over the examples): add {convention} " \
                   "once, after the loop"
        if near(want - penalty) and diff(got[1], expected[1], 1e-7) is None:
            return f"the loss lacks the penalty {convention} that its gradient has: `loss + penalty` on a line of " \
                   "its own computes the sum and throws it away (write loss += penalty)"
        return None
    return hint


def weight_matrices(probe) -> dict:
    """The weight matrices W1, W2 ... of a model's injected parameters, in layer order."""
    params = probe.arg("params") or {}
    names = sorted((k for k in params if k[:1] == "W" and k[1:].isdigit()), key=lambda k: int(k[1:]))
    return {k: params[k] for k in names}


# -- layers that more than one assignment has ------------------------------------------------------

AFFINE_SHAPES = ((2, (4, 5, 6), 3), (3, (7,), 5), (1, (2, 3), 4))


def affine_cases(forward_only: bool = False, numeric: bool = False):
    def cases(rng):
        probes = []
        for num, shape, out_dim in AFFINE_SHAPES[: 1 if numeric else None]:
            x = rng.normal(size=(num, *shape))
            w, b = rng.normal(size=(int(np.prod(shape)), out_dim)), rng.normal(size=out_dim)
            if forward_only:
                probes.append(call(layer("affine_forward"), x=x, w=w, b=b))
            else:
                probes.append(forward_backward(layer("affine_forward"), layer("affine_backward"),
                                               x=x, w=w, b=b, dout=rng.normal(size=(num, out_dim)), numeric=numeric))
        return probes
    return cases


def relu_cases(forward_only: bool = False, numeric: bool = False):
    def cases(rng):
        probes = []
        for shape in ((6, 8), (2, 3, 4), (1, 5))[: 1 if numeric else None]:
            x = away_from_zero(rng, shape)
            if forward_only:
                probes.append(call(layer("relu_forward"), x=x))
            else:
                probes.append(forward_backward(layer("relu_forward"), layer("relu_backward"), x=x,
                                               dout=rng.normal(size=shape), numeric=numeric))
        return probes
    return cases


def score_loss_cases(name: str, numeric: bool = False):
    def cases(rng):
        probes = []
        for num, classes in ((20, 10), (3, 4))[: 1 if numeric else None]:
            x = rng.normal(size=(num, classes))
            probes.append(call(layer(name), x=x, y=rng.integers(0, classes, num), numeric="x" if numeric else None))
        return probes
    return cases


# -- what training checks send --------------------------------------------------------------------

def test_labels(dataset):
    return dataset.y_test


# (id of the dataset, view) -> (the dataset, which keeps its id from being reused; the views):
# the two latest, one per training check, so that a batch of submissions makes them once.
_VIEWS: dict = {}


def training_views(dataset, size: int, num: int | None, images: bool):
    """Training and validation data (mean image subtracted) and the held-out images, as
    rows (N, size*size*3) or images (N, 3, size, size), shown at ``size`` x ``size``;
    made once per dataset."""
    key = (id(dataset), size, num, images)
    if key not in _VIEWS:
        mean = data.mean_image(dataset)

        def view(X):
            X = data.rows(X, mean).reshape(-1, size, 32 // size, size, 32 // size, 3).mean(axis=(2, 4))
            return X.transpose(0, 3, 1, 2).copy() if images else X.reshape(len(X), -1)
        while len(_VIEWS) >= 2:
            del _VIEWS[next(iter(_VIEWS))]
        _VIEWS[key] = dataset, ({"X_train": view(dataset.X_train[:num]), "y_train": dataset.y_train[:num],
                                 "X_val": view(dataset.X_val), "y_val": dataset.y_val}, {"test": view(dataset.X_test)})
    return _VIEWS[key][1]


def solver_kwargs(settings: dict) -> dict:
    return dict(update_rule=settings["update_rule"], optim_config={"learning_rate": settings["learning_rate"]},
                lr_decay=settings["lr_decay"], num_epochs=settings["num_epochs"], batch_size=settings["batch_size"],
                verbose=False)


# -- models' parameters ---------------------------------------------------------------------------

def drawn_with_std(value: np.ndarray, std: float) -> bool:
    """Whether ``value`` looks drawn from N(0, std^2): the sample std of n normal draws is
    within 6/sqrt(2n) of the true one and the mean within 6/sqrt(n) (six standard
    errors), so a correct initialization never fails this."""
    n = value.size
    return abs(float(np.std(value)) - std) <= 6 * std / np.sqrt(2 * n) and \
        abs(float(np.mean(value))) <= 6 * std / np.sqrt(n)


def fixed_classes(name, value, shape, probe) -> str | None:
    """A parameter with 10 entries where the constructor's num_classes asks for another number."""
    classes = probe.spec["init"].get("num_classes")
    if isinstance(value, np.ndarray) and value.ndim == len(shape) and classes != 10 and \
            all(e == classes and g == 10 for g, e in zip(value.shape, shape) if g != e):
        return f"the output layer has 10 classes: use the num_classes argument ({classes}), not a fixed 10"
    return None


def initialized(expected_shapes, constants, scale=lambda probe: probe.spec["init"]["weight_scale"], hints=()):
    """A Property test: params has exactly the expected names and shapes, weights drawn
    with std ``scale(probe)``, the rest at their constant starting values. ``hints``:
    functions (name, value, expected shape, probe) -> text for a parameter of the wrong
    shape, after ``fixed_classes``."""
    def test(value, probe):
        params = (value.get("attrs") or {}).get("params") if isinstance(value, dict) else None
        shapes = expected_shapes(probe)
        if not isinstance(params, dict):
            return "self.params should be a dict of the parameters"
        if set(params) != set(shapes):
            missing, extra = sorted(set(shapes) - set(params)), sorted(set(params) - set(shapes))
            return f"self.params should hold exactly {', '.join(sorted(shapes))}" + \
                (f"; missing {', '.join(missing)}" if missing else "") + \
                (f"; unexpected {', '.join(extra)}" if extra else "")
        std = scale(probe)
        for name, shape in shapes.items():
            value = params[name]
            if not isinstance(value, np.ndarray) or value.shape != shape or value.dtype.kind != "f":
                why = next((text for hint in (fixed_classes, *hints) if (text := hint(name, value, shape, probe))), "")
                return f"params[{name!r}] should be a float array of shape {shape}; got {shape_of(value)}" + \
                    (f"\n  hint: {why}" if why else "")
            if name.startswith("W"):
                if not drawn_with_std(value, std):
                    return f"params[{name!r}] should be drawn from a normal distribution with mean 0 and std " \
                           f"weight_scale ({std:g}); its std is {float(np.std(value)):.4g}"
            else:
                start = constants.get(name.rstrip("0123456789"), 0.0)
                if np.any(value != start):
                    return f"params[{name!r}] should start as all {start:g}"
        return None
    return test


# -- provided code ---------------------------------------------------------------------------------

FAST_LAYERS = ("cs231n/fast_layers.py", "cs231n/im2col.py")


def provided_fast_layers(root: Path) -> list[str]:
    """Put the grader's pure-NumPy fast layers in the workspace: the course's need a
    Cython extension built on the student's machine, and students do not edit them."""
    source = provided_root("assignment2")
    if not (root / "cs231n").is_dir():
        return []
    for name in FAST_LAYERS:
        shutil.copyfile(source / name, root / name)
    return [f"{' and '.join(FAST_LAYERS)}: the grader's pure-NumPy versions were used (provided code)"]
