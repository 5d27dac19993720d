"""Turning a notebook into a module a worker can import, without running any of it here.

A student's ``PyTorch.ipynb`` holds definitions (functions, classes, the Part V
``model`` and ``optimizer``) mixed with work: mounting Google Drive, downloading
CIFAR-10, building DataLoaders, training, plotting. The grader wants the definitions
only. Each code cell is read as text: IPython magics and shell lines are blanked,
then ``ast`` keeps the statements that define things and drops the rest:

* kept: imports (not ``google.colab``), ``def`` and ``class``, assignments, calls
  that set up a model (``model.apply(init_weights)``, ``model.to(device)``,
  ``layers.append(...)``, in-place ``nn.init.kaiming_normal_(...)``, seeds, a
  function of the student's named ``*init*``), and ``if``/``try``/``for`` blocks with
  what they define (a ``for`` loop that builds a list of layers), as are ``with``
  blocks of a device or grad mode (``with torch.no_grad():``, ``with torch.device(d):``);
* dropped: other expression statements (``train_part34(...)``, ``print``,
  ``plt.show()``), ``while`` loops and other ``with`` blocks, asserts, and statements
  (a ``for`` loop as a whole) that load data or train (a dataset, a DataLoader, a
  download, a ``train*``/``check_accuracy*`` call), or use a name that a dropped
  statement would have bound.

The generated module runs each cell's kept code on its own under ``try``, so one
failing cell does not hide the others; failures (and cells that do not parse) land
in ``__cell_errors__``. ``__cell_binds__`` names the last cell that sets each name,
and ``__skipped_binds__`` the names whose last assignment in the notebook was
dropped, so that a probe never mistakes an earlier part's ``model`` for Part V's.
This filter saves time and keeps Colab-only lines out; it is no protection: the
kept code is the student's and runs in a worker like any other.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

# Cell magics whose body is Python: the body is kept, the magic line blanked.
PYTHON_CELL_MAGICS = {"time", "timeit", "capture", "prun"}
# Calls that load or fetch data, and calls that need IPython, Colab or a shell
# (matched on the last part of the called name).
DATA_CALLS = {"CIFAR10", "CIFAR100", "MNIST", "FashionMNIST", "SVHN", "ImageFolder", "DataLoader",
              "load_CIFAR10", "get_CIFAR10_data", "load_tiny_imagenet", "urlretrieve", "urlopen",
              "download_url"}
OUTSIDE_CALLS = {"get_ipython", "mount", "system", "getoutput"}
DATA_MODULES = {"dset", "datasets"}  # torchvision.datasets as the course imports it
WORK_PREFIXES = ("train", "check_accuracy")  # functions called by name that train or evaluate
# Methods called for their effect on a model, a list of layers or an optimizer (with the
# in-place methods ending in "_", as torch names them): kept as statements of their own.
SETUP_METHODS = {"apply", "to", "cuda", "cpu", "float", "double", "half", "train", "eval", "append", "extend",
                 "insert", "add_module", "register_buffer", "register_parameter", "add_param_group", "update"}
# Context managers that only set where tensors are made or whether autograd records.
SETUP_CONTEXTS = {"no_grad", "enable_grad", "inference_mode", "set_grad_enabled", "device"}
MAGIC_LINE = re.compile(r"\s*(?:[%!?]|[\w.]+\?\??\s*$|[\w.,\s\[\]()]+=\s*[%!])")
TOP_LEVEL_NAME = re.compile(r"^(?:(?:def|class)\s+(\w+)|(\w+)\s*(?::[^=\n]*)?=(?!=))", re.M)  # in unparsable cells


class NotebookError(ValueError):
    """A file that cannot be read as a notebook or a Python module; the message says why."""


@dataclass
class CellPlan:
    """What the converter did with one code cell. ``index`` counts all cells from 0."""

    index: int
    first_line: str
    status: str  # "kept", "partly kept", "skipped" (nothing to define), "unparsable"
    kept: list[str] = field(default_factory=list)  # one short line per kept statement
    dropped: list[str] = field(default_factory=list)  # one line per dropped statement, with the reason
    binds: list[str] = field(default_factory=list)  # top-level names the kept code sets last
    code: str = ""  # the kept code, lines where they were in the cell where possible
    error: str = ""  # why an unparsable cell does not parse
    error_line: int = 0


@dataclass
class Conversion:
    name: str  # the notebook's file name, for messages
    cells: list[CellPlan]
    module: str  # the text of the generated module

    def summary(self) -> list[str]:
        """One line per code cell: what was kept, what was skipped and why."""
        lines = []
        for cell in self.cells:
            line = f"cell {cell.index} [{cell.status}] {cell.first_line}"
            if cell.kept:
                line += f"\n    kept: {', '.join(cell.kept)}"
            if cell.dropped:
                line += "".join(f"\n    dropped {d}" for d in cell.dropped)
            if cell.error:
                line += f"\n    does not parse (line {cell.error_line}): {cell.error}"
            lines.append(line)
        return lines


def read_cells(path: str | Path) -> list[tuple[int, str]]:
    """The code cells of a notebook (or of a ``.py`` file) as (index, source) pairs.

    A ``.py`` file is split at ``# %%`` markers (the percent format), else it is one cell.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise NotebookError(f"{path.name} cannot be read: {exc}") from None
    if path.suffix == ".py":
        return list(enumerate(re.split(r"(?m)^# %%.*\n", text)))
    return notebook_cells(text, path.name)


