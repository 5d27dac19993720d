"""Where a worker process runs, what it can see, and who it runs as.

The kind of isolation is chosen once per grader process (``isolation``), by trying it:

* ``bubblewrap``: the worker runs in a bubblewrap sandbox with its own mount, PID,
  network, IPC and UTS namespaces. Its file system holds, read-only, only what it needs:
  the system libraries (/usr), the Python installation with its site-packages (minus
  the data files the grader keeps private, which its caller names), and the grader's
  worker modules. The submission's code is copied into a private tmpfs of
  limited size at start, and /tmp is another. The reference, the rest of the project,
  the grader's working folder (gradebooks, reports), home folders and other submissions
  are not there at all; the network namespace is empty. The sandbox dies with the
  grader (``--die-with-parent``), and every process inside dies with the sandbox.
  A grader running as root starts it as root (bubblewrap then needs no user namespace)
  and the worker drops to an unprivileged uid of its own before any submitted code
  runs; otherwise bubblewrap puts it in a user namespace, as the grader's user.
* ``process``: a plain process with resource limits, where bubblewrap is missing or
  cannot run (containers that forbid namespaces). As root, the worker gets its own
  network namespace when the kernel allows and drops to an unprivileged uid; where no
  such uid can run Python, "auto" refuses, and only an explicit "none" runs it as root
  with every capability dropped. It can read whatever its user can read.

Worker uids (root only) are ``UID_BASE`` and up, numbers no account uses: a worker
shares its process count, files and signals with no one.
"""
from __future__ import annotations

import ctypes
import glob
import itertools
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from . import procfs
from .limits import Limits

GRADER_PARENT = str(Path(__file__).resolve().parents[2])
INSIDE_GRADER = "/run/grader"  # where the worker modules are, inside the sandbox
INSIDE_SOURCE = "/run/submission"  # the submission's workspace, read-only, copied from at start
UID_BASE = 1_000_000_000
TRIAL_TIMEOUT = 60


class SandboxUnavailable(RuntimeError):
    """No way to run submitted code here with the isolation asked for; the message says why."""


@dataclass(frozen=True)
class Isolation:
    kind: str  # "bubblewrap" or "process"
    drops_user: bool  # the worker runs as an unprivileged uid of its own (grader is root)
    network_blocked: bool
    reason: str = ""  # why there is no sandbox, when there is none
    as_root: bool = field(default_factory=lambda: os.geteuid() == 0)

    def describe(self) -> str:
        if self.drops_user:
            who = "its own unprivileged uid"
        elif self.as_root:
            who = ("root with every capability dropped (no unprivileged uid can run this Python): it can still "
                   "change files root owns, so use this only for code you trust")
        else:
            who = f"the grader's user ({_user_name()})"
        network = "network blocked (empty network namespace)" if self.network_blocked else "network NOT blocked"
        if self.kind == "bubblewrap":
            return (f"bubblewrap sandbox (own mount, PID, network and IPC namespaces): the worker sees only the "
                    f"system libraries, Python and its packages, the grader's worker modules and a private copy of "
                    f"the submission, not the reference, the project, the grader's folders or other submissions; "
                    f"runs as {who}; {network}; processes it starts end with each check")
        return (f"plain worker process, no sandbox ({self.reason}); runs as {who}; it can read what its user "
                f"can read; {network}")


def describe(limits: Limits) -> str:
    """The isolation line of a report: what is in force, and the limits."""
    try:
        kind = isolation(limits.sandbox).describe()
    except SandboxUnavailable as exc:
        kind = f"none: no submitted code was run ({exc})"
    return f"isolation: {kind}; limits: {limits.describe()}"


# -- choosing, once per grader process ---------------------------------------------------------

_chosen: dict[str, Isolation] = {}


def isolation(mode: str = "auto") -> Isolation:
    """The isolation workers get under ``Limits.sandbox == mode``, tried once and remembered.

    Raises SandboxUnavailable when ``mode`` is "bubblewrap" and it cannot run, or when
    ``mode`` is "auto", the grader is root, and neither the sandbox nor an unprivileged
    uid can run Python here (only an explicit "none" runs submitted code as root)."""
    if mode not in _chosen:
        _chosen[mode] = _choose(mode)
    return _chosen[mode]


