"""Course editions: one year's version of an assignment, told apart by its folder.

An ``Edition`` names its years, the suite that grades it, the clues that tell its
folders apart from other years' (files present or absent, names defined, read from
the sources without running them), and its ``Layout``: how our reference and our
starter (which hold every file of every year) become that year's folder. ``detect``
picks the edition whose clues all hold; a folder that matches none, or several, is
graded with the closest one, and the notes say so and why.
"""
from __future__ import annotations

import ast
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .suite import Suite

MAX_SOURCE = 2 << 20


@dataclass(frozen=True)
class Clue:
    """One fact about a folder, e.g. "cs231n/classifiers/linear_svm.py is absent"."""

    text: str
    holds: Callable[[Path], bool]


def _tree(root: Path, relative: str):
    path = root / relative
    if not path.is_file() or path.is_symlink():
        return None
    try:
        return ast.parse(path.read_bytes()[:MAX_SOURCE])
    except (SyntaxError, ValueError):
        return None


def _top_names(tree) -> dict[str, ast.AST]:
    return {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}


def has_file(relative: str) -> Clue:
    return Clue(f"{relative} is present", lambda root: (root / relative).is_file())


def lacks_file(relative: str) -> Clue:
    return Clue(f"{relative} is absent", lambda root: not (root / relative).exists())


def defines(relative: str, name: str, present: bool = True) -> Clue:
    """``relative`` defines (or, with ``present=False``, does not define) the top-level ``name``."""
    def holds(root):
        tree = _tree(root, relative)
        return tree is not None and (name in _top_names(tree)) == present
    return Clue(f"{relative} {'defines' if present else 'does not define'} {name}", holds)


def takes(relative: str, cls: str, parameter: str) -> Clue:
    """``cls.__init__`` in ``relative`` has a parameter called ``parameter``."""
    def holds(root):
        tree = _tree(root, relative)
        node = _top_names(tree).get(cls) if tree is not None else None
        init = _top_names(node).get("__init__") if isinstance(node, ast.ClassDef) else None
        return init is not None and parameter in [a.arg for a in init.args.args + init.args.kwonlyargs]
    return Clue(f"{cls}(...) in {relative} takes {parameter}=", holds)


@dataclass(frozen=True)
class Layout:
    """How our reference or starter folder becomes one year's folder: files removed,
    top-level names removed from files, text replaced, files the starter of that year
    ships filled in (copied from the reference), extra files made for a role, and the
    folder it often sits in one level deeper."""

    remove: tuple[str, ...] = ()
    drop: dict[str, tuple[str, ...]] = field(default_factory=dict)
    replace: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    provided: tuple[str, ...] = ()
    extra: Callable[[Path, str], None] | None = None  # (folder, "reference" or "starter")
    nest: str = ""  # a folder the year's folder sits in (a zip without a top-level folder, unpacked into one)


@dataclass(frozen=True)
class Edition:
    assignment: str
    name: str  # "2021-2024"
    years: tuple[int, ...]
    suite: Callable[[], Suite]
    clues: tuple[Clue, ...]
    layout: Layout = Layout()

    @property
    def suite_name(self) -> str:
        return f"{self.assignment}-{self.name}"


def detect(editions: list[Edition], root: Path | None, asked: int | str | None = None) -> tuple[Edition, str]:
    """The edition to grade the folder ``root`` (the one holding ``cs231n/``) with, and a
    note saying which and from what evidence. ``asked`` (a year or an edition's name,
    from ``--edition``) wins over the evidence."""
    if asked is not None:
        chosen = find(editions, asked)
        return chosen, f"edition: {chosen.assignment} {chosen.name} (--edition {asked})"
    if root is None:
        chosen = max(editions, key=lambda e: e.years[-1])
        return chosen, (f"edition: {chosen.assignment} {chosen.name} (no cs231n package to tell the year from; the "
                        "latest edition)")
    held = {e.name: [c for c in e.clues if c.holds(root)] for e in editions}
    matches = [e for e in editions if len(held[e.name]) == len(e.clues)]
    if len(matches) == 1:
        chosen = matches[0]
        return chosen, f"edition: {chosen.assignment} {chosen.name} (detected: {'; '.join(c.text for c in chosen.clues)})"
    pool = matches or editions
    chosen = max(pool, key=lambda e: (len(held[e.name]) / len(e.clues), e.years[-1]))
    if matches:
        why = f"the folder matches {', '.join(e.name for e in matches)}; graded as the latest of them"
    else:
        missing = [c.text for c in chosen.clues if c not in held[chosen.name]]
        why = f"no edition matches every clue; the closest, though not: {'; '.join(missing)}"
    return chosen, f"edition: {chosen.assignment} {chosen.name} ({why}; use --edition YEAR to choose)"


def find(editions: list[Edition], asked: int | str) -> Edition:
    """The edition named ``asked`` ("2021-2024") or covering the year ``asked`` (2023)."""
    for edition in editions:
        if str(asked) == edition.name or str(asked) in {str(y) for y in edition.years}:
            return edition
    known = ", ".join(f"{e.name}" for e in editions)
    raise KeyError(f"no edition {asked} of {editions[0].assignment} (editions: {known})")


# -- building a year's folder from ours --------------------------------------------------------

def build(edition: Edition, reference: Path, starter: Path, role: str, target: Path) -> Path:
    """``target``: our reference (``role`` "reference") or our starter ("starter") laid
    out as that year's folder."""
    layout = edition.layout
    source, top = (reference if role == "reference" else starter), target
    target = target / layout.nest if layout.nest else target
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
    for relative in layout.provided:
        shutil.copyfile(reference / relative, target / relative)
    for relative in layout.remove:
        path = target / relative
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    for relative, names in layout.drop.items():
        _drop_names(target / relative, names)
    for relative, pairs in layout.replace.items():
        path = target / relative
        text = path.read_text()
        for old, new in pairs:
            text = text.replace(old, new)
        path.write_text(text)
    if layout.extra:
        layout.extra(target, role)
    return top


def _drop_names(path: Path, names: tuple[str, ...]) -> None:
    """Remove top-level definitions (with their decorators) from a Python file."""
    text = path.read_text()
    lines = text.splitlines(keepends=True)
    spans = []
    for node in ast.parse(text).body:
        if getattr(node, "name", None) in names:
            start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])]) - 1
            spans.append((start, node.end_lineno))
    for start, end in sorted(spans, reverse=True):
        del lines[start:end]
    path.write_text("".join(lines))
