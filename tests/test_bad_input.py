"""Malformed submissions: each gets a full report with a clear status and message.

Each case builds what a student might hand in, grades it, and says which status and
which words the checks it breaks must show. Nothing may end as a grader error or a
traceback, and every check must have its result.
"""
from __future__ import annotations

import os
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pytest

from conftest import REFERENCE, checks_of
from grader import submission
from grader import api
from grader.results import Status
from grader.suites import load_suite
from grader.worker.limits import Limits

pytestmark = pytest.mark.slow  # every test here starts workers

FAST = Limits(timeout_scale=0.1)
SVM = ("svm: svm_loss_naive, no reg", "svm: svm_loss_naive, with reg")
LAYERS = ("layers: affine_forward", "layers: relu_forward")
KNN = ("knn: predict_labels, k=1",)
SVM_FILE = "cs231n/classifiers/linear_svm.py"


@dataclass
class BadInput:
    name: str
    build: Callable[[Path], Path]  # makes the submission under the given folder, returns its path
    status: Status
    says: str
    broken: tuple[str, ...] = ()  # the checks it breaks; () for a submission that is not gradable at all
    kept: tuple[str, ...] = KNN  # checks it leaves alone: full points
    note: str = ""  # text the report's notes must hold


def solution(tmp: Path) -> Path:
    folder = tmp / "assignment1"
    shutil.copytree(REFERENCE / "assignment1", folder, ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def edited(file: str, edit: Callable[[str], str] | bytes) -> Callable[[Path], Path]:
    def build(tmp: Path) -> Path:
        folder = solution(tmp)
        path = folder / file
        if isinstance(edit, bytes):
            path.write_bytes(edit)
        else:
            path.write_text(edit(path.read_text()))
        return folder
    return build


def zipped(members: dict[str, bytes]) -> Callable[[Path], Path]:
    def build(tmp: Path) -> Path:
        archive = tmp / "submission.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
            for name, data in members.items():
                bundle.writestr(zipfile.ZipInfo(name), data, zipfile.ZIP_DEFLATED)
        return archive
    return build


def empty_folder(tmp):
    (tmp / "empty").mkdir()
    return tmp / "empty"


def no_package(tmp):
    (tmp / "mine" / "code").mkdir(parents=True)
    (tmp / "mine" / "code" / "layers.py").write_text("def affine_forward(x, w, b):\n    return x\n")
    return tmp / "mine"


def package_is_a_file(tmp):
    (tmp / "mine").mkdir()
    (tmp / "mine" / "cs231n").write_text("not a folder")
    return tmp / "mine"


def corrupt_notebook(tmp):
    path = tmp / "knn.ipynb"
    path.write_text('{"cells": [{"cell_type": "code", "source": "import numpy')
    return path


def latin1_source(tmp):
    folder = solution(tmp)
    path = folder / SVM_FILE
    path.write_bytes(path.read_text().replace('"""Multiclass', '"""Written by René. Multiclass', 1).encode("latin-1"))
    return folder


def symlinked_module(tmp):
    folder = solution(tmp)
    (folder / "cs231n/layers.py").unlink()
    os.symlink("/etc/passwd", folder / "cs231n/layers.py")
    return folder


def sparse_module(tmp):
    folder = solution(tmp)
    with open(folder / "cs231n/layers.py", "r+b") as handle:
        handle.truncate(1 << 30)  # 1 GiB that takes no disk
    return folder


def deep_package(tmp):
    folder = tmp.joinpath(*[f"level{i}" for i in range(10)])
    shutil.copytree(REFERENCE / "assignment1", folder, ignore=shutil.ignore_patterns("__pycache__"))
    return tmp


def deep_folders_inside(tmp):
    folder = solution(tmp)
    deep = folder.joinpath("cs231n", *["d"] * 60)
    deep.mkdir(parents=True)
    (deep / "x.py").write_text("x = 1\n")
    return folder


def too_many_files(tmp):
    folder = solution(tmp)
    (folder / "many").mkdir()
    for i in range(submission.MAX_FILES + 1):
        (folder / "many" / f"{i}.txt").write_bytes(b"")
    return folder


def a_fifo(tmp):
    folder = solution(tmp)
    os.mkfifo(folder / "cs231n" / "pipe.py")
    return folder


def zip_bomb(tmp):
    archive = tmp / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bundle:
        with bundle.open("assignment1/cs231n/layers.py", "w") as member:
            zeros = bytes(1 << 20)
            for _ in range((submission.MAX_TOTAL >> 20) + 8):
                member.write(zeros)
    return archive


def not_a_zip(tmp):
    (tmp / "submission.zip").write_bytes(os.urandom(2000))
    return tmp / "submission.zip"


def a_tarball(tmp):
    (tmp / "submission.tar.gz").write_bytes(b"\x1f\x8b" + os.urandom(100))
    return tmp / "submission.tar.gz"


CASES = [
    BadInput("empty folder", empty_folder, Status.INVALID_SUBMISSION, "no 'cs231n' package"),
    BadInput("no cs231n package", no_package, Status.INVALID_SUBMISSION, "no 'cs231n' package"),
    BadInput("cs231n is a file", package_is_a_file, Status.INVALID_SUBMISSION, "no 'cs231n' package"),
    BadInput("syntax error", edited(SVM_FILE, lambda t: t.replace("def svm_loss_naive(W, X, y, reg):",
                                                                     "def svm_loss_naive(W, X, y, reg)")),
             Status.IMPORT_ERROR, "SyntaxError", SVM),
    BadInput("non-UTF-8 source", latin1_source, Status.IMPORT_ERROR, "utf-8", SVM),
    BadInput("wrong signature", edited(SVM_FILE, lambda t: t.replace("def svm_loss_naive(W, X, y, reg):",
                                                                        "def svm_loss_naive(W, X, y):")),
             Status.CRASH, "TypeError: svm_loss_naive() takes 3 positional arguments but 4 were given", SVM),
    BadInput("class missing", edited("cs231n/classifiers/k_nearest_neighbor.py",
                                     lambda t: t.replace("class KNearestNeighbor", "class KNN")),
             Status.MISSING, "has no 'KNearestNeighbor'", KNN, kept=SVM),
    BadInput("raises at import", edited(SVM_FILE, lambda t: t + "\nraise RuntimeError('my data is not there')\n"),
             Status.IMPORT_ERROR, "my data is not there", SVM),
    BadInput("corrupt notebook", corrupt_notebook, Status.INVALID_SUBMISSION, "not a readable notebook"),
    BadInput("zip with ../ paths", zipped({"assignment1/cs231n/layers.py": b"x = 1", "../../evil.py": b"x = 1"}),
             Status.INVALID_SUBMISSION, "points outside it"),
    BadInput("zip with an absolute path", zipped({"/etc/cron.d/evil": b"x"}), Status.INVALID_SUBMISSION,
             "points outside it"),
    BadInput("zip with a name too long", zipped({"assignment1/cs231n/" + "x" * 300 + ".py": b"x = 1"}),
             Status.INVALID_SUBMISSION, "cannot unpack"),
    BadInput("symlink to /etc/passwd", symlinked_module, Status.IMPORT_ERROR, "No module named 'cs231n.layers'",
             LAYERS, note="skipped symbolic link cs231n/layers.py"),
    BadInput("zip bomb", zip_bomb, Status.INVALID_SUBMISSION, "a zip bomb?"),
    BadInput("not a zip", not_a_zip, Status.INVALID_SUBMISSION, "not a readable zip file"),
    BadInput("a tarball", a_tarball, Status.INVALID_SUBMISSION, "is not a folder, a .zip or a .ipynb file"),
    BadInput("binary file named .py", edited("cs231n/layers.py", b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 8),
             Status.IMPORT_ERROR, "null bytes", LAYERS),
    BadInput("package nested too deep", deep_package, Status.INVALID_SUBMISSION, "up to 6 levels down"),
    BadInput("folders nested too deep inside", deep_folders_inside, Status.PASSED, "", SVM,
             note="nested more than 16 folders deep"),
    BadInput("too many files", too_many_files, Status.INVALID_SUBMISSION, "5000 files"),
    BadInput("a named pipe", a_fifo, Status.PASSED, "", SVM, note="skipped cs231n/pipe.py: not a regular file"),
    BadInput("oversized (sparse) file", sparse_module, Status.IMPORT_ERROR, "No module named 'cs231n.layers'",
             LAYERS, note="1024 MiB is more than the 20 MiB allowed"),
    BadInput("np.int (NumPy 1 only)", edited(SVM_FILE, lambda t: t.replace("num_train = X.shape[0]",
                                                                            "num_train = np.int(X.shape[0])", 1)),
             Status.NUMPY2, "np.int was removed in NumPy 2: use int", SVM),
    BadInput("np.float at import (NumPy 1 only)", edited(SVM_FILE, lambda t: t + "\nDTYPE = np.float\n"),
             Status.NUMPY2, "np.float was removed in NumPy 2: use float", SVM),
]


def removed_in_this_numpy(name: str, keyword: str = "") -> bool:
    try:
        getattr(np, name)(np.zeros(2), **({keyword: 2} if keyword else {}))
    except (AttributeError, TypeError):
        return True
    return False


# What NumPy 2 removed, where the installed NumPy has removed it; each also grades with --numpy-compat.
NUMPY2 = [case for case, removed in (
    (BadInput("np.product (NumPy 1 only)", edited(SVM_FILE, lambda t: t.replace(
        "num_train = X.shape[0]", "num_train = int(np.product(X.shape[:1]))", 1)),
        Status.NUMPY2, "np.product was removed in NumPy 2: use np.prod instead", SVM),
     removed_in_this_numpy("product")),
    (BadInput("np.reshape(newshape=) (NumPy 1 only)", edited(SVM_FILE, lambda t: t.replace(
        "scores = X[i].dot(W)", "scores = np.reshape(X[i].dot(W), newshape=-1)", 1)),
        Status.NUMPY2, "use np.reshape(a, shape) instead", SVM), removed_in_this_numpy("reshape", "newshape")),
) if removed]
CASES += NUMPY2


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_gets_a_clear_status(case, tmp_path, references, monkeypatch):
    if case.name == "zip bomb":
        monkeypatch.setattr(submission, "MAX_TOTAL", 8 << 20)  # the same check, on 16 MiB instead of 300
    path = case.build(tmp_path)
    suite = checks_of("assignment1", case.broken + case.kept) if case.broken else load_suite("assignment1")
    report = api.grade(suite, path, references=references, limits=FAST)
    assert [r.name for r in report.results] == [c.title for c in suite.checks]
    for result in report.results:
        assert result.status is not Status.GRADER_ERROR and "Traceback" not in result.feedback, result
    broken = [r for r in report.results if r.name in case.broken] if case.broken else report.results
    for result in broken:
        assert result.status is case.status, (result.name, result.status, result.feedback)
        assert case.says in result.feedback, result.feedback
    for result in report.results:
        if result.name in case.kept and case.broken:
            assert result.score == result.max_score, (result.name, result.status, result.feedback)
    assert case.note in " | ".join(report.notes), report.notes


def test_there_are_enough_bad_inputs():
    assert len(CASES) >= 15


@pytest.mark.parametrize("case", [c for c in CASES if c.status is Status.NUMPY2], ids=lambda c: c.name)
def test_numpy_compat_grades_what_numpy_2_removed(case, tmp_path, references):
    suite = checks_of("assignment1", case.broken)
    report = api.grade(suite, case.build(tmp_path), references=references,
                       limits=Limits(timeout_scale=0.1, numpy_compat=True))
    assert all(r.status is Status.PASSED for r in report.results), [(r.name, r.feedback) for r in report.results]
    assert any(note.startswith("numpy-compat: NumPy 2 removals restored in the worker") for note in report.notes)
