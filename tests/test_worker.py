"""The worker boundary: plain data only, and every misbehaviour becomes a status."""
from __future__ import annotations

import struct

import numpy as np
import pytest

from grader.worker import wire
from grader.worker.client import Worker
from grader.worker.limits import Limits


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
    return worker.run("call", {"target": f"cs231n.m:{name}", "args": args}, modules=["cs231n.m"])


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
        first = worker.run("call", {"target": "cs231n.broken:f", "args": {}}, modules=["cs231n.broken"])
        again = worker.run("call", {"target": "cs231n.broken:g", "args": {}}, modules=["cs231n.broken"])
    assert first.status == again.status == "import_error" and "bad import" in again.message
