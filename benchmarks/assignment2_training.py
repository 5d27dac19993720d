"""How the reference does on assignment 2's training checks, over grading seeds.

    python benchmarks/assignment2_training.py [seeds=20]

Grades the reference solution with only the checks that train a model, once per
seed, and prints each run's feedback and the lowest and highest accuracy: the
numbers the thresholds in ``grader/parts/fc_net.py`` and ``cnn.py`` are set from.
"""
from __future__ import annotations

import re
import sys
import time

from grader import api, data
from grader.checks import Accuracy
from grader.reference import References, reference_root
from grader.suites import load_suite


def main(seeds: int) -> None:
    full = load_suite("assignment2-numpy")
    suite = full.only(*(c.title for c in full.checks if isinstance(c, Accuracy)), name="assignment2-training")
    dataset = data.digits()
    found: dict[str, list[float]] = {c.title: [] for c in suite.checks}
    with References() as references:
        for seed in range(seeds):
            started = time.perf_counter()
            report = api.grade(suite, reference_root() / "assignment2", dataset=dataset, seed=seed,
                               references=references)
            for result in report.results:
                match = re.search(r"accuracy ([\d.]+)%", result.feedback)
                found[result.name].append(float(match.group(1)) if match else float("nan"))
            print(f"seed {seed:2d} ({time.perf_counter() - started:.1f} s): "
                  + "; ".join(f"{r.name}: {r.feedback}" for r in report.results), flush=True)
    for title, accuracies in found.items():
        print(f"{title}: {min(accuracies):.1f}-{max(accuracies):.1f}% over {len(accuracies)} seeds")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
