"""The pieces of a release, without a worker (the fast tier): the student wheel's contents,
the secrets, how the autograder finds a submission and writes its results, and what
``check()`` grades and shows."""
from __future__ import annotations

import hashlib
import base64
import json
import os
import shutil
import stat
import zipfile
from pathlib import Path

import click
import pytest

import grader
from grader import notebook_check
from grader.release import autograder
from grader.release.command import seed_from
from grader.release.secret_seed import SecretsError, new_secrets, read_secrets
from grader.release.wheel import build_wheel, package_files
from grader.results import CheckResult, Report, Status
from grader.worker import sandbox

from release_checks import ROOT, function_bodies, leaks, solutions, wheel_files

STARTER1 = ROOT / "assignments" / "assignment1"


@pytest.fixture(scope="module")
def bare_wheel(tmp_path_factory):
    """The student wheel without fixtures (what the release adds to them is tested end to end)."""
    return build_wheel(tmp_path_factory.mktemp("wheel"), [])


def test_the_wheel_holds_the_grader_and_no_reference(bare_wheel):
    files = wheel_files(bare_wheel)
    assert not leaks(files), leaks(files)[:5]
    assert not any(name.startswith("grader/mutants/") for name in files)  # it quotes the solutions' lines
    assert {"grader/cli.py", "grader/fixtures.py", "grader/notebook_check.py",
            "grader/provided/assignment2/cs231n/fast_layers.py"} <= set(files)
    assert files["grader/provided/assignment2/cs231n/im2col.py"] == (ROOT / "assignments/assignment2/cs231n/im2col.py"
                                                                     ).read_bytes()
    info = next(n.split("/")[0] for n in files if n.endswith(".dist-info/METADATA"))
    metadata = files[f"{info}/METADATA"].decode()
    assert "Name: cs231n-grader-student" in metadata and "Requires-Dist: torch>=2.1" in metadata
    assert "dask" not in metadata  # extras stay out
    assert files[f"{info}/entry_points.txt"].decode().strip().endswith("grade = grader.cli:main")
    for line in files[f"{info}/RECORD"].decode().splitlines():  # every file with its hash
        name, digest, size = line.split(",")
        if name != f"{info}/RECORD":
            raw = hashlib.sha256(files[name]).digest()
            assert digest == "sha256=" + base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
            assert int(size) == len(files[name])
    assert bare_wheel.name == f"cs231n_grader_student-{info.removesuffix('.dist-info').split('-')[1]}-py3-none-any.whl"


def test_the_leak_check_finds_solutions_renamed_or_quoted():
    bodies, lines = solutions()
    assert len(bodies) > 40 and len(lines) > 100
    knn = (ROOT / "reference/assignment1/cs231n/classifiers/k_nearest_neighbor.py").read_text()
    renamed = knn.replace("dists", "d").replace("num_test", "n")
    assert leaks({"grader/copied.py": renamed.encode()})
    mutants = {n: (ROOT / n).read_bytes() for n in ("grader/mutants/assignment1.py",)}
    assert leaks(mutants)  # the catalogue left out of the wheel
    assert not leaks({n: b for n, b in package_files().items()})
    assert function_bodies("def f(x):\n    return x\n") == {}


def test_the_wheel_is_the_same_for_the_same_inputs(bare_wheel, tmp_path):
    assert build_wheel(tmp_path, []).read_bytes() == bare_wheel.read_bytes()


def test_secrets_files(tmp_path):
    made = new_secrets(tmp_path / "secrets.json")
    assert stat.S_IMODE((tmp_path / "secrets.json").stat().st_mode) == 0o600 and made["seed"] > 0
    assert read_secrets(tmp_path / "secrets.json") == made
    for bad in ('{"seed": 0}', '{"seed": "7"}', "[]", "not json"):
        (tmp_path / "bad.json").write_text(bad)
        with pytest.raises(SecretsError):
            read_secrets(tmp_path / "bad.json")
    assert seed_from(tmp_path / "secrets.json", 0) == made["seed"] and seed_from(None, 4) == 4
    with pytest.raises(click.UsageError):
        seed_from(tmp_path / "secrets.json", 3)


# -- the autograder's side ------------------------------------------------------------------------

def upload(tmp_path, files: dict[str, str]) -> Path:
    folder = tmp_path / "submission"
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return folder


