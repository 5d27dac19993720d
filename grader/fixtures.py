"""Recorded answers: the reference's side of grading, for a grader without the reference.

A fixture is one zip per assignment (named by its reference folder, ``assignment1.zip``):

    manifest.json   what was recorded: the format, the grader and NumPy versions, the seed,
                    the dataset, and per suite: a hash of every request key, a hash of each
                    check's request keys, its hidden checks (never recorded), the answers
    answers/KEY     the reference's answer to one request (``reference.request_key``) as
                    ``wire`` encodes it: a JSON header and ``.npy`` arrays, no pickle

``record`` runs every request that a public check of a suite can make
(``Check.requests``, after ``ctx.begin(title)`` exactly as grading does) on the live
reference. ``FixtureReference`` answers from the file behind the reference's interface.
A fixture is refused as a whole, with what differs, when another grader version made it
or when this grader's checks would send other requests than those recorded (the code
changed since); a request it lacks is a ``GraderError``. Either way the checks that need
the reference end as ``grader_error``: a recorded answer is never used for another
request. Hidden checks are never recorded: their answers, and any answer on the secret
seed, exist only where the reference is.
"""
from __future__ import annotations

import hashlib
import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import __version__, data
from .grading import Context
from .probe import Probe
from .reference import GraderError, open_reference, reference_root, request_key
from .release.zips import add
from .worker import wire
from .worker.limits import Limits

FORMAT = 1
MANIFEST, ANSWERS = "manifest.json", "answers/"
PACKAGED = Path(__file__).resolve().parent / "fixtures"  # where a student release keeps them


def fixture_folder() -> Path:
    """$GRADER_FIXTURES, else the fixtures installed with the grader."""
    return Path(os.environ.get("GRADER_FIXTURES") or PACKAGED)


def fixture_path(assignment: str, folder: Path | None = None) -> Path:
    return (folder or fixture_folder()) / f"{assignment}.zip"


@dataclass
class Planned:
    """The requests one check makes: (key, probe, probe seed) each."""

    title: str
    requests: list[tuple[str, Probe, int]]

    @property
    def digest(self) -> str:
        return hashlib.sha256("\n".join(key for key, _, _ in self.requests).encode()).hexdigest()


def plan(suite, seed: int, dataset) -> list[Planned]:
    """Every request the public checks of ``suite`` can send the reference on ``seed``."""
    ctx = Context(None, None, dataset, Path("."), seed)
    planned = []
    for check in suite.public_checks:
        ctx.begin(check.title)
        planned.append(Planned(check.title, [(request_key(p, ctx.probe_seed), p, ctx.probe_seed)
                                             for p in check.requests(ctx)]))
    return planned


def keys_hash(keys) -> str:
    return hashlib.sha256("\n".join(sorted(set(keys))).encode()).hexdigest()


def record(suites: list, folder: Path, *, seed: int = 0, dataset: data.Dataset | None = None,
           limits: Limits = Limits()) -> Path:
    """Record the answers of ``suites`` (of one assignment) into ``folder/ASSIGNMENT.zip``."""
    dataset = dataset or data.digits()
    assignments = {suite.reference for suite in suites}
    if len(assignments) != 1:
        raise ValueError(f"a fixture holds one assignment; these suites are of {', '.join(sorted(assignments))}")
    answers: dict[str, bytes] = {}
    entries = {}
    for suite in suites:
        planned = plan(suite, seed, dataset)
        reference = open_reference(suite, limits, answers="reference")
        try:
            for check in planned:
                for key, probe, probe_seed in check.requests:
                    if key not in answers:
                        answers[key] = wire.encode(reference.run(probe, probe_seed))
        finally:
            reference.close()
        keys = [key for check in planned for key, _, _ in check.requests]
        hidden = [c for c in suite.checks if c.hidden]
        entries[suite.name] = {
            "keys_hash": keys_hash(keys), "answers": len(set(keys)),
            "checks": {check.title: check.digest for check in planned if check.requests},
            "public_points": sum(c.points for c in suite.public_checks),
            "hidden": [c.title for c in hidden], "hidden_points": sum(c.points for c in hidden)}
    manifest = {"format": FORMAT, "assignment": assignments.pop(), "grader_version": __version__,
                "numpy": np.__version__, "seed": seed, "dataset": dataset.name, "answers": len(answers),
                "suites": entries}
    path = fixture_path(manifest["assignment"], folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path.with_suffix(".tmp"), "w", zipfile.ZIP_DEFLATED) as bundle:
        add(bundle, MANIFEST, json.dumps(manifest, indent=1, sort_keys=True).encode())
        for key in sorted(answers):
            add(bundle, ANSWERS + key, answers[key])
    path.with_suffix(".tmp").replace(path)
    return path


