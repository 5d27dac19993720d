"""Every kind of check, judged against a fake context: canned replies from the "student",
canned answers from the "reference", no worker (the fast tier)."""
from __future__ import annotations

import numpy as np
import pytest

from grader import data
from grader.checks import (Accuracy, Agrees, Alternative, Faster, GradientCheck, LoopCount, Matches, Property,
                           picked, scored)
from grader.probe import call, forward_backward, method, step
from grader.results import Status
from grader.worker.client import Reply


class FakeContext:
    """What a check sees while it judges, answering from functions of the probe."""

    def __init__(self, student, reference=None, sources=None, dataset=None):
        self._student, self._reference = student, reference
        self.sources, self.dataset = sources or {}, dataset
        self.rng = np.random.default_rng(0)
        self.asked: list = []

    def student(self, probe):
        self.asked.append(probe)
        reply = self._student(probe)
        return reply if isinstance(reply, Reply) else Reply(True, value=reply)

    def reference(self, probe):
        return self._reference(probe)

    def source(self, relative):
        return self.sources.get(relative)


def loss(W, X, reg):
    return float(np.sum(X @ W) + reg * np.sum(W * W)), X.T @ np.ones((len(X), W.shape[1])) + 2 * reg * W


def loss_probe(rng, reg=0.5):
    return call("m:loss", W=rng.normal(size=(3, 2)), X=rng.normal(size=(4, 3)), reg=reg)


def answer(probe, half=False):
    args = probe.spec["args"]
    return {"out": loss(args["W"], args["X"], args["reg"] / 2 if half else args["reg"]), "args_after": args}


MATCHES = dict(cases=lambda rng: [loss_probe(rng)], names=("loss", "dW"), tol=1e-9)


def test_matches_passes_an_equal_answer_and_says_how_a_wrong_one_differs():
    assert Matches("c", 1, **MATCHES).judge(FakeContext(answer, answer)).status is Status.PASSED
    wrong = Matches("c", 1, **MATCHES).judge(FakeContext(lambda p: {**answer(p), "out": (0.0, answer(p)["out"][1])},
                                                          answer))
    assert wrong.status is Status.FAILED and "loss: is 0, expected" in wrong.feedback and "m:loss" not in wrong.feedback
    assert "loss(W=array(3, 2), X=array(4, 3), reg=0.5)" in wrong.feedback  # inputs shown by shape


def test_matches_accepts_a_convention_and_names_a_mistake():
    half = lambda p: answer(p, half=True)  # noqa: E731
    check = Matches("c", 1, **MATCHES, accept=(Alternative(lambda p: {"reg": p.arg("reg") / 2}, "half accepted"),))
    verdict = check.judge(FakeContext(half, lambda p: answer(p)))
    assert verdict.status is Status.PASSED and verdict.feedback == "half accepted"
    hinted = Matches("c", 1, **MATCHES, hints=(Alternative({"reg": 0.0}, "no reg"), lambda got, exp, probe: None))
    verdict = hinted.judge(FakeContext(lambda p: answer(p.with_args(reg=0.0)), answer))
    assert verdict.status is Status.FAILED and verdict.feedback.endswith("hint: no reg")


def test_matches_fails_an_input_changed_in_place_and_passes_on_a_failed_reply():
    def mutating(probe):
        after = {**probe.spec["args"], "X": probe.spec["args"]["X"] + 1}
        return {"out": answer(probe)["out"], "args_after": after}
    verdict = Matches("c", 1, **MATCHES).judge(FakeContext(mutating, answer))
    assert verdict.status is Status.FAILED and "changed its input X in place" in verdict.feedback
    for status in (Status.TIMEOUT, Status.MISSING, Status.NUMPY2, Status.IMPORT_ERROR):
        verdict = Matches("c", 1, **MATCHES).judge(FakeContext(lambda p: Reply(False, status=status, message="why"),
                                                               answer))
        assert verdict.status is status and "why" in verdict.feedback
    none = Matches("c", 1, **MATCHES).judge(FakeContext(lambda p: {"out": None, "args_after": p.spec["args"]}, answer))
    assert none.status is Status.NOT_IMPLEMENTED


def test_a_lying_answer_is_judged_by_type_dtype_and_shape_first():
    class Equal:
        def __eq__(self, other):
            return True
    for lie in (Equal(), np.zeros((2, 3), dtype=object), (1.0, np.zeros((3, 2), complex)), (np.nan, np.zeros((3, 2)))):
        verdict = Matches("c", 1, **MATCHES).judge(FakeContext(lambda p: {"out": lie, "args_after": p.spec["args"]},
                                                               answer))
        assert verdict.status is Status.FAILED, lie


