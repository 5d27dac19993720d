"""What Linux's /proc says about processes: the one place that reads it.

Used by the grader to find what a worker started, to stop it, and to count the CPU
time it used, and by the worker to count its user's tasks. Where there is no /proc,
every answer is empty (or None for CPU time).
"""
from __future__ import annotations

import os


def children(pid: int) -> list[int]:
    """The live processes whose parent is ``pid`` (from every thread of ``pid``)."""
    found = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return []
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found += [int(c) for c in handle.read().split()]
        except OSError:
            continue
    return [child for child in dict.fromkeys(found) if alive(child)]


def descendants(pid: int) -> list[int]:
    """Every live process below ``pid`` (not zombies)."""
    found, frontier = [], [pid]
    while frontier:
        for child in children(frontier.pop()):
            if child not in found:
                found.append(child)
                frontier.append(child)
    return found


def alive(pid: int) -> bool:
    """Running or sleeping: not a zombie, not gone."""
    stat = _stat(pid)
    return stat is not None and stat[0] not in ("Z", "X")


def cpu_seconds(pids: list[int]) -> float | None:
    """User and system CPU time so far of ``pids``, their threads and their waited-for
    children; None when none of them can be read."""
    total = None
    for pid in pids:
        stat = _stat(pid)
        if stat is not None:
            try:
                total = (total or 0.0) + sum(int(v) for v in stat[11:15]) / os.sysconf("SC_CLK_TCK")
            except (ValueError, IndexError):
                continue
    return total


def processes_of(uid: int) -> list[int]:
    """Every process whose real uid is ``uid``."""
    found = []
    for pid in _pids():
        try:
            with open(f"/proc/{pid}/status") as handle:
                line = next((line for line in handle if line.startswith("Uid:")), "")
            if line and int(line.split()[1]) == uid:
                found.append(pid)
        except (OSError, ValueError, IndexError):
            continue
    return found


def tasks_of(uid: int) -> int:
    """Threads of every process that ``uid`` owns (what RLIMIT_NPROC counts)."""
    count = 0
    for pid in _pids():
        try:
            if os.stat(f"/proc/{pid}").st_uid == uid:
                count += len(os.listdir(f"/proc/{pid}/task"))
        except OSError:
            continue
    return count


def _pids() -> list[int]:
    try:
        return [int(entry) for entry in os.listdir("/proc") if entry.isdigit()]
    except OSError:
        return []


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name (state first)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rpartition(")")[2].split()
    except OSError:
        return None
