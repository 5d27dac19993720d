"""``check()``: grade the assignment folder a notebook runs in, from a notebook cell.

    from grader import check
    check("knn")                             # one part: its table, HTML in Jupyter/Colab
    check()                                  # the whole assignment
    check("knn", assignment="assignment1")   # when the folder does not say which

It grades the files on disk (save the notebook first: a notebook part reads the saved
file) through ``api.grade``, so with the same isolated worker as ``grade`` on the
command line; nothing of the kernel (its variables, its imported modules) is read.

The folder is the one holding ``cs231n/``: the working folder or one of the three above
it (in Colab, ``%cd`` into the assignment folder first, as the notebooks do), or the one
folder below it that holds one. The assignment is the one asked for; else the only
assignment this install can grade (a student release grades those it has recorded
answers for; where the reference is, every assignment), or the only one with a part of
that name, or the one whose name the folder's name contains. The suite is the released
one (a student release records one per assignment); where there are several, the
edition detected from the folder.
"""
from __future__ import annotations

import io
import sys
from html import escape
from pathlib import Path

from . import api, editions, fixtures
from .reference import reference_root
from .results import Report, Status
from .suites import ASSIGNMENTS, load_suite

UP = 3  # folders above the working folder searched for cs231n/


class CheckError(ValueError):
    """check() cannot tell what to grade; the message says how to tell it."""


class Checked:
    """What ``check()`` graded: ``report`` (the full ``Report``), ``score``, ``max_score``."""

    def __init__(self, report: Report, what: str):
        self.report, self.what = report, what

    @property
    def score(self) -> float:
        return self.report.score

    @property
    def max_score(self) -> float:
        return self.report.max_score

    def __repr__(self) -> str:
        return f"<check {self.what}: {self.score:g} / {self.max_score:g} points>"


def check(part: str | None = None, *, assignment: str | None = None, path: str | Path | None = None,
          edition: str | None = None, display: bool = True) -> Checked:
    """Grade one part (or, without ``part``, the whole assignment) of the folder this runs in."""
    root = find_folder(Path(path) if path is not None else Path.cwd())
    name = which_assignment(root, part, assignment)
    suite = which_suite(name, root, part, edition)
    if part is not None:
        suite = suite.only(*[c.title for c in suite.checks if c.part == part])
    report = api.grade(suite, root)
    checked = Checked(report, part or suite.name)
    if display:
        show(report, checked.what)
    return checked


def find_folder(start: Path) -> Path:
    start = start.resolve()
    for folder in [start, *start.parents][: UP + 1]:
        if (folder / "cs231n").is_dir():
            return folder
    below = [c for c in sorted(start.iterdir()) if c.is_dir() and (c / "cs231n").is_dir()] if start.is_dir() else []
    if len(below) == 1:
        return below[0]
    raise CheckError(f"no cs231n/ folder in {start}, the {UP} folders above it or the folders in it: run check() "
                     "in the assignment folder (in Colab, %cd into it first) or pass path=")


def available() -> dict[str, list[str]]:
    """Assignment (reference folder) -> the suites this install can grade it with."""
    found = {name: list(manifest.get("suites", {})) for name, manifest in fixtures.released().items()}
    for name, choices in ASSIGNMENTS.items():
        if (reference_root() / name / "cs231n").is_dir():
            found[name] = [edition.suite_name for edition in choices]
    return found


def _has_part(suite_name: str, part: str | None) -> bool:
    return part is None or any(p.name == part for p in load_suite(suite_name).parts)


def which_assignment(root: Path, part: str | None, asked: str | None) -> str:
    choices = available()
    if asked is not None:
        if asked not in choices:
            raise CheckError(f"this grader cannot grade {asked} (it grades {', '.join(choices) or 'nothing'}: "
                             "install the course's release of the grader for it)")
        return asked
    if not choices:
        raise CheckError("this grader has no recorded answers and no reference: install the course's student "
                         "release of the grader (the wheel the course published)")
    pool = [name for name, suites in choices.items() if any(_has_part(s, part) for s in suites)]
    if not pool:
        known = sorted({p.name for suites in choices.values() for s in suites for p in load_suite(s).parts})
        raise CheckError(f"no part {part!r}; parts: {', '.join(known)}")
    if len(pool) == 1:
        return pool[0]
    named = [name for name in pool if name in root.name]
    if len(named) == 1:
        return named[0]
    raise CheckError(f"{root} may be any of {', '.join(pool)}: say which, e.g. "
                     f"check({part!r}, assignment={pool[0]!r})")


def which_suite(assignment: str, root: Path, part: str | None, edition: str | None):
    names = [s for s in available()[assignment] if _has_part(s, part)]
    choices = [e for e in ASSIGNMENTS.get(assignment, []) if e.suite_name in names]
    if edition is not None:
        if not choices:
            raise CheckError(f"edition {edition}: {assignment} is graded here with {', '.join(names)} only")
        try:
            return load_suite(editions.find(choices, edition).suite_name)
        except KeyError as exc:
            raise CheckError(exc.args[0]) from None
    if len(names) > 1 and choices:
        return load_suite(editions.detect(choices, root)[0].suite_name)
    return load_suite(names[0])


# -- showing it ----------------------------------------------------------------------------------

COLOUR = {Status.PASSED: "#176f2c", Status.FAILED: "#b3261e", Status.SKIPPED: "#666", Status.GRADER_ERROR: "#8e24aa"}


def show(report: Report, what: str) -> None:
    """The table: HTML in Jupyter or Colab, plain text elsewhere."""
    shell = sys.modules["IPython"].get_ipython() if "IPython" in sys.modules else None
    if shell is not None and type(shell).__name__ != "TerminalInteractiveShell":
        from IPython.display import HTML, display
        display(HTML(html_table(report, what)))
    else:
        print(text_table(report))


def html_table(report: Report, what: str) -> str:
    from .reports.overview import table

    rows = []
    for r in report.results:
        colour = COLOUR.get(r.status, "#8a6d00")
        feedback = escape(r.feedback.strip()[:2000])
        rows.append([escape(r.name), f"{r.score:g}/{r.max_score:g}",
                     f'<span style="color:{colour};font-weight:600">{escape(r.status.value)}</span>',
                     f'<pre style="white-space:pre-wrap;margin:0">{feedback}</pre>' if feedback else "",
                     f"{r.seconds:.2f}s"])
    notes = "".join(f"<li>{escape(note)}</li>" for note in report.notes)
    return (f'<div class="grader-check"><b>{escape(what)}: {report.score:g} / {report.max_score:g} points</b>'
            + table(["check", "points", "status", "feedback", "time"], rows, numeric={1, 4})
            + f'<details><summary>notes</summary><ul>{notes}</ul></details></div>')


def text_table(report: Report) -> str:
    from rich.console import Console

    from .reports.terminal import render

    buffer = io.StringIO()
    render(report, Console(file=buffer, width=140, force_terminal=False, color_system=None))
    return buffer.getvalue()
