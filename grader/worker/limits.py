"""Limits a worker runs under, enforced from outside the code under test."""
from __future__ import annotations

from dataclasses import dataclass

MiB = 1 << 20
GiB = 1 << 30


@dataclass(frozen=True)
class Limits:
    """What one worker process may use.

    ``timeout`` is the wall-clock default for one request (a check may ask for more);
    the grader kills the worker when it runs out. ``memory`` is the address-space
    limit (RLIMIT_AS; importing PyTorch alone maps about 3 GiB). ``cpu_seconds`` bounds
    the CPU time of one worker process over its whole life. ``file_size`` bounds any
    file the worker writes. ``output`` is how much printed output is kept per request,
    and ``response`` the largest reply accepted. The worker sets the resource limits on
    itself before any code under test runs (``server.apply_limits``).
    """

    timeout: float = 30.0
    import_timeout: float = 60.0
    memory: int = 6 * GiB
    cpu_seconds: int = 1800
    file_size: int = 64 * MiB
    output: int = 32 * 1024
    response: int = 256 * MiB
    timeout_scale: float = 1.0
