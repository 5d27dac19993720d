"""How the reference does on a suite's training checks, over grading seeds.

    python benchmarks/training_thresholds.py [SUITE=assignment2-numpy] [seeds=20] [PART ...]

Grades the reference solution, laid out as the suite's course edition where it is one,
with only the checks that train a model (of the given parts, or all), once per seed,
and prints each run's feedback and the lowest and highest accuracy: the numbers the
thresholds in ``grader/parts/`` are set from (``fc_net.py``, ``cnn.py``, ``neural_net.py``).
"""
from __future__ import annotations

import re
import sys
import tempfile
import time
from pathlib import Path

from grader import api, data, editions
from grader.checks import Accuracy
from grader.reference import References, reference_root, starter_root
from grader.suites import edition_of, load_suite


def main(name: str, seeds: int, parts: list[str]) -> None:
    full = load_suite(name)
    trained = [c.title for c in full.checks if isinstance(c, Accuracy) and (not parts or c.part in parts)]
    suite = full.only(*trained, name=f"{name}-training")
    dataset = data.digits()
    found: dict[str, list[float]] = {c.title: [] for c in suite.checks if c.title in trained}
    with References() as references, tempfile.TemporaryDirectory() as temp:
        folder, edition = reference_root() / full.reference, edition_of(name)
        if edition is not None:
            folder = editions.build(edition, folder, starter_root() / full.starter, "reference", Path(temp) / "ref")
        for seed in range(seeds):
            started = time.perf_counter()
            report = api.grade(suite, folder, dataset=dataset, seed=seed, references=references)
            for result in report.results:
                match = re.search(r"accuracy ([\d.]+)%", result.feedback)
                if result.name in found:
                    found[result.name].append(float(match.group(1)) if match else float("nan"))
            print(f"seed {seed:2d} ({time.perf_counter() - started:.1f} s): "
                  + "; ".join(f"{r.name}: {r.feedback}" for r in report.results if r.name in found), flush=True)
    for title, accuracies in found.items():
        print(f"{title}: {min(accuracies):.1f}-{max(accuracies):.1f}% over {len(accuracies)} seeds")


if __name__ == "__main__":
    args = sys.argv[1:]
    main(args[0] if args else "assignment2-numpy", int(args[1]) if len(args) > 1 else 20, args[2:])
