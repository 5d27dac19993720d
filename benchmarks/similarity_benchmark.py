"""Time of the similarity pass on 500 generated submissions, and its share of a batch's time.

    python benchmarks/similarity_benchmark.py                    # 500 submissions, a 6-submission grading sample
    python benchmarks/similarity_benchmark.py --count 100 --sample 0   # a quicker look, no grading
    python benchmarks/similarity_benchmark.py --copydetect 40 --copydetect-python /path/to/venv/bin/python

The set: each submission starts from the assignment-1 reference or one of its mutants
(``grader.mutants``), takes its kNN, SVM and softmax files from the reference or from
the two other authors of the tests (``tests/similarity_authors.py``), then some of its
files get every variable renamed (a different renaming per submission), functions
reordered, comments changed; a third are zipped. Nearly every pair is a copy: the worst
case for the number of pairs to report, which all reach the CSV with their regions.

Measured: the pass (``grader.similarity.run``, --jobs as given), step by step; the
grading of a sample of the submissions with ``run_batch`` (similarity off). The batch
time of all of them is extrapolated from the sample, and from the README's throughput;
the printout says which number is which. ``--copydetect N`` times copydetect (a
separate install) on the first N submissions, for the README's choice of library.
"""
from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from grader.mutants import apply, catalogue  # noqa: E402
from grader.similarity import run, starter_root  # noqa: E402
from similarity_authors import AMY, BO, FILLED, fill, recomment, rename, reorder  # noqa: E402

REFERENCE = ROOT / "reference" / "assignment1"
README_RATE = {1: 10.9, 2: 21.7}  # submissions per minute, README "Throughput" (this 2-core machine)


