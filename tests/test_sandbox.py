"""The worker's isolation: what is in force is what the report says, and it holds."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader import cli, data
from grader import api
from grader.reference import reference_root
from grader.results import Status
from grader.worker import sandbox
from grader.worker.client import Worker
from grader.worker.limits import MiB, Limits

pytestmark = pytest.mark.slow  # every test here starts workers

ISOLATION = sandbox.isolation("auto")
needs_sandbox = pytest.mark.skipif(ISOLATION.kind != "bubblewrap",
                                   reason=f"the sandbox cannot run here: {ISOLATION.reason}")

PROBE = '''
import os, resource, socket, subprocess, sys

def inside():
    def can_read(path):
        try:
            with open(path, "rb") as handle:
                handle.read(1)
            return True
        except OSError:
            return False
    try:
        socket.create_connection(("1.1.1.1", 53), timeout=1)
        network = "open"
    except OSError as exc:
        network = type(exc).__name__
    return {"uid": os.getuid(), "pids": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
            "tmp": os.listdir("/tmp"), "network": network, "cwd": os.getcwd(),
            "limits": [resource.getrlimit(getattr(resource, name))[0]
                       for name in ("RLIMIT_AS", "RLIMIT_NPROC", "RLIMIT_FSIZE", "RLIMIT_CPU")],
            "read": {path: can_read(path) for path in sys.argv[1:]}}

def children():
    subprocess.run([sys.executable, "-c", "pass"], check=True)  # started, waited for: fine
    return 1

def write_here():
    with open("note.txt", "w") as handle:
        handle.write("x")
    return 1
'''


def module(folder, secrets=()):
    (folder / "cs231n").mkdir(parents=True)
    (folder / "cs231n" / "probe.py").write_text(PROBE.replace("sys.argv[1:]", repr(list(secrets))))
    return folder


def call(worker, name):
    return worker.run("probes:call", {"target": f"cs231n.probe:{name}", "args": {}}, modules=["cs231n.probe"])


def test_the_report_says_which_isolation_was_in_force(tmp_path):
    report = api.grade("assignment1", module(tmp_path / "sub"), limits=Limits(timeout_scale=0.1))
    note = next(n for n in report.notes if n.startswith("isolation:"))
    assert note == sandbox.describe(Limits(timeout_scale=0.1))
    assert ("bubblewrap sandbox" in note) == (ISOLATION.kind == "bubblewrap")
    assert ("network blocked" in note) == ISOLATION.network_blocked
    assert ("network NOT blocked" in note) == (not ISOLATION.network_blocked)


@needs_sandbox
def test_a_sandboxed_worker_sees_only_its_own_things(tmp_path):
    secrets = [str(reference_root() / "assignment1" / "cs231n" / "layers.py"), str(cli.__file__),
               "/etc/passwd", os.path.expanduser("~/.bashrc"),
               *data.private_files()]  # scikit-learn's digits, the source of the embedded held-out images
    limits = Limits(processes=77, file_size=5 * MiB, cpu_seconds=999, memory=3 << 30)
    with Worker(module(tmp_path / "sub", secrets), limits, hide=data.private_files()) as worker:
        seen = call(worker, "inside").value["out"]
    assert seen["read"] == {path: False for path in secrets}
    assert seen["pids"] == [1, 2]  # bubblewrap's init and the worker: no other process is visible
    root = Path(tmp_path / "sub").resolve()
    # /tmp shows only the way to the worker's own folder and to the Python installation
    ways = {Path(p).resolve().parts[2] for p in [root, *sandbox.python_paths()] if Path(p).resolve().parts[1:2] == ("tmp",)}
    assert sorted(seen["tmp"]) == sorted(ways)
    assert seen["network"] != "open"
    assert seen["limits"] == [3 << 30, 77, 5 * MiB, 999]
    assert (seen["uid"] != 0) == (os.geteuid() == 0)  # as root, the worker is not root


def test_limits_are_set_without_the_sandbox_too(tmp_path):
    limits = Limits(processes=77, file_size=5 * MiB, cpu_seconds=999, memory=3 << 30, sandbox="none")
    with Worker(module(tmp_path / "sub"), limits) as worker:
        seen = call(worker, "inside").value["out"]
    assert seen["limits"][0] == 3 << 30 and seen["limits"][2:] == [5 * MiB, 999]
    assert seen["limits"][1] >= 77  # counted on top of the user's other processes when that user is shared
    assert seen["cwd"] != str(tmp_path / "sub")  # it runs in a copy


def test_honest_child_processes_do_not_stop_the_worker(tmp_path):
    with Worker(module(tmp_path / "sub")) as worker:
        first = call(worker, "children")
        pid = worker.process.pid
        second = call(worker, "children")
        assert first.ok and second.ok and "[grader]" not in first.output + second.output
        assert worker.process.pid == pid


def test_the_reference_runs_read_only_and_the_submission_is_never_changed(tmp_path):
    folder = module(tmp_path / "sub")
    with Worker(folder, Limits(), trusted=True) as worker:
        reference = call(worker, "write_here")
    with Worker(folder, Limits()) as worker:
        student = call(worker, "write_here")
    assert student.ok and not (folder / "note.txt").exists()  # the student wrote into its own copy
    if ISOLATION.kind == "bubblewrap":
        assert not reference.ok and "Read-only file system" in reference.message


def test_a_required_sandbox_that_cannot_run_is_the_graders_error(tmp_path, monkeypatch):
    monkeypatch.setattr(sandbox, "_chosen", {})
    monkeypatch.setattr(sandbox.shutil, "which", lambda name: None)
    try:
        fallback = sandbox.isolation("auto")
    except sandbox.SandboxUnavailable as exc:  # root, and no unprivileged user can run this Python
        assert "bubblewrap is not installed" in str(exc) and "would run as root" in str(exc)
    else:
        assert fallback.kind == "process" and fallback.reason == "bubblewrap is not installed"
    folder = module(tmp_path / "sub")
    with Worker(folder, Limits(sandbox="bubblewrap")) as worker:
        reply = call(worker, "children")
    assert reply.status == "grader_error" and "bubblewrap is not installed" in reply.message
    result = CliRunner().invoke(cli.main, ["assignment1", str(tmp_path), "--sandbox", "bubblewrap"])
    assert result.exit_code == 2 and "bubblewrap is not installed" in result.output


def test_the_limit_options_reach_the_report(tmp_path):
    out = tmp_path / "r.json"
    folder = module(tmp_path / "sub")  # nothing of the assignment in it: every check fails at once
    result = CliRunner().invoke(cli.main, ["assignment1", str(folder), "--processes", "77", "--cpu-seconds", "999",
                                           "--file-size-mib", "5", "--output-kib", "8", "--json", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    note = next(n for n in report["extra_data"]["notes"] if n.startswith("isolation:"))
    assert "77 processes" in note and "CPU 999 s" in note and "files 5 MiB" in note and "output 8 KiB" in note
    assert report["score"] == 0 and Status.GRADER_ERROR.value not in {t["status"] for t in report["tests"]}


@needs_sandbox
def test_a_submission_larger_than_the_disk_limit_still_starts(tmp_path):
    folder = module(tmp_path / "sub")
    for i in range(3):
        (folder / "cs231n" / f"weights{i}.npy").write_bytes(bytes(10 << 20))
    with Worker(folder, Limits(disk=16 * MiB)) as worker:
        assert call(worker, "write_here").ok  # 30 MiB copied in, and room left to write


def test_every_link_on_the_way_to_python_is_bound(tmp_path):
    """A venv made from a venv (Python 3.10 links the second to the first's python, under
    /tmp here, which the sandbox covers with its own): each link's folder is bound."""
    (tmp_path / "first" / "bin").mkdir(parents=True)
    (tmp_path / "second" / "bin").mkdir(parents=True)
    (tmp_path / "first" / "bin" / "python").symlink_to(os.path.realpath(sys.executable))
    (tmp_path / "second" / "bin" / "python").symlink_to(tmp_path / "first" / "bin" / "python")
    (tmp_path / "second" / "bin" / "python3").symlink_to("python")
    folders = sandbox._link_folders(str(tmp_path / "second" / "bin" / "python3"))
    assert folders[:2] == [str(tmp_path / "second" / "bin")] * 2
    assert str(tmp_path / "first" / "bin") in folders
    assert folders[-1] == os.path.dirname(os.path.realpath(sys.executable))
