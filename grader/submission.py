"""Turning what a student handed in into a folder a worker can import from.

A submission is a folder, a ``.zip`` or a lone ``.ipynb``. The grader finds the
folder that holds the ``cs231n`` package (the course's layout, at any depth) and
copies it into a fresh workspace, leaving out datasets, caches, symbolic links and
oversized files. The worker runs in the copy, so nothing it does touches the
original, and the CIFAR-10 labels a student may keep in ``cs231n/datasets`` never
reach it.
"""
from __future__ import annotations

import json
import os
import shutil
import stat
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

PACKAGE = "cs231n"
SKIPPED_DIRS = {"__pycache__", ".git", ".ipynb_checkpoints", "__MACOSX", "datasets", ".venv", "venv"}
MAX_FILE = 20 << 20  # bytes, per file copied
MAX_TOTAL = 300 << 20  # bytes, all files copied, or unpacked from a zip
MAX_FILES = 5000
MAX_DEPTH = 6  # folders searched below the top for the package
MAX_NESTING = 16  # folders copied below the package's folder (or unpacked from a zip)
MAX_NOTEBOOK = 50 << 20  # bytes of a lone notebook
SNAPSHOT_EACH, SNAPSHOT_TOTAL = 2 << 20, 64 << 20  # bytes of .py source kept in memory for static checks
SAVED_EACH = 16 << 20  # bytes of one saved model (cs231n/saved/*.npy) kept for the saved-model checks


class InvalidSubmission(ValueError):
    """Nothing gradable was handed in; the message says why."""


@dataclass
class Submission:
    source: Path  # what was handed in
    package_root: Path | None  # the folder holding cs231n/ in what was handed in (unpacked)
    root: Path  # the workspace copy the worker runs in
    notes: list[str] = field(default_factory=list)
    _temp: Path | None = None

    def snapshot(self) -> dict[str, bytes]:
        """The workspace's Python sources and saved models (``cs231n/saved/*.npy``), read
        into memory: what static checks and saved-model checks read, whatever the code
        under test later does to the files. A file larger than its cap is cut (sources)
        or left out (models)."""
        files, total = {}, 0
        found = [(p, SNAPSHOT_EACH, True) for p in sorted(self.root.rglob("*.py"))]
        found += [(p, SAVED_EACH, False) for p in sorted((self.root / PACKAGE / "saved").glob("*.npy"))]
        for path, cap, cut in found:
            if path.is_file() and not path.is_symlink() and total < SNAPSHOT_TOTAL and \
                    (cut or path.stat().st_size <= cap):
                with open(path, "rb") as handle:
                    files[path.relative_to(self.root).as_posix()] = data = handle.read(cap)
                total += len(data)
        return files

    def cleanup(self) -> None:
        if self._temp:
            shutil.rmtree(self._temp, ignore_errors=True)
            self._temp = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.cleanup()


def prepare(path: str | Path, needs_package: bool = True) -> Submission:
    """Unpack and copy a submission into a workspace.

    Raises InvalidSubmission when nothing usable is found; the workspace is removed
    again in that case.
    """
    source = Path(path)
    temp = Path(tempfile.mkdtemp(prefix="grade-"))
    try:
        notes: list[str] = []
        if source.is_file() and source.suffix.lower() == ".zip":
            unpacked = temp / "unpacked"
            unzip_safely(source, unpacked, notes)
            folder = unpacked
        elif source.is_file() and source.suffix.lower() == ".ipynb":
            check_notebook(source)
            folder = temp / "notebook"
            folder.mkdir()
            shutil.copyfile(source, folder / source.name)
        elif source.is_dir():
            folder = source
        else:
            raise InvalidSubmission(f"{source.name} is not a folder, a .zip or a .ipynb file")
        package_root = find_package_root(folder)
        if package_root is None and needs_package:
            raise InvalidSubmission(f"no '{PACKAGE}' package folder (a '{PACKAGE}' folder with .py files in it) found "
                                    f"in {source.name}, nor in its folders up to {MAX_DEPTH} levels down")
        root = temp / "work"
        copy_tree(package_root or folder, root, notes)
        return Submission(source, package_root, root, notes, temp)
    except InvalidSubmission:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    except (OSError, RecursionError, UnicodeError, ValueError, shutil.Error) as exc:
        shutil.rmtree(temp, ignore_errors=True)  # e.g. a name too long, an unreadable file, a folder too deep
        raise InvalidSubmission(f"{source.name} cannot be read: {type(exc).__name__}: {exc}"[:500]) from None
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise


def check_notebook(path: Path) -> None:
    """A lone notebook must at least be JSON with cells; suites read it further."""
    if path.stat().st_size > MAX_NOTEBOOK:
        raise InvalidSubmission(f"{path.name} is larger than {MAX_NOTEBOOK >> 20} MiB")
    try:
        notebook = json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidSubmission(f"{path.name} is not a readable notebook (not JSON: {exc})"[:300]) from None
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        raise InvalidSubmission(f"{path.name} is not a readable notebook (no list of cells)")


def find_package_root(folder: Path) -> Path | None:
    """The shallowest folder that holds a ``cs231n`` folder with Python files in it."""
    frontier = [folder]
    for _ in range(MAX_DEPTH + 1):
        found = sorted(f for f in frontier if _holds_package(f))
        if found:
            return found[0]
        frontier = [child for f in frontier for child in _subfolders(f)]
    return None


def _holds_package(folder: Path) -> bool:
    package = folder / PACKAGE
    try:
        return package.is_dir() and not package.is_symlink() and any(package.glob("*.py"))
    except OSError:
        return False


def _subfolders(folder: Path) -> list[Path]:
    try:
        return sorted(c for c in folder.iterdir() if c.is_dir() and not c.is_symlink()
                      and c.name not in SKIPPED_DIRS and not c.name.startswith("."))
    except OSError:
        return []


def copy_tree(source: Path, target: Path, notes: list[str]) -> None:
    """Copy regular files, skipping links, caches, datasets, oversized files and folders
    nested too deep."""
    total, count = 0, 0
    for folder, dirs, files in os.walk(source):
        here = Path(folder)
        depth = len(here.relative_to(source).parts)
        if depth >= MAX_NESTING and dirs:
            notes.append(f"skipped the folders inside {here.relative_to(source)}: nested more than "
                         f"{MAX_NESTING} folders deep")
            dirs[:] = []
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not (here / d).is_symlink())
        (target / here.relative_to(source)).mkdir(parents=True, exist_ok=True)
        for name in sorted(files):
            path = here / name
            relative = path.relative_to(source)
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode):
                notes.append(f"skipped symbolic link {relative}")
                continue
            if not stat.S_ISREG(info.st_mode):
                notes.append(f"skipped {relative}: not a regular file")
                continue
            if info.st_size > MAX_FILE:
                notes.append(f"skipped {relative}: {info.st_size >> 20} MiB is more than the "
                             f"{MAX_FILE >> 20} MiB allowed per file")
                continue
            total, count = total + info.st_size, count + 1
            if total > MAX_TOTAL or count > MAX_FILES:
                raise InvalidSubmission(f"the submission holds more than {MAX_TOTAL >> 20} MiB or "
                                        f"{MAX_FILES} files outside its datasets")
            shutil.copyfile(path, target / relative)


def unzip_safely(archive: Path, target: Path, notes: list[str]) -> None:
    """Unpack a zip with no member outside ``target``, no links, and a size cap that is
    enforced on the bytes actually written (a zip bomb's declared sizes can lie)."""
    try:
        bundle = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InvalidSubmission(f"{archive.name} is not a readable zip file ({exc})") from None
    target.mkdir(parents=True)
    written = 0
    with bundle:
        members = bundle.infolist()
        if len(members) > MAX_FILES:
            raise InvalidSubmission(f"{archive.name} holds {len(members)} files, more than {MAX_FILES}")
        too_deep = 0
        for member in members:
            name = member.filename.replace("\\", "/")
            parts = [p for p in name.split("/") if p not in ("", ".")]
            if name.startswith("/") or ".." in parts or (parts and ":" in parts[0]):
                raise InvalidSubmission(f"{archive.name} has a member that points outside it: {member.filename!r}")
            if stat.S_ISLNK(member.external_attr >> 16):
                notes.append(f"skipped symbolic link {name} in the zip")
                continue
            if len(parts) > MAX_DEPTH + MAX_NESTING + 2:
                too_deep += 1
                continue
            destination = target.joinpath(*parts) if parts else target
            try:
                if member.is_dir():
                    destination.mkdir(parents=True, exist_ok=True)
                    continue
                destination.parent.mkdir(parents=True, exist_ok=True)
                with bundle.open(member) as src, open(destination, "wb") as dst:
                    while chunk := src.read(1 << 20):
                        written += len(chunk)
                        if written > MAX_TOTAL:
                            raise InvalidSubmission(f"{archive.name} unpacks to more than {MAX_TOTAL >> 20} MiB "
                                                    "(a zip bomb?)")
                        dst.write(chunk)
            except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError, zlib.error,
                    NotImplementedError) as exc:
                raise InvalidSubmission(f"{archive.name}: cannot unpack {name!r} ({exc})"[:500]) from None
        if too_deep:
            notes.append(f"skipped {too_deep} member(s) of {archive.name} nested more than "
                         f"{MAX_DEPTH + MAX_NESTING + 2} folders deep")
