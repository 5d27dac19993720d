"""The notebook converter, and the PyTorch probe through a real worker."""
import time
from pathlib import Path
from types import SimpleNamespace

import nbformat
import numpy as np
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from grader import notebook
from grader.probe import torch_train
from grader.worker import torch_probes
from grader.worker.client import Worker

COLAB = """\
from google.colab import drive
drive.mount('/content/drive')
FOLDERNAME = 'cs231n/assignments/assignment2/'
assert FOLDERNAME is not None, "[!] Enter the foldername."
import sys
sys.path.append('/content/drive/My Drive/{}'.format(FOLDERNAME))
%cd /content/drive/My\\ Drive/$FOLDERNAME/cs231n/datasets/
!bash get_datasets.sh
%cd /content/drive/My\\ Drive/$FOLDERNAME
"""
SETUP = """\
%matplotlib inline
%load_ext autoreload
import math
USE_GPU = True
if USE_GPU and math.isfinite(1.0):
    device = 'cuda'
else:
    device = 'cpu'
try:
    from google.colab import files
    IN_COLAB = True
except ImportError:
    IN_COLAB = False
print('using device:', device)
"""
LOADERS = """\
NUM_TRAIN = 49000
cifar10_train = dset.CIFAR10('./cs231n/datasets', train=True, download=True, transform=transform)
loader_train = DataLoader(cifar10_train, batch_size=64, sampler=sampler.SubsetRandomSampler(range(NUM_TRAIN)))
first_batch = next(iter(loader_train))
"""
DEFINITIONS = """\
def flatten(x):
    return [v for row in x for v in row]

class Net:
    def __init__(self, width):
        self.width = width

def train_part34(model, optimizer, epochs=1):
    for e in range(epochs):
        for x, y in loader_train:
            pass

train_part34(Net(1), None)
"""
PART_V = """\
model = Net(8)
optimizer = 'adam'
history = train_part34(model, optimizer, epochs=10)
train_part34(model, optimizer, epochs=10)
"""


def write_notebook(path: Path, *sources: str) -> Path:
    cells = [new_markdown_cell("# A notebook")] + [new_code_cell(s) for s in sources]
    nbformat.write(new_notebook(cells=cells), str(path))
    return path


def run_module(text: str, path: Path) -> dict:
    """Run a generated module (these tests' own code) and return its namespace."""
    path.write_text(text)
    namespace = {"__file__": str(path), "__name__": "generated"}
    exec(compile(text, str(path), "exec"), namespace)
    return namespace


def test_keeps_definitions_and_drops_colab_data_and_training(tmp_path):
    path = write_notebook(tmp_path / "PyTorch.ipynb", COLAB, SETUP, LOADERS, DEFINITIONS, PART_V,
                          "best_model = model\ncheck_accuracy_part34(loader_test, best_model)",
                          "%%bash\nls -l", "%%time\nslow = 1")
    conversion = notebook.convert(path)
    kept_code = "".join(cell.code for cell in conversion.cells)
    for gone in ("drive.mount", "get_datasets", "%matplotlib", "dset.CIFAR10", "DataLoader(", "next(iter",
                 "assert FOLDERNAME", "print(", "ls -l", "train_part34(model, optimizer, epochs=10", "Net(1)"):
        assert gone not in kept_code, gone
    statuses = {cell.index: cell.status for cell in conversion.cells}
    assert statuses == {1: "partly kept", 2: "partly kept", 3: "partly kept", 4: "partly kept", 5: "partly kept",
                        6: "partly kept", 7: "skipped", 8: "partly kept"}
    loaders = conversion.cells[2]
    assert loaders.kept == ["NUM_TRAIN = ..."]
    assert any("uses loader_train, which is not kept" in line for line in loaders.dropped)
    assert any("(Colab only)" in line for line in conversion.cells[0].dropped)
    assert any("!bash get_datasets.sh" in line for line in conversion.cells[0].dropped)
    assert "cell 7 [skipped]" in "\n".join(conversion.summary())

    names = run_module(conversion.module, tmp_path / "generated.py")
    assert names["__cell_errors__"] == {}
    assert names["device"] == "cuda" and names["IN_COLAB"] is False and names["slow"] == 1
    assert names["model"].width == 8 and names["optimizer"] == "adam" and names["best_model"] is names["model"]
    assert names["flatten"]([[1, 2], [3]]) == [1, 2, 3]
    assert "history" not in names and "loader_train" not in names and "drive" not in names


def test_kept_code_keeps_its_line_numbers():
    plan = notebook.plan_cell(0, "%matplotlib inline\nx = load()\nprint(x)\n\ndef f():\n    return 1\n")
    assert plan.code.splitlines()[4] == "def f():"
    assert plan.dropped[0].startswith("line 1: %matplotlib inline")