def _choose(mode: str) -> Isolation:
    as_root = os.geteuid() == 0
    reason = "turned off (--sandbox none)"
    if mode != "none":
        problem = _try_bubblewrap(as_root)
        if problem is None:
            return Isolation("bubblewrap", drops_user=as_root, network_blocked=True)
        if mode == "bubblewrap":
            raise SandboxUnavailable(problem)
        reason = problem
    if not as_root:
        return Isolation("process", drops_user=False, network_blocked=False, reason=reason)
    outcome = _run_trial([], _trial_code(worker_uid(Limits()), GRADER_PARENT, unshare_net=True)) or ""
    if outcome[1:3] != " 1" and mode == "auto":
        raise SandboxUnavailable(f"{reason}, and no unprivileged user can run {sys.executable} (it may sit in a "
                                 "folder only root can enter), so submitted code would run as root: install "
                                 "bubblewrap, grade as an ordinary user, or pass --sandbox none to run it as root "
                                 "anyway")
    return Isolation("process", drops_user=outcome[1:3] == " 1", network_blocked=outcome.startswith("1 "),
                     reason=reason)


def _try_bubblewrap(as_root: bool) -> str | None:
    """None when a sandboxed worker can start and import NumPy here, else why not."""
    if shutil.which("bwrap") is None:
        return "bubblewrap is not installed"
    folder = tempfile.mkdtemp(prefix="grade-trial-")
    try:
        args = bubblewrap_args(folder, trusted=False, limits=Limits(), as_root=as_root)
        uid = worker_uid(Limits()) if as_root else None
        outcome = _run_trial(args, _trial_code(uid, INSIDE_GRADER, unshare_net=False))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if outcome is not None and outcome.startswith("0 1"):
        return None
    return f"bubblewrap cannot run here: {outcome or 'no answer'}"


def _trial_code(uid: int | None, grader_path: str, unshare_net: bool) -> str:
    return (f"import sys; sys.path.insert(0, {grader_path!r}); from grader.worker import server; "
            f"print(server.trial({uid!r}, {unshare_net!r}))")


def _run_trial(prefix: list[str], code: str) -> str | None:
    """What a trial worker printed (its last line), or the error that stopped it."""
    try:
        done = subprocess.run([*prefix, sys.executable, "-I", "-c", code], capture_output=True, text=True,
                              timeout=TRIAL_TIMEOUT, stdin=subprocess.DEVNULL, cwd="/")
    except (OSError, subprocess.SubprocessError) as exc:
        return f"{type(exc).__name__}: {exc}"
    lines = (done.stdout.strip() or done.stderr.strip() or f"exit status {done.returncode}").splitlines()
    return lines[-1][:300]


# -- one worker's launch ---------------------------------------------------------------------------

_uid_counter = itertools.count()


def worker_uid(limits: Limits) -> int:
    """A uid for one worker when the grader is root: the one asked for, else a fresh one
    that no account has."""
    if limits.worker_uid is not None:
        return limits.worker_uid
    while True:
        uid = UID_BASE + (os.getpid() % 4_000_000) * 64 + next(_uid_counter) % 64
        try:
            pwd.getpwuid(uid)
        except KeyError:
            return uid


def gpu_nodes() -> list[str]:
    """The NVIDIA device nodes of this machine (none where there is no GPU)."""
    return sorted(glob.glob("/dev/nvidia*"))


def uses_gpu(limits: Limits) -> bool:
    """Whether a worker under ``limits`` can reach a GPU: not with device "cpu", and only
    where there are GPU device nodes."""
    return limits.device != "cpu" and bool(gpu_nodes())


_cuda: list[bool] = []


def cuda_available() -> bool:
    """Whether PyTorch finds a CUDA GPU here (asked once, in a separate process, so that
    the grader's own process never starts CUDA)."""
    if not _cuda:
        found = False
        if gpu_nodes():
            try:
                done = subprocess.run([sys.executable, "-c", "import torch; print(torch.cuda.is_available())"],
                                      capture_output=True, text=True, timeout=TRIAL_TIMEOUT, stdin=subprocess.DEVNULL)
                found = done.stdout.strip().endswith("True")
            except (OSError, subprocess.SubprocessError):
                pass
        _cuda.append(found)
    return _cuda[0]


def device_env(limits: Limits) -> dict:
    """What tells a worker's PyTorch code which device to use (``torch_probes.training_device``):
    with "cpu", CUDA sees no GPU at all."""
    env = {"GRADER_DEVICE": limits.device, "CUBLAS_WORKSPACE_CONFIG": ":4096:8"}  # deterministic cuBLAS
    if limits.device == "cpu":
        env["CUDA_VISIBLE_DEVICES"] = ""
    return env


@dataclass
class Launch:
    """How to start one worker: the command before ``python``, the folder it runs in
    (as the worker sees it), and what the server sets up before any submitted code runs."""

    prefix: list[str]
    root: str
    setup: dict
    env: dict
    scratch: str | None = None  # a folder of the grader's to remove when the worker is gone


