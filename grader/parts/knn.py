"""k-nearest neighbours: distances three ways, voting, a static and a timed check, accuracy.

Threshold on the embedded digits: the reference's k=1 held-out accuracy, 68.0%
(deterministic), minus 6 points, 62%. CIFAR-10: the course's stated target minus a
margin (25%), not a measurement.

A no-loop version that broadcasts to a (num_test, num_train, D) array is right on small
inputs but needs 9.6 GB for the accuracy check (300 x 1297 x 3072 doubles; 61 GB on
CIFAR-10's 500 x 5000) where the |a|^2 + |b|^2 - 2 a.b form needs a few MB: it runs out
of the worker's 6 GiB there. On the timed check's small inputs it is about 10 to 25 times
faster than two loops under load, so that check may or may not catch it (the matrix
product form: 20 to 100 times); its hint names the form when it does.
"""
from __future__ import annotations

import numpy as np

from ..checks import Accuracy, Faster, LoopCount, Matches
from ..probe import method, step
from ..results import Status
from ..suite import Part

KNN = "cs231n.classifiers.k_nearest_neighbor:KNearestNeighbor"
FILE = "cs231n/classifiers/k_nearest_neighbor.py"
SETTINGS = {"digits": dict(num_train=None, num_test=None, k=1), "cifar10": dict(num_train=5000, num_test=500, k=1)}
THRESHOLD = {"digits": 0.62, "cifar10": 0.25}


def distances(method_name: str):
    def cases(rng):
        probes = []
        for num_train, num_test, dim in ((40, 15, 20), (7, 3, 5), (25, 1, 12)):
            X_train, X_test = rng.normal(size=(num_train, dim)), rng.normal(size=(num_test, dim))
            y_train = rng.integers(0, 5, num_train)
            probes.append(method(KNN, step("train", X=X_train, y=y_train), step(method_name, X=X_test)))
        return probes
    return cases


def labels(*ks):
    """Distances without ties among them, labels that often tie in the vote."""
    def cases(rng):
        probes = []
        for k in ks:
            num_train, num_test = 12, 30
            dists = np.array([rng.permutation(num_train) for _ in range(num_test)], dtype=np.float64) + 0.5
            y_train = rng.integers(0, 4, num_train)
            probes.append(method(KNN, step("train", X=np.zeros((num_train, 3)), y=y_train),
                                 step("predict_labels", dists=dists, kwargs={"k": k})))
        return probes
    return cases


def timing(rng):
    X_train, y_train = rng.normal(size=(200, 100)), rng.integers(0, 10, 200)

    def run(name):
        return method(KNN, step("train", X=X_train, y=y_train), step(name, X=rng.normal(size=(200, 100))))
    return run("compute_distances_two_loops"), run("compute_distances_no_loops")


BROADCAST = "if compute_distances_no_loops broadcasts to a (num_test, num_train, D) array, it needs " \
            "num_test * num_train * D numbers (gigabytes at the assignment's sizes): expand |x - y|^2 = |x|^2 + " \
            "|y|^2 - 2 x.y and compute the cross term with one matrix product"


def accuracy_probe(dataset, rng):
    settings = SETTINGS[dataset.name]
    X_train = dataset.X_train[: settings["num_train"]].reshape(-1, 32 * 32 * 3).astype(np.float64)
    X_test = dataset.X_test[: settings["num_test"]].reshape(-1, 32 * 32 * 3).astype(np.float64)
    return method(KNN, step("train", X=X_train, y=dataset.y_train[: settings["num_train"]]),
                  step("predict", X=X_test, kwargs={"k": settings["k"]}), timeout=120)


def test_labels(dataset):
    return dataset.y_test[: SETTINGS[dataset.name]["num_test"]]


# -- hints -----------------------------------------------------------------------------------

def looks_squared(got, expected, probe):
    if isinstance(got, np.ndarray) and got.shape == expected.shape and np.allclose(got, expected ** 2, rtol=1e-6):
        return "these look like squared distances: take the square root (the distance is Euclidean)"
    return None


def ties_broken_upward(got, expected, probe):
    dists, k, y_train = probe.arg("dists"), probe.arg("k"), probe.arg("y")
    nearest = y_train[np.argsort(dists, axis=1)[:, :k]]
    largest_winner = np.array([max(np.flatnonzero(np.bincount(row) == np.bincount(row).max())) for row in nearest])
    if isinstance(got, np.ndarray) and got.shape == expected.shape and np.array_equal(got, largest_winner):
        return "when labels tie in the vote, choose the smaller label"
    return None


def part() -> Part:
    one, none = "compute_distances_one_loop", "compute_distances_no_loops"
    return Part("knn", (
        Matches("compute_distances_two_loops", 3, cases=distances("compute_distances_two_loops"), tol=1e-7,
                hints=(looks_squared,)),
        Matches(one, 3, cases=distances(one), tol=1e-7, hints=(looks_squared,)),
        Matches(none, 3, cases=distances(none), tol=1e-7, hints=(looks_squared,)),
        LoopCount("one_loop uses exactly one loop", 1, file=FILE, function=f"KNearestNeighbor.{one}", loops=1,
                  requires=(one,)),
        LoopCount("no_loops uses no loop", 2, file=FILE, function=f"KNearestNeighbor.{none}", loops=0,
                  requires=(none,)),
        Faster("no_loops is at least 10x faster than two_loops", 1, cases=timing, min_ratio=10, repeats=15,
               requires=(none,), hint=BROADCAST),
        Matches("predict_labels, k=1", 2, cases=labels(1), tol=0),
        Matches("predict_labels, k>1 with ties", 3, cases=labels(2, 3, 4, 5), tol=0, hints=(ties_broken_upward,)),
        Accuracy("accuracy on held-out images", 2, probe=accuracy_probe, pick="out", labels=test_labels,
                 threshold=THRESHOLD, explain={Status.MEMORY: BROADCAST}),
    ))