def test_an_unreadable_notebook_raises_a_clear_error(tmp_path):
    broken = tmp_path / "PyTorch.ipynb"
    broken.write_text('{"cells": [')
    with pytest.raises(notebook.NotebookError, match="PyTorch.ipynb is not a readable notebook"):
        notebook.convert(broken)
    with pytest.raises(notebook.NotebookError, match="cannot be read"):
        notebook.convert(tmp_path / "absent.ipynb")


def test_a_failing_cell_is_recorded_and_the_others_still_define(tmp_path):
    path = write_notebook(tmp_path / "nb.ipynb", "def before():\n    return 1\n\nratio = 1 / 0\nafter = 2",
                          "def (:\n", "def other():\n    return 3")
    conversion = notebook.convert(path)
    assert conversion.cells[1].status == "unparsable" and "SyntaxError" in conversion.cells[1].error
    names = run_module(conversion.module, tmp_path / "generated.py")
    assert names["__cell_errors__"] == {
        1: {"line": "def before():", "where": 4, "error": "ZeroDivisionError: division by zero"},
        2: {"line": "def (:", "where": 1, "error": "SyntaxError: invalid syntax"}}
    assert names["before"]() == 1 and names["other"]() == 3 and "after" not in names


def test_a_model_from_an_earlier_part_is_never_taken_for_part_v(tmp_path):
    code = SimpleNamespace(__name__="nb", model="part IV model", __cell_binds__={"model": 9}, __skipped_binds__={},
                           __cell_errors__={9: {"line": "model = MyNet()", "where": 1, "error": "NameError: MyNet"}})
    with pytest.raises(RuntimeError, match=r"the cell that sets model \(cell 9: model = MyNet\(\)\) failed"):
        torch_probes._defined(code, "model", LookupError)

    conversion = notebook.build("nb.ipynb", [(3, "model = 'part IV'\noptimizer = 'sgd'"),
                                             (5, "for lr in (1, 2):\n    model = lr\n    optimizer = lr\n    train_part34(model, optimizer)"),
                                             (6, "best_model = model")])
    assert "best_model = model (uses model, which is not kept)" in conversion.cells[2].dropped[0]
    names = run_module(conversion.module, tmp_path / "nb.py")
    with pytest.raises(LookupError, match=r"model is set last in cell 5, line 1: for lr in \(1, 2\):"):
        torch_probes._defined(SimpleNamespace(**names), "model", LookupError)


PART_V_BUILT_IN_STEPS = """\
layers, width = [], 3
for out in (4, 8):
    layers += [('conv', width, out)]
    print('block', out)
    width = out
layers.append(('linear', width, 10))
model = Net(layers)
def init_weights(m):
    m.initialised = m.initialised + 1
model.apply(init_weights)
init_weights(model)
for i in range(3):
    if i == 1:
        model.setup_(i)
        break
model.eval()
torch.manual_seed(0)
my_fit(model, optimizer, epochs=10)
while model.width:
    model.width = 0
print(model)
model
"""
NET_WITH_SETUP = """\
class Net:
    def __init__(self, width):
        self.width, self.initialised, self.calls = width, 0, []
    def apply(self, fn):
        fn(self)
    def setup_(self, i):
        self.calls.append(('setup_', i))
    def eval(self):
        self.calls.append('eval')

class torch:
    seeds = []
    def manual_seed(seed):
        torch.seeds.append(seed)
"""


def test_part_v_built_in_steps_keeps_its_loops_and_setup_calls(tmp_path):
    """Found by an independent solution: a model built from layers made in a loop, and
    initialised by model.apply, had lost its Part V points (the loop and the call dropped)."""
    conversion = notebook.build("nb.ipynb", [(1, NET_WITH_SETUP), (2, PART_V_BUILT_IN_STEPS)])
    cell = conversion.cells[1]
    dropped = "\n".join(cell.dropped)
    for gone in ("print('block', out) (runs something)", "my_fit(model, optimizer, epochs=10) (runs something)",
                 "while model.width: (a while loop or with block runs work)", "print(model) (runs something)",
                 "line 22: model (runs something)"):
        assert gone in dropped, gone
    assert "for loop (layers, out, width)" in cell.kept and "for loop (i)" in cell.kept
    names = run_module(conversion.module, tmp_path / "nb.py")
    assert names["__cell_errors__"] == {}
    model = names["model"]
    assert model.width == [("conv", 3, 4), ("conv", 4, 8), ("linear", 8, 10)]
    assert model.initialised == 2 and model.calls == [("setup_", 1), "eval"] and names["torch"].seeds == [0]


