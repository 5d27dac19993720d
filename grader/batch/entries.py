"""What a batch folder holds: one submission per entry, named by the student's id.

A folder, a ``.zip`` or a lone ``.ipynb`` is a submission; the student id is its
name without the suffix (``ada.zip`` -> ``ada``). Anything else is skipped and
said so, never silently. Two entries with one id (``ada/`` and ``ada.zip``) are
an ambiguity the batch records as an invalid submission.
"""
from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

SUFFIXES = (".zip", ".ipynb")
NOT_HASHED = {"__pycache__", ".ipynb_checkpoints", ".git"}  # caches, never graded


@dataclass
class Found:
    submissions: dict[str, Path] = field(default_factory=dict)  # student id -> entry
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (entry name, why)
    ambiguous: dict[str, list[str]] = field(default_factory=dict)  # student id -> its entries' names


def discover(folder: Path, ignore: Path | None = None) -> Found:
    """Every entry of ``folder``, sorted by name. ``ignore`` is the batch's own output
    folder, skipped when it lies inside ``folder``."""
    found = Found()
    named: dict[str, list[Path]] = {}
    ignored = ignore.resolve() if ignore else None
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.startswith("."):
            found.skipped.append((entry.name, "hidden entry"))
        elif ignored is not None and entry.resolve() == ignored:
            found.skipped.append((entry.name, "the output folder of this batch"))
        elif entry.is_dir():
            named.setdefault(entry.name, []).append(entry)
        elif entry.is_file() and entry.suffix.lower() in SUFFIXES:
            named.setdefault(entry.name[: -len(entry.suffix)], []).append(entry)
        elif not entry.exists():
            found.skipped.append((entry.name, "a link to nothing"))
        else:
            found.skipped.append((entry.name, "not a folder, a .zip or an .ipynb file"))
    for student, paths in named.items():
        if len(paths) == 1:
            found.submissions[student] = paths[0]
        else:
            found.ambiguous[student] = [p.name for p in paths]
    return found


def content_hash(path: Path) -> str:
    """SHA-256 of what was handed in: a file's bytes, or a folder's file names and bytes
    (caches and symbolic links left out, as grading leaves them out)."""
    digest = hashlib.sha256()
    try:
        if path.is_dir():
            digest.update(b"folder\0")
            for relative, full in _files(path):
                digest.update(f"{relative}\0{os.path.getsize(full)}\0".encode())
                _add_file(digest, full)
        else:
            digest.update(b"file\0")
            _add_file(digest, path)
    except OSError as exc:
        return f"unreadable ({exc.strerror or exc})"
    return digest.hexdigest()


def _files(folder: Path):
    for here, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in NOT_HASHED and not os.path.islink(os.path.join(here, d)))
        for name in sorted(files):
            full = os.path.join(here, name)
            if stat.S_ISREG(os.lstat(full).st_mode):
                yield os.path.relpath(full, folder).replace(os.sep, "/"), full


def _add_file(digest, path) -> None:
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
