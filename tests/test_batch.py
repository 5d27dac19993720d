"""`grade batch` end to end: the example submissions, a batch killed with SIGKILL and
resumed, submissions that crash, hang, exhaust memory or are broken zips, and the
same batch on a Dask cluster.

Small limits keep it fast: 2 s per check call (training checks keep their own
budgets), and 1 GiB of address space where memory is the point.
"""
from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pytest

from conftest import REFERENCE, ROOT
from grader.worker.procfs import children
from grader.batch.runner import run_batch
from grader.mutants import apply, mutant
from grader.submission import MAX_TOTAL
from grader.suites import load_suite
from grader.worker.limits import GiB, Limits

pytestmark = pytest.mark.slow  # every test here starts workers

FAST = ["--timeout", "2", "--no-progress"]
SECRET_SEED = 7
SUITE = load_suite("assignment1")
HIDDEN = {check.title for check in SUITE.checks if check.hidden}  # official grading runs these too
EXAMPLES = ROOT / "submissions"


def batch(*args, **options):
    return subprocess.Popen([sys.executable, "-m", "grader.cli", "batch", "assignment1", *map(str, args)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **options)


def finish(process, timeout=240):
    output, _ = process.communicate(timeout=timeout)
    assert process.returncode == 0, output
    return output


def grades(out):
    with open(out / "grades.csv", newline="") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


def without_run_details(rows):
    return {student: {k: v for k, v in row.items() if k not in ("graded_at",)} for student, row in rows.items()}


def family(pid):
    """The batch's grading processes and their workers."""
    helpers = children(pid)
    return helpers + [grandchild for helper in helpers for grandchild in children(helper)]


def still_running(pids, wait=15):
    """Those of ``pids`` still running (not zombies) after up to ``wait`` seconds."""
    def running(pid):
        try:
            return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
        except OSError:
            return False
    deadline = time.monotonic() + wait
    while any(map(running, pids)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return [pid for pid in pids if running(pid)]


def rows(out, query):
    with sqlite3.connect(out / "gradebook.sqlite") as db:
        return db.execute(query).fetchall()


@pytest.fixture(scope="module")
def secrets(tmp_path_factory):
    """Official grading: the examples are graded on a release's secret seed."""
    path = tmp_path_factory.mktemp("release") / "secrets.json"
    path.write_text(json.dumps({"seed": SECRET_SEED}))
    return ["--secrets", path]


@pytest.fixture(scope="module")
def examples_batch(tmp_path_factory, secrets):
    out = tmp_path_factory.mktemp("examples") / "out"
    output = finish(batch(EXAMPLES, "--out", out, "--jobs", "2", *FAST, *secrets))
    return out, output


def test_the_examples_get_grades_a_report_and_a_gradebook(examples_batch):
    out, output = examples_batch
    table = grades(out)
    assert sorted(table) == ["ada", "ben", "cy", "dee", "eve"]
    assert table["ada"]["status"] == "ok" and table["ada"]["total"] == "85"
    assert table["eve"]["status"] == "timeout"  # its svm_loss never returns
    assert {table[s]["status"] for s in ("ben", "cy", "dee")} == {"partial"}
    for row in table.values():  # the parts add up to the total
        parts = [float(v) for k, v in row.items() if "(/" in k]
        assert sum(parts) == pytest.approx(float(row["total"]))
    assert "graded 5" in output

    assert rows(out, "SELECT count(*), count(DISTINCT student) FROM submissions") == [(5, 5)]
    assert rows(out, "SELECT count(*) FROM checks") == [(5 * len(SUITE.checks),)]
    assert rows(out, "PRAGMA journal_mode") == [("wal",)]
    assert json.loads(rows(out, "SELECT options FROM runs")[0][0])["seed"] == SECRET_SEED
    assert rows(out, "SELECT DISTINCT name FROM checks WHERE hidden ORDER BY name") == sorted(
        (title,) for title in HIDDEN)

    page = (out / "report.html").read_text()
    assert "Distribution of totals" in page and page.count("data:image/png;base64,") == 2
    assert "Slowest checks" in page and "eve" in page.split("did not pass everything")[1]

    gradescope = json.loads((out / "results" / "eve" / "results.json").read_text())
    assert gradescope["score"] == float(table["eve"]["total"])
    assert {t["status"] for t in gradescope["tests"]} == {"passed", "failed"}
    hang = next(t for t in gradescope["tests"] if t["name"] == "layers: svm_loss")
    assert hang["status"] == "failed" and hang["extra_data"]["status"] == "timeout"
    assert hang["output"].startswith("[timeout]")
    visibility = {t["name"]: t["visibility"] for t in gradescope["tests"]}
    assert {name for name, seen in visibility.items() if seen == "after_published"} == HIDDEN
    feedback = (out / "feedback" / "ben.md").read_text()
    assert "knn: compute_distances_no_loops" in feedback.split("## What to look at")[1]


def test_a_batch_killed_with_sigkill_resumes_to_the_same_grades(examples_batch, secrets, tmp_path):
    expected, _ = examples_batch
    folder = tmp_path / "submissions"
    folder.mkdir()
    students = ["ada", "eve"]  # one at a time: killed while eve is graded
    for student in students:
        shutil.copy(EXAMPLES / f"{student}.zip", folder)
    out = tmp_path / "out"
    process = batch(folder, "--out", out, "--jobs", "1", *FAST, *secrets)
    graded, deadline = 0, time.monotonic() + 120
    while graded == 0 and time.monotonic() < deadline:
        time.sleep(0.1)
        try:
            graded = rows(out, "SELECT count(*) FROM submissions WHERE status != 'pending'")[0][0]
        except sqlite3.OperationalError:  # not there yet
            pass
    helpers = family(process.pid)
    process.kill()
    process.communicate()
    assert 0 < graded < len(students), "the batch must be killed half-way"
    graded_as = "SELECT student, run_id, graded_by, finished_at FROM submissions"
    kept = rows(out, graded_as + " WHERE status != 'pending'")
    assert rows(out, "SELECT count(*) FROM submissions") == [(len(students),)]  # the others are there, pending

    assert still_running(helpers) == []  # the grading processes noticed, stopped their workers and exited

    output = finish(batch(folder, "--out", out, "--resume", *FAST, *secrets))
    assert f"{len(kept)} already graded" in output
    uninterrupted = {s: row for s, row in grades(expected).items() if s in students}
    assert without_run_details(grades(out)) == without_run_details(uninterrupted)
    assert set(kept) <= set(rows(out, graded_as))  # kept as they were, not graded again
    assert rows(out, "SELECT count(*), count(DISTINCT student) FROM submissions") == [(len(students),) * 2]
    assert rows(out, "SELECT student, count(*) FROM checks GROUP BY student") == [
        (s, len(SUITE.checks)) for s in students]


def test_ctrl_c_stops_the_batch_and_its_workers_at_once(tmp_path):
    folder = tmp_path / "submissions"
    folder.mkdir()
    shutil.copy(EXAMPLES / "ada.zip", folder)
    out = tmp_path / "out"
    process = batch(folder, "--out", out, *FAST, start_new_session=True)
    deadline = time.monotonic() + 60
    while (len(helpers := family(process.pid)) <= len(children(process.pid))
           or not (out / "gradebook.sqlite").exists()) and time.monotonic() < deadline:
        time.sleep(0.1)  # until the gradebook is there and some worker runs (not the sandbox's start-up trial)
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    output = process.communicate(timeout=20)[0]
    assert process.returncode == 130 and "--resume" in output
    assert still_running(helpers, wait=5) == []
    assert rows(out, "SELECT student, status FROM submissions") == [("ada", "pending")]


def hostile_set(folder):
    """A good submission beside one that crashes, one that hangs, one that needs memory,
    a broken zip, a zip with a member outside it, a zip bomb, and a README."""
    folder.mkdir()
    shutil.copytree(REFERENCE / "assignment1", folder / "good", ignore=shutil.ignore_patterns("__pycache__"))
    layers, linear = "cs231n/layers.py", "cs231n/classifiers/linear_classifier.py"
    for name, file, old, new in [  # faults that also cut the training checks short, to keep this quick
        ("crashes", linear, "num_train, dim = X.shape", "import ctypes; ctypes.string_at(0)"),
        ("hangs", layers, "def svm_loss(x, y):", "def svm_loss(x, y):\n    while True:\n        pass"),
        ("hog", layers, "def affine_forward(x, w, b):", "def affine_forward(x, w, b):\n    hog = np.ones(300_000_000)"),
    ]:
        apply(mutant(name, "assignment1", file, [(old, new)], ()), REFERENCE / "assignment1", folder / name)
    (folder / "broken.zip").write_bytes(b"PK\x03\x04 this is not a zip")
    with zipfile.ZipFile(folder / "escapes.zip", "w") as bundle:
        bundle.writestr("assignment1/cs231n/layers.py", "x = 1")
        bundle.writestr("../../escaped-from-a-batch.py", "x = 1")  # the workspace is a temporary folder
    with zipfile.ZipFile(folder / "bomb.zip", "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("assignment1/cs231n/layers.py", bytes(MAX_TOTAL + (1 << 20)))
    (folder / "README.txt").write_text("week 3 submissions")
    return folder


HOSTILE_LIMITS = Limits(timeout=2, memory=1 * GiB)  # 2.4 GB for the hog is too much, 1 GiB is plenty otherwise


@pytest.fixture(scope="module")
def hostile_batch(tmp_path_factory):
    folder = hostile_set(tmp_path_factory.mktemp("hostile") / "submissions")
    out = folder.parent / "out"
    result = run_batch("assignment1", folder, out, jobs=2, limits=HOSTILE_LIMITS, progress=False)
    return folder, out, result


def statuses(out):
    return dict(rows(out, "SELECT student, status FROM submissions"))


def test_each_misbehaving_submission_gets_its_status_and_the_good_one_full_marks(hostile_batch):
    _, out, result = hostile_batch
    assert statuses(out) == {"good": "ok", "crashes": "crash", "hangs": "timeout", "hog": "memory",
                             "broken": "invalid_submission", "escapes": "invalid_submission",
                             "bomb": "invalid_submission"}
    assert result.skipped == [("README.txt", "not a folder, a .zip or an .ipynb file")]
    assert rows(out, "SELECT score, max_score FROM submissions WHERE student='good'") == [(85, 85)]
    lost = dict(rows(out, "SELECT student, group_concat(DISTINCT status) FROM checks "
                          "WHERE score < max_score AND status != 'skipped' GROUP BY student"))
    assert lost["crashes"] == "crash" and lost["hangs"] == "timeout" and lost["hog"] == "memory"
    reasons = dict(rows(out, "SELECT student, feedback FROM checks WHERE status = 'invalid_submission' GROUP BY 1"))
    assert "not a readable zip file" in reasons["broken"]
    assert "points outside it" in reasons["escapes"]
    assert not (Path(tempfile.gettempdir()) / "escaped-from-a-batch.py").exists()
    assert "a zip bomb?" in reasons["bomb"]
    assert "README.txt" in (out / "report.html").read_text()


def test_the_dask_engine_grades_like_the_local_pool(hostile_batch):
    distributed = pytest.importorskip("distributed")
    folder, local, _ = hostile_batch
    out = folder.parent / "dask-out"
    picked = ("crashes", "hog", "broken")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        result = run_batch("assignment1", folder, out, only=picked, limits=HOSTILE_LIMITS,
                           scheduler=cluster.scheduler_address, progress=False)
    assert result.graded == len(picked)
    query = f"SELECT student, name, score, status FROM checks WHERE student IN {picked} ORDER BY 1, 2"
    assert rows(out, query) == rows(local, query)
    assert {s: statuses(local)[s] for s in picked} == statuses(out)
    hosts = rows(out, "SELECT DISTINCT graded_by FROM submissions")
    assert hosts and not [h for (h,) in hosts if h.endswith(f":{os.getpid()}")]  # graded in the cluster's processes
