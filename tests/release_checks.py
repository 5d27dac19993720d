"""What the tests hold a student release to: no reference file, no reference solution.

The solutions are the functions of ``reference/`` that the starter does not have (the
rest is provided code, e.g. the fast layers, which students get anyway), compared as
normalized ASTs: docstrings dropped, every variable and argument renamed to ``_``, so a
copy with other names is found too; and the lines of those functions (whitespace
normalized, 30 characters or more), so that a fragment quoted in a string (as the
mutation catalogue does) is found as well.
"""
from __future__ import annotations

import ast
import json
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MIN_NODES = 12  # smaller bodies (return x, pass ...) say nothing about a solution
MIN_LINE = 30


class _Anonymous(ast.NodeTransformer):
    def visit_Name(self, node):
        return ast.copy_location(ast.Name(id="_", ctx=node.ctx), node)

    def visit_arg(self, node):
        return ast.copy_location(ast.arg(arg="_"), node)


def _body(node) -> list:
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and \
            isinstance(body[0].value.value, str):
        body = body[1:]
    return body


def function_bodies(source: str) -> dict[str, str]:
    """Normalized body -> function name, for every function (at any depth) of ``source``."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and _body(node):
            module = _Anonymous().visit(ast.Module(body=_body(node), type_ignores=[]))
            if sum(1 for _ in ast.walk(module)) >= MIN_NODES:
                found[ast.dump(module, annotate_fields=False)] = node.name
    return found


def _sources(folder: Path):
    for path in sorted(folder.rglob("*.py")):
        yield path.read_text()
    for path in sorted(folder.rglob("*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            if cell["cell_type"] == "code":
                yield "\n".join(line for line in "".join(cell["source"]).splitlines()
                                if not line.lstrip().startswith(("%", "!")))


def _lines(text: str) -> set[str]:
    return {" ".join(line.split()) for line in text.splitlines()
            if len(" ".join(line.split())) >= MIN_LINE and not line.lstrip().startswith("#")}


def solutions() -> tuple[dict[str, str], set[str]]:
    """The reference's solution functions (normalized bodies) and their lines."""
    reference, starter = {}, {}
    reference_lines, starter_lines = set(), set()
    for source in _sources(ROOT / "reference"):
        reference.update(function_bodies(source))
        reference_lines |= _lines(source)
    for source in _sources(ROOT / "assignments"):
        starter.update(function_bodies(source))
        starter_lines |= _lines(source)
    return {k: v for k, v in reference.items() if k not in starter}, reference_lines - starter_lines


def leaks(files: dict[str, bytes]) -> list[str]:
    """What of the reference ``files`` (path -> content) hold: paths, functions, lines."""
    bodies, lines = solutions()
    found = [f"{name}: a file of reference/" for name in files if name.startswith("reference/") or
             "/reference/" in name]
    for name, content in files.items():
        if not name.endswith(".py"):
            continue
        text = content.decode("utf-8", errors="replace")
        found += [f"{name}: the body of the reference's {bodies[k]}" for k in function_bodies(text) if k in bodies]
        flat = " ".join(text.split())
        found += [f"{name}: the reference's line {line!r}" for line in lines if line in flat]
    return found


def wheel_files(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as wheel:
        return {name: wheel.read(name) for name in wheel.namelist()}
