"""A release end to end (slow): ``grade release assignment1`` once per test run, its wheel
installed into a fresh environment with no reference folder, the Gradescope autograder
run on a fake ``/autograder`` tree, and ``check()`` run from a notebook by nbclient."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

from grader import api, data, fixtures
from grader.checks import picked
from grader.release.build import build_release
from grader.release.gradescope import build_autograder
from grader.release.secret_seed import read_secrets
from grader.results import Status
from grader.suites import load_suite

from release_checks import ROOT, leaks, wheel_files

pytestmark = pytest.mark.slow
SUITE = "assignment1-2021-2024"
HIDDEN = ["knn: predict_labels, k>1 with ties", "softmax: vectorized loss stays finite for large scores",
          "two_layer_net: loss and gradients, with reg"]
GRADER_VARIABLES = ("GRADER_REFERENCE_ROOT", "GRADER_ANSWERS", "GRADER_FIXTURES")


def shared(tmp_path_factory, name: str, make) -> Path:
    """A folder made once per test run, under a lock, for every pytest worker."""
    from filelock import FileLock

    place = tmp_path_factory.getbasetemp().parent / name
    with FileLock(str(place) + ".lock"):
        if not (place / "done").exists():
            shutil.rmtree(place, ignore_errors=True)
            place.mkdir()
            make(place)
            (place / "done").write_text("")
    return place


@pytest.fixture(scope="session")
def release(tmp_path_factory) -> Path:
    return shared(tmp_path_factory, "release", lambda place: build_release("assignment1", place / "out")) / "out"


@pytest.fixture(scope="session")
def student_env(release, tmp_path_factory) -> Path:
    """A fresh virtual environment holding only the student wheel; it sees this one's
    packages through a .pth line (not processed for the .pth files found there, so the
    editable install of the grader stays off)."""
    def make(place):
        env = place / "env"
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True)
        purelib = subprocess.run([env / "bin/python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                 check=True, capture_output=True, text=True).stdout.strip()
        Path(purelib, "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
        wheel = next(release.glob("*.whl"))
        subprocess.run([env / "bin/python", "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
                       check=True, env=clean_env())
    return shared(tmp_path_factory, "student-env", make) / "env"


def clean_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in GRADER_VARIABLES and k != "PYTHONPATH"}
    return {**env, **extra}


def copy_of(role: str, target: Path) -> Path:
    source = ROOT / ("reference" if role == "reference" else "assignments") / "assignment1"
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def test_the_release_holds_no_reference_and_no_hidden_or_secret_answer(release):
    files = wheel_files(next(release.glob("cs231n_grader_student-*-py3-none-any.whl")))
    assert not leaks(files), leaks(files)[:5]
    with zipfile.ZipFile(release / "assignment1-starter.zip") as starter:
        names = starter.namelist()
        assert "assignment1/cs231n/classifiers/k_nearest_neighbor.py" in names
        assert not leaks({n: starter.read(n) for n in names})
    secret = read_secrets(release / "secrets.json")["seed"]
    assert not any(name.endswith("secrets.json") for name in [*files, *names])
    assert set(files) - {n for n in files if n.startswith("cs231n_grader_student-")} >= {"grader/fixtures/assignment1.zip"}
    fixture = release / "fixtures" / "assignment1.zip"
    assert files["grader/fixtures/assignment1.zip"] == fixture.read_bytes()
    manifest = fixtures.read_manifest(fixture)
    assert manifest["seed"] == 0 and manifest["suites"][SUITE]["hidden"] == HIDDEN
    with zipfile.ZipFile(fixture) as bundle:
        recorded = {n.removeprefix("answers/") for n in bundle.namelist()}
    suite = load_suite(SUITE)
    everything = Suite_public_all(suite)
    for seed in (0, secret):  # nothing of a hidden check, nothing on the secret seed
        planned = fixtures.plan(everything, seed, data.digits())
        keys = {key for p in planned if p.title in HIDDEN or seed == secret for key, _, _ in p.requests}
        assert keys and not keys & recorded


def Suite_public_all(suite):
    """The suite with every check public (to list the requests hidden checks would make)."""
    from dataclasses import replace
    parts = [replace(p, checks=tuple(replace(c, hidden=False) for c in p.checks)) for p in suite.parts]
    return replace(suite, parts=parts, hidden=())


def test_the_student_wheel_grades_without_the_reference(student_env, tmp_path):
    """Installed in a fresh environment with no reference folder: the reference copy gets
    full marks on every public check, the starter zero, the hidden checks named as not run."""
    located = subprocess.run([student_env / "bin/python", "-c", "import grader, grader.fixtures as f; "
                              "print(grader.__file__); print(f.fixture_folder())"],
                             capture_output=True, text=True, check=True, env=clean_env(), cwd=tmp_path).stdout.split()
    assert located[0].startswith(str(student_env)) and located[1].startswith(str(student_env))
    runs = {}
    for role in ("reference", "starter"):
        folder = copy_of(role, tmp_path / role / "assignment1")
        runs[role] = subprocess.Popen([student_env / "bin/grade", "assignment1", str(folder), "--json", f"{role}.json"],
                                      cwd=tmp_path, env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                      text=True)
    outputs = {role: run.communicate(timeout=500)[0] for role, run in runs.items()}
    results = {role: json.loads((tmp_path / f"{role}.json").read_text()) for role in runs}
    public = [c for c in load_suite(SUITE).checks if not c.hidden]
    for role, result in results.items():
        assert runs[role].returncode == 0, outputs[role][-3000:]
        assert [t["name"] for t in result["tests"]] == [c.title for c in public]
        assert [h["name"] for h in result["extra_data"]["hidden_not_run"]] == HIDDEN
        assert "3 hidden checks (8 points) run only in official grading" in result["output"]
        assert "answers: recorded (assignment1.zip" in result["output"]
    failing = [t["name"] for t in results["reference"]["tests"] if t["status"] != "passed"]
    assert not failing and results["reference"]["score"] == sum(c.points for c in public) == 77
    assert results["starter"]["score"] == 0 and all(t["status"] == "failed" for t in results["starter"]["tests"])
    assert "grader_error" not in json.dumps(results), outputs
    assert "3 hidden checks (8 points)" in outputs["starter"]


def hard_coded_knn(release: Path, suite) -> str:
    """k_nearest_neighbor.py that computes nothing: it returns the recorded answers of
    the public inputs, looked up by the inputs' bytes."""
    answers = {}
    with fixtures.FixtureReference(suite, release / "fixtures") as recorded:
        for planned in fixtures.plan(suite, 0, data.digits()):
            for key, probe, seed in planned.requests[:1] + planned.requests[1:]:
                steps = probe.spec["steps"]
                X_train, X = steps[0][1]["X"], steps[1][1]["X"]
                out = picked(recorded.run(probe, seed), "out")
                answers[hash_of(X_train, X)] = out.tolist()
    return f'''import hashlib
import numpy as np

ANSWERS = {json.dumps(answers)}


class KNearestNeighbor:
    def train(self, X, y):
        self.X_train, self.y_train = X, y

    def recorded(self, X):
        key = hashlib.sha256(np.ascontiguousarray(self.X_train).tobytes() + np.ascontiguousarray(X).tobytes())
        answer = ANSWERS.get(key.hexdigest())
        return np.zeros((len(X), len(self.X_train))) if answer is None else np.array(answer)

    compute_distances_two_loops = compute_distances_one_loop = compute_distances_no_loops = recorded
'''