def notebook_cells(text: str, name: str = "notebook") -> list[tuple[int, str]]:
    try:
        notebook = nbformat.reads(text, as_version=4)
        cells = list(notebook.cells)
    except Exception as exc:  # nbformat raises JSON, schema and version errors of many types
        raise NotebookError(f"{name} is not a readable notebook: {type(exc).__name__}: {exc}"[:500]) from None
    code = []
    for index, cell in enumerate(cells):
        if cell.get("cell_type") == "code":
            source = cell.get("source", "")
            code.append((index, "".join(source) if isinstance(source, list) else str(source)))
    return code


def convert(path: str | Path) -> Conversion:
    """Plan every code cell of ``path`` and write the module text (nothing is run)."""
    path = Path(path)
    return build(path.name, read_cells(path))


def write_module(path: str | Path, target: str | Path) -> Conversion:
    """Convert ``path`` and write the module to ``target`` (e.g. ``<workspace>/pytorch_notebook.py``)."""
    conversion = convert(path)
    Path(target).write_text(conversion.module, encoding="utf-8")
    return conversion


def build(name: str, cells: list[tuple[int, str]]) -> Conversion:
    skipped: dict[str, str] = {}  # name -> where a dropped statement set it last, across cells
    plans = [plan_cell(index, source, skipped) for index, source in cells]
    binds = {bound: plan.index for plan in plans for bound in plan.binds if bound not in skipped}
    errors = {p.index: {"line": p.first_line, "error": p.error, "where": p.error_line} for p in plans if p.error}
    runs = "".join(f"__run_cell__({p.index}, {p.first_line!r}, {p.code!r})\n" for p in plans if p.code)
    module = MODULE_TEMPLATE.format(name=repr(name), errors=repr(errors), binds=repr(dict(sorted(binds.items()))),
                                    skipped=repr(dict(sorted(skipped.items()))), runs=runs)
    return Conversion(name, plans, module)


MODULE_TEMPLATE = '''"""Definitions from a notebook, written by the grader: each code cell runs on its own."""
import linecache as __linecache__
import os as __os__

__notebook__ = {name}
__cell_errors__ = {errors}  # cell index -> {{"line": first line, "error": what it raised, "where": line number}}
__cell_binds__ = {binds}  # name -> the last cell that sets it
__skipped_binds__ = {skipped}  # name -> where a statement the grader does not run sets it last


def __run_cell__(index, first_line, code):
    filename = __os__.path.join(__os__.path.dirname(__os__.path.abspath(__file__)), "%s, cell %d" % (__notebook__, index))
    __linecache__.cache[filename] = (len(code), None, code.splitlines(True), filename)
    try:
        exec(compile(code, filename, "exec"), globals())
    except (Exception, SystemExit) as exc:
        tb, line = exc.__traceback__, 0
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == filename:
                line = tb.tb_lineno
            tb = tb.tb_next
        __cell_errors__[index] = {{"line": first_line, "error": ("%s: %s" % (type(exc).__name__, exc))[:1000],
                                  "where": line}}


{runs}'''