def test_a_submission_is_found_as_a_folder_a_zip_or_loose_files(tmp_path):
    scratch = tmp_path / "scratch"
    own = "# the student's\n"
    nested = upload(tmp_path / "a", {"deep/er/cs231n/classifiers/k_nearest_neighbor.py": own, "deep/er/knn.ipynb": "{}",
                                     "deep/er/cs231n/__init__.py": ""})
    work, notes = autograder.locate(nested, STARTER1, scratch / "a")
    assert (work / "cs231n/classifiers/k_nearest_neighbor.py").read_text() == own
    assert (work / "knn.ipynb").exists() and (work / "cs231n/solver.py").exists()  # the rest from the starter
    assert any("taken from the starter, since the submission lacks them: cs231n/classifiers/__init__.py" in n for n in notes)

    zipped = upload(tmp_path / "b", {})
    with zipfile.ZipFile(zipped / "a1_code_submission.zip", "w") as bundle:
        bundle.writestr("cs231n/classifiers/softmax.py", own)
        bundle.writestr("cs231n/__init__.py", "")
    work, notes = autograder.locate(zipped, STARTER1, scratch / "b")
    assert (work / "cs231n/classifiers/softmax.py").read_text() == own and "a1_code_submission.zip" in notes[-2]

    loose = upload(tmp_path / "c", {"k_nearest_neighbor.py": own, "mine/cs231n/classifiers/softmax.py": own, "notes.py": own,
                                    "__init__.py": own, "knn.ipynb": "{}"})
    work, notes = autograder.locate(loose, STARTER1, scratch / "c")
    assert (work / "cs231n/classifiers/k_nearest_neighbor.py").read_text() == own
    assert (work / "cs231n/classifiers/softmax.py").read_text() == own and (work / "knn.ipynb").exists()
    assert (work / "cs231n/__init__.py").read_text() != own  # two starter files have that name: not placed
    assert any("not placed: notes.py" in n for n in notes) and any("not placed: __init__.py" in n for n in notes)

    empty = upload(tmp_path / "d", {"README.txt": "hi"})
    assert autograder.locate(empty, STARTER1, scratch / "d")[0] == empty  # nothing: graded as is (invalid)


def fake_root(tmp_path) -> Path:
    root = tmp_path / "autograder"
    (root / "source").mkdir(parents=True)
    (root / "source" / "config.json").write_text(json.dumps({"suite": "assignment1-2021-2024"}))
    (root / "source" / "secrets.json").write_text('{"seed": 77}')
    (root / "results").mkdir()
    return root


def test_the_autograder_refuses_to_run_student_code_as_a_user_that_can_write_the_results(tmp_path, monkeypatch):
    root = fake_root(tmp_path)
    (root / "results" / "results.json").write_text('{"score": 1000}')  # planted: never reported
    for name in ("GRADER_REFERENCE_ROOT", "GRADER_ANSWERS"):  # run() sets them for its process: undone after
        monkeypatch.setenv(name, "")
    unsafe = sandbox.Isolation("process", drops_user=False, network_blocked=False, reason="test", as_root=True)
    monkeypatch.setattr(sandbox, "isolation", lambda mode="auto": unsafe)
    monkeypatch.setattr("grader.api.grade", lambda *a, **k: pytest.fail("no student code may run"))
    payload = autograder.run(root)
    assert payload["score"] == 0 and payload["extra_data"]["status"] == "grader_error"
    assert "could not grade" in payload["output"] and not (root / "results" / "results.json").exists()
    assert stat.S_IMODE((root / "source").stat().st_mode) == 0o700
    assert stat.S_IMODE((root / "source" / "secrets.json").stat().st_mode) == 0o600


@pytest.mark.skipif(os.geteuid() != 0, reason="workers get an unprivileged uid of their own only as root")
def test_after_lock_down_a_worker_uid_can_neither_write_results_nor_read_the_source():
    """The plain-process fallback's protection (in the sandbox these folders are not there at all)."""
    import tempfile
    with tempfile.TemporaryDirectory() as place:  # pytest's own folders are root's alone: no control
        os.chmod(place, 0o755)
        lock_down_blocks_a_worker(Path(place))


def lock_down_blocks_a_worker(tmp_path):
    root = fake_root(tmp_path)
    (root / "submission").mkdir()
    (root / "submission" / "knn.py").write_text("# theirs\n")  # the control: what the worker may read
    (root / "source" / "reference").mkdir()
    (root / "source" / "reference" / "solution.py").write_text("answer = 42\n")
    autograder.lock_down(root / "source", root / "results")
    child = os.fork()
    if child == 0:  # as a worker: a fresh uid with no account, no groups
        try:
            os.setgroups([])
            os.setgid(sandbox.UID_BASE + 7)
            os.setuid(sandbox.UID_BASE + 7)
            if open(root / "submission" / "knn.py").read() != "# theirs\n":
                os._exit(3)
            failures = 0
            for attempt in (lambda: open(root / "results" / "results.json", "w"),
                            lambda: open(root / "source" / "secrets.json").read(),
                            lambda: open(root / "source" / "reference" / "solution.py").read(),
                            lambda: os.listdir(root / "source")):
                try:
                    attempt()
                except PermissionError:
                    failures += 1
            os._exit(0 if failures == 4 else 1)
        except BaseException:
            os._exit(2)
    assert os.waitpid(child, 0)[1] == 0


