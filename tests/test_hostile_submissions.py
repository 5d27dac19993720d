"""Submissions that fake a result, exit early or never return still get a true report."""
from __future__ import annotations

import json

import pytest

from grader.results import Status
from grader.worker.limits import Limits

pytestmark = pytest.mark.slow  # every test here starts workers

FAST = Limits(timeout_scale=0.1)  # 3 s per check, 6 s per import, a tenth of the training budgets


def prepend(path, code):
    path.write_text(code + "\n" + path.read_text())


def test_printing_a_fake_result_earns_nothing_extra(grade_with, solution_copy):
    folder = solution_copy("assignment1")
    fake = json.dumps({"score": 100, "max_score": 100, "tests": []})
    prepend(folder / "cs231n/classifiers/linear_svm.py", f"print({fake!r}); print('score: 100 / 100')")
    path = folder / "cs231n/classifiers/linear_svm.py"
    text = path.read_text().replace("    return loss, dW", "    print('All tests passed! score: 100/100')\n    return 0.0, dW", 1)
    path.write_text(text)
    report = grade_with("assignment1", folder)
    naive = next(r for r in report.results if r.name == "svm: svm_loss_naive, no reg")
    assert naive.status is Status.FAILED and naive.score == 0
    assert "All tests passed" in naive.output  # kept, and shown as the code's output, nothing more
    assert report.score == report.max_score - sum(r.max_score for r in report.results if r.score < r.max_score)
    assert report.score < report.max_score


def test_exit_at_import_scores_zero_for_that_module_only(grade_with, solution_copy):
    folder = solution_copy("assignment1")
    prepend(folder / "cs231n/classifiers/linear_svm.py", "import sys\nsys.exit(0)")
    report = grade_with("assignment1", folder, limits=FAST)
    for result in report.results:
        if result.part == "svm":
            assert result.score == 0 and result.status in (Status.IMPORT_ERROR, Status.SKIPPED), result
            if result.status is Status.IMPORT_ERROR:
                assert "sys.exit" in result.feedback
        elif result.part in ("knn", "softmax", "layers", "two_layer_net"):
            assert result.score == result.max_score, result


def test_a_module_that_never_finishes_importing_times_out_once(grade_with, solution_copy):
    folder = solution_copy("assignment1")
    prepend(folder / "cs231n/classifiers/softmax.py", "while True:\n    pass")
    report = grade_with("assignment1", folder, limits=FAST)
    softmax = [r for r in report.results if r.part == "softmax"]
    assert all(r.score == 0 for r in softmax)
    assert {r.status for r in softmax} <= {Status.TIMEOUT, Status.SKIPPED}
    assert report.execution_time < 60  # one import timeout, remembered for the other checks
    assert all(r.score == r.max_score for r in report.results if r.part in ("knn", "svm", "layers"))


def test_a_function_that_loops_forever_times_out_and_the_rest_is_graded(grade_with, solution_copy):
    folder = solution_copy("assignment1")
    path = folder / "cs231n/layers.py"
    path.write_text(path.read_text().replace("def svm_loss(x, y):", "def svm_loss(x, y):\n    while True:\n        pass", 1))
    report = grade_with("assignment1", folder, limits=FAST)
    lost = [r for r in report.results if r.score < r.max_score]
    assert [(r.name, r.status) for r in lost] == [("layers: svm_loss", Status.TIMEOUT)]
    assert "no answer within 3 s" in lost[0].feedback