# -- one cell ---------------------------------------------------------------------------

def plan_cell(index: int, source: str, skipped: dict | None = None) -> CellPlan:
    """Decide what to keep of one cell. ``skipped`` (see ``keep_statements``) carries
    over from the cells before and is updated."""
    skipped = {} if skipped is None else skipped
    first = next((line.strip() for line in source.splitlines() if line.strip()), "")[:100]
    plan = CellPlan(index, first, "skipped")
    text, blanked = blank_magics(source)
    plan.dropped.extend(blanked)
    if not text:
        return plan
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        message = exc.msg if isinstance(exc, SyntaxError) else str(exc)
        plan.status, plan.error = "unparsable", f"{type(exc).__name__}: {message}"[:500]
        plan.error_line = getattr(exc, "lineno", None) or 0
        plan.binds = sorted({a or b for a, b in TOP_LEVEL_NAME.findall(text)})  # a guess, for messages
        for name in plan.binds:
            skipped.pop(name, None)
        return plan
    kept = keep_statements(tree.body, skipped, plan.dropped, in_try=False, origin=f"cell {index}, ")
    plan.dropped.sort(key=lambda line: int(line.split(":")[0].split()[-1]))
    if not kept:
        return plan
    plan.status = "partly kept" if plan.dropped else "kept"
    plan.kept = [_label(node) for node in kept]
    plan.binds = sorted({name for node in kept for name in _bound_names(node)} - set(skipped))
    plan.code = _layout(text, kept, tree.body)
    return plan


def blank_magics(source: str) -> tuple[str, list[str]]:
    """Blank IPython magics, shell escapes and ``?`` help lines, keeping line numbers.

    Returns the text (empty for a cell magic whose body is not Python) and a line per
    thing blanked. A cell that parses as Python as it is stays untouched (a ``%`` in a
    string is then safe); otherwise every magic line becomes ``pass`` at its indentation.
    """
    lines = source.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    blanked = []
    if first is not None and lines[first].lstrip().startswith("%%"):
        magic = (lines[first].strip()[2:].split() or [""])[0]
        if magic not in PYTHON_CELL_MAGICS:
            return "", [f"(whole cell): %%{magic} cell magic"]
        blanked.append(f"line {first + 1}: {lines[first].strip()} (cell magic)")
        lines[first] = ""
    text = "\n".join(lines)
    try:
        ast.parse(text)
        return text, blanked
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        pass
    continued = False  # a magic line ending in a backslash goes on in the next line
    for i, line in enumerate(lines):
        if continued:
            lines[i], continued = "", line.rstrip().endswith("\\")
        elif MAGIC_LINE.match(line):
            blanked.append(f"line {i + 1}: {_shorten(line.strip())} (IPython magic or shell line)")
            indent = line[: len(line) - len(line.lstrip())]
            lines[i], continued = indent + "pass", line.rstrip().endswith("\\")
    return "\n".join(lines), blanked


def keep_statements(body: list, skipped: dict, dropped: list, in_try: bool, origin: str = "") -> list:
    """The statements of ``body`` worth keeping; reasons for the others go to ``dropped``.

    ``skipped`` maps the names that dropped statements set (a DataLoader, a dataset,
    a model built in a loop) to where and why (``origin`` names the cell); a later
    statement that reads one is dropped too, and one that sets it again takes it off.
    """
    kept = []
    for node in body:
        reason = _drop_reason(node, skipped)
        if reason is None and isinstance(node, ast.Import | ast.ImportFrom):
            node, reason = _without_colab(node, in_try)
        if reason is None and isinstance(node, ast.If | ast.Try | ast.For | ast.With):
            node, reason = _filtered_block(node, skipped, dropped, origin)
        if reason:
            if reason != "nothing to define":  # (a block says why for each statement inside)
                why = f"line {node.lineno}: {_first_line(node)} ({reason})"
                dropped.append(why)
                skipped.update(dict.fromkeys(_bound_names(node), origin + why))
            continue
        for name in _bound_names(node):
            skipped.pop(name, None)
        kept.append(node)
    return kept