def test_release_and_secrets_usage_errors_stop_before_anything_is_made(tmp_path):
    from click.testing import CliRunner

    from grader.cli import main

    runner = CliRunner()
    for args, message in ((["release", "assignment1", "--out", str(tmp_path / "r"), "--part", "nope"], "no part nope"),
                          (["release", "assignment2-numpy", "--out", str(tmp_path / "r"), "--edition", "2023"],
                           "is a suite"),
                          (["release", "assignment9", "--out", str(tmp_path / "r")], "no assignment or suite")):
        result = runner.invoke(main, args)
        assert result.exit_code == 2 and message in result.output, result.output
    assert not (tmp_path / "r").exists()
    (tmp_path / "s.json").write_text('{"seed": 5}')
    for command in (["assignment1", str(STARTER1)], ["batch", "assignment1", str(tmp_path), "--out", str(tmp_path / "b")]):
        result = runner.invoke(main, [*command, "--secrets", str(tmp_path / "s.json"), "--seed", "3"])
        assert result.exit_code == 2 and "--seed and --secrets" in result.output
    (tmp_path / "s.json").write_text('{"seed": -1}')
    result = runner.invoke(main, ["batch", "assignment1", str(tmp_path), "--secrets", str(tmp_path / "s.json")])
    assert result.exit_code == 2 and "non-negative integer" in result.output
    assert not (tmp_path / "b").exists()


def test_results_are_written_atomically_over_whatever_is_there(tmp_path):
    results = tmp_path / "results"
    results.mkdir()
    target = tmp_path / "elsewhere.json"
    target.write_text("theirs")
    (results / "results.json").symlink_to(target)  # a link planted to redirect the write
    autograder.write_results(results / "results.json", {"score": 1})
    assert json.loads((results / "results.json").read_text()) == {"score": 1}
    assert not (results / "results.json").is_symlink() and target.read_text() == "theirs"
    assert [p.name for p in results.iterdir()] == ["results.json"]


def test_a_failing_autograder_still_writes_results(tmp_path, monkeypatch, capsys):
    root = fake_root(tmp_path)
    monkeypatch.setattr(autograder, "run", lambda root: 1 / 0)
    assert autograder.main(["--root", str(root)]) == 0
    payload = json.loads((root / "results" / "results.json").read_text())
    assert payload["score"] == 0 and "ZeroDivisionError" in payload["extra_data"]["message"]


# -- check() ------------------------------------------------------------------------------------------

def test_check_finds_the_assignment_folder_from_where_the_notebook_runs(tmp_path):
    folder = tmp_path / "assignment1"
    shutil.copytree(STARTER1, folder)
    (folder / "deeper" / "still").mkdir(parents=True)
    assert notebook_check.find_folder(folder / "deeper" / "still") == folder
    assert notebook_check.find_folder(tmp_path) == folder  # the one folder below that holds cs231n/
    with pytest.raises(notebook_check.CheckError, match="no cs231n/ folder"):
        notebook_check.find_folder(tmp_path / "assignment1" / "cs231n" / "classifiers" / ".." / ".." / ".." / "..")


def test_check_tells_the_assignment_from_the_part_or_the_folder_name(tmp_path, monkeypatch):
    released = {"assignment1": ["assignment1-2021-2024"], "assignment2": ["assignment2-2021-2024"]}
    monkeypatch.setattr(notebook_check, "available", lambda: released)
    assert notebook_check.which_assignment(tmp_path, "knn", None) == "assignment1"
    assert notebook_check.which_assignment(tmp_path, "cnn", None) == "assignment2"
    assert notebook_check.which_assignment(tmp_path / "assignment2_colab", "layers", None) == "assignment2"
    with pytest.raises(notebook_check.CheckError, match="assignment='assignment1'"):
        notebook_check.which_assignment(tmp_path, "layers", None)  # both have layers; the folder does not say
    with pytest.raises(notebook_check.CheckError, match="no part 'nope'"):
        notebook_check.which_assignment(tmp_path, "nope", None)
    assert notebook_check.which_suite("assignment1", tmp_path, "knn", None).name == "assignment1-2021-2024"
    monkeypatch.setattr(notebook_check, "available", lambda: {})
    with pytest.raises(notebook_check.CheckError, match="student release"):
        notebook_check.which_assignment(tmp_path, "knn", None)


def test_check_shows_html_in_a_notebook_and_text_elsewhere(capsys):
    report = Report("a", "s", "digits", notes=["a <note>"], results=[
        CheckResult("knn: <b>two_loops</b>", "knn", 3, 0, Status.FAILED, "got <script>")])
    html = notebook_check.html_table(report, "knn")
    assert "<table>" in html and "&lt;script&gt;" in html and "<script>" not in html and "&lt;b&gt;" in html
    notebook_check.show(report, "knn")  # no IPython kernel here: plain text
    out = capsys.readouterr().out
    assert "knn: <b>two_loops</b>" in out and "<table>" not in out and "score: 0 / 3" in out
    assert grader.check is notebook_check.check
    assert "grader.api" not in os.environ.get("PYTHONPATH", "")
