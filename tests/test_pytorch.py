"""Assignment 2's PyTorch part (``grader/parts/pytorch.py``) end to end: notebooks in, scores out."""
from __future__ import annotations

import json
import sys

import nbformat
import pytest

from conftest import REFERENCE, ROOT, STARTER
from grader import api, data
from grader.checks import Matches
from grader.parts import common, pytorch
from grader.reports.gradescope import results_json
from grader.results import Status
from grader.suite import Part, Suite
from grader.suites import load_suite

sys.path.insert(0, str(ROOT / "benchmarks"))
import part_v_models  # noqa: E402 (the student-like Part V cells of the calibration)

pytestmark = pytest.mark.slow

REFERENCE_NOTEBOOK = REFERENCE / "assignment2" / "PyTorch.ipynb"
TRAINED = "Part V: trained by the grader, held-out accuracy"
PART_V = [pytorch.PART_V_READY, TRAINED]
PART_V_TITLE = f"pytorch: {TRAINED}"

LINEAR = """\
model = nn.Sequential(nn.Flatten(), nn.Linear(3 * 32 * 32, 10))
optimizer = optim.Adam(model.parameters(), lr=1e-3)
"""
# A model that looks for held-out labels everywhere it can reach in its process: every
# object the garbage collector knows, every frame of the call stack (the grader's probe
# included), its module's globals and the files around it. It predicts from what it finds.
CHEAT = """\
import gc, glob, inspect, os, sys, warnings
warnings.simplefilter("ignore")  # scanning every object touches deprecated torch names

def label_like(obj):
    if isinstance(obj, torch.Tensor):
        obj = obj.detach().cpu().numpy()
    if isinstance(obj, list) and 0 < len(obj) < 100000 and all(type(v) is int for v in obj[:50]):
        obj = np.array(obj)
    ok = isinstance(obj, np.ndarray) and obj.ndim == 1 and obj.dtype.kind in "iu" and len(obj) > 0
    return obj if ok and obj.min() >= 0 and obj.max() <= 9 else None

class Peeker(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3 * 32 * 32, 10)

    def forward(self, x):
        if self.training:
            return self.fc(x.flatten(1))
        places = list(gc.get_objects()) + list(globals().values()) + list(os.environ.values())
        total, start = len(x), 0
        for frame in inspect.stack():
            places += list(frame.frame.f_locals.values())
            for value in frame.frame.f_locals.values():
                if isinstance(value, dict):
                    places += list(value.values())
            if "images" in frame.frame.f_locals:  # the probe scores a split in chunks
                total, start = len(frame.frame.f_locals["images"]), frame.frame.f_locals.get("i", 0)
        for path in glob.glob("**/*", recursive=True) + glob.glob("../**/*label*", recursive=True):
            try:
                places.append(np.load(path, allow_pickle=False))
            except Exception:
                pass
        found = [a for a in map(label_like, places) if a is not None]
        print("searched", len(places), "places; label-like lengths", sorted({len(a) for a in found}))
        match = next((a for a in found if len(a) == total), None)
        scores = torch.zeros(len(x), 10)
        if match is not None:
            scores[torch.arange(len(x)), torch.as_tensor(match[start:start + len(x)])] = 1.0
        return scores

model = Peeker()
optimizer = optim.SGD(model.parameters(), lr=1e-3)
"""


def write_variant(path, part_v: str | None = None, replace: tuple[str, str] | None = None):
    """The reference notebook with another Part V cell, or with one piece of code replaced."""
    book = nbformat.read(str(REFERENCE_NOTEBOOK), as_version=4)
    for cell in book.cells:
        if cell.cell_type != "code":
            continue
        if part_v is not None and "train_part34(model, optimizer, epochs=10)" in cell.source:
            cell.source = part_v + "train_part34(model, optimizer, epochs=10)\n"
        if replace and replace[0] in cell.source:
            cell.source = cell.source.replace(*replace)
    nbformat.write(book, str(path))
    return path


def grade_part(references, path, names, **options):
    """Grade ``path`` with some of the part's checks only (by name), with the shared references."""
    suite = load_suite("assignment2-pytorch").only(*(f"pytorch: {name}" for name in names))
    return api.grade(suite, path, references=references, **options)


def result(report, title):
    return next(r for r in report.results if r.name == title)


def test_the_reference_notebook_part_v_report(suite_batch):
    """What the reference's Part V says, from the batch test_every_suite.py grades."""
    source = REFERENCE_NOTEBOOK.read_text()
    for colab in ("drive.mount", "%matplotlib inline", "!bash get_datasets.sh", "dset.CIFAR10(",
                  "train_part34(model, optimizer, epochs=10)"):
        assert colab in source, colab  # the notebook graded here is full of what must not run
    report = suite_batch("assignment2-pytorch").records["reference"].report
    assert report.score == report.max_score == 21
    part_v = result(report, PART_V_TITLE).feedback
    assert "trained 210 of 2,100 steps (10 passes" in part_v and "stopped: it fit the training set" in part_v
    assert "validation accuracy" in part_v and "on digits" in part_v
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():  # the CPU fallback; test_the_gpu_timing_path covers the other
        assert "on cpu, timed with the worker's CPU time" in part_v
        assert "on cpu: 3 x the reference's" in part_v and "for the same 2,100 steps" in part_v
    ready = result(report, f"pytorch: {pytorch.PART_V_READY}").feedback
    assert "160,234 parameters" in ready and "[64, 10]" in ready
    assert any("PyTorch.ipynb: 23 code cells" in note for note in report.notes)
    assert not list((REFERENCE / "assignment2").glob("_pytorch_notebook*"))  # nothing written into the repo