def _drop_reason(node, skipped: dict) -> str | None:
    if isinstance(node, ast.Import | ast.ImportFrom | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return None
    if isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
        return _work_reason(node, skipped)
    if isinstance(node, ast.If):
        return _work_reason(node.test, skipped)
    if isinstance(node, ast.Try | ast.Break | ast.Continue):
        return None
    if isinstance(node, ast.For):  # kept with what it defines, unless any of it does work
        return _work_reason(node, skipped)
    if isinstance(node, ast.Expr):
        if isinstance(node.value, ast.Constant):
            return "nothing to define"
        return _work_reason(node, skipped) or (None if _sets_up(node.value) else "runs something")
    if isinstance(node, ast.With) and all(_sets_up_context(item) for item in node.items):
        return _work_reason(node, skipped)
    if isinstance(node, ast.AsyncFor | ast.While | ast.With | ast.AsyncWith):
        return "a while loop or with block runs work"
    if isinstance(node, ast.Pass):
        return "nothing to define"
    return f"{type(node).__name__.lower()} statement"


def _work_reason(node, skipped: dict) -> str | None:
    """Why evaluating ``node`` would load data or train, or None."""
    if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name) and node.target.id in skipped:
        return f"uses {node.target.id}, which is not kept"
    for child in _walk_eager(node):
        if isinstance(child, ast.Call):
            parts = _dotted(child.func)
            if parts and (parts[-1] in DATA_CALLS or DATA_MODULES & set(parts[:-1])):
                return f"calls {'.'.join(parts)}: loads data"
            if parts and parts[-1] in OUTSIDE_CALLS:
                return f"calls {'.'.join(parts)}: IPython, Colab or shell only"
            if isinstance(child.func, ast.Name) and child.func.id.startswith(WORK_PREFIXES):
                return f"calls {child.func.id}: trains or evaluates"
        if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Load) and child.id in skipped:
            return f"uses {child.id}, which is not kept"
    return None


def _sets_up(value) -> bool:
    """A call made for its effect on a model: a setup method, an in-place one, a seed,
    or a function named for initialising (``init_weights(model)``)."""
    if not isinstance(value, ast.Call):
        return False
    name = (_dotted(value.func) or [""])[-1]
    if "seed" in name or (isinstance(value.func, ast.Name) and "init" in name.lower()):
        return True
    return isinstance(value.func, ast.Attribute) and (name in SETUP_METHODS or
                                                      (name.endswith("_") and not name.startswith("_")))


def _sets_up_context(item) -> bool:
    """``with torch.no_grad():``, ``with torch.device(d):`` and the like (no ``as``)."""
    call = item.context_expr
    return isinstance(call, ast.Call) and item.optional_vars is None and \
        (_dotted(call.func) or [""])[-1] in SETUP_CONTEXTS


