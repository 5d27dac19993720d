"""The Gradescope runner: what ``run_autograder`` starts, as root, for every submission.

    python -m grader.release.autograder --root /autograder

``ROOT/source`` is the autograder zip unpacked (``config.json``, ``reference/``,
``starter/``, ``secrets.json``), ``ROOT/submission`` what the student uploaded,
``ROOT/results/results.json`` where the score goes. In order:

1. ``source/`` (the reference and the secret seed) becomes readable by root only and
   ``results/`` writable by root only; student code runs as an unprivileged uid of its
   own (in the bubblewrap sandbox, where none of these folders exist, or as a plain
   process): a grader that could only run it as root, or as its own user, refuses.
2. The submission is found (``locate``): the folder holding ``cs231n/`` at any depth, in
   the upload or in the one zip uploaded (``collectSubmission.sh``'s), or loose files put
   where the starter has a file of that name; whatever of the starter it lacks is taken
   from the starter.
3. It is graded with the released suite (not the edition detected from the folder: the
   rubric is the one released), by the reference, on the secret seed, hidden checks
   included (Gradescope shows them once the grades are published).
4. ``results.json`` is written after grading returned, that is after every worker is
   dead, atomically, replacing whatever is there. Any failure of ours still writes one,
   saying it was the autograder's fault.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import traceback
from pathlib import Path

from ..submission import PACKAGE, SKIPPED_DIRS, copy_tree, find_package_root, unzip_safely

MAX_LOOSE_DEPTH = 4  # folders searched for loose files


def run(root: Path) -> dict:
    """Grade ``root/submission``; returns the results.json content (written by ``main``)."""
    from .. import api
    from ..reports.gradescope import results_json
    from ..suites import load_suite
    from ..worker import sandbox
    from ..worker.limits import Limits
    from .secret_seed import read_secrets

    source = root / "source"
    config = json.loads((source / "config.json").read_text())
    lock_down(source, root / "results")
    os.environ["GRADER_REFERENCE_ROOT"] = str(source / "reference")
    os.environ["GRADER_ANSWERS"] = "reference"
    seed = read_secrets(source / "secrets.json")["seed"]
    limits = Limits(timeout_scale=float(config.get("timeout_scale", 1.0)), sandbox=config.get("sandbox", "auto"))
    isolation = sandbox.isolation(limits.sandbox)
    if isolation.kind != "bubblewrap" and not isolation.drops_user:
        return failure(f"student code would run as the grader's own user ({isolation.describe()}), which can write "
                       "the results: the autograder must run as root, with bubblewrap or an unprivileged uid that "
                       "can run its Python")
    suite = load_suite(config["suite"])
    if config.get("parts"):
        suite = suite.only(*[c.title for c in suite.checks if c.part in config["parts"]])
    with tempfile.TemporaryDirectory(prefix="autograder-") as scratch:
        path, notes = locate(root / "submission", source / "starter", Path(scratch))
        report = api.grade(suite, path, seed=seed, limits=limits)
    report.submission = "submission"
    report.notes = notes + [f"official grading: {suite.name} as released, on the course's secret seed, hidden "
                            "checks included (shown once the grades are published)"] + report.notes
    payload = results_json(report)
    payload["extra_data"]["official"] = True
    return payload


def lock_down(source: Path, results: Path) -> None:
    """The reference and the secrets for root alone; results/ writable by root alone."""
    for folder, dirs, files in os.walk(source):
        for name in dirs + files:
            path = os.path.join(folder, name)
            if not os.path.islink(path):
                os.chmod(path, os.stat(path).st_mode & 0o700)
    os.chmod(source, 0o700)
    results.mkdir(parents=True, exist_ok=True)
    if results.is_symlink() or not results.is_dir():
        raise RuntimeError(f"{results} is not a folder")
    os.chown(results, os.geteuid(), os.getegid())
    os.chmod(results, 0o755)
    for stale in results.iterdir():  # nothing of a previous run (or of anyone else) is reported
        if stale.is_dir() and not stale.is_symlink():
            shutil.rmtree(stale)
        else:
            stale.unlink()


def locate(submission: Path, starter: Path, scratch: Path) -> tuple[Path, list[str]]:
    """A folder to grade, made from what was uploaded, and notes on how it was made.

    The upload's ``cs231n`` package (at any depth; else inside the one zip uploaded) with
    the notebooks beside it, laid over a copy of the starter; else loose ``.py`` files,
    each put where the starter has that file (by its path from ``cs231n/``, else by a
    name only one starter file has), and loose notebooks at the top. With nothing of
    these, the upload as it is (the grader then says what is missing)."""
    notes, folder = [], submission
    zips = sorted(p for p in submission.glob("*.zip") if p.is_file() and not p.is_symlink())
    if find_package_root(submission) is None and len(zips) == 1:
        unzip_safely(zips[0], scratch / "unpacked", notes)
        folder = scratch / "unpacked"
        notes.append(f"graded {zips[0].name}, the zip uploaded")
    work = scratch / "work"
    if starter.is_dir():
        copy_tree(starter, work, [])
    work.mkdir(parents=True, exist_ok=True)
    starter_files = {p.relative_to(work).as_posix() for p in work.rglob("*") if p.is_file()}
    package_root = find_package_root(folder)
    if package_root is not None:
        copy_tree(package_root, work, notes)
        handed = {p.relative_to(package_root).as_posix() for p in package_root.rglob("*") if p.is_file()}
        filled = sorted(name for name in starter_files - handed if name.startswith(f"{PACKAGE}/"))
        if filled:
            notes.append(f"taken from the starter, since the submission lacks them: {', '.join(filled[:8])}"
                         + (f" and {len(filled) - 8} more" if len(filled) > 8 else ""))
        return work, notes
    placed = place_loose(folder, work, starter_files, notes)
    if not placed:
        return submission, notes
    notes.append(f"loose files placed as the starter has them: {', '.join(placed)}; the rest is the starter's")
    return work, notes


def place_loose(folder: Path, work: Path, starter_files: set[str], notes: list[str]) -> list[str]:
    by_name: dict[str, list[str]] = {}
    for name in starter_files:
        by_name.setdefault(name.rpartition("/")[2], []).append(name)
    placed = []
    for path in sorted(_loose(folder, 0)):
        parts = path.relative_to(folder).parts
        if path.suffix == ".ipynb":
            target = path.name
        elif PACKAGE in parts and "/".join(parts[parts.index(PACKAGE):]) in starter_files:
            target = "/".join(parts[parts.index(PACKAGE):])
        elif len(by_name.get(path.name, [])) == 1:
            target = by_name[path.name][0]
        else:
            notes.append(f"not placed: {'/'.join(parts)} (the starter has no file of that name, or several)")
            continue
        (work / target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, work / target)
        placed.append(f"{'/'.join(parts)} -> {target}")
    return placed


def _loose(folder: Path, depth: int):
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return
    for entry in entries:
        if entry.is_symlink():
            continue
        if entry.is_file() and entry.suffix in (".py", ".ipynb"):
            yield entry
        elif entry.is_dir() and depth < MAX_LOOSE_DEPTH and entry.name not in SKIPPED_DIRS \
                and not entry.name.startswith("."):
            yield from _loose(entry, depth + 1)


def failure(message: str) -> dict:
    """results.json for a run that could not grade: the autograder's fault, not the student's."""
    text = f"The autograder could not grade this submission (a problem on the course's side, not yours): {message}"
    return {"score": 0.0, "execution_time": 0.0, "output": text, "output_format": "text", "tests": [],
            "extra_data": {"status": "grader_error", "message": message[-4000:]}}


def write_results(path: Path, payload: dict) -> Path:
    """Write results.json atomically: a new file beside it, then renamed over whatever is there."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=".results-", dir=path.parent)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(payload, handle, indent=2)
    os.chmod(temporary, 0o644)
    os.replace(temporary, path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Grade /autograder/submission for Gradescope.")
    parser.add_argument("--root", type=Path, default=Path(os.environ.get("AUTOGRADER_ROOT", "/autograder")))
    args = parser.parse_args(argv)
    try:
        payload = run(args.root)
    except Exception:  # anything of ours: still a results.json, and the traceback in the staff's log
        traceback.print_exc()
        payload = failure(traceback.format_exc(limit=-4))
    write_results(args.root / "results" / "results.json", payload)
    print(f"score {payload['score']:g}; wrote {args.root / 'results' / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