def make_submissions(target: Path, count: int, seed: int = 0) -> None:
    random.seed(seed)
    mutants = [m for m in catalogue() if m.assignment == "assignment1"]
    starter = starter_root() / "assignment1"
    target.mkdir(parents=True)
    for i in range(count):
        name = f"student{i:03d}"
        folder = Path(tempfile.mkdtemp()) / name
        start = random.choice([None, *mutants])
        if start is None:
            shutil.copytree(REFERENCE, folder, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            apply(start, REFERENCE, folder)
        for file in FILLED:
            author = random.choice([None, None, AMY, BO])
            if author is not None and not (start is not None and start.file == file):
                (folder / file).write_text(fill((starter / file).read_text(), author[file]))
        for path in sorted((folder / "cs231n").rglob("*.py")):
            if path.read_bytes() == (starter / path.relative_to(folder)).read_bytes():
                continue  # a provided file the student left alone
            text = path.read_text()
            if random.random() < 0.5:
                text = rename(text, salt=name)
            if random.random() < 0.3:
                text = reorder(text)
            if random.random() < 0.3:
                text = recomment(text)
            path.write_text(text + f"\n# {name}\n")
        if i % 3 == 1:  # a zip of the folder, the folder's name at its top
            shutil.make_archive(str(target / name), "zip", folder.parent, name)
        else:
            shutil.copytree(folder, target / name)
        shutil.rmtree(folder.parent)


def cpu() -> float:
    """CPU seconds of this process and of its children that have been waited for (the pool)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def grade_sample(submissions: Path, sample: int, jobs: int) -> float:
    """Seconds ``run_batch`` takes to grade ``sample`` of the submissions (similarity off)."""
    from rich.console import Console

    from grader.batch.runner import run_batch

    folder = Path(tempfile.mkdtemp(prefix="sample-"))
    for entry in sorted(submissions.iterdir())[:sample]:
        (shutil.copytree if entry.is_dir() else shutil.copyfile)(entry, folder / entry.name)
    out = Path(tempfile.mkdtemp(prefix="sample-out-"))
    started = time.perf_counter()
    result = run_batch("assignment1", folder, out, jobs=jobs, progress=False, similarity=False,
                       console=Console(file=open(os.devnull, "w")))
    seconds = time.perf_counter() - started
    assert result.graded == sample, result
    shutil.rmtree(folder)
    shutil.rmtree(out)
    return seconds


COPYDETECT = """
import sys, time, logging
from pathlib import Path
from copydetect import CopyDetector
logging.disable(logging.WARNING)
folder, starter, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
dirs = [str(p) for p in sorted(folder.iterdir()) if p.is_dir()][:count]
started = time.perf_counter()
detector = CopyDetector(test_dirs=dirs, boilerplate_dirs=[starter], extensions=["py"], silent=True, autoopen=False)
detector.run()
print(f"{len(dirs)} {len(detector.test_files)} {time.perf_counter() - started:.1f}")
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500, help="submissions generated")
    parser.add_argument("--jobs", type=int, default=2, help="processes for the pass and the grading sample")
    parser.add_argument("--sample", type=int, default=6, help="submissions graded to measure the batch's rate")
    parser.add_argument("--copydetect", type=int, default=0, help="time copydetect on this many submissions")
    parser.add_argument("--copydetect-python", default=sys.executable, help="a Python with copydetect installed")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="similarity-bench-"))
    submissions = work / "submissions"
    started = time.perf_counter()
    make_submissions(submissions, args.count)
    print(f"{args.count} submissions generated in {time.perf_counter() - started:.1f} s (not counted); "
          f"{len(os.sched_getaffinity(0))} cores, load average {os.getloadavg()[0]:.2f}", flush=True)

    before = cpu()
    result = run("assignment1", submissions, work / "out", jobs=args.jobs)
    used = cpu() - before
    pairs = result.comparison
    steps = ", ".join(f"{step} {seconds:.1f} s" for step, seconds in result.timings.items())
    size = sum(f.stat().st_size for f in result.files) / 1e6
    print(f"MEASURED similarity pass, --jobs {args.jobs}: {result.seconds:.1f} s for {len(result.prints)} "
          f"submissions ({steps}), {used:.1f} CPU seconds; load average {os.getloadavg()[0]:.2f} after; "
          f"{pairs.pairs_total} pairs, {len(pairs.scores)} share a fingerprint, {len(pairs.pairs)} listed; "
          f"CSV and page {size:.1f} MB. Target: under 60 s.", flush=True)

    if args.sample:
        sample_seconds = grade_sample(submissions, args.sample, args.jobs)
        rate = 60 * args.sample / sample_seconds
        print(f"MEASURED grading {args.sample} of them with run_batch --jobs {args.jobs}: {sample_seconds:.1f} s "
              f"({rate:.1f} submissions/min, start-up included)")
    else:
        rate = README_RATE.get(args.jobs, README_RATE[2])
    for label, per_minute in [("the sample's rate", rate if args.sample else None),
                              ("the README's rate", README_RATE.get(args.jobs))]:
        if per_minute:
            batch = 60 * args.count / per_minute
            print(f"EXTRAPOLATED from {label} ({per_minute:.1f}/min): grading {args.count} takes {batch:.0f} s; "
                  f"the similarity pass is {100 * result.seconds / (batch + result.seconds):.1f}% of the batch")

    if args.copydetect:
        done = subprocess.run([args.copydetect_python, "-c", COPYDETECT, str(submissions),
                               str(starter_root() / "assignment1"), str(args.copydetect)],
                              capture_output=True, text=True)
        if done.returncode:
            print(f"copydetect did not run: {done.stderr.strip().splitlines()[-1:]}")
        else:
            dirs, files, seconds = done.stdout.split()
            n = int(dirs)
            print(f"MEASURED copydetect 0.5 on {n} submission folders ({files} files, every file against every "
                  f"other): {seconds} s; EXTRAPOLATED to {args.count} (pairs grow as n^2): "
                  f"{float(seconds) * (args.count * (args.count - 1)) / (n * (n - 1)):.0f} s")
    shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
