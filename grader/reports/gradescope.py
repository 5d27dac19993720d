"""Gradescope's results.json for one submission: the one JSON writer, used by
``grade ... --json`` and by the batch's ``results/ID/results.json``.

A Gradescope test's ``status`` is only "passed" or "failed": a check that passed is
"passed", every other status is "failed" but ``needs_gpu`` (not judged on this machine),
which has no ``status`` at all; the grader's own status (timeout, crash, ...) is kept in
the test's ``output`` (first line) and ``extra_data``. A hidden check (official grading
only) is shown once the grades are published (``visibility: after_published``); those a
student's own run did not run are listed in the top-level ``extra_data`` (``hidden_not_run``).
"""
from __future__ import annotations

import json
from pathlib import Path

from ..results import Report, Status
from ..worker.statuses import MEANING, submission_status


def results_json(report: Report, record=None) -> dict:
    """``record``: the batch's ``Graded`` for this report, when there is one (who, when, how it ended)."""
    status = record.status if record is not None else \
        submission_status([(r.status, r.score >= r.max_score) for r in report.results])
    parts = ", ".join(f"{name} {got:g}/{top:g}" for name, (got, top) in report.part_scores().items())
    summary = [f"Status: {status.value} ({MEANING[status]}).",
               f"Score: {report.score:g} / {report.max_score:g}." + (f" Parts: {parts}." if parts else "")]
    tests = []
    for number, result in enumerate(report.results, 1):
        text = result.feedback
        if result.output.strip():
            text += "\n\n--- output printed by your code ---\n" + result.output
        test = {"name": result.name, "number": str(number), "score": round(result.score, 4),
                "max_score": result.max_score, "status": "passed" if result.status is Status.PASSED else "failed",
                "output": f"[{result.status.value}] {text}".rstrip(), "output_format": "text",
                "tags": [result.part], "visibility": "after_published" if result.hidden else "visible",
                "extra_data": {"status": result.status.value, "seconds": round(result.seconds, 3)}}
        if result.status is Status.NEEDS_GPU:
            del test["status"]
        tests.append(test)
    extra = {"assignment": report.assignment, "status": status.value, "submission": report.submission,
             "grader_version": report.grader_version, "dataset": report.dataset, "notes": report.notes,
             "parts": {k: {"score": s, "max_score": m} for k, (s, m) in report.part_scores().items()}}
    if report.hidden:
        extra["hidden_not_run"] = [{"name": h.name, "part": h.part, "max_score": h.max_score} for h in report.hidden]
    if record is not None:
        extra.update(student=record.student, content_hash=record.content_hash, grader_version=record.grader_version,
                     graded_at=record.finished_at, message=record.message)
    return {
        "score": report.score,
        "execution_time": round(record.seconds if record is not None else report.execution_time, 2),
        "output": "\n".join(summary + report.notes),
        "output_format": "text",
        "tests": tests,
        "extra_data": extra,
    }


def write_results_json(path: Path, report: Report, record=None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results_json(report, record), indent=2))
    return path