def launch(iso: Isolation, root: str, trusted: bool, limits: Limits, hide: tuple[str, ...] = ()) -> Launch:
    """The launch of one worker for the folder ``root``.

    A ``trusted`` worker (the reference) runs in place, read-only, as the grader's user.
    Any other worker starts from a fresh copy of ``root`` that it may change, and the
    folder the grader reads the submission from stays as it was handed in."""
    uid = worker_uid(limits) if iso.drops_user and not trusted else None
    setup = {"uid": uid, "processes": limits.processes, "copy_from": None, "relative_processes": False,
             "unshare_net": False, "drop_capabilities": False, "subreaper": False, "undumpable": trusted,
             "memory_kind": "data" if uses_gpu(limits) else "address space"}
    env = {"USER": "student", "LOGNAME": "student", **device_env(limits)}
    if iso.kind == "bubblewrap":
        prefix = bubblewrap_args(root, trusted, limits, iso.as_root, hide)
        if not trusted:
            setup["copy_from"] = INSIDE_SOURCE
        env.update(HOME="/tmp", TMPDIR="/tmp")
        return Launch(prefix, root, setup, env)
    if trusted:
        setup["relative_processes"] = True
        env.update(HOME=root)
        return Launch([], root, setup, env)
    scratch = tempfile.mkdtemp(prefix="grade-run-")
    setup.update(copy_from=root, subreaper=True, unshare_net=iso.network_blocked,
                 relative_processes=uid is None, drop_capabilities=iso.as_root and uid is None)
    env.update(HOME=scratch)
    return Launch([], scratch, setup, env, scratch=scratch)


def bubblewrap_args(root: str, trusted: bool, limits: Limits, as_root: bool, hide: tuple[str, ...] = ()) -> list[str]:
    """The bwrap command line (up to the program to run) for a worker in ``root``;
    the files in ``hide`` (data the grader keeps private) show as empty files."""
    args = ["bwrap", "--die-with-parent", "--new-session", "--unshare-pid", "--unshare-net", "--unshare-ipc",
            "--unshare-uts", "--unshare-cgroup-try"]
    if not as_root:
        args += ["--unshare-user", "--disable-userns"]
    elif trusted:
        args += ["--cap-drop", "ALL"]
    mounts = _Mounts()
    mounts.add(["--proc"], "/proc")
    mounts.add(["--dev"], "/dev")
    mounts.add(["--perms", "1777", "--size", str(limits.disk), "--tmpfs"], "/dev/shm")  # POSIX semaphores, shared memory
    if uses_gpu(limits):  # CUDA needs the device nodes and /sys (tested only where there is a GPU)
        for device in gpu_nodes():
            mounts.add(["--dev-bind", device], device)
        mounts.add(["--ro-bind", "/sys"], "/sys")
    mounts.add(["--ro-bind", "/usr"], "/usr")
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            mounts.add(["--symlink", os.readlink(top)], top)
        elif os.path.isdir(top):
            mounts.add(["--ro-bind", top], top)
    for name in ("/etc/ld.so.cache", "/etc/localtime", "/etc/fonts"):
        if os.path.exists(name):
            mounts.add(["--ro-bind", name], name)
    for path in python_paths():
        mounts.add(["--ro-bind", path], path)
    grader = os.path.join(GRADER_PARENT, "grader")
    mounts.add(["--ro-bind", os.path.join(grader, "__init__.py")], f"{INSIDE_GRADER}/grader/__init__.py")
    mounts.add(["--ro-bind", os.path.join(grader, "worker")], f"{INSIDE_GRADER}/grader/worker")
    for private in hide:
        mounts.add(["--ro-bind", "/dev/null"], private)
    mounts.add(["--perms", "1777", "--size", str(limits.disk), "--tmpfs"], "/tmp")
    if trusted:
        mounts.add(["--ro-bind", root], root)
    else:
        mounts.add(["--ro-bind", root], INSIDE_SOURCE)
        mounts.add(["--perms", "1777", "--size", str(limits.disk + _room_for(root)), "--tmpfs"], root)
    for secret in hidden_paths():
        if any(_inside(secret, bound) for bound in mounts.bound_from):
            mounts.add(["--tmpfs"], secret)
    return args + mounts.arguments() + ["--chdir", root]


