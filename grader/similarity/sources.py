"""The code a student wrote, as text: what similarity is computed over.

From a submission (a folder, a ``.zip`` or a lone ``.ipynb``, as in a batch folder):
the ``.py`` files of its ``cs231n`` package and the code cells of its notebooks
(each cell a text of its own, magics and shell lines blanked as grading blanks
them). Zips are unpacked with the grader's own safe unpacker, the package is found
as grading finds it. From a starter or ``--exclude`` folder: every ``.py`` file and
notebook in it.

A file that cannot be used (binary, not UTF-8, too large, a broken notebook) is
skipped with a note; a submission that cannot be read at all has no code and says
why. Nothing here raises for bad input.
"""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..notebook import NotebookError, blank_magics, notebook_cells
from ..submission import (MAX_DEPTH, MAX_NESTING, MAX_NOTEBOOK, PACKAGE, SKIPPED_DIRS, InvalidSubmission,
                          check_notebook, find_package_root, unzip_safely)

MAX_FILE = 1 << 20  # bytes of one source file read; a larger one is skipped (a notebook may be MAX_NOTEBOOK)
MAX_FILES = 400  # source files and notebooks read per submission


@dataclass
class Code:
    name: str  # "cs231n/classifiers/linear_svm.py", or "PyTorch.ipynb cell 7"
    text: str


@dataclass
class Collected:
    files: list[Code] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # files skipped, and why
    error: str = ""  # why nothing could be read (then ``files`` is empty)


def collect(entry: Path) -> Collected:
    """The student-written code of one batch entry."""
    entry = Path(entry)
    found = Collected()
    try:
        if entry.is_file() and entry.suffix.lower() == ".zip":
            with tempfile.TemporaryDirectory(prefix="similarity-") as temp:
                unzip_safely(entry, Path(temp) / "unpacked", found.notes)
                _collect_submission(Path(temp) / "unpacked", found)
        elif entry.is_file() and entry.suffix.lower() == ".ipynb":
            check_notebook(entry)
            _add_notebook(entry, entry.name, found)
        elif entry.is_dir():
            _collect_submission(entry, found)
        else:
            found.error = f"{entry.name} is not a folder, a .zip or a .ipynb file"
    except InvalidSubmission as exc:
        found.error = str(exc)
    except (OSError, RecursionError, UnicodeError, ValueError) as exc:
        found.error = f"{entry.name} cannot be read: {type(exc).__name__}: {exc}"[:500]
    if found.error:
        found.files = []
    elif not found.files:
        found.error = f"no code found in {entry.name}: no '{PACKAGE}' package and no notebook"
    return found


def collect_folder(folder: Path) -> Collected:
    """Every ``.py`` file and notebook under ``folder`` (a starter, last year's solutions)."""
    found = Collected()
    try:
        for path in _walk(Path(folder), (".py", ".ipynb"), found):
            _add(path, path.relative_to(folder).as_posix(), found)
    except (OSError, RecursionError, ValueError) as exc:
        found.error = f"{folder} cannot be read: {type(exc).__name__}: {exc}"[:500]
    return found


def _collect_submission(folder: Path, found: Collected) -> None:
    root = find_package_root(folder)
    base = root if root is not None else folder
    if root is not None:
        for path in _walk(root / PACKAGE, (".py",), found):
            _add(path, path.relative_to(root).as_posix(), found)
    for path in _walk(base, (".ipynb",), found, depth=MAX_DEPTH):
        if PACKAGE not in path.relative_to(base).parts[:1]:
            _add(path, path.relative_to(base).as_posix(), found)


def _walk(folder: Path, suffixes: tuple[str, ...], found: Collected, depth: int = MAX_NESTING):
    """Regular files with these suffixes, sorted, without links, caches, datasets, hidden folders."""
    count = 0
    for here, dirs, files in os.walk(folder):
        level = len(Path(here).relative_to(folder).parts)
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not d.startswith(".") and level < depth
                         and not os.path.islink(os.path.join(here, d)))
        for name in sorted(files):
            path = Path(here) / name
            if path.suffix.lower() in suffixes and not path.is_symlink() and path.is_file():
                count += 1
                if count > MAX_FILES:
                    found.notes.append(f"read the first {MAX_FILES} files only")
                    return
                yield path


def _add(path: Path, name: str, found: Collected) -> None:
    if path.suffix.lower() == ".ipynb":
        _add_notebook(path, name, found)
    else:
        text = _read(path, name, found)
        if text is not None:
            found.files.append(Code(name, text))


def _add_notebook(path: Path, name: str, found: Collected) -> None:
    text = _read(path, name, found)
    if text is None:
        return
    try:
        cells = notebook_cells(text, name)
    except NotebookError as exc:
        found.notes.append(f"skipped {exc}")
        return
    for index, source in cells:
        code, _ = blank_magics(source)
        if code.strip():
            found.files.append(Code(f"{name} cell {index}", code))


def _read(path: Path, name: str, found: Collected) -> str | None:
    try:
        size, most = path.stat().st_size, MAX_NOTEBOOK if path.suffix.lower() == ".ipynb" else MAX_FILE
        if size > most:
            found.notes.append(f"skipped {name}: {size >> 10} KiB is more than the {most >> 10} KiB read per file")
            return None
        data = path.read_bytes()
    except OSError as exc:
        found.notes.append(f"skipped {name}: cannot be read ({exc.strerror or exc})")
        return None
    if b"\0" in data:
        found.notes.append(f"skipped {name}: a binary file, not source code")
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        found.notes.append(f"skipped {name}: not UTF-8 text")
        return None
