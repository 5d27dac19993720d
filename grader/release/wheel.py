"""The student wheel: the grader, its suites and the public fixtures; no reference.

Written as a zip directly (a wheel is one: the package files, then a ``.dist-info``
folder with METADATA, WHEEL, entry_points.txt and RECORD), so building needs neither
the network nor a build backend, and the same inputs give the same bytes. What goes in:

* ``grader/**/*.py`` except ``grader/mutants/`` (the mutation catalogue quotes lines of
  the reference's solutions), ``grader/parts/private.py`` (recognisers of mistakes one
  substitution away from a solution) and whatever the checkout keeps in ``grader/fixtures/`` or
  ``grader/provided/`` (the release puts its own there);
* ``grader/fixtures/ASSIGNMENT.zip``: the recorded answers of the public checks;
* ``grader/provided/assignment2/cs231n/{fast_layers,im2col}.py``: provided code the
  grader copies into workspaces (``parts.common``), taken from the starter, and only
  where the reference's copy is the same file (so it holds no solution).
"""
from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import zipfile
from pathlib import Path

from .. import __version__
from ..reference import reference_root, starter_root
from .zips import add

NAME = "cs231n-grader-student"
SOURCE_NAME = "cs231n-grader"  # the distribution the release is made from (its dependencies)
PACKAGE = Path(__file__).resolve().parents[1]
LEFT_OUT = ("grader/mutants/", "grader/fixtures/", "grader/provided/", "grader/parts/private.py")
PROVIDED = {"assignment2": ("cs231n/fast_layers.py", "cs231n/im2col.py")}


class ReleaseError(RuntimeError):
    """The release cannot be made as asked; the message says why."""


def package_files() -> dict[str, bytes]:
    """The grader's own modules, by their path in the wheel."""
    files = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = f"grader/{path.relative_to(PACKAGE).as_posix()}"
        if "__pycache__" not in path.parts and not name.startswith(LEFT_OUT):
            files[name] = path.read_bytes()
    return files


def provided_files() -> dict[str, bytes]:
    files = {}
    for assignment, names in PROVIDED.items():
        for name in names:
            starter, reference = starter_root() / assignment / name, reference_root() / assignment / name
            if not starter.is_file() or reference.is_file() and reference.read_bytes() != starter.read_bytes():
                raise ReleaseError(f"{assignment}/{name}: the grader copies it into workspaces, so the release ships "
                                   "it; it must be provided code, the same file in the starter and the reference")
            files[f"grader/provided/{assignment}/{name}"] = starter.read_bytes()
    return files


def requirements() -> list[str]:
    """The grader's dependencies (not its extras), from the installed distribution."""
    try:
        required = importlib.metadata.requires(SOURCE_NAME) or []
    except importlib.metadata.PackageNotFoundError:
        raise ReleaseError(f"make the release from an install of {SOURCE_NAME} (pip install -e .)") from None
    return [r for r in required if ";" not in r or "extra" not in r.split(";", 1)[1]]


def build_wheel(out: Path, fixtures: list[Path]) -> Path:
    """Write the student wheel into ``out``; returns its path."""
    files = package_files()
    files.update(provided_files())
    files.update({f"grader/fixtures/{path.name}": path.read_bytes() for path in sorted(fixtures)})
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    version = f"{__version__}+r{digest.hexdigest()[:8]}"  # another release is another version: pip reinstalls
    info = f"{NAME.replace('-', '_')}-{version}.dist-info"
    metadata = ["Metadata-Version: 2.1", f"Name: {NAME}", f"Version: {version}",
                "Summary: The CS231n grader for students: grades an assignment folder against recorded answers "
                "(no reference solution inside)", "Requires-Python: >=3.10"]
    files[f"{info}/METADATA"] = "\n".join(metadata + [f"Requires-Dist: {r}" for r in requirements()]).encode() + b"\n"
    files[f"{info}/WHEEL"] = (b"Wheel-Version: 1.0\nGenerator: cs231n-grader release\nRoot-Is-Purelib: true\n"
                              b"Tag: py3-none-any\n")
    files[f"{info}/entry_points.txt"] = b"[console_scripts]\ngrade = grader.cli:main\n"
    files[f"{info}/top_level.txt"] = b"grader\n"
    record = [f"{name},sha256={_b64(hashlib.sha256(body).digest())},{len(body)}" for name, body in files.items()]
    files[f"{info}/RECORD"] = ("\n".join(record + [f"{info}/RECORD,,"]) + "\n").encode()
    path = out / f"{NAME.replace('-', '_')}-{version}-py3-none-any.whl"
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob(f"{NAME.replace('-', '_')}-*.whl"):
        old.unlink()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as wheel:
        for name, body in files.items():  # the package first, the dist-info (RECORD last) after it
            add(wheel, name, body)
    return path


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