def read_manifest(path: Path) -> dict:
    with zipfile.ZipFile(path) as bundle:
        return json.loads(bundle.read(MANIFEST))


def released(folder: Path | None = None) -> dict[str, dict]:
    """The manifests of the fixtures installed (or in ``folder``), by assignment."""
    folder = folder or fixture_folder()
    found = {}
    for path in sorted(folder.glob("*.zip")) if folder.is_dir() else []:
        try:
            found[path.stem] = read_manifest(path)
        except (OSError, zipfile.BadZipFile, KeyError, ValueError):
            continue
    return found


def stale(manifest: dict, suite) -> tuple[str | None, set[int]]:
    """Why a fixture cannot answer for ``suite`` (None when it can), and the probe seeds
    of the requests it holds."""
    if manifest.get("format") != FORMAT:
        return f"they are in format {manifest.get('format')}; this grader reads format {FORMAT}", set()
    if manifest.get("grader_version") != __version__:
        return f"they were recorded by grader {manifest.get('grader_version')}; this is grader {__version__}", set()
    entry = manifest.get("suites", {}).get(suite.name)
    if entry is None:
        return (f"they hold answers for {', '.join(manifest.get('suites', {})) or 'no suite'} only, not for "
                f"{suite.name} (grade with the edition the course released, e.g. --edition)"), set()
    dataset = data.digits() if manifest.get("dataset") == "digits" else None
    planned = plan(suite, manifest["seed"], dataset)
    seeds = {probe_seed for check in planned for _, _, probe_seed in check.requests}
    changed = [check.title for check in planned if check.requests and entry["checks"].get(check.title) != check.digest]
    if changed:
        versions = f" (recorded with NumPy {manifest.get('numpy')}; this is NumPy {np.__version__})" \
            if manifest.get("numpy") != np.__version__ else ""
        shown = "; ".join(changed[:3]) + (f" and {len(changed) - 3} more" if len(changed) > 3 else "")
        return (f"{len(changed)} check(s) would send other requests than those recorded{versions}: {shown}: "
                "the fixture is stale; record it again with `grade release`"), seeds
    return None, seeds


class FixtureReference:
    """The recorded answers of one suite, with the interface of ``reference.Reference``."""

    official = False  # a student's own run: the hidden checks are not run

    def __init__(self, suite, folder: Path | None = None):
        self.suite, self.path = suite, fixture_path(suite.reference, folder)
        self.problem: str | None = None
        self.note = ""
        self.cache: dict[str, object] = {}
        self._bundle: zipfile.ZipFile | None = None
        self._names: set[str] = set()
        self._seeds: set[int] = set()
        self._seed = None
        try:
            self._open()
        except (OSError, zipfile.BadZipFile, KeyError, ValueError, TypeError) as exc:
            self.problem = f"the recorded answers {self.path} cannot be read ({type(exc).__name__}: {exc})"

    def _open(self) -> None:
        if not self.path.is_file():
            self.problem = (f"no reference solution for {self.suite.name} ({reference_root() / self.suite.reference} "
                            f"is not there) and no recorded answers ({self.path}): install the course's student "
                            "release of the grader, or grade where the reference is")
            return
        self._bundle = zipfile.ZipFile(self.path)
        manifest = json.loads(self._bundle.read(MANIFEST))
        why, self._seeds = stale(manifest, self.suite)
        if why:
            self.problem = f"the recorded answers in {self.path.name} cannot be used: {why}"
            return
        self._seed = manifest["seed"]
        self._names = {n[len(ANSWERS):] for n in self._bundle.namelist() if n.startswith(ANSWERS)}
        self.note = (f"answers: recorded ({self.path.name}: grader {manifest['grader_version']}, seed {self._seed}, "
                     f"{manifest['dataset']} data), not the reference solution; hidden checks run only in official "
                     "grading")

    def run(self, probe: Probe, seed: int):
        if self.problem:
            raise GraderError(self.problem)
        key = request_key(probe, seed)
        if key not in self.cache:
            if key not in self._names:
                if seed not in self._seeds:
                    raise GraderError(f"the recorded answers ({self.path.name}) were made for grading seed "
                                      f"{self._seed} only; this grading uses another seed (--seed): grade with "
                                      f"--seed {self._seed}, or where the reference is")
                raise GraderError(f"the recorded answers ({self.path.name}) have no answer for {probe.label}: "
                                  "the request differs from every one recorded")
            self.cache[key] = wire.decode(self._bundle.read(ANSWERS + key))
        return self.cache[key]

    def close(self) -> None:
        if self._bundle is not None:
            self._bundle.close()
            self._bundle = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
