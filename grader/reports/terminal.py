"""The score report printed in a terminal: one row per check, then the totals."""
from __future__ import annotations

import re

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..results import CheckResult, Report, Status

STYLE = {Status.PASSED: "green", Status.FAILED: "red", Status.SKIPPED: "dim", Status.GRADER_ERROR: "bold magenta",
         Status.NEEDS_GPU: "bold cyan"}


CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def plain(text: str) -> str:
    """Text the submission controls (feedback quotes its errors, output is what it printed),
    shown as is: no terminal control characters, no rich markup."""
    return escape(CONTROL.sub("?", text))


def short(text: str, width: int = 110) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= width else line[: width - 3] + "..."


def result_row(result: CheckResult, verbose: bool) -> list[str]:
    feedback = plain(result.feedback.strip() if verbose else short(result.feedback))
    if verbose and result.output.strip():
        feedback += "\n[dim]printed:[/dim] " + plain(short(result.output, 300))
    style = STYLE.get(result.status, "yellow")
    return [escape(result.name), f"{result.score:g}/{result.max_score:g}", f"[{style}]{result.status.value}[/{style}]",
            feedback, f"{result.seconds:.2f}s"]


def render(report: Report, console: Console | None = None, verbose: bool = False) -> None:
    if console is None:
        console = Console()
        if not console.is_terminal:  # a log or a pipe: wide enough for one line per check
            console = Console(width=160)
    table = Table(title=plain(f"{report.assignment}: {report.submission}"), show_lines=verbose, expand=False)
    table.add_column("check", overflow="fold", max_width=48)
    table.add_column("points", justify="right", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("feedback", overflow="fold")
    table.add_column("time", justify="right", no_wrap=True)
    for result in report.results:
        table.add_row(*result_row(result, verbose))
    console.print(table)
    parts = ", ".join(f"{name} {got:g}/{top:g}" for name, (got, top) in report.part_scores().items())
    console.print(f"parts: {parts}")
    for note in report.notes:
        console.print(f"[dim]{plain(note)}[/dim]", highlight=False)
    gpu = [r for r in report.results if r.status is Status.NEEDS_GPU]
    if gpu:
        console.print(f"[bold cyan]{len(gpu)} check(s) need a GPU ({sum(r.max_score for r in gpu):g} points not "
                      f"judged here): grade again with --device cuda on a machine with one[/bold cyan]", highlight=False)
    share = report.score / report.max_score if report.max_score else 0.0
    console.print(f"[bold]score: {report.score:g} / {report.max_score:g} ({share:.0%})[/bold] "
                  f"in {report.execution_time:.1f} s")
