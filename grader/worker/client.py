"""The grader's side of a worker: start it, ask it things, kill it when it misbehaves.

One ``Worker`` stands for one folder of code (a submission or the reference). It
starts a process on first use, sends it one request at a time, and waits for the
reply under a wall-clock deadline while it collects whatever the process prints.
A process that times out, dies, or sends something that is not a well-formed frame
is killed; the next request starts a fresh one. Every outcome becomes a ``Reply``:
the grader never sees an exception from here.
"""
from __future__ import annotations

import os
import selectors
import signal
import struct
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

from . import wire
from .limits import Limits

GRADER_PARENT = str(Path(__file__).resolve().parents[2])
BOOTSTRAP = (
    "import sys; sys.path.insert(0, {path!r}); "
    "from grader.worker import server; server.main({root!r}, {path!r}, {limits!r}, {fds!r})"
)
STATUSES_FROM_WORKER = {"failed", "missing", "not_implemented", "memory", "import_error", "numpy2", "crash"}
PASSED_ENV = ("PATH", "LANG", "LC_ALL", "CUDA_VISIBLE_DEVICES", "LD_LIBRARY_PATH")


@dataclass
class Reply:
    """What came of one request. ``status`` says why when ``ok`` is false."""

    ok: bool
    value: object = None
    status: str = "ok"
    message: str = ""
    where: str = ""
    output: str = ""
    seconds: float = 0.0
    # CPU time the worker process used for the request, from the kernel's accounting
    # (Linux; None elsewhere): unlike ``seconds``, it does not grow when the machine is busy.
    cpu_seconds: float | None = None


class Worker:
    def __init__(self, root: str | Path, limits: Limits = Limits(), label: str = "student"):
        self.root = str(Path(root).resolve())
        self.limits = limits
        self.label = label
        self.process: subprocess.Popen | None = None
        self.imported: set[str] = set()
        self.failed_imports: dict[str, Reply] = {}
        self._import_output = ""

    # -- public ---------------------------------------------------------------
    def run(self, probe: str, spec: dict, modules=(), seed: int = 0, timeout: float | None = None) -> Reply:
        """Import ``modules`` (once per process), then run one probe."""
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
                        status="import_error" if reply.status == "crash" else reply.status)
        self.failed_imports[module] = reply
        return reply

    # -- process ------------------------------------------------------------------
    def _start(self) -> None:
        request_r, request_w = os.pipe()
        response_r, response_w = os.pipe()
        output_r, output_w = os.pipe()
        limits = {"memory": self.limits.memory, "cpu": self.limits.cpu_seconds, "response": self.limits.response,
                  "file_size": self.limits.file_size}
        code = BOOTSTRAP.format(path=GRADER_PARENT, root=self.root, limits=limits,
                                fds=(request_r, response_w))
        env = {name: os.environ[name] for name in PASSED_ENV if name in os.environ}
        env.update(HOME=self.root, PYTHONHASHSEED="0", PYTHONDONTWRITEBYTECODE="1", MPLBACKEND="Agg",
                   OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-I", "-c", code], cwd=self.root, env=env,
                stdin=subprocess.DEVNULL, stdout=output_w, stderr=output_w,
                pass_fds=(request_r, response_w), start_new_session=True)
        finally:
            for fd in (request_r, response_w, output_w):
                os.close(fd)
        self._request_fd, self._response_fd, self._output_fd = request_w, response_r, output_r
        for fd in (request_w, response_r, output_r):
            os.set_blocking(fd, False)
        self.imported = set()

    def _kill(self) -> None:
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.process.wait()
        for fd in (self._request_fd, self._response_fd, self._output_fd):
            try:
                os.close(fd)
            except OSError:
                pass
        self.process = None

    # -- one request ---------------------------------------------------------------
    def _request(self, message: dict, timeout: float) -> Reply:
        if self.process is None or self.process.poll() is not None:
            self._kill()
            self._start()
        pending = memoryview(wire.frame(message))
        output = _Output(self.limits.output)
        body, expected = bytearray(), None
        started, cpu_started = time.perf_counter(), cpu_seconds(self.process.pid)
        deadline = time.monotonic() + timeout
        selector = selectors.DefaultSelector()
        selector.register(self._request_fd, selectors.EVENT_WRITE, "request")
        selector.register(self._response_fd, selectors.EVENT_READ, "response")
        selector.register(self._output_fd, selectors.EVENT_READ, "output")
        try:
            while expected is None or len(body) < expected + 8:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self._kill()
                    return Reply(False, status="timeout", output=output.text(),
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
                                return Reply(False, status="failed", output=output.text(),
                                             message=f"the reply was {expected / 2**20:.0f} MiB, more than "
                                                     f"the {self.limits.response / 2**20:.0f} MiB allowed",
                                             seconds=time.perf_counter() - started)
        finally:
            selector.close()
        seconds = time.perf_counter() - started
        cpu_now = cpu_seconds(self.process.pid)
        cpu = cpu_now - cpu_started if cpu_now is not None and cpu_started is not None else None
        output.add(_drain(self._output_fd))
        try:
            tree = wire.decode(bytes(body[8:]))
            if not isinstance(tree, dict) or not isinstance(tree.get("ok"), bool):
                raise wire.WireError("not a reply")
        except wire.WireError as exc:
            self._kill()
            return Reply(False, status="crash", output=output.text(), seconds=seconds,
                         message=f"the worker sent something that is not a reply ({exc})")
        if tree["ok"]:
            return Reply(True, value=tree.get("value"), output=output.text(), seconds=seconds, cpu_seconds=cpu)
        status = tree.get("status")
        return Reply(False, status=status if status in STATUSES_FROM_WORKER else "crash",
                     message=str(tree.get("message", ""))[:2000], where=str(tree.get("where", ""))[:300],
                     output=output.text(), seconds=seconds)

    def _died(self, output: "_Output", seconds: float) -> Reply:
        process = self.process
        self._kill_quietly_after_exit()
        code = process.returncode if process else None
        if code is not None and code < 0:
            name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else str(-code)
            if -code == signal.SIGXCPU:
                return Reply(False, status="timeout", output=output.text(), seconds=seconds,
                             message="the worker used up its CPU time and was stopped")
            if -code == signal.SIGXFSZ:
                return Reply(False, status="crash", output=output.text(), seconds=seconds,
                             message=f"the code wrote a file larger than {self.limits.file_size // 2**20} MiB")
            return Reply(False, status="crash", output=output.text(), seconds=seconds,
                         message=f"the worker process was killed by {name} in the middle of the check")
        return Reply(False, status="crash", output=output.text(), seconds=seconds,
                     message=f"the worker process exited (status {code}) in the middle of the check; "
                             "does the code call exit() or os._exit()?")

    def _kill_quietly_after_exit(self) -> None:
        if self.process is not None:
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        self._kill()


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


def cpu_seconds(pid: int) -> float | None:
    """User and system CPU time of a process, its threads and its waited-for children
    so far, read from /proc (None where there is no /proc)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rpartition(")")[2].split()
        return sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


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
