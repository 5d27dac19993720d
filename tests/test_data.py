"""The embedded dataset, and CIFAR-10 read from files written here in the real format."""
from __future__ import annotations

import os
import pickle

import numpy as np
import pytest

from grader import data


def test_digits_look_like_cifar10():
    dataset = data.digits()
    for X, y in ((dataset.X_train, dataset.y_train), (dataset.X_val, dataset.y_val), (dataset.X_test, dataset.y_test)):
        assert X.dtype == np.uint8 and X.shape[1:] == (32, 32, 3) and len(X) == len(y)
        assert set(np.unique(y)) == set(range(10))
    assert len(dataset.y_train) + len(dataset.y_val) + len(dataset.y_test) == 1797
    assert np.array_equal(data.digits().X_test, dataset.X_test)  # the same images every time


def write_batch(path, num, seed, extra_keys=True):
    rng = np.random.default_rng(seed)
    batch = {b"data": rng.integers(0, 256, size=(num, 3072), dtype=np.uint8),
             b"labels": [int(v) for v in rng.integers(0, 10, num)]}
    if extra_keys:
        batch[b"batch_label"] = b"training batch"
        batch[b"filenames"] = [b"img_%d.png" % i for i in range(num)]
    with open(path, "wb") as handle:
        pickle.dump(batch, handle, protocol=2)
    return batch


def fake_cifar(folder, num=20):
    folder.mkdir(parents=True)
    batches = {name: write_batch(folder / name, num, seed) for seed, name in enumerate(data.CIFAR_MD5)}
    return batches


def test_cifar_batches_are_read_in_their_real_format(tmp_path):
    batches = fake_cifar(tmp_path / "cifar-10-batches-py")
    dataset = data.load(tmp_path)  # the parent folder works too
    assert dataset.name == "cifar10"
    assert dataset.X_train.shape == (90, 32, 32, 3) and dataset.X_val.shape == (10, 32, 32, 3)
    first = batches["data_batch_1"]
    image = first[b"data"][0].reshape(3, 32, 32).transpose(1, 2, 0)
    assert np.array_equal(dataset.X_train[0], image)
    assert dataset.y_test.tolist() == batches["test_batch"][b"labels"]


def test_cifar_loader_refuses_anything_but_arrays(tmp_path):
    folder = tmp_path / "cifar-10-batches-py"
    fake_cifar(folder)

    class Evil:
        def __reduce__(self):
            return (os.system, ("echo pwned > %s" % (tmp_path / "pwned"),))

    with open(folder / "test_batch", "wb") as handle:
        pickle.dump({b"data": np.zeros((2, 3072), np.uint8), b"labels": [0, 1], b"x": Evil()}, handle, protocol=2)
    with pytest.raises(data.DataError, match="refusing"):
        data.load(folder)
    assert not (tmp_path / "pwned").exists()


def test_cifar_inside_a_submission_is_used_only_when_it_is_the_real_thing(tmp_path):
    fake_cifar(tmp_path / data.SUBMISSION_CIFAR)
    dataset, notes = data.choose(None, tmp_path)
    assert dataset.name == "digits"
    assert any("checksum" in note for note in notes)


def test_malformed_batches_give_clear_errors(tmp_path):
    folder = tmp_path / "cifar-10-batches-py"
    fake_cifar(folder)
    (folder / "data_batch_3").write_bytes(b"not a pickle")
    with pytest.raises(data.DataError, match="data_batch_3"):
        data.load(folder)
    (folder / "data_batch_3").unlink()
    with pytest.raises(data.DataError, match="missing"):
        data.load(folder)