def test_the_starter_notebook_scores_zero_with_a_clear_status(grade_with):
    report = grade_with("assignment2-pytorch", STARTER / "assignment2")
    assert report.score == 0
    statuses = {r.name.removeprefix("pytorch: "): r.status for r in report.results}
    for r in report.results:
        if r.max_score:
            assert r.status not in (Status.PASSED, Status.GRADER_ERROR) and r.feedback.strip(), r
        else:  # the code the starter notebook provides works as given
            assert r.status is Status.PASSED, r
    assert statuses[pytorch.CONVNET] is Status.NOT_IMPLEMENTED
    assert statuses[pytorch.MODULE_SHAPE] is Status.NOT_IMPLEMENTED
    assert statuses[pytorch.PART_V_READY] is Status.NOT_IMPLEMENTED
    assert statuses["Part V: trained by the grader, held-out accuracy"] is Status.SKIPPED
    assert "model is None" in result(report, f"pytorch: {pytorch.PART_V_READY}").feedback


def test_a_weak_notebook_a_failing_cell_and_a_single_linear_layer(references, tmp_path):
    path = write_variant(tmp_path / "PyTorch.ipynb", part_v=LINEAR,
                         replace=("def three_layer_convnet(x, params):",
                                  "scale = undefined_name\n\ndef three_layer_convnet(x, params):"))
    report = grade_part(references, path, [pytorch.CONVNET, pytorch.MODULE_SHAPE, *PART_V])
    convnet, module, ready, trained = report.results
    assert convnet.status is Status.MISSING
    assert "three_layer_convnet is not defined: its cell (cell 12: scale = undefined_name) failed at its line 1: " \
           "NameError" in convnet.feedback
    assert module.status is Status.PASSED  # the other cells still define what they define
    assert ready.status is Status.PASSED and "30,730 parameters" in ready.feedback
    assert trained.status is Status.FAILED and trained.score == 0
    accuracy = float(trained.feedback.split("held-out accuracy ")[1].split("%")[0]) / 100
    assert 0.5 < accuracy < pytorch.THRESHOLDS["digits"]  # it learned something, not enough
    assert " of 2,100 steps" in trained.feedback and "cells that failed: cell 12" in trained.feedback
    assert "stopped: it ran all its steps" in trained.feedback or "stopped: it fit the training set" in trained.feedback


def test_a_model_that_looks_for_the_labels_finds_none(references, tmp_path):
    report = grade_part(references, write_variant(tmp_path / "PyTorch.ipynb", part_v=CHEAT), PART_V)
    trained = report.results[1]
    assert trained.status is Status.FAILED and trained.score == 0, trained
    # the search ran and works: it finds the training labels (1297) the worker was given
    # for training, but no array of the 300 held-out or 200 validation labels
    assert "searched" in trained.output and "1297" in trained.output
    assert ", 300" not in trained.output and "[300" not in trained.output
    accuracy = float(trained.feedback.split("held-out accuracy ")[1].split("%")[0]) / 100
    assert accuracy < 0.3


def test_a_cifar_sized_model_on_a_cpu_needs_a_gpu_and_says_how_long_it_would_take(references, tmp_path):
    """A model of the size real CIFAR-10 solutions use (a wide VGG: 21 times the reference's
    FLOPs per step, 13 times its time on the CI machine's CPU) is too slow for a CPU budget:
    after a few steps it ends needs_gpu, with its estimate, not failed."""
    report = grade_part(references, write_variant(tmp_path / "PyTorch.ipynb", part_v=part_v_models.SIZES[
        "real: wide VGG (128-256-512)"]), PART_V)
    ready, trained = report.results
    assert ready.status is Status.PASSED and "4,661,898 parameters" in ready.feedback
    assert trained.status is Status.NEEDS_GPU and trained.score == 0, trained
    assert "too slow for this machine" in trained.feedback and "--device cuda" in trained.feedback
    assert "make it smaller" not in trained.feedback  # 29 times the reference's weights: the course's size
    assert "stopped: its first steps said the run cannot fit the time budget" in trained.feedback
    steps = int(trained.feedback.split("trained ")[1].split(" of")[0])
    assert steps <= 8  # decided on its first steps, not at the end of the budget
    estimate = float(trained.feedback.split("would take about ")[1].split(" s")[0])
    budget = float(trained.feedback.split("beyond its ")[1].split(" s budget")[0])
    assert estimate > budget