def _room_for(folder: str) -> int:
    """Bytes a tmpfs needs to hold a copy of ``folder`` (a file takes whole 4 KiB pages)."""
    total = 0
    for here, _, files in os.walk(folder):
        for name in files:
            try:
                total += -(-os.lstat(os.path.join(here, name)).st_size // 4096) * 4096 + 4096
            except OSError:
                continue
    return total


class _Mounts:
    """Mount operations, put in an order that works: shallow destinations first, and
    every missing parent folder made (and left traversable) before it is used."""

    def __init__(self):
        self.operations: list[tuple[list[str], str]] = []
        self.bound_from: list[str] = []  # destinations that show host folders

    def add(self, operation: list[str], destination: str) -> None:
        self.operations.append((operation, destination))
        if operation[0] in ("--ro-bind", "--dev-bind") and operation[1] != "/dev/null":
            self.bound_from.append(destination)

    def arguments(self) -> list[str]:
        ordered = sorted(self.operations, key=lambda op: op[1].rstrip("/").count("/"))
        made: set[str] = {"/"}
        readonly: list[str] = []  # where no folder can be made: it must exist on the host
        args: list[str] = []
        for operation, destination in ordered:
            for parent in reversed([str(p) for p in Path(destination).parents]):
                if parent not in made and not any(_inside(parent, r) for r in readonly):
                    args += ["--perms", "0755", "--dir", parent]
                    made.add(parent)
            args += [*operation, destination]
            made.add(destination)
            if operation[0] in ("--ro-bind", "--dev-bind", "--symlink"):
                readonly.append(destination)
        return args


def _inside(path: str, folder: str) -> bool:
    path, folder = os.path.normpath(path), os.path.normpath(folder)
    return path == folder or path.startswith(folder.rstrip("/") + "/")


_python_paths: list[str] | None = None


def python_paths() -> list[str]:
    """Folders a worker's ``python -I`` needs: its prefixes and its ``sys.path``, without
    any folder that holds the project, the reference or the grader's working folder."""
    global _python_paths
    if _python_paths is None:
        try:
            out = subprocess.run([sys.executable, "-I", "-c", "import sys, json; print(json.dumps([sys.prefix, "
                                  "sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix] + sys.path))"],
                                 capture_output=True, text=True, timeout=TRIAL_TIMEOUT, cwd="/").stdout
            candidates = json.loads(out)
        except (OSError, subprocess.SubprocessError, ValueError):
            candidates = [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix]
        candidates += _link_folders(sys.executable)
        kept: list[str] = []
        for path in sorted({os.path.normpath(p) for p in candidates if p and os.path.exists(p)}, key=len):
            if any(_inside(path, k) for k in kept) or _inside(path, "/usr"):
                continue
            if any(_inside(secret, path) for secret in hidden_paths()):
                continue  # e.g. the project root itself on sys.path (an editable install)
            kept.append(path)
        _python_paths = kept
    return list(_python_paths)


def _link_folders(executable: str) -> list[str]:
    """The folder of every link from ``executable`` to the interpreter, and the interpreter's
    own: a venv made from a venv on Python 3.10 links to the first venv's python, which
    links on to the installed one, and bubblewrap follows each link inside the sandbox."""
    folders, path = [], os.path.abspath(executable)
    for _ in range(40):  # as many links as the kernel follows
        folders.append(os.path.dirname(path))
        if not os.path.islink(path):
            break
        path = os.path.join(os.path.dirname(path), os.readlink(path))
    return folders + [os.path.dirname(os.path.realpath(executable))]


def hidden_paths() -> list[str]:
    """Folders no student worker may see even when a folder it needs holds them: the
    project (reference, tests, example submissions), the reference, the grader's cwd.
    An installed grader (a wheel) has no project: its folder is site-packages, which
    workers need, and its package holds nothing private (the reference, where there is
    one, is elsewhere and hidden as the reference)."""
    installed = os.path.basename(GRADER_PARENT) in ("site-packages", "dist-packages")
    project = [] if installed else [GRADER_PARENT, os.path.join(GRADER_PARENT, "reference")]
    reference = [os.environ["GRADER_REFERENCE_ROOT"]] if os.environ.get("GRADER_REFERENCE_ROOT") else []
    return [os.path.normpath(p) for p in project + reference + [os.getcwd()]]


# -- the processes of a worker ---------------------------------------------------------------------

def stop_all(pids: list[int], below: int | None = None) -> None:
    """Freeze, then kill, ``pids`` and whatever they start meanwhile (below ``below``)."""
    seen: set[int] = set()
    for _ in range(5):
        fresh = [p for p in pids if p not in seen]
        if not fresh:
            break
        for pid in fresh:
            _signal(pid, signal.SIGSTOP)
        seen.update(fresh)
        pids = procfs.descendants(below) if below else []
        for pid in list(seen):
            pids += procfs.descendants(pid)
    for pid in seen:
        _signal(pid, signal.SIGKILL)


def _signal(pid: int, number: int) -> None:
    try:
        os.kill(pid, number)
    except (ProcessLookupError, PermissionError):
        pass


_protected = False


def protect_grader() -> None:
    """Make the grader's own process undumpable, so that a worker of the same user
    cannot read its memory (/proc/<pid>/mem) or attach to it. Done once, without a
    sandbox only."""
    global _protected
    if not _protected and sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE, 0
        _protected = True


def _user_name() -> str:
    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        return f"uid {os.getuid()}"
