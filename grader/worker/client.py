"""The grader's side of a worker: start it, ask it things, kill it when it misbehaves.

One ``Worker`` stands for one folder of code (a submission or the reference). It
starts a process on first use, sends it one request at a time, and waits for the
reply under a wall-clock deadline while it collects whatever the process prints.
A process that times out, dies, or sends something that is not a well-formed frame
is killed; the next request starts a fresh one. Every outcome becomes a ``Reply``:
the grader never sees an exception from here.

Where the process runs and what it can see is ``sandbox``'s business. A worker says
it is ready before any submitted code runs, so a failure before that is the grader's
(or the machine's), never the student's. After each request, a process the code
started and left running, or a thread, ends the worker: nothing outlives its check.
"""
from __future__ import annotations

import os
import selectors
import signal
import struct
import subprocess
import sys
import time
import shutil
from dataclasses import dataclass, replace
from pathlib import Path

from . import procfs, sandbox, wire
from .limits import Limits
from .statuses import Status, from_worker

GRADER_PARENT = sandbox.GRADER_PARENT
# The first statement takes the working folder ('' for -c) off sys.path, as -P does from
# Python 3.11, so that no file there shadows a module. -s: no user site-packages. Not -I,
# which would also ignore PYTHONHASHSEED (the environment is the grader's own, built below).
BOOTSTRAP = (
    "import sys; sys.path[:] = [p for p in sys.path if p]; sys.path.insert(0, {path!r}); "
    "from grader.worker import server; server.main({root!r}, {path!r}, {setup!r}, {fds!r})"
)
PASSED_ENV = ("PATH", "LANG", "LC_ALL", "CUDA_VISIBLE_DEVICES", "LD_LIBRARY_PATH")
PYTHON_FLAGS = ("-s",)


@dataclass
class Reply:
    """What came of one request. ``status`` says why when ``ok`` is false."""

    ok: bool
    value: object = None
    status: Status = Status.PASSED
    message: str = ""
    where: str = ""
    output: str = ""
    seconds: float = 0.0
    # CPU time the worker process used for the request, from the kernel's accounting
    # (Linux; None elsewhere): unlike ``seconds``, it does not grow when the machine is busy.
    cpu_seconds: float | None = None
    threads: int = 0  # threads the code started that still run after the request, as the worker says


