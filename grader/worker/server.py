"""The loop that runs inside a worker process, next to the code under test.

Nothing here judges anything: it imports modules and runs probes when asked, and
sends back what came out as plain data (see ``wire``). It is started by
``client.Worker`` as ``python -s -P -c <bootstrap>`` (inside the sandbox, see ``sandbox``)
and sets itself up (``prepare``) before it says it is ready; from then on everything
it reports can be forged by the code it runs, and the grader treats it that way.
"""
from __future__ import annotations

import _thread
import ctypes
import importlib
import os
import resource
import shutil
import sys
import time
import traceback

import numpy as np

from . import numpy2, probes, procfs, wire
from .statuses import Status

PR_SET_DUMPABLE, PR_SET_NO_NEW_PRIVS, PR_SET_CHILD_SUBREAPER, PR_CAPBSET_DROP = 4, 38, 36, 24
CLONE_NEWNET = 0x40000000


def main(root: str, grader_path: str | None, setup: dict, fds: tuple[int, int]) -> None:
    """Set the worker up, say it is ready, then serve requests until the grader closes
    the channel or says exit."""
    request_fd, response_fd = fds
    prepare(root, setup)
    if grader_path and grader_path in sys.path:
        sys.path.remove(grader_path)  # the grader's own folder is no place to import from
    sys.path.insert(0, root)
    os.chdir(root)
    wire.write_frame(response_fd, {"ok": True, "value": "ready"})
    while True:
        try:
            request = wire.read_frame(request_fd)
        except EOFError:
            break
        if request.get("op") == "exit":
            break
        reply = handle(request, root, setup["response"])
        _flush_output()
        wire.write_frame(response_fd, reply)
    _flush_output()
    os._exit(0)  # no exit hooks or finalizers of the code under test run after the last request


def prepare(root: str, setup: dict) -> None:
    """Everything done before any code under test runs: a network namespace of its own
    (as root, without a sandbox), the copy of the submission it may change, resource
    limits, then the drop to an unprivileged uid (or of root's capabilities)."""
    if setup.get("unshare_net"):
        _unshare_network()
    if setup.get("copy_from"):
        shutil.copytree(setup["copy_from"], root, dirs_exist_ok=True, symlinks=False)
    uid = setup.get("uid")
    if uid is not None:
        for folder, dirs, files in os.walk(root):
            for name in [folder, *(os.path.join(folder, n) for n in dirs + files)]:
                os.lchown(name, uid, uid)
    apply_limits(setup)
    _prctl(PR_SET_NO_NEW_PRIVS, 1)
    if uid is not None:
        drop_to(uid)
    elif setup.get("drop_capabilities"):
        _drop_capabilities()
    if setup.get("undumpable"):
        _prctl(PR_SET_DUMPABLE, 0)  # the reference: no other process of its user may read its memory
    if setup.get("subreaper"):
        _prctl(PR_SET_CHILD_SUBREAPER, 1)  # orphans of the code stay below the worker, where the grader finds them
    if setup.get("numpy_compat"):
        numpy2.restore()  # NumPy 1's names back, for folders written for it (grade --numpy-compat)


def apply_limits(setup: dict) -> None:
    """Resource limits (never above what this process may already have). The CPU limit
    sends SIGXCPU first, and SIGKILL five seconds of CPU later."""
    processes = setup["processes"]
    if setup.get("relative_processes"):
        processes += procfs.tasks_of(os.getuid())  # RLIMIT_NPROC counts every process of this uid
    memory = "RLIMIT_DATA" if setup.get("memory_kind") == "data" else "RLIMIT_AS"  # data: CUDA (see Limits)
    for name, soft, grace in ((memory, setup["memory"], 0), ("RLIMIT_FSIZE", setup["file_size"], 0),
                              ("RLIMIT_CPU", setup["cpu"], 5), ("RLIMIT_CORE", 0, 0),
                              ("RLIMIT_NPROC", processes, 0)):
        kind = getattr(resource, name)
        ceiling = resource.getrlimit(kind)[1]
        hard = soft + grace
        if ceiling != resource.RLIM_INFINITY:
            soft, hard = min(soft, ceiling), min(hard, ceiling)
        resource.setrlimit(kind, (soft, hard))


