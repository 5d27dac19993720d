"""grades.csv: one row per student with the total, the score of each part, and the status."""
from __future__ import annotations

import csv
from pathlib import Path

from ..batch.record import Graded

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(text: str) -> str:
    """A spreadsheet shows a cell starting with = + - @ as a formula: quote it."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_grades_csv(path: Path, graded: list[Graded], parts: dict[str, float]) -> Path:
    """``parts`` maps each part of the assignment to its points, in the suite's order."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", "status", "total", "max_total", *(f"{p} (/{m:g})" for p, m in parts.items()),
                         "content_hash", "grader_version", "graded_at"])
        for record in graded:
            scores = record.report.part_scores()
            if record.graded:
                total, numbers = f"{record.report.score:g}", [f"{scores.get(p, (0.0, 0))[0]:g}" for p in parts]
            else:  # pending: no score yet, rather than a zero that looks like one
                total, numbers = "", ["" for _ in parts]
            writer.writerow([cell(record.student), record.status.value, total, f"{sum(parts.values()):g}", *numbers,
                             record.content_hash, record.grader_version, record.finished_at])
    return path
