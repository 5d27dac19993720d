"""Import a course folder's `cs231n` package in the test process, under a name of its own,
so that the reference and the starter code can be loaded side by side (for the fast tests
of the code itself; grading always goes through workers)."""
from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path


def load_package(folder: Path, alias: str):
    """``folder/cs231n`` imported as the package ``alias`` (its submodules as ``alias.x``);
    the same alias twice gives the same package."""
    if alias in sys.modules:
        return sys.modules[alias]
    package = Path(folder) / "cs231n"
    spec = importlib.util.spec_from_file_location(
        alias, package / "__init__.py", submodule_search_locations=[str(package)])
    module = importlib.util.module_from_spec(spec)
    sys.modules[alias] = module
    spec.loader.exec_module(module)
    return module


def load_module(folder: Path, alias: str, name: str):
    """The submodule ``name`` (e.g. ``"classifiers.rnn_pytorch"``) of ``folder/cs231n``."""
    load_package(folder, alias)
    return importlib.import_module(f"{alias}.{name}")
