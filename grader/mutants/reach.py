"""Which checks a mutant's edit can reach: those whose requests import the edited module,
directly or through the package's own imports, or that read the edited file.

A check the edit cannot reach runs the reference's own code on the same inputs and seed,
so it gives the reference's verdict (every suite's reference scores full marks:
``tests/test_every_suite.py``). The mutation tests therefore grade a mutant with the
checks its edit reaches (and those they build on) and hold it to losing points exactly
there. The one thing this cannot see is a mistake that changes the worker's global state
for modules that never import it; the catalogue's realistic mistakes do not.
"""
from __future__ import annotations

import ast
from pathlib import Path

import numpy as np

from ..probe import Probe

PACKAGE = "cs231n"


def module_of(relative: str) -> str:
    """``cs231n/classifiers/fc_net.py`` -> ``cs231n.classifiers.fc_net``."""
    parts = list(Path(relative).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(root: Path) -> dict[str, set[str]]:
    """Each module of the package under ``root`` and the package modules it imports. The
    packages' ``__init__.py`` are left out: a worker imports a module without running them
    (``worker/probes.import_module``)."""
    graph: dict[str, set[str]] = {}
    for path in sorted((root / PACKAGE).rglob("*.py")):
        if path.name == "__init__.py":
            continue
        name = module_of(path.relative_to(root).as_posix())
        package = name.rpartition(".")[0]
        try:
            tree = ast.parse(path.read_bytes())
        except (SyntaxError, ValueError):
            tree = ast.Module(body=[], type_ignores=[])
        found = graph.setdefault(name, set())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = package.rsplit(".", node.level - 1)[0] if node.level else ""
                source = ".".join(p for p in (base, node.module or "") if p)
                found |= {source} | {f"{source}.{a.name}" for a in node.names}
    return graph


def closure(modules: set[str], graph: dict[str, set[str]]) -> set[str]:
    """The modules and everything they import, transitively."""
    seen, todo = set(), list(modules)
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo += graph.get(name, ())
    return seen


def probes_in(value) -> list[Probe]:
    if isinstance(value, Probe):
        return [value]
    if isinstance(value, (list, tuple)):
        return [p for item in value for p in probes_in(item)]
    return []


def reached(suite, mutant, root: Path, dataset) -> set[str]:
    """Titles of the checks of ``suite`` that the mutant's file (in the folder ``root``) can
    change the verdict of."""
    graph, edited = imports(root), mutant.file
    target = module_of(edited)
    titles = set()
    for check in suite.checks:
        rng = np.random.default_rng(0)
        probes = probes_in(check.cases(rng)) if callable(getattr(check, "cases", None)) else []
        if callable(getattr(check, "probe", None)):
            probes += probes_in(check.probe(dataset, rng))
        files = {getattr(check, "file", None), f"{PACKAGE}/saved/{getattr(check, 'file', '')}"}
        modules = {m for p in probes for m in p.modules}
        if edited in files or target in closure(modules, graph):
            titles.add(check.title)
    return titles
