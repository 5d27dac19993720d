"""The loop that runs inside a worker process, next to the code under test.

Nothing here judges anything: it imports modules and runs probes when asked, and
sends back what came out as plain data (see ``wire``). It is started by
``client.Worker`` as ``python -I -c <bootstrap>`` with the submission's folder as its
working directory; everything it reports can be forged by the code it runs, and the
grader treats it that way.
"""
from __future__ import annotations

import os
import resource
import sys
import time
import traceback

import numpy as np

from . import probes, wire


def main(root: str, grader_path: str | None, limits: dict, fds: tuple[int, int]) -> None:
    """Set the limits, then serve requests until the grader closes the channel or says exit."""
    apply_limits(limits)
    request_fd, response_fd = fds
    if grader_path and grader_path in sys.path:
        sys.path.remove(grader_path)  # the grader's own folder is no place to import from
    sys.path.insert(0, root)
    os.chdir(root)
    while True:
        try:
            request = wire.read_frame(request_fd)
        except EOFError:
            return
        if request.get("op") == "exit":
            return
        reply = handle(request, root, limits["response"])
        _flush_output()
        wire.write_frame(response_fd, reply)


def apply_limits(limits: dict) -> None:
    """Resource limits, set before any code under test has run."""
    for name, value in (("RLIMIT_AS", limits["memory"]), ("RLIMIT_FSIZE", limits["file_size"])):
        resource.setrlimit(getattr(resource, name), (value, value))
    resource.setrlimit(resource.RLIMIT_CPU, (limits["cpu"], limits["cpu"] + 5))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def handle(request: dict, root: str, max_bytes: int) -> dict:
    started = time.perf_counter()
    try:
        if request["op"] == "import":
            probes.import_module(request["module"])
            value = None
        else:
            probes.seed_everything(request.get("seed", 0))
            value = probes.PROBES[request["probe"]](**request["spec"])
        size = _nbytes(value)
        if size > max_bytes:
            reply = {"ok": False, "status": "failed", "where": "",
                     "message": f"the returned value takes {size / 2**20:.0f} MiB, more than the "
                                f"{max_bytes / 2**20:.0f} MiB a reply may hold"}
        else:
            reply = {"ok": True, "value": value}
    except BaseException as exc:  # the code under test may raise anything, SystemExit included
        status, message = classify(exc, request["op"] == "import")
        reply = {"ok": False, "status": status, "message": message, "where": _where(exc, root)}
    reply["seconds"] = time.perf_counter() - started
    return reply


def classify(exc: BaseException, importing: bool) -> tuple[str, str]:
    """Name what went wrong in the words of the report's statuses."""
    text = f"{type(exc).__name__}: {exc}"[:2000]
    if isinstance(exc, probes.Missing):
        return "missing", str(exc)
    if isinstance(exc, probes.Wrong):
        return "failed", str(exc)
    if isinstance(exc, NotImplementedError):
        return "not_implemented", text
    if isinstance(exc, MemoryError):
        return "memory", "MemoryError: the code ran out of the memory it is allowed"
    if isinstance(exc, SystemExit):
        return ("import_error" if importing else "crash"), f"the code called sys.exit({exc.code!r})"
    if isinstance(exc, AttributeError) and "numpy" in str(exc) and "has no attribute" in str(exc):
        return "numpy2", text
    if importing:
        return "import_error", text
    return "crash", text


def _nbytes(tree) -> int:
    """Bytes of array data in a returned value, counted before encoding it."""
    if isinstance(tree, np.ndarray):
        return tree.nbytes
    if isinstance(tree, (list, tuple)):
        return sum(_nbytes(item) for item in tree)
    if isinstance(tree, dict):
        return sum(_nbytes(item) for item in tree.values())
    return 0


def _where(exc: BaseException, root: str) -> str:
    """The innermost line of the submission's own code in the traceback, if any."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith(root)]
    if not frames:
        return ""
    last = frames[-1]
    return f"{os.path.relpath(last.filename, root)}:{last.lineno} in {last.name}: {last.line or ''}"[:300]


def _flush_output() -> None:
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            stream.flush()
        except BaseException:
            pass
