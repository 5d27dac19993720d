"""The worker boundary: plain data only, and every misbehaviour becomes a status."""
from __future__ import annotations

import struct

import numpy as np
import pytest

from grader.worker import wire
from grader.worker.client import Worker
from grader.worker.limits import Limits

pytestmark = pytest.mark.slow  # every test here starts workers


def test_plain_data_round_trips():
    tree = {"a": np.arange(6.0).reshape(2, 3), "b": (1, 2.5, None, True, "x"), "c": [np.int64(3), np.float32(0.5)],
            "d": float("nan")}
    back = wire.decode(wire.encode(tree))
    assert np.array_equal(back["a"], tree["a"]) and back["a"].flags.writeable
    assert back["b"] == (1, 2.5, None, True, "x") and back["c"] == [3, 0.5] and np.isnan(back["d"])


def test_objects_that_are_not_plain_data_do_not_travel():
    class AlwaysEqual:
        def __eq__(self, other):
            return True

    back = wire.decode(wire.encode({"lie": AlwaysEqual(), "objects": np.array([object()], dtype=object),
                                    "keys": {1: 2}}))
    assert all(isinstance(v, wire.Unsupported) for v in back.values())


def test_a_pickled_array_in_a_frame_is_refused():
    import io
    import json

    buffer = io.BytesIO()
    np.save(buffer, np.array([{"x": 1}], dtype=object), allow_pickle=True)
    blob = buffer.getvalue()
    header = json.dumps({"tree": {"$nd": 0}, "blobs": [len(blob)]}).encode()
    with pytest.raises(wire.WireError):
        wire.decode(struct.pack(">I", len(header)) + header + blob)
    with pytest.raises(wire.WireError):
        wire.decode(b"\x00\x00\x00\x05{nope")


@pytest.fixture
def module_dir(tmp_path):
    (tmp_path / "cs231n").mkdir()
    (tmp_path / "cs231n" / "__init__.py").write_text("")
    (tmp_path / "cs231n" / "m.py").write_text(
        "import os, sys, time\nimport numpy as np\n"
        "def add(a, b):\n    print('adding')\n    return a + b\n"
        "def spin():\n    while True:\n        pass\n"
        "def leave():\n    os._exit(0)\n"
        "def huge():\n    return np.zeros(50_000_000)\n"
        "def chatty():\n    print('x' * 1_000_000)\n    return 1\n"
        "def grab():\n    return bytearray(8 << 30)\n"
        "def todo():\n    raise NotImplementedError\n"
        "def old():\n    return np.int(3)\n")
    return tmp_path


def run(worker, name, **args):
    return worker.run("probes:call", {"target": f"cs231n.m:{name}", "args": args}, modules=["cs231n.m"])


def test_calls_come_back_with_output_and_time(module_dir):
    with Worker(module_dir) as worker:
        reply = run(worker, "add", a=np.ones(3), b=np.ones(3))
    assert reply.ok and np.array_equal(reply.value["out"], 2 * np.ones(3))
    assert reply.output == "adding\n" and reply.seconds > 0


def test_timeouts_crashes_and_limits_become_statuses(module_dir):
    limits = Limits(timeout=2, response=64 << 20, output=1000, memory=4 << 30)
    with Worker(module_dir, limits) as worker:
        assert run(worker, "spin").status == "timeout"
        assert run(worker, "add", a=1, b=2).value["out"] == 3  # a fresh worker after the kill
        left = run(worker, "leave")
        assert left.status == "crash" and "exited" in left.message
        assert run(worker, "huge").status == "failed"
        chatty = run(worker, "chatty")
        assert chatty.ok and len(chatty.output) < 2000 and "not kept" in chatty.output
        assert run(worker, "grab").status == "memory"
        assert run(worker, "todo").status == "not_implemented"
        assert run(worker, "old").status == "numpy2"
        assert run(worker, "nothing").status == "missing"


def test_a_module_that_fails_to_import_is_remembered(module_dir):
    (module_dir / "cs231n" / "broken.py").write_text("raise RuntimeError('bad import')\n")
    with Worker(module_dir) as worker:
        first = worker.run("probes:call", {"target": "cs231n.broken:f", "args": {}}, modules=["cs231n.broken"])
        again = worker.run("probes:call", {"target": "cs231n.broken:g", "args": {}}, modules=["cs231n.broken"])
    assert first.status == again.status == "import_error" and "bad import" in again.message


def test_repeated_calls_chained_calls_and_a_models_numerical_gradient(tmp_path):
    from grader.probe import call, method, step

    (tmp_path / "cs231n").mkdir()
    (tmp_path / "cs231n" / "rules.py").write_text(
        "import numpy as np\n"
        "def update(w, config):\n    config['t'] = config.get('t', 0) + 1\n    return w - 0.5, config\n"
        "def noisy(x):\n    return x + np.random.rand(*x.shape), None\n"
        "class Quadratic:\n"
        "    def __init__(self):\n        self.params = {'w': np.array([1.0, -2.0, 3.0])}\n"
        "    def loss(self, X):\n        w = self.params['w']\n"
        "        return float(np.sum((X @ w) ** 2)), {'w': 2 * X.T @ (X @ w)}\n"
        "    def spin_then_idle(self, n):\n        t = 0\n        for i in range(n):\n            t += i\n        return t\n")
    X = np.arange(6.0).reshape(2, 3)
    with Worker(tmp_path) as worker:
        def ask(probe):
            return worker.ask(probe)

        chained = ask(call("cs231n.rules:update", w=np.zeros(2), config={}, repeat=3, feed={"w": 0, "config": 1}))
        assert np.array_equal(chained.value["out"][0], [-1.5, -1.5]) and chained.value["out"][1] == {"t": 3}
        again = ask(call("cs231n.rules:noisy", x=np.zeros(4), repeat=2))
        first, second = (out[0] for out in again.value["outs"])
        assert not np.array_equal(first, second)  # no reseeding between the calls
        numeric = ask(method("cs231n.rules:Quadratic", step("loss", X=X), numeric="params"))
        assert np.allclose(numeric.value["numeric"]["w"], numeric.value["analytic"]["w"], rtol=1e-6)
        assert len(numeric.value["outs"]) == 1
        busy = ask(method("cs231n.rules:Quadratic", step("spin_then_idle", n=3_000_000)))
    assert busy.cpu_seconds is not None and 0 < busy.cpu_seconds <= busy.seconds + 0.02


def test_what_real_course_folders_import_is_there(tmp_path):
    """Provided course modules import past.builtins, six, imageio, scipy and matplotlib."""
    (tmp_path / "cs231n").mkdir()
    (tmp_path / "cs231n" / "__init__.py").write_text("")
    (tmp_path / "cs231n" / "m.py").write_text(
        "from past.builtins import xrange\nimport six, imageio, scipy.ndimage\nimport matplotlib.pyplot as plt\n"
        "def f():\n    plt.figure()\n    plt.plot([1, 2])\n    plt.close()\n    return list(xrange(3))\n")
    with Worker(tmp_path) as worker:
        reply = worker.run("probes:call", {"target": "cs231n.m:f", "args": {}}, modules=["cs231n.m"])
    assert reply.ok, (reply.status, reply.message)
    assert reply.value["out"] == [0, 1, 2]