def test_agrees_compares_two_of_the_students_own_answers():
    pairs = lambda rng: [(loss_probe(rng), loss_probe(rng).with_args(reg=0.5))]  # noqa: E731
    same = Agrees("a", 1, cases=lambda rng: [(p, p) for p in [loss_probe(rng)]], names=("loss", "dW"))
    assert same.judge(FakeContext(answer)).status is Status.PASSED
    verdict = Agrees("a", 1, cases=pairs, names=("loss", "dW")).judge(FakeContext(answer))
    assert verdict.status is Status.FAILED and "does not agree with" in verdict.feedback


def test_gradient_check_allows_noise_at_an_exact_zero_only_with_atol():
    grad = np.array([[0.0, 1.0]])
    noisy = {"numeric": {"x": grad + np.array([[1e-11, 0.0]])}, "analytic": {"x": grad}}
    cases = lambda rng: [call("m:f", x=grad, numeric="x")]  # noqa: E731
    assert GradientCheck("g", 1, cases=cases, tol=1e-6).judge(FakeContext(lambda p: noisy)).status is Status.PASSED
    off = {"numeric": {"x": grad * 1.1}, "analytic": {"x": grad}}
    verdict = GradientCheck("g", 1, cases=cases, tol=1e-6, atol=1e-8).judge(FakeContext(lambda p: off))
    assert verdict.status is Status.FAILED and "numerical gradient of your own forward pass" in verdict.feedback
    lost = GradientCheck("g", 1, cases=cases).judge(FakeContext(lambda p: {"analytic": {}}))
    assert lost.status is Status.FAILED and "no gradient came back" in lost.feedback


SOURCE = """
class KNN:
    def one(self, X):
        for i in range(3):
            y = [j for j in range(i)]
        return y

    def none(self, X):
        return X
"""


@pytest.mark.parametrize("function, loops, status", [("KNN.one", 2, Status.PASSED), ("KNN.one", 1, Status.FAILED),
                                                     ("KNN.none", 0, Status.PASSED), ("KNN.two", 0, Status.MISSING)])
def test_loop_count_reads_the_source_statically(function, loops, status):
    check = LoopCount("l", 1, file="k.py", function=function, loops=loops)
    assert check.judge(FakeContext(None, sources={"k.py": SOURCE})).status is status


def test_loop_count_without_the_file_or_with_a_syntax_error():
    check = LoopCount("l", 1, file="k.py", function="f", loops=0)
    assert check.judge(FakeContext(None)).status is Status.MISSING
    assert check.judge(FakeContext(None, sources={"k.py": "def f(:"})).status is Status.IMPORT_ERROR


def test_faster_uses_cpu_time_when_it_resolves_the_runs_else_wall_clock():
    slow, fast = call("m:slow"), call("m:fast")
    times = {"m:slow": (1.0, 0.5), "m:fast": (0.05, 0.02)}  # (wall clock, CPU) seconds

    def timed(cpu_known):
        return lambda p: Reply(True, value={}, seconds=times[p.spec["target"]][0],
                               cpu_seconds=times[p.spec["target"]][1] if cpu_known else None)
    check = Faster("f", 1, cases=lambda rng: (slow, fast), min_ratio=10)
    wall = check.judge(FakeContext(timed(False)))
    assert wall.status is Status.PASSED and "wall-clock" in wall.feedback and "20.0x" in wall.feedback
    cpu = check.judge(FakeContext(timed(True)))  # 3 runs of 0.02 s: enough ticks in all, timed by their mean
    assert cpu.status is Status.PASSED and "(CPU time): 25.0x" in cpu.feedback
    times["m:fast"] = (0.05, 0.01)  # 0.03 s of CPU in all: too few ticks to resolve, so the wall clock
    assert "wall-clock" in check.judge(FakeContext(timed(True))).feedback
    times["m:fast"] = (0.2, 0.1)
    assert check.judge(FakeContext(timed(True))).status is Status.FAILED  # 0.5 / 0.1 of CPU: 5x


def test_the_batchnorm_timing_is_by_cpu_time_where_load_slows_the_alt_runs_clock():
    """Seen in a clean CI run: the reference's batchnorm_backward_alt failed its timing. One
    run of each side, about 45 ms of CPU, is too few clock ticks to use, so the wall clock
    decided, and load had slowed the alt runs. Three runs of each side add up to enough."""
    from dataclasses import replace

    from grader.parts import batchnorm

    timing = next(c for c in batchnorm.part().checks if isinstance(c, Faster))
    assert (timing.repeats, timing.slow_repeats, timing.min_ratio) == (3, 3, 0.7)

    def loaded(probe):  # (wall clock, CPU) seconds: alt is faster in CPU time, its wall clock loaded
        wall, cpu = (0.080, 0.040) if probe.spec["backward"].endswith("_alt") else (0.048, 0.047)
        return Reply(True, value={}, seconds=wall, cpu_seconds=cpu)
    verdict = timing.judge(FakeContext(loaded))
    assert verdict.status is Status.PASSED and "(CPU time): 1.2x faster" in verdict.feedback
    before = replace(timing, repeats=2, slow_repeats=1).judge(FakeContext(loaded))  # the old setting
    assert before.status is Status.FAILED and "(wall-clock time): 0.6x faster" in before.feedback