def hash_of(X_train, X) -> str:
    import hashlib
    return hashlib.sha256(np.ascontiguousarray(X_train).tobytes() + np.ascontiguousarray(X).tobytes()).hexdigest()


def test_hard_coded_public_answers_pass_locally_and_fail_officially(release, tmp_path, monkeypatch, references):
    titles = [f"knn: compute_distances_{n}" for n in ("two_loops", "one_loop", "no_loops")]
    suite = load_suite(SUITE).only(*titles)
    folder = copy_of("starter", tmp_path / "assignment1")
    (folder / "cs231n/classifiers/k_nearest_neighbor.py").write_text(hard_coded_knn(release, suite))
    with monkeypatch.context() as student:
        student.setenv("GRADER_ANSWERS", "fixtures")
        student.setenv("GRADER_FIXTURES", str(release / "fixtures"))
        own = api.grade(suite, folder)
    assert [r.status for r in own.results] == [Status.PASSED] * 3 and own.score == own.max_score == 9
    official = api.grade(suite, folder, seed=read_secrets(release / "secrets.json")["seed"], references=references)
    assert [r.status for r in official.results] == [Status.FAILED] * 3 and official.score == 0


# -- Gradescope -------------------------------------------------------------------------------------

VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}
TOP = {"score", "execution_time", "output", "output_format", "test_output_format", "test_name_format", "visibility",
       "stdout_visibility", "extra_data", "tests", "leaderboard"}
