"""A Markdown feedback file for one student: score, parts, every check, and the details
of each check that lost points. Text that student code can influence (messages,
printed output) goes in code fences; table cells are escaped."""
from __future__ import annotations

import html
import re
from pathlib import Path

from ..batch.record import Graded
from ..worker.statuses import MEANING
from ..results import Status

MAX_OUTPUT = 2000  # characters of printed output shown per check


def fenced(text: str) -> str:
    """A code block that the text cannot close early, whatever backticks it holds."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text.rstrip()}\n{fence}"


def cell(text: str) -> str:
    return html.escape(" ".join(text.split())).replace("|", "\\|")


def feedback_markdown(record: Graded) -> str:
    report = record.report
    lines = [f"# {cell(report.assignment)}: feedback for {cell(record.student)}", "",
             f"**Score: {report.score:g} / {report.max_score:g}**, status `{record.status.value}` "
             f"({MEANING[record.status]}).", ""]
    if record.finished_at:
        lines += [f"Graded {record.finished_at} by grader {record.grader_version}.", ""]
    parts = report.part_scores()
    if parts:
        lines += ["| part | points |", "|---|---|"]
        lines += [f"| {cell(name)} | {got:g} / {top:g} |" for name, (got, top) in parts.items()] + [""]
        lines += ["## Checks", "", "| check | points | status |", "|---|---|---|"]
        lines += [f"| {cell(r.name)} | {r.score:g} / {r.max_score:g} | {r.status.value} |" for r in report.results]
        lines.append("")
    lost = [r for r in report.results if r.score < r.max_score]
    if lost:
        lines += ["## What to look at", ""]
        for result in lost:
            lines += [f"### {cell(result.name)} ({result.score:g} / {result.max_score:g}, {result.status.value})", ""]
            if result.feedback.strip():
                lines += [fenced(result.feedback), ""]
            if result.output.strip() and result.status is not Status.SKIPPED:
                output = result.output if len(result.output) <= MAX_OUTPUT else result.output[:MAX_OUTPUT] + "\n[...]"
                lines += ["What your code printed:", "", fenced(output), ""]
    if report.notes:
        lines += ["## Notes", ""] + [f"- {cell(note)}" for note in report.notes] + [""]
    return "\n".join(lines)


def write_feedback(path: Path, record: Graded) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(feedback_markdown(record), encoding="utf-8")
    return path
