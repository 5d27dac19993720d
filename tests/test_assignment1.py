"""Assignment 1 end to end: the command line, a folder without the package, CIFAR-10 files.
(Full marks for the reference and zero for the starter: test_every_suite.py.)"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import REFERENCE, ROOT, STARTER
from grader.results import Status

pytestmark = pytest.mark.slow


def run_cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "grader.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600)


def test_cli_writes_gradescope_json_and_exits_zero_whatever_the_score(tmp_path):
    out = tmp_path / "s.json"
    result = run_cli("assignment1", str(STARTER / "assignment1"), "--json", str(out))
    assert result.returncode == 0, result.stderr
    report = json.loads(out.read_text())
    assert set(report) >= {"score", "execution_time", "output", "tests", "extra_data"}
    assert report["score"] == 0 and sum(test["max_score"] for test in report["tests"]) == 85
    for test in report["tests"]:
        assert set(test) >= {"name", "score", "max_score", "status", "output"}
        assert test["status"] in ("passed", "failed") and test["extra_data"]["status"] in {s.value for s in Status}
    assert "score: 0 /" in result.stdout


def test_cli_fail_under_and_usage_errors(tmp_path):
    assert run_cli("assignment1", str(STARTER / "assignment1"), "--fail-under", "1").returncode == 1
    assert run_cli("assignment1", str(tmp_path / "does-not-exist")).returncode == 2
    assert run_cli("assignment9", str(STARTER / "assignment1")).returncode == 2
    bad_data = tmp_path / "empty"
    bad_data.mkdir()
    result = run_cli("assignment1", str(STARTER / "assignment1"), "--data", str(bad_data))
    assert result.returncode == 2 and "cifar-10-batches-py" in result.stderr


def test_a_folder_without_the_package_is_an_invalid_submission(grade_with, tmp_path):
    (tmp_path / "notes.txt").write_text("nothing here")
    report = grade_with("assignment1", tmp_path)
    assert report.score == 0
    assert {r.status for r in report.results} == {Status.INVALID_SUBMISSION}
    assert "no 'cs231n' package" in report.results[0].feedback


def test_grading_on_cifar10_files_given_with_data(grade_with, tmp_path):
    from grader import data
    from test_data import fake_cifar

    fake_cifar(tmp_path / "cifar-10-batches-py", num=30)
    report = grade_with("assignment1", REFERENCE / "assignment1", dataset=data.load(tmp_path))
    assert report.dataset == "cifar10"
    lost = {r.name for r in report.results if r.score < r.max_score}
    # random labels cannot be learned: only the accuracy checks may lose points, and they say on what
    assert lost and all("accuracy" in name for name in lost)
    assert all("on cifar10" in r.feedback for r in report.results if r.name in lost)
