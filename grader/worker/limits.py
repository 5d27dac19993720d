"""Limits a worker runs under, enforced from outside the code under test."""
from __future__ import annotations

from dataclasses import dataclass

MiB = 1 << 20
GiB = 1 << 30
SANDBOXES = ("auto", "bubblewrap", "none")
DEVICES = ("auto", "cpu", "cuda")


@dataclass(frozen=True)
class Limits:
    """What one worker process may use, and how it is fenced in.

    ``timeout`` is the wall-clock default for one request (a check may ask for more);
    the grader kills the worker when it runs out. ``memory`` is the address-space
    limit (RLIMIT_AS; importing PyTorch alone maps about 3 GiB). ``cpu_seconds`` bounds
    the CPU time of one worker process over its whole life (a check is bounded by its
    wall-clock timeout). ``processes`` bounds the processes and threads the worker's
    user may have (RLIMIT_NPROC). ``file_size`` bounds any one file the worker writes,
    ``disk`` all it writes in each of its private folders (its copy of the submission,
    /tmp, /dev/shm: tmpfs of that size, in memory; inside the sandbox only).
    ``output`` is how much printed output is kept per request, and ``response`` the
    largest reply accepted. The worker sets the resource limits on itself before any
    code under test runs (``server.prepare``).

    ``sandbox``: "bubblewrap" requires the sandbox (see ``sandbox``), "none" never uses
    it, "auto" uses it where it works. ``worker_uid``: the user a worker runs as when
    the grader is root (default: a fresh, otherwise unused uid per worker).

    ``numpy_compat``: the worker puts back what NumPy 2 removed (``np.int``, ``np.product``,
    ``np.reshape(newshape=)`` ...; see ``numpy2``) before any submitted code runs, to grade
    folders written for NumPy 1; off by default (the installed NumPy as it is).

    ``device``: what PyTorch code may run on. "cpu" hides every GPU from the worker;
    "cuda" passes the GPU device nodes in and requires CUDA; "auto" passes them in where
    there are any. A worker that can reach a GPU limits its data segment (RLIMIT_DATA)
    instead of its address space: CUDA reserves far more address space than it uses.
    A request may ask for more memory than ``memory`` (``Probe.memory``, e.g. training).
    """

    timeout: float = 30.0
    import_timeout: float = 60.0
    memory: int = 6 * GiB
    cpu_seconds: int = 1800
    processes: int = 256
    file_size: int = 64 * MiB
    disk: int = 256 * MiB
    output: int = 32 * 1024
    response: int = 256 * MiB
    timeout_scale: float = 1.0
    sandbox: str = "auto"
    worker_uid: int | None = None
    numpy_compat: bool = False
    device: str = "auto"

    def __post_init__(self):
        if self.sandbox not in SANDBOXES:
            raise ValueError(f"sandbox must be one of {', '.join(SANDBOXES)}, not {self.sandbox!r}")
        if self.device not in DEVICES:
            raise ValueError(f"device must be one of {', '.join(DEVICES)}, not {self.device!r}")

    def describe(self) -> str:
        return (f"{self.timeout:g} s per check (x{self.timeout_scale:g}), address space {self.memory / GiB:g} GiB, "
                f"CPU {self.cpu_seconds} s per worker, {self.processes} processes, files {self.file_size // MiB} MiB "
                f"each ({self.disk // MiB} MiB per private folder in the sandbox), output {self.output // 1024} KiB "
                f"per check, device {self.device}")
