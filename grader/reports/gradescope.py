"""Gradescope's results.json for one submission.

A Gradescope test's ``status`` is only "passed" or "failed": a check that passed is
"passed", every other status is "failed", and the grader's own status (timeout,
crash, ...) is kept in the test's ``output`` (first line) and ``extra_data``.
"""
from __future__ import annotations

import json
from pathlib import Path

from ..batch.record import MEANING, Graded
from ..results import Status

def results_json(record: Graded) -> dict:
    report = record.report
    parts = ", ".join(f"{name} {got:g}/{top:g}" for name, (got, top) in report.part_scores().items())
    summary = [f"Status: {record.status.value} ({MEANING[record.status]}).",
               f"Score: {report.score:g} / {report.max_score:g}." + (f" Parts: {parts}." if parts else "")]
    tests = []
    for number, result in enumerate(report.results, 1):
        test = result.to_json()
        test.update(number=str(number), status="passed" if result.status is Status.PASSED else "failed",
                    output=f"[{result.status.value}] {test['output']}".rstrip(), output_format="text",
                    tags=[result.part], extra_data={"status": result.status.value, "seconds": round(result.seconds, 3)})
        tests.append(test)
    return {
        "score": report.score,
        "execution_time": round(record.seconds, 2),
        "output": "\n".join(summary + report.notes),
        "output_format": "text",
        "tests": tests,
        "extra_data": {"student": record.student, "assignment": report.assignment, "status": record.status.value,
                       "content_hash": record.content_hash, "grader_version": record.grader_version,
                       "dataset": report.dataset, "graded_at": record.finished_at, "message": record.message,
                       "parts": {k: {"score": s, "max_score": m} for k, (s, m) in report.part_scores().items()}},
    }


def write_results_json(path: Path, record: Graded) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results_json(record), indent=2))
    return path
