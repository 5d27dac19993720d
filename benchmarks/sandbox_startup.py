"""What the sandbox costs: seconds from starting a worker to its first answer.

    python benchmarks/sandbox_startup.py [repeats]

Starts a worker on a one-module folder, imports the module, calls a function and
closes it, ``repeats`` times in each isolation that can run here (the bubblewrap
sandbox, and a plain process), and prints the median and the spread.
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from grader.worker import sandbox
from grader.worker.client import Worker
from grader.worker.limits import Limits


def start_and_answer(folder: Path, mode: str) -> float:
    started = time.perf_counter()
    with Worker(folder, Limits(sandbox=mode)) as worker:
        reply = worker.run("probes:call", {"target": "cs231n.m:f", "args": {}}, modules=["cs231n.m"])
        assert reply.ok, reply
        seconds = time.perf_counter() - started
    return seconds


def main(repeats: int) -> None:
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp) / "submission"
        (folder / "cs231n").mkdir(parents=True)
        (folder / "cs231n" / "m.py").write_text("import numpy as np\n\ndef f():\n    return np.ones(3)\n")
        for mode in ("auto", "none"):
            kind = sandbox.isolation(mode).kind
            start_and_answer(folder, mode)  # the first one pays for choosing the isolation
            times = sorted(start_and_answer(folder, mode) for _ in range(repeats))
            print(f"{kind:10} median {statistics.median(times) * 1e3:6.0f} ms, "
                  f"min {times[0] * 1e3:4.0f} ms, max {times[-1] * 1e3:4.0f} ms over {repeats} starts")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