def _walk_eager(node):
    """``ast.walk`` without the bodies of lambdas, which do not run when defined."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if not isinstance(current, ast.Lambda):
            stack.extend(ast.iter_child_nodes(current))


def _dotted(func) -> list[str]:
    parts = []
    while isinstance(func, ast.Attribute):
        parts.append(func.attr)
        func = func.value
    if isinstance(func, ast.Name):
        parts.append(func.id)
    return parts[::-1]


def _without_colab(node, in_try: bool):
    """An import without its ``google.colab`` names (inside ``try`` they stay: the
    ImportError they raise outside Colab takes the block's own fallback)."""
    if in_try:
        return node, None
    prefix = f"{node.module}." if isinstance(node, ast.ImportFrom) and node.module else ""
    names = [a for a in node.names if not _is_colab(prefix + a.name)]
    if not names:
        return node, "Colab only"
    if len(names) < len(node.names):
        node = ast.copy_location(type(node)(**{**node.__dict__, "names": names}), node)
    return node, None


def _is_colab(name: str) -> bool:
    return name == "google.colab" or name.startswith("google.colab.")


def _filtered_block(node, skipped: dict, dropped: list, origin: str):
    """An ``if``, ``try``, ``for`` or ``with`` with only what it defines, or a reason to drop it whole."""
    fields = {}
    for name in ("body", "orelse", "finalbody"):
        if hasattr(node, name):
            fields[name] = keep_statements(getattr(node, name), skipped, dropped, isinstance(node, ast.Try), origin)
    if isinstance(node, ast.Try):
        fields["handlers"] = [ast.copy_location(ast.ExceptHandler(h.type, h.name, keep_statements(
            h.body, skipped, dropped, False, origin) or [ast.Pass()]), h) for h in node.handlers]
    if not fields["body"] and not fields.get("orelse"):
        return node, "nothing to define"
    fields["body"] = fields["body"] or [ast.Pass()]
    new = ast.copy_location(type(node)(**{**node.__dict__, **fields}), node)
    return ast.fix_missing_locations(new), None


def _bound_names(node) -> set[str]:
    """Names a top-level statement binds in the module (not those inside functions)."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return {node.name}
    if isinstance(node, ast.Import | ast.ImportFrom):
        return {a.asname or a.name.split(".")[0] for a in node.names if a.name != "*"}
    if isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    names = {n.id for n in ast.walk(node.target) if isinstance(n, ast.Name)} if isinstance(node, ast.For) else set()
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.stmt | ast.excepthandler):
            names |= _bound_names(child)
    return names


def _layout(text: str, kept: list, body: list) -> str:
    """The kept statements, each on its original lines where it stands alone there
    (so tracebacks point at the student's lines), otherwise rewritten by ``ast``."""
    lines = text.splitlines()
    spans = [(_start(n), n.end_lineno) for n in body]
    out: list[str] = []
    for node in kept:
        start, end = _start(node), node.end_lineno
        shares_line = sum(s <= end and start <= e for s, e in spans) > 1
        original = node in body and not shares_line
        chunk = lines[start - 1 : end] if original else ast.unparse(node).splitlines()
        out.extend([""] * max(0, start - 1 - len(out)))
        out.extend(chunk)
    return "\n".join(out) + "\n"


def _start(node) -> int:
    decorators = getattr(node, "decorator_list", [])
    return min([node.lineno] + [d.lineno for d in decorators])


def _first_line(node) -> str:
    return _shorten(ast.unparse(node).splitlines()[0])


def _shorten(text: str, size: int = 80) -> str:
    return text if len(text) <= size else text[: size - 3] + "..."


def _label(node) -> str:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return f"def {node.name}"
    if isinstance(node, ast.ClassDef):
        return f"class {node.name}"
    if isinstance(node, ast.Import | ast.ImportFrom):
        return "import " + ", ".join(sorted(_bound_names(node)))
    names = sorted(_bound_names(node))
    kind = {ast.If: "if block", ast.Try: "try block", ast.For: "for loop", ast.With: "with block"}.get(type(node))
    if kind:
        return f"{kind} ({', '.join(names)})" if names else kind
    return ", ".join(names) + " = ..." if names else _first_line(node)


UNAVAILABLE_TEMPLATE = '''"""Written by the grader: there is no notebook module to import; importing this says why."""
{import_line}
raise {exception}({message!r})
'''


def write_unavailable(target: str | Path, message: str, missing: bool) -> None:
    """Write a module at ``target`` that fails on import with ``message``, so every check
    that needs the notebook says why: with ``missing``, as the worker's ``Missing`` (the
    status "missing": there is no notebook), else as an ImportError (it cannot be read)."""
    import_line = "from grader.worker.probes import Missing  # the worker's own, already loaded" if missing else ""
    text = UNAVAILABLE_TEMPLATE.format(import_line=import_line, exception="Missing" if missing else "ImportError",
                                       message=message)
    Path(target).write_text(text, encoding="utf-8")