TEST = {"score", "max_score", "status", "name", "name_format", "number", "output", "output_format", "tags",
        "visibility", "extra_data"}


def assert_gradescope(results: dict) -> None:
    """results.json holds only Gradescope's documented fields, with their types."""
    assert set(results) <= TOP and isinstance(results["score"], (int, float))
    assert isinstance(results["execution_time"], (int, float)) and isinstance(results["output"], str)
    assert isinstance(results["extra_data"], dict) and isinstance(results["tests"], list)
    for test in results["tests"]:
        assert set(test) <= TEST and {"name", "score", "max_score", "status", "output", "visibility"} <= set(test)
        assert test["status"] in ("passed", "failed") and test["visibility"] in VISIBILITY
        assert isinstance(test["name"], str) and isinstance(test["extra_data"], dict)
        assert 0 <= test["score"] <= test["max_score"]
    assert abs(sum(t["score"] for t in results["tests"]) - results["score"]) < 1e-6


def hostile_knn(root: Path) -> str:
    """At import: forge results.json, read the secret seed and the reference, leave a
    process behind that forges it later; then the reference's code, so that it grades."""
    results, secrets = root / "results" / "results.json", root / "source" / "secrets.json"
    reference = root / "source/reference/assignment1/cs231n/classifiers/k_nearest_neighbor.py"
    forged = json.dumps({"score": 1000, "tests": []})
    attack = f'''import subprocess, sys
RESULTS, SECRETS, REFERENCE, FORGED = {str(results)!r}, {str(secrets)!r}, {str(reference)!r}, {forged!r}
LATER = "import time; time.sleep(2); open(%r, 'w').write(%r)" % (RESULTS, FORGED)
for _attempt in (lambda: open(RESULTS, "w").write(FORGED), lambda: print("SECRET " + open(SECRETS).read()),
                 lambda: print("REFERENCE " + open(REFERENCE).read()),
                 lambda: subprocess.Popen([sys.executable, "-c", LATER], start_new_session=True)):
    try:
        _attempt()
    except Exception as exc:
        print("blocked:", type(exc).__name__)
'''
    return attack + (ROOT / "reference/assignment1/cs231n/classifiers/k_nearest_neighbor.py").read_text()


