"""Throughput of ``grade batch``: --jobs 1, --jobs 2 and a 2-worker Dask LocalCluster,
on the same generated submissions, measured side by side in one run.

    python benchmarks/batch_throughput.py              # 40 submissions
    python benchmarks/batch_throughput.py --count 12   # a quicker look
    python benchmarks/batch_throughput.py --count 20 --rounds 2   # the engines in turn, twice

The set: every assignment-1 mutant of ``grader.mutants`` (realistic mistakes) and
copies of the reference (each with a different comment, so no two are alike), half
of them zipped. None hangs: a timeout is a wait, not work, and would flatter the
parallel runs. Each run is a whole ``run_batch`` (starting its grading processes,
writing the gradebook and the exports); the Dask cluster is started once, before the
runs, and its start-up is printed apart. Every run must give the same grades.

Not part of the test suite: timings depend on the machine and on what else runs on it
(the load average is printed before and after).
"""
from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from rich.console import Console

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from grader.batch.runner import cores, run_batch  # noqa: E402
from grader.reference import reference_root  # noqa: E402
from grader.mutants import apply, catalogue  # noqa: E402


def make_submissions(target: Path, count: int) -> None:
    reference = reference_root() / "assignment1"
    mutants = [m for m in catalogue() if m.assignment == "assignment1"]
    target.mkdir(parents=True)
    for i in range(count):
        name = f"student{i:03d}"
        folder = Path(tempfile.mkdtemp()) / name
        if i < len(mutants) and i < count // 2:
            apply(mutants[i], reference, folder)
        else:
            shutil.copytree(reference, folder, ignore=shutil.ignore_patterns("__pycache__"))
            layers = folder / "cs231n" / "layers.py"
            layers.write_text(layers.read_text() + f"\n# submission {i}\n")
        if i % 2:
            with zipfile.ZipFile(target / f"{name}.zip", "w", zipfile.ZIP_DEFLATED) as bundle:
                for path in sorted(folder.rglob("*.py")):
                    bundle.write(path, path.relative_to(folder.parent))
        else:
            shutil.copytree(folder, target / name)
        shutil.rmtree(folder.parent)


def grades(out: Path) -> list[tuple]:
    with sqlite3.connect(out / "gradebook.sqlite") as db:
        return db.execute("SELECT student, status, score FROM submissions ORDER BY student").fetchall()


def machine_busy() -> float:
    """CPU seconds the whole machine has been busy since boot (all cores, every process)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def others_cpu() -> dict[int, float]:
    """CPU seconds used so far by each process running now that is not this one or one of
    its descendants (the grading workers, the Dask cluster): what competes with the batch.
    Sandboxed workers are often killed rather than waited for, so the batch's own CPU is
    not summed from its processes but taken as the machine's busy time less this."""
    import psutil  # comes with dask's distributed

    me = psutil.Process()
    ours = {me.pid, *(p.pid for p in me.children(recursive=True))}
    used = {}
    for p in psutil.process_iter():
        if p.pid in ours:
            continue
        try:
            times = p.cpu_times()
        except psutil.Error:
            continue
        used[p.pid] = times.user + times.system
    return used


def timed(label: str, submissions: Path, count: int, **options) -> tuple[float, list[tuple]]:
    """One whole batch: wall seconds, and the grades. Prints the CPU it used, and the CPU
    the processes that were already running took meanwhile (they compete for the same cores)."""
    out = Path(tempfile.mkdtemp(prefix="bench-out-"))
    quiet = Console(file=open(os.devnull, "w"))
    busy, before, started = machine_busy(), others_cpu(), time.perf_counter()
    result = run_batch("assignment1", submissions, out, progress=False, console=quiet, **options)
    seconds = time.perf_counter() - started
    after = others_cpu()
    others = sum(max(after[pid] - used, 0.0) for pid, used in before.items() if pid in after)
    ours = max(machine_busy() - busy - others, 0.0)
    assert result.graded == count, result
    print(f"{label:18} {seconds:7.1f} s  {60 * count / seconds:6.2f} submissions/min  "
          f"CPU: ours {ours:6.1f} s ({ours / seconds:.2f} cores), other processes {others:6.1f} s "
          f"({others / seconds:.2f} cores)", flush=True)
    table = grades(out)
    shutil.rmtree(out)
    return seconds, table


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=40, help="submissions in the set")
    parser.add_argument("--rounds", type=int, default=1,
                        help="run the three engines this many times, in turn (on a busy machine, the best round "
                             "is the least disturbed)")
    args = parser.parse_args()

    from distributed import LocalCluster

    work = Path(tempfile.mkdtemp(prefix="bench-"))
    submissions = work / "submissions"
    make_submissions(submissions, args.count)
    print(f"{args.count} submissions, {args.rounds} round(s), {cores()} cores, "
          f"load average {os.getloadavg()[0]:.2f} (1 min) before", flush=True)
    started = time.perf_counter()
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    print(f"(Dask LocalCluster started in {time.perf_counter() - started:.1f} s, not counted)", flush=True)
    engines = {"local --jobs 1": {"jobs": 1}, "local --jobs 2": {"jobs": 2},
               "dask, 2 workers": {"scheduler": cluster.scheduler_address}}
    seconds: dict[str, list[float]] = {label: [] for label in engines}
    tables = {}
    with cluster:
        for round_ in range(args.rounds):
            order = list(engines)[round_ % 3:] + list(engines)[: round_ % 3]
            for label in order:
                took, tables[label, round_] = timed(label, submissions, args.count, **engines[label])
                seconds[label].append(took)
    print(f"load average {os.getloadavg()[0]:.2f} (1 min) after")
    summaries = [("all rounds", sum, args.count * args.rounds)]
    if args.rounds > 1:
        summaries.append(("best round of each", min, args.count))
    for summary, pick, graded in summaries:
        print(f"-- {summary}:")
        one, two, dask = (pick(times) for times in seconds.values())
        for label, took in zip(engines, (one, two, dask)):
            print(f"   {label:18} {took:7.1f} s   {60 * graded / took:6.2f} submissions/min")
        print(f"   speed-up --jobs 2 / --jobs 1: {one / two:.2f}x (target at least 1.7x)")
        print(f"   Dask / local pool at 2 workers: {two / dask:.2f}x the throughput "
              f"({100 * (dask - two) / two:+.1f}% time; target within 15%)")
    same = len({tuple(table) for table in tables.values()}) == 1
    print(f"same grades in every run: {same}")
    shutil.rmtree(work)
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
