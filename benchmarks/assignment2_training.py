"""How the reference does on assignment 2's training checks, over grading seeds.

    python benchmarks/assignment2_training.py [seeds=20]

Grades the reference solution with only the checks that train a model, once per
seed, and prints each run's feedback and the lowest and highest accuracy: the
numbers the thresholds in ``grader/suites/assignment2.py`` are set from.
"""
from __future__ import annotations

import re
import sys
import time

from grader import data
from grader.grading import Reference, Suite, grade, reference_root
from grader.suites import assignment2
from grader.worker.limits import Limits


def main(seeds: int) -> None:
    parts = {part: [c for c in checks if c.title in assignment2.TRAINED]
             for part, checks in assignment2.SUITE.parts.items()}
    suite = Suite("assignment2-training", reference="assignment2", parts={p: c for p, c in parts.items() if c})
    trained = suite.checks
    dataset = data.digits()
    reference = Reference(reference_root() / "assignment2", Limits())
    found: dict[str, list[float]] = {c.title: [] for c in trained}
    try:
        for seed in range(seeds):
            started = time.perf_counter()
            report = grade(suite, reference_root() / "assignment2", dataset=dataset, seed=seed, reference=reference)
            for result in report.results:
                match = re.search(r"accuracy ([\d.]+)%", result.feedback)
                found[result.name].append(float(match.group(1)) if match else float("nan"))
            print(f"seed {seed:2d} ({time.perf_counter() - started:.1f} s): "
                  + "; ".join(f"{r.name}: {r.feedback}" for r in report.results), flush=True)
    finally:
        reference.close()
    for title, accuracies in found.items():
        print(f"{title}: {min(accuracies):.1f}-{max(accuracies):.1f}% over {len(accuracies)} seeds")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