def test_the_autograder_grades_uploads_and_forgery_has_no_effect(release, student_env, tmp_path):
    suite = load_suite(SUITE)
    autograder_zip = build_autograder(tmp_path / "autograder.zip", assignment="assignment1", suite=suite,
                                      wheel=next(release.glob("*.whl")), starter=ROOT / "assignments/assignment1",
                                      secrets={"seed": 987654321}, parts=("knn", "softmax"))
    uploads = {}
    for case in ("reference", "starter", "hostile"):
        root = tmp_path / case / "autograder"
        with zipfile.ZipFile(autograder_zip) as bundle:
            bundle.extractall(root / "source")
        shutil.copyfile(root / "source/run_autograder", root / "run_autograder")
        (root / "submission").mkdir()
        (root / "results").mkdir()
        uploads[case] = root
    code = copy_of("reference", tmp_path / "code")
    with zipfile.ZipFile(uploads["reference"] / "submission/a1_code_submission.zip", "w") as bundle:  # as the course zips it
        for path in sorted(code.rglob("*")):
            if path.is_file():
                bundle.write(path, path.relative_to(code).as_posix())
    copy_of("starter", uploads["starter"] / "submission" / "assignment1")
    (uploads["hostile"] / "submission/k_nearest_neighbor.py").write_text(hostile_knn(uploads["hostile"]))
    runs = {case: subprocess.Popen(["bash", str(root / "run_autograder")], stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True,
                                   env=clean_env(AUTOGRADER_ROOT=str(root), GRADER_PYTHON=str(student_env / "bin/python")))
            for case, root in uploads.items()}
    logs = {case: run.communicate(timeout=500)[0] for case, run in runs.items()}
    results = {}
    for case, root in uploads.items():
        assert runs[case].returncode == 0, logs[case][-3000:]
        results[case] = json.loads((root / "results/results.json").read_text())
        assert_gradescope(results[case])
        assert results[case]["extra_data"]["official"] is True, logs[case][-3000:]
    top = sum(c.points for c in suite.checks if c.part in ("knn", "softmax"))
    reference = results["reference"]
    assert reference["score"] == top == 34 and all(t["status"] == "passed" for t in reference["tests"])
    shown_later = [t["name"] for t in reference["tests"] if t["visibility"] == "after_published"]
    assert shown_later == HIDDEN[:2] and "a1_code_submission.zip" in reference["output"]
    assert results["starter"]["score"] == 0 and len(results["starter"]["tests"]) == len(reference["tests"])
    time.sleep(3)  # the process the hostile code left behind would have written by now
    hostile = json.loads((uploads["hostile"] / "results/results.json").read_text())
    assert hostile == results["hostile"] and hostile["score"] != 1000 and hostile["tests"]
    knn = {t["name"]: t for t in hostile["tests"] if t["name"].startswith("knn: compute")}
    assert knn and all(t["status"] == "passed" for t in knn.values())  # graded: its own code is right
    text = json.dumps(hostile)
    assert "987654321" not in text and "def compute_distances_no_loops" not in text
    assert "blocked" in text and "k_nearest_neighbor.py -> cs231n/classifiers/k_nearest_neighbor.py" in text
    assert sorted(p.name for p in (uploads["hostile"] / "results").iterdir()) == ["results.json"]


# -- check() in a notebook ---------------------------------------------------------------------------

def test_check_in_a_notebook_shows_the_part_table(student_env, tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    kernels = tmp_path / "jupyter" / "kernels" / "student"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(json.dumps({
        "argv": [str(student_env / "bin/python"), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "the student's environment", "language": "python"}))
    for name in GRADER_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    folder = copy_of("reference", tmp_path / "assignment1")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in (
        "from grader import check", "result = check('knn')", "print('points', result.score, result.max_score)")])
    client = nbclient.NotebookClient(notebook, kernel_name="student", timeout=400,
                                     resources={"metadata": {"path": str(folder)}})
    try:
        client.execute()
    except (RuntimeError, OSError, TimeoutError) as exc:
        if "kernel" in str(exc).lower() and not notebook.cells[0].get("outputs"):
            pytest.skip(f"no Jupyter kernel could start here: {exc}")
        raise
    shown = [o for o in notebook.cells[1].outputs if o.output_type == "display_data"]
    html = shown[0]["data"]["text/html"]
    assert "<table>" in html and "knn: compute_distances_two_loops" in html and "passed" in html
    assert "1 hidden check (3 points) run only in official grading" in html
    assert notebook.cells[2].outputs[0]["text"].split() == ["points", "17.0", "17"]
