"""``grade release``: what course staff publish for one assignment.

    build_release("assignment1", Path("release"))

writes into the folder:

* ``ASSIGNMENT-starter.zip``: the starter students begin from, laid out as the released
  edition's year has it (for students);
* ``cs231n_grader_student-VERSION-py3-none-any.whl``: the grader with the public
  fixtures of every assignment released into this folder, no reference (for students);
* ``ASSIGNMENT-autograder.zip``: the Gradescope autograder, with the reference and the
  secret seed (for the staff only: upload it to Gradescope, never publish it);
* ``fixtures/ASSIGNMENT.zip``: the recorded answers, kept for the next release;
* ``secrets.json``: the secret seed, made on the first release unless a file is given
  (for the staff only; later releases into the folder reuse it).
"""
from __future__ import annotations

import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .. import editions, fixtures
from ..reference import reference_root, starter_root
from ..suites import ASSIGNMENTS, DEFAULTS, SUITES, edition_of, load_suite
from ..worker.limits import Limits
from .gradescope import build_autograder
from .secret_seed import PUBLIC_SEED, new_secrets, read_secrets
from .wheel import ReleaseError, build_wheel
from .zips import add_folder

__all__ = ["Release", "ReleaseError", "build_release"]


@dataclass
class Release:
    suite: str
    starter: Path
    wheel: Path
    autograder: Path
    fixture: Path
    secrets: Path | None  # the secrets file made or used
    notes: list[str] = field(default_factory=list)


def released_suite(assignment: str, edition: str | None = None):
    """The suite a release of ``assignment`` (an assignment or a suite's name) grades with."""
    if assignment in ASSIGNMENTS:
        return load_suite(editions.find(ASSIGNMENTS[assignment], edition or DEFAULTS[assignment]).suite_name)
    if edition is not None:
        raise ReleaseError(f"--edition is for an assignment ({', '.join(ASSIGNMENTS)}); {assignment} is a suite")
    if assignment not in SUITES:
        raise ReleaseError(f"no assignment or suite {assignment!r}; known: {', '.join([*ASSIGNMENTS, *SUITES])}")
    return load_suite(assignment)


def build_release(assignment: str, out: Path, *, edition: str | None = None, secrets: Path | None = None,
                  parts: tuple[str, ...] = (), limits: Limits = Limits()) -> Release:
    suite = released_suite(assignment, edition)
    unknown = set(parts) - {p.name for p in suite.parts}
    if unknown:
        raise ReleaseError(f"{suite.name} has no part {', '.join(sorted(unknown))} (parts: "
                           f"{', '.join(p.name for p in suite.parts)})")
    if parts:
        suite = suite.only(*[c.title for c in suite.checks if c.part in parts])
    if not (reference_root() / suite.reference / "cs231n").is_dir():
        raise ReleaseError(f"no reference solution at {reference_root() / suite.reference}: a release is made where "
                           "the reference is")
    out.mkdir(parents=True, exist_ok=True)
    notes: list[str] = []
    secrets_path = secrets or out / "secrets.json"
    if secrets is None and not secrets_path.exists():
        new_secrets(secrets_path)
        notes.append(f"made a secret seed in {secrets_path} (keep it; never publish it)")
    secret = read_secrets(secrets_path)
    fixture = fixtures.record([*_other_suites(out, suite), suite], out / "fixtures", seed=PUBLIC_SEED, limits=limits)
    notes += _refresh_others(out, suite.reference, limits)
    with tempfile.TemporaryDirectory(prefix="release-") as scratch:
        top, starter = _starter(suite, Path(scratch))
        starter_zip = _zip_folder(top, out / f"{assignment}-starter.zip", prefix="" if top != starter else suite.starter)
        wheel = build_wheel(out, sorted((out / "fixtures").glob("*.zip")))
        autograder = build_autograder(out / f"{assignment}-autograder.zip", assignment=assignment, suite=suite,
                                      wheel=wheel, starter=starter, secrets=secret, parts=parts)
    return Release(suite.name, starter_zip, wheel, autograder, fixture, secrets_path, notes)


def _other_suites(out: Path, suite) -> list:
    """Suites of the same reference folder released into ``out`` before (kept in its fixture)."""
    path = fixtures.fixture_path(suite.reference, out / "fixtures")
    if not path.is_file():
        return []
    try:
        names = fixtures.read_manifest(path).get("suites", {})
    except (OSError, zipfile.BadZipFile, KeyError, ValueError):
        return []
    return [load_suite(name) for name in names if name != suite.name and name in SUITES]


def _refresh_others(out: Path, done: str, limits: Limits) -> list[str]:
    """Record again the fixtures of other assignments in ``out`` that this grader cannot use."""
    notes = []
    for name, manifest in fixtures.released(out / "fixtures").items():
        if name == done:
            continue
        suites = [load_suite(s) for s in manifest.get("suites", {}) if s in SUITES]
        if any(fixtures.stale(manifest, s)[0] for s in suites) or len(suites) != len(manifest.get("suites", {})):
            fixtures.record(suites, out / "fixtures", seed=PUBLIC_SEED, limits=limits)
            notes.append(f"recorded {name}'s fixture again (it was made by another grader)")
    return notes


def _starter(suite, scratch: Path) -> tuple[Path, Path]:
    """The starter as released (the folder to zip, and the folder in it holding cs231n/)."""
    edition = edition_of(suite.name)
    if edition is None:
        top = scratch / "starter"
        shutil.copytree(starter_root() / suite.starter, top, ignore=shutil.ignore_patterns("__pycache__"))
        return top, top
    top = editions.build(edition, reference_root() / suite.reference, starter_root() / suite.starter, "starter",
                         scratch / "starter")
    return top, top / edition.layout.nest if edition.layout.nest else top


def _zip_folder(folder: Path, path: Path, prefix: str) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bundle:
        add_folder(bundle, folder, prefix)
    return path
