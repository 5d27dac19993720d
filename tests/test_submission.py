"""Finding the package in what was handed in, and copying it into a workspace."""
from __future__ import annotations

import os
import zipfile

import pytest

from grader.submission import InvalidSubmission, prepare


def make_package(folder):
    (folder / "cs231n" / "classifiers").mkdir(parents=True)
    (folder / "cs231n" / "__init__.py").write_text("")
    (folder / "cs231n" / "layers.py").write_text("X = 1\n")
    return folder


def test_the_package_is_found_at_any_depth_and_datasets_stay_behind(tmp_path):
    root = make_package(tmp_path / "drive" / "MyDrive" / "assignment1")
    (root / "cs231n" / "datasets" / "cifar-10-batches-py").mkdir(parents=True)
    (root / "cs231n" / "datasets" / "cifar-10-batches-py" / "test_batch").write_bytes(b"labels")
    os.symlink("/etc/passwd", root / "cs231n" / "passwd.py")
    with prepare(tmp_path) as submission:
        assert submission.package_root == root
        assert (submission.root / "cs231n" / "layers.py").read_text() == "X = 1\n"
        assert not (submission.root / "cs231n" / "datasets").exists()
        assert not (submission.root / "cs231n" / "passwd.py").exists()
        assert any("symbolic link" in note for note in submission.notes)
        workspace = submission.root
    assert not workspace.exists()


def test_zip_submissions_unpack_inside_their_folder_only(tmp_path):
    make_package(tmp_path / "src")
    good = tmp_path / "good.zip"
    with zipfile.ZipFile(good, "w") as bundle:
        bundle.write(tmp_path / "src" / "cs231n" / "layers.py", "assignment1/cs231n/layers.py")
    with prepare(good) as submission:
        assert (submission.root / "cs231n" / "layers.py").exists()
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as bundle:
        bundle.writestr("../../escaped.py", "x = 1")
    with pytest.raises(InvalidSubmission, match="outside"):
        prepare(evil)
    assert not (tmp_path.parent / "escaped.py").exists()


def test_nothing_gradable_is_an_invalid_submission(tmp_path):
    with pytest.raises(InvalidSubmission, match="no 'cs231n' package"):
        prepare(tmp_path)
    (tmp_path / "broken.zip").write_bytes(b"PK not really")
    with pytest.raises(InvalidSubmission, match="not a readable zip"):
        prepare(tmp_path / "broken.zip")