def test_a_model_that_runs_out_of_memory_is_told_its_size_and_the_limit(references, tmp_path):
    greedy = LINEAR.replace("model = nn.Sequential(nn.Flatten(), nn.Linear(3 * 32 * 32, 10))", """\
class Greedy(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3 * 32 * 32, 10)

    def forward(self, x):
        return self.fc(x.flatten(1)) + torch.ones(40 * 2**30 // 4)[:10]  # 40 GiB of activations

model = Greedy()
""")
    report = grade_part(references, write_variant(tmp_path / "PyTorch.ipynb", part_v=greedy), PART_V)
    ready, trained = report.results
    assert ready.status is Status.MEMORY and trained.status is Status.SKIPPED, ready
    assert "the model (30,730 parameters) ran out of memory; the worker may use 12.0 GiB" in ready.feedback


def test_a_notebook_alone_is_graded_and_the_package_parts_say_what_is_missing(references, tmp_path):
    lone = write_variant(tmp_path / "my_pytorch_notebook.ipynb", part_v=LINEAR)
    notebook_part = load_suite("assignment2-pytorch").only(f"pytorch: {pytorch.CONVNET}",
                                                           f"pytorch: {pytorch.PART_V_READY}").parts[0]
    layers = Part("layers", (Matches("affine_forward", 1, cases=common.affine_cases(forward_only=True),
                                     pick=("out", 0)),))
    suite = Suite("mixed", reference="assignment2", parts=[layers, notebook_part])
    report = api.grade(suite, lone, references=references)
    layers, convnet, ready = report.results
    assert layers.status is Status.INVALID_SUBMISSION and layers.score == 0
    assert "no 'cs231n' package folder found in my_pytorch_notebook.ipynb" in layers.feedback
    assert "only the pytorch part can be graded" in layers.feedback
    assert convnet.status is Status.PASSED and ready.status is Status.PASSED
    assert "30,730 parameters" in ready.feedback
    assert any("my_pytorch_notebook.ipynb: 23 code cells" in note for note in report.notes)


def test_an_unreadable_or_absent_notebook_gives_a_clear_status(references, tmp_path):
    (tmp_path / "handed-in").mkdir()
    broken = tmp_path / "handed-in" / "PyTorch.ipynb"  # (a broken notebook handed in alone: tests/test_bad_input.py)
    broken.write_text('{"cells": [')
    report = grade_part(references, broken.parent, [pytorch.CONVNET, *PART_V])
    assert [r.status for r in report.results] == [Status.IMPORT_ERROR, Status.IMPORT_ERROR, Status.SKIPPED]
    assert "PyTorch.ipynb is not a readable notebook" in report.results[0].feedback

    folder = tmp_path / "no-notebook"
    (folder / "cs231n").mkdir(parents=True)
    (folder / "cs231n" / "layers.py").write_text("")
    report = grade_part(references, folder, [pytorch.CONVNET])
    assert report.results[0].status is Status.MISSING
    assert "the submission has no PyTorch.ipynb or pytorch_model.py" in report.results[0].feedback


def test_the_same_code_in_a_plain_module(references, tmp_path):
    book = nbformat.read(str(REFERENCE_NOTEBOOK), as_version=4)
    cells = [c.source for c in book.cells if c.cell_type == "code"]
    (tmp_path / "pytorch_model.py").write_text("\n# %%\n".join(cells))
    report = grade_part(references, tmp_path, [pytorch.CONVNET, pytorch.MODULE_SHAPE,
                                               "ThreeLayerConvNet with the reference's weights"])
    assert [r.status for r in report.results] == [Status.PASSED] * 3, report.results
    assert any("pytorch_model.py: 23 code cells" in note for note in report.notes)


def test_part_v_on_cifar10_files_in_the_real_format(references, tmp_path):
    from test_data import fake_cifar

    fake_cifar(tmp_path / "cifar-10-batches-py", num=30)
    notebook = write_variant(tmp_path / "PyTorch.ipynb", part_v=LINEAR)
    report = grade_part(references, notebook, PART_V, dataset=data.load(tmp_path))
    assert report.dataset == "cifar10"
    ready, trained = report.results
    assert ready.status is Status.PASSED
    # random labels cannot be learned: the check runs through and says on what it judged
    assert trained.status is Status.FAILED and "on cifar10" in trained.feedback
    assert "70.0% for 6" in trained.feedback and "trained 30 of 30 steps (10 passes" in trained.feedback


def test_the_gpu_timing_path_uses_cuda_events(tmp_path):
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device here: the CPU path (a monotonic clock) is what the other tests exercise")
    report = api.grade("assignment2-pytorch", REFERENCE / "assignment2")
    part_v = result(report, PART_V_TITLE)
    assert part_v.status is Status.PASSED and "timed with CUDA events" in part_v.feedback
    assert "on cuda: 10 x the reference's" in part_v.feedback
    json.dumps(results_json(report))
