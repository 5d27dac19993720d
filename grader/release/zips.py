"""Zip files a release writes (fixtures, wheel, starter, autograder): entries without a
date and with fixed permissions, so that the same inputs give the same bytes."""
from __future__ import annotations

import zipfile
from pathlib import Path

EPOCH = (1980, 1, 1, 0, 0, 0)


def add(bundle: zipfile.ZipFile, name: str, body: bytes, executable: bool = False) -> None:
    entry = zipfile.ZipInfo(name, EPOCH)
    entry.compress_type, entry.external_attr = zipfile.ZIP_DEFLATED, (0o755 if executable else 0o644) << 16
    bundle.writestr(entry, body)


def add_folder(bundle: zipfile.ZipFile, folder: Path, prefix: str = "") -> None:
    """Every regular file below ``folder`` (caches left out), under ``prefix/``."""
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink() and "__pycache__" not in path.parts:
            name = path.relative_to(folder).as_posix()
            add(bundle, f"{prefix}/{name}" if prefix else name, path.read_bytes())