def drop_to(uid: int) -> None:
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)


def trial(uid: int | None, unshare_net: bool) -> str:
    """Run by the grader once, to learn what works here: "<network unshared> <ok>"."""
    network = _unshare_network() if unshare_net else False
    try:
        if uid is not None:
            drop_to(uid)
        fresh = next(m for m in ("difflib", "fractions", "tabnanny", "zipapp") if m not in sys.modules)
        importlib.import_module(fresh)  # read after the drop
        with open(np.__file__, "rb"):
            pass
    except Exception as exc:
        return f"{int(network)} 0 {type(exc).__name__}: {exc}"
    return f"{int(network)} 1"


def _libc():
    return ctypes.CDLL(None, use_errno=True)


def _prctl(option: int, value: int) -> bool:
    return _libc().prctl(option, value, 0, 0, 0) == 0


def _unshare_network() -> bool:
    return _libc().unshare(CLONE_NEWNET) == 0


def _drop_capabilities() -> None:
    """Root without capabilities: no reading others' memory, no killing others, no
    raising limits; files root owns stay readable."""
    libc = _libc()
    for capability in range(64):
        libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0)
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
    data = (ctypes.c_uint32 * 6)()
    if libc.capset(header, data) != 0:
        raise OSError(ctypes.get_errno(), "capset failed")


def handle(request: dict, root: str, max_bytes: int) -> dict:
    started = time.perf_counter()
    try:
        if request["op"] == "import":
            probes.import_module(request["module"])
            value = None
        else:
            probes.seed_everything(request.get("seed", 0))
            value = probe_function(request["probe"])(**request["spec"])
        size = _nbytes(value)
        if size > max_bytes:
            reply = {"ok": False, "status": Status.FAILED.value, "where": "",
                     "message": f"the returned value takes {size / 2**20:.0f} MiB, more than the "
                                f"{max_bytes / 2**20:.0f} MiB a reply may hold"}
        else:
            reply = {"ok": True, "value": value}
    except BaseException as exc:  # the code under test may raise anything, SystemExit included
        status, message = classify(exc, request["op"] == "import")
        reply = {"ok": False, "status": status.value, "message": message, "where": _where(exc, root)}
    reply["seconds"] = time.perf_counter() - started
    reply["threads"] = _thread._count()  # threads the code started that are still running
    return reply


def probe_function(name: str):
    """The probe ``"module:function"`` of this package (``grader.worker``) names."""
    module, _, function = name.partition(":")
    if not (module.isidentifier() and function.isidentifier()):
        raise ValueError(f"grader error: {name!r} names no probe")
    return getattr(importlib.import_module(f".{module}", __package__), function)


def classify(exc: BaseException, importing: bool) -> tuple[Status, str]:
    """Name what went wrong in the words of the report's statuses."""
    text = f"{type(exc).__name__}: {exc}"[:2000]
    if isinstance(exc, probes.Missing):
        return Status.MISSING, str(exc)
    if isinstance(exc, probes.Wrong):
        return Status.FAILED, str(exc)
    if isinstance(exc, NotImplementedError):
        return Status.NOT_IMPLEMENTED, text
    if isinstance(exc, MemoryError):
        return Status.MEMORY, f"MemoryError: {str(exc)[:2000] or 'the code ran out of the memory it is allowed'}"
    if isinstance(exc, SystemExit):
        return (Status.IMPORT_ERROR if importing else Status.CRASH), f"the code called sys.exit({exc.code!r})"
    if isinstance(exc, (AttributeError, TypeError, ValueError)) and numpy2.recognise(text):
        return Status.NUMPY2, text
    return (Status.IMPORT_ERROR if importing else Status.CRASH), text


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