class Worker:
    """``trusted``: the reference, run in place, read-only, as the grader's user.
    ``hide``: files (private data) that show as empty inside the sandbox."""

    def __init__(self, root: str | Path, limits: Limits = Limits(), label: str = "student", trusted: bool = False,
                 hide: tuple[str, ...] = ()):
        self.root = str(Path(root).resolve())
        self.limits = limits
        self.label = label
        self.trusted = trusted
        self.hide = tuple(hide)
        self.process: subprocess.Popen | None = None
        self.launch: sandbox.Launch | None = None
        self.kind = ""  # the isolation of the running process: "bubblewrap" or "process"
        self.own: set[int] = set()  # the worker's own processes: the server (and bubblewrap's two)
        self.imported: set[str] = set()
        self.failed_imports: dict[str, Reply] = {}
        self._import_output = ""
        self.memory = limits.memory  # the memory limit of the process (to be) started

    # -- public ---------------------------------------------------------------
    def ask(self, probe, seed: int = 0) -> Reply:
        """Run a ``grader.probe.Probe``: its modules imported first, under its timeout, in a
        process with the memory it asks for (``probe.memory``: at least the limits')."""
        self._memory_for(probe.memory)
        return self.run(probe.worker_function, probe.spec, probe.modules, seed=seed, timeout=probe.timeout)

    def _memory_for(self, wanted: int | None) -> None:
        """Restart the process when a request needs another memory limit than it has; the
        trusted reference keeps a larger one rather than start again."""
        memory = max(self.limits.memory, wanted or 0)
        if self.trusted:
            memory = max(memory, self.memory)
        if memory != self.memory:
            self.close()
            self.memory = memory

    def run(self, probe: str, spec: dict, modules=(), seed: int = 0, timeout: float | None = None) -> Reply:
        """Import ``modules`` (once per process), then run the probe ``probe``
        (``"module:function"`` of ``grader.worker``, e.g. ``"probes:call"``) on ``spec``."""
        for module in modules:
            failure = self._import(module)
            if failure:
                return failure
        budget = (timeout or self.limits.timeout) * self.limits.timeout_scale
        reply = self._request({"op": "probe", "probe": probe, "spec": spec, "seed": seed}, budget)
        if self._import_output:  # what the modules printed while importing belongs to their first user
            reply.output, self._import_output = self._import_output + reply.output, ""
        return reply

    def close(self) -> None:
        if self.process and self.process.poll() is None:
            try:
                os.write(self._request_fd, wire.frame({"op": "exit"}))
                self.process.wait(timeout=2)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self._kill()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- imports ----------------------------------------------------------------
    def _import(self, module: str) -> Reply | None:
        if module in self.failed_imports:
            return self.failed_imports[module]
        if module in self.imported and self.process and self.process.poll() is None:
            return None
        reply = self._request({"op": "import", "module": module},
                              self.limits.import_timeout * self.limits.timeout_scale)
        if reply.ok:
            self.imported.add(module)
            self._import_output += reply.output
            return None
        reply = replace(reply, message=f"while importing {module}: {reply.message}",
                        status=Status.IMPORT_ERROR if reply.status is Status.CRASH else reply.status)
        self.failed_imports[module] = reply
        return reply

    # -- process ------------------------------------------------------------------
    def _start(self) -> Reply | None:
        """Start a worker and wait until it is ready; a Reply when it could not start."""
        try:
            isolation = sandbox.isolation(self.limits.sandbox)
        except sandbox.SandboxUnavailable as exc:
            if not self.trusted:
                return Reply(False, status=Status.GRADER_ERROR, message=f"the worker cannot run here: {exc}")
            isolation = sandbox.isolation("none")  # the reference is trusted code: a plain process will do
        self.kind = isolation.kind
        if isolation.kind == "process":
            sandbox.protect_grader()
        self.launch = plan = sandbox.launch(isolation, self.root, self.trusted, self.limits, self.hide)
        request_r, request_w = os.pipe()
        response_r, response_w = os.pipe()
        output_r, output_w = os.pipe()
        setup = {**plan.setup, "memory": self.memory, "cpu": self.limits.cpu_seconds,
                 "response": self.limits.response, "file_size": self.limits.file_size,
                 "numpy_compat": self.limits.numpy_compat}
        path = sandbox.INSIDE_GRADER if plan.prefix else GRADER_PARENT
        code = BOOTSTRAP.format(path=path, root=plan.root, setup=setup, fds=(request_r, response_w))
        env = {name: os.environ[name] for name in PASSED_ENV if name in os.environ}
        env.update(PYTHONHASHSEED="0", PYTHONDONTWRITEBYTECODE="1", MPLBACKEND="Agg",
                   OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", **plan.env)
        try:
            # bubblewrap's --die-with-parent follows the thread that starts it: a worker
            # started by a thread that ends is restarted on its next request.
            self.process = subprocess.Popen(
                [*plan.prefix, sys.executable, *PYTHON_FLAGS, "-c", code], cwd="/", env=env,
                stdin=subprocess.DEVNULL, stdout=output_w, stderr=output_w,
                pass_fds=(request_r, response_w), start_new_session=True)
        except OSError as exc:
            for fd in (request_w, response_r, output_r):
                os.close(fd)
            self._cleanup_scratch()
            return Reply(False, status=Status.GRADER_ERROR, message=f"the worker could not start: {exc}")
        finally:
            for fd in (request_r, response_w, output_w):
                os.close(fd)
        self._request_fd, self._response_fd, self._output_fd = request_w, response_r, output_r
        for fd in (request_w, response_r, output_r):
            os.set_blocking(fd, False)
        self.imported = set()
        ready = self._exchange(None, self.limits.import_timeout * self.limits.timeout_scale)
        if not ready.ok or ready.value != "ready":  # no submitted code has run yet: not the student's doing
            self._kill()
            why = ready.output.strip()[-500:] or ready.message
            return Reply(False, status=Status.GRADER_ERROR, output=ready.output,
                         message=f"the worker could not start ({isolation.kind}): {why}")
        self.own = {self.process.pid, *procfs.descendants(self.process.pid)}
        return None

    def _kill(self) -> None:
        if self.process is None:
            return
        if self.kind == "process":  # no PID namespace to end them all: find them
            sandbox.stop_all([self.process.pid, *procfs.descendants(self.process.pid)], below=self.process.pid)
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.process.wait()
        uid = self.launch.setup.get("uid") if self.launch else None
        if self.kind == "process" and uid is not None:
            sandbox.stop_all(procfs.processes_of(uid))  # whatever escaped, by its uid
        for fd in (self._request_fd, self._response_fd, self._output_fd):
            try:
                os.close(fd)
            except OSError:
                pass
        self.process = None
        self._cleanup_scratch()

    def _cleanup_scratch(self) -> None:
        if self.launch and self.launch.scratch:
            shutil.rmtree(self.launch.scratch, ignore_errors=True)
            self.launch = None

    def _leftovers(self, reply: "Reply") -> None:
        """End the worker when the code left a process or a thread running after the
        check, and say so in what the check printed."""
        if self.process is None or self.process.poll() is not None:
            return
        strays = [p for p in procfs.descendants(self.process.pid) if p not in self.own]
        threads = reply.threads > 0
        if not strays and not threads:
            return
        what = f"{len(strays)} process(es)" if strays else "a thread"
        reply.output += (f"\n[grader] {what} the code started still ran after the check; the worker was "
                         "stopped (nothing may outlive its check)")
        self._kill()

    # -- one request ---------------------------------------------------------------
    def _request(self, message: dict, timeout: float) -> Reply:
        if self.process is None or self.process.poll() is not None:
            self._kill()
            failed = self._start()
            if failed:
                return failed
        stale = _read(self._response_fd)
        if stale:  # bytes nobody asked for: something in the worker writes to the channel
            self._kill()
            return self._request(message, timeout)
        reply = self._exchange(message, timeout)
        self._leftovers(reply)
        return reply

    def _exchange(self, message: dict | None, timeout: float) -> Reply:
        """Send ``message`` (if any), then read one reply under the deadline."""
        pending = memoryview(wire.frame(message) if message is not None else b"")
        output = _Output(self.limits.output)
        body, expected = bytearray(), None
        started, cpu_started = time.perf_counter(), _cpu_of(self.process.pid)
        deadline = time.monotonic() + timeout
        selector = selectors.DefaultSelector()
        if pending:
            selector.register(self._request_fd, selectors.EVENT_WRITE, "request")
        selector.register(self._response_fd, selectors.EVENT_READ, "response")
        selector.register(self._output_fd, selectors.EVENT_READ, "output")
        try:
            while expected is None or len(body) < expected + 8:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self._kill()
                    return Reply(False, status=Status.TIMEOUT, output=output.text(),
                                 message=f"no answer within {timeout:.0f} s; the worker was stopped",
                                 seconds=time.perf_counter() - started)
                for key, _ in selector.select(remaining):
                    if key.data == "request":
                        try:
                            pending = pending[os.write(self._request_fd, pending):]
                        except BrokenPipeError:
                            pending = memoryview(b"")
                        if not pending:
                            selector.unregister(self._request_fd)
                    elif key.data == "output":
                        chunk = _read(self._output_fd)
                        if chunk:
                            output.add(chunk)
                        elif chunk == b"":
                            selector.unregister(self._output_fd)
                    else:
                        chunk = _read(self._response_fd)
                        if chunk is None:
                            continue
                        if not chunk:
                            output.add(_drain(self._output_fd))
                            return self._died(output, time.perf_counter() - started)
                        body += chunk
                        if expected is None and len(body) >= 8:
                            (expected,) = struct.unpack(">Q", body[:8])
                            if expected > self.limits.response:
                                self._kill()
                                return Reply(False, status=Status.FAILED, output=output.text(),
                                             message=f"the reply was {expected / 2**20:.0f} MiB, more than "
                                                     f"the {self.limits.response / 2**20:.0f} MiB allowed",
                                             seconds=time.perf_counter() - started)
        finally:
            selector.close()
        seconds = time.perf_counter() - started
        cpu_now = _cpu_of(self.process.pid)
        cpu = cpu_now - cpu_started if cpu_now is not None and cpu_started is not None else None
        output.add(_drain(self._output_fd))
        try:
            tree = wire.decode(bytes(body[8:]))
            if not isinstance(tree, dict) or not isinstance(tree.get("ok"), bool):
                raise wire.WireError("not a reply")
        except wire.WireError as exc:
            self._kill()
            return Reply(False, status=Status.CRASH, output=output.text(), seconds=seconds,
                         message=f"the worker sent something that is not a reply ({exc})")
        threads = tree.get("threads") if isinstance(tree.get("threads"), int) else 0
        if tree["ok"]:
            return Reply(True, value=tree.get("value"), output=output.text(), seconds=seconds, cpu_seconds=cpu,
                         threads=threads)
        status = tree.get("status")
        return Reply(False, status=from_worker(status),
                     message=str(tree.get("message", ""))[:2000], where=str(tree.get("where", ""))[:300],
                     output=output.text(), seconds=seconds, threads=threads)

    def _died(self, output: "_Output", seconds: float) -> Reply:
        process = self.process
        self._kill_quietly_after_exit()
        code = process.returncode if process else None
        if code is not None and code > 128 and self.kind == "bubblewrap":
            code = 128 - code  # bubblewrap passes on a signal that ended the worker as 128 + its number
        if code is not None and code < 0:
            name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else str(-code)
            if -code == signal.SIGXCPU:
                return Reply(False, status=Status.TIMEOUT, output=output.text(), seconds=seconds,
                             message="the worker used up its CPU time and was stopped")
            if -code == signal.SIGXFSZ:
                return Reply(False, status=Status.CRASH, output=output.text(), seconds=seconds,
                             message=f"the code wrote a file larger than {self.limits.file_size // 2**20} MiB")
            return Reply(False, status=Status.CRASH, output=output.text(), seconds=seconds,
                         message=f"the worker process was killed by {name} in the middle of the check")
        return Reply(False, status=Status.CRASH, output=output.text(), seconds=seconds,
                     message=f"the worker process exited (status {code}) in the middle of the check; "
                             "does the code call exit() or os._exit()?")

    def _kill_quietly_after_exit(self) -> None:
        if self.process is not None:
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        self._kill()


def _cpu_of(pid: int) -> float | None:
    """CPU time of a worker and everything below it (in the sandbox the worker is a
    child of bubblewrap)."""
    return procfs.cpu_seconds([pid, *procfs.descendants(pid)])


class _Output:
    """Printed output of one request, kept up to a cap."""

    def __init__(self, cap: int):
        self.cap, self.kept, self.dropped = cap, bytearray(), 0

    def add(self, chunk: bytes) -> None:
        room = self.cap - len(self.kept)
        self.kept += chunk[:room]
        self.dropped += max(0, len(chunk) - room)

    def text(self) -> str:
        text = self.kept.decode("utf-8", errors="replace")
        return text + (f"\n[... {self.dropped} more bytes of output not kept]" if self.dropped else "")


def _read(fd: int) -> bytes | None:
    """Read what is there: None when nothing is ready yet, b"" at end of file."""
    try:
        return os.read(fd, 1 << 20)
    except BlockingIOError:
        return None
    except OSError:
        return b""


def _drain(fd: int) -> bytes:
    parts = []
    while True:
        try:
            chunk = os.read(fd, 1 << 16)
        except (BlockingIOError, OSError):
            break
        if not chunk:
            break
        parts.append(chunk)
    return b"".join(parts)