def digits_like(n=10):
    y = np.arange(n) % 10
    return data.Dataset("digits", None, None, None, y[:4], None, y)


def test_accuracy_shares_out_points_by_tier_and_reports_other_splits():
    dataset = digits_like()
    check = Accuracy("acc", 10, probe=lambda d, rng: call("m:train"), pick=("scores", "test"), labels=lambda d: d.y_test,
                     threshold={"digits": 0.7}, tiers=((0.0, 0.6), (0.2, 1.0)),
                     also={"validation": (("scores", "val"), lambda d: d.y_val)})

    def predicting(right):
        scores = np.eye(10)[np.where(np.arange(10) < right, np.arange(10), 0)]
        return lambda p: {"scores": {"test": scores, "val": np.arange(4)}}
    partial = check.judge(FakeContext(predicting(8), dataset=dataset))  # 80%: over 70%, under 90%
    assert partial.status is Status.FAILED and partial.fraction == 0.6 and "validation accuracy 100.0%" in partial.feedback
    full = check.judge(FakeContext(predicting(10), dataset=dataset))
    assert full.status is Status.PASSED and full.fraction == 1.0
    low = check.judge(FakeContext(predicting(5), dataset=dataset))
    assert low.status is Status.FAILED and low.fraction == 0.0


def test_accuracy_never_scores_what_is_not_labels():
    labels = np.arange(5)
    for bad in (None, np.zeros(4), np.zeros((5, 2, 2)), np.array(["a"] * 5), np.full(5, np.nan)):
        accuracy, problem = scored(bad, labels)
        assert accuracy == 0.0 and "predictions should be 5 class labels" in problem, bad
    assert scored(np.eye(5), labels) == (1.0, None)


def test_property_reads_its_pick_and_describes_what_came_back():
    probe = method("m:C", step("f", x=np.ones(2)))
    check = Property("p", 1, cases=lambda rng: [probe], pick=("out", 0),
                     test=lambda value, probe: None if value["out"][0] == 1 else "not one",
                     describe=lambda value, probe: f"got {value['out'][0]}")
    assert check.judge(FakeContext(lambda p: {"out": [1]})).feedback == "got 1"
    wrong = check.judge(FakeContext(lambda p: {"out": [2]}))
    assert wrong.status is Status.FAILED and "not one" in wrong.feedback and "got 2" in wrong.feedback
    assert check.judge(FakeContext(lambda p: {"out": None})).status is Status.NOT_IMPLEMENTED


def test_picked_follows_keys_and_indexes_and_never_raises():
    value = {"out": (np.arange(6).reshape(2, 3), None), "grads": [1, 2]}
    assert picked(value, ("out", 0, 1)).tolist() == [3, 4, 5]
    assert picked(value, "grads") == [1, 2]
    for path in (("out", 5), ("nothing",), ("grads", "x"), ("out", 0, 1, 9)):
        assert picked(value, path) is None


def test_the_in_place_check_follows_each_kind_of_probe():
    x = np.ones(3)
    assert forward_backward("m:f", "m:b", x=x, dout=x).sent_inputs()[1] == ({"dout": x}, ("dout_after",))
    assert [where for _, where in method("m:C", step("a", x=x), step("b", y=x)).sent_inputs()] == [
        ("args_after", 0), ("args_after", 1)]


def test_a_known_cause_of_a_status_is_said_and_numpy2_names_the_replacement():
    memory = Reply(False, status=Status.MEMORY, message="MemoryError: out of memory")
    check = Matches("c", 1, **MATCHES, explain={Status.MEMORY: "a 3-D broadcast?"})
    verdict = check.judge(FakeContext(lambda p: memory, answer))
    assert verdict.status is Status.MEMORY and verdict.feedback.endswith("hint: a 3-D broadcast?")
    old = Reply(False, status=Status.NUMPY2, message="AttributeError: module 'numpy' has no attribute 'product'")
    verdict = Matches("c", 1, **MATCHES).judge(FakeContext(lambda p: old, answer))
    assert "np.product was removed in NumPy 2: use np.prod instead" in verdict.feedback


def test_faster_says_its_hint_only_when_too_slow():
    check = Faster("f", 1, cases=lambda rng: (call("m:slow"), call("m:fast")), min_ratio=10, hint="broadcast?")
    timed = {"m:slow": 1.0, "m:fast": 0.5}
    slow = check.judge(FakeContext(lambda p: Reply(True, value={}, seconds=timed[p.spec["target"]])))
    assert slow.status is Status.FAILED and "hint: broadcast?" in slow.feedback
    timed["m:fast"] = 0.01
    fast = check.judge(FakeContext(lambda p: Reply(True, value={}, seconds=timed[p.spec["target"]])))
    assert fast.status is Status.PASSED and "hint" not in fast.feedback