def test_a_with_block_of_a_device_or_grad_mode_is_kept_and_others_are_dropped(tmp_path):
    fake_torch = "import contextlib\nclass torch:\n    device = no_grad = staticmethod(lambda *a: contextlib.nullcontext())\n"
    part_v = ("with torch.device('cpu'):\n    model = Net(2)\n    print(model)\n"
              "with torch.no_grad():\n    model.setup_(5)\n"
              "with open('weights.txt') as f:\n    extra = f.read()\n"
              "with torch.no_grad():\n    train_part34(model, None)\n")
    conversion = notebook.build("nb.ipynb", [(1, NET_WITH_SETUP.split("class torch")[0] + fake_torch), (2, part_v)])
    cell = conversion.cells[1]
    assert cell.kept == ["with block (model)", "with block"]
    dropped = "\n".join(cell.dropped)
    assert "line 3: print(model) (runs something)" in dropped
    assert "line 6: with open('weights.txt') as f: (a while loop or with block runs work)" in dropped
    assert "line 8: with torch.no_grad(): (calls train_part34: trains or evaluates)" in dropped
    names = run_module(conversion.module, tmp_path / "nb.py")
    assert names["__cell_errors__"] == {} and names["model"].calls == [("setup_", 5)] and "extra" not in names


def test_a_loop_that_trains_or_reads_data_is_dropped_whole(tmp_path):
    cells = [(1, "loader_train = DataLoader(data)"),
             (2, "for x, y in loader_train:\n    first = x\n    break"),
             (3, "for lr in (1e-3, 1e-4):\n    model = lr\n    check_accuracy_part34(loader_val, model)")]
    conversion = notebook.build("nb.ipynb", cells)
    assert "uses loader_train, which is not kept" in conversion.cells[1].dropped[0]
    assert "calls check_accuracy_part34: trains or evaluates" in conversion.cells[2].dropped[0]
    assert conversion.cells[1].code == conversion.cells[2].code == ""


def test_a_plain_module_is_split_at_cell_markers(tmp_path):
    path = tmp_path / "pytorch_model.py"
    path.write_text("import math\n# %% Part V\nmodel = math.pi\ntrain_part34(model, None)\n")
    conversion = notebook.convert(path)
    assert [c.index for c in conversion.cells] == [0, 1]
    assert conversion.cells[1].kept == ["model = ..."]


def test_the_cpu_stopwatch_measures_the_cpu_time_of_the_worker():
    method, elapsed = torch_probes.stopwatch(SimpleNamespace(type="cpu"))
    time.sleep(0.2)  # waiting (another process's load) does not count
    started = time.process_time()
    while time.process_time() - started < 0.05:
        pass
    assert method == "cpu-time" and 0.05 <= elapsed() < 0.15


def test_the_cuda_stopwatch_uses_events():
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device here")
    method, elapsed = torch_probes.stopwatch(torch.device("cuda"))
    a = torch.randn(2048, 2048, device="cuda")
    for _ in range(10):
        a = a @ a / 2048
    assert method == "cuda-events" and elapsed() > 0


TINY = """\
import torch.nn as nn
import torch.optim as optim
model = nn.Sequential(nn.Flatten(), nn.Linear(3 * 8 * 8, 4))
optimizer = optim.SGD(model.parameters(), lr=0.1)
train_part34(model, optimizer, epochs=10)
"""


@pytest.mark.slow
def test_torch_train_through_a_worker(tmp_path):
    notebook.write_module(write_notebook(tmp_path / "tiny.ipynb", TINY), tmp_path / "tiny_nb.py")
    notebook.write_module(write_notebook(tmp_path / "bad.ipynb", TINY, "model = Missing()"), tmp_path / "bad_nb.py")
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, size=(40, 8, 8, 3), dtype=np.uint8)
    data = {"X_train": X, "y_train": rng.integers(0, 4, size=40)}
    probe = torch_train("tiny_nb", data=data, score_inputs={"test": X[:10]}, normalize={"mean": [0.5] * 3, "std": [0.25] * 3},
                        steps=10, time_budget=60, batch_size=8, timeout=60)
    with Worker(tmp_path) as worker:
        first = worker.ask(probe, seed=5)
        again = worker.ask(probe, seed=5)
        hurried = worker.ask(probe.with_args(time_budget=0), seed=5)
        stale = worker.run(probe.worker_function, {**probe.spec, "module": "bad_nb"}, seed=5, timeout=60)
    assert first.ok, first
    value = first.value
    scores = value["scores"]["test"]
    assert isinstance(scores, np.ndarray) and scores.shape == (10, 4) and scores.dtype == np.float32
    assert np.array_equal(scores, again.value["scores"]["test"])  # same seed, same weights, same order
    assert value["params"] == value["optimized_params"] == 3 * 8 * 8 * 4 + 4
    assert value["forward_shape"] == [8, 4] and value["epochs"] == 2 and value["steps"] == 10
    assert value["stopped"] == "steps" and len(value["losses"]) == 2 and value["cell_errors"] == {}
    assert value["timing"] in ("cpu-time", "cuda-events") and value["seconds"] > 0
    assert hurried.ok and hurried.value["steps"] == 1 and hurried.value["epochs"] == 0
    assert hurried.value["stopped"] == "time budget"
    assert not stale.ok and stale.status == "crash" and "the cell that sets model (cell 2" in stale.message
