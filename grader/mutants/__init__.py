"""Mutation testing of the suites: realistic student mistakes applied to the reference.

Each ``Mutant`` is one mistake: text edits to one file of a reference solution, and
the checks that must catch it. ``caught_by`` names the checks that must fail; the
checks that build on them (``requires``) are then skipped and lose their points
too, and every other check must keep full marks. The self-tests grade every mutant
and hold the suites to exactly that.

    python -m grader.mutants [assignment ...]    grade every mutant, print what caught it
    python -m grader.mutants --examples DIR      write the example submissions (zips) to DIR
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable


@dataclass(frozen=True)
class Mutant:
    name: str
    assignment: str
    file: str  # relative to the solution folder, e.g. "cs231n/layers.py"
    edits: tuple[tuple[str, str], ...]  # (text in the reference, replacement); each text occurs once
    caught_by: frozenset[str]
    about: str = ""
    hint: str = ""  # words the feedback of a check that catches it must say
    # checks of caught_by where the mistake makes the code raise (crash, out of memory)
    # instead of answering wrong, e.g. in provided code it feeds
    raises: frozenset[str] = frozenset()
    # timed checks the mistake leaves near their ratio: they may or may not lose points
    may_lose: frozenset[str] = frozenset()
    edition: str = ""  # the suite of one course edition: the mutant is of that year's folder
    make: Callable[[Path], None] | None = None  # writes the file (e.g. a saved model) instead of editing it


def mutant(name, assignment, file, edits, caught_by, about="", hint="", raises=(), may_lose=(), edition="",
           make=None):
    return Mutant(name, assignment, file, tuple(edits), frozenset(caught_by), about, hint, frozenset(raises),
                  frozenset(may_lose), edition, make)


def catalogue() -> list[Mutant]:
    """Every mutant of every assignment (one module per assignment in this package, and
    the later editions' own parts in ``editions``)."""
    from . import assignment1, assignment2, editions

    return [*assignment1.MUTANTS, *assignment2.MUTANTS, *editions.MUTANTS]


# The suite each assignment's mutants are graded with: assignment 2's mistakes are all in the
# cs231n package, which the notebook part never reads, so its training is left out.
SUITE_OF = {"assignment2": "assignment2-numpy"}


def suite_name(mutant: Mutant) -> str:
    return mutant.edition or SUITE_OF.get(mutant.assignment, mutant.assignment)


def apply(mutant: Mutant, reference: Path, target: Path) -> Path:
    """Copy the reference solution to ``target`` (laid out as the mutant's edition has it)
    and make the mutant's edits there."""
    from ..editions import build
    from ..reference import starter_root
    from ..suites import edition_of

    edition = edition_of(mutant.edition) if mutant.edition else None
    if edition is None:
        shutil.copytree(reference, target, ignore=shutil.ignore_patterns("__pycache__"))
    else:
        build(edition, reference, starter_root() / mutant.assignment, "reference", target)
        target = target / edition.layout.nest if edition.layout.nest else target
    path = target / mutant.file
    if mutant.make is not None:
        mutant.make(path)
        return target
    text = path.read_text()
    for old, new in mutant.edits:
        if text.count(old) != 1:
            raise ValueError(f"mutant {mutant.name!r}: {old!r} occurs {text.count(old)} times in {mutant.file}")
        text = text.replace(old, new)
    path.write_text(text)
    return target


def expected_losses(mutant: Mutant, suite) -> tuple[set[str], set[str]]:
    """(checks that must fail, checks that must be skipped because they build on those)."""
    skipped: set[str] = set()
    grew = True
    while grew:
        grew = False
        for check in suite.checks:
            if check.title not in skipped | mutant.caught_by and set(check.requires) & (mutant.caught_by | skipped):
                skipped.add(check.title)
                grew = True
    return set(mutant.caught_by), skipped


def write_examples(target: Path, reference: Path) -> list[Path]:
    """Zip each example submission (assignment 1) into ``target``; the bytes are the same every time."""
    import tempfile
    import zipfile

    from .assignment1 import EXAMPLES

    by_name = {m.name: m for m in catalogue()}
    written = []
    for name, changes in EXAMPLES.items():
        with tempfile.TemporaryDirectory() as temp:
            folder = Path(temp) / "assignment1"
            shutil.copytree(reference, folder, ignore=shutil.ignore_patterns("__pycache__"))
            for change in changes:
                edit = by_name[change] if isinstance(change, str) else mutant(name, "assignment1", change[0],
                                                                                 [change[1:]], ())
                path = folder / edit.file
                text = path.read_text()
                for old, new in edit.edits:
                    text = text.replace(old, new, 1)
                path.write_text(text)
            archive = target / f"{name}.zip"
            with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
                for path in sorted(folder.rglob("*.py")):
                    info = zipfile.ZipInfo(str(path.relative_to(folder.parent)), date_time=(2026, 1, 1, 0, 0, 0))
                    bundle.writestr(info, path.read_text(), zipfile.ZIP_DEFLATED)
            written.append(archive)
    return written


def main(argv: list[str]) -> int:
    import tempfile

    from .. import api
    from ..reference import References, reference_root
    from ..suites import load_suite

    if argv[:1] == ["--examples"]:
        for archive in write_examples(Path(argv[1]), reference_root() / "assignment1"):
            print(f"wrote {archive}")
        return 0
    assignments = argv or sorted({m.assignment for m in catalogue()})
    killed = total = 0
    with References() as references:
        for assignment in assignments:
            suite = load_suite(SUITE_OF.get(assignment, assignment))
            for mutant in (m for m in catalogue() if m.assignment == assignment):
                with tempfile.TemporaryDirectory() as temp:
                    folder = apply(mutant, reference_root() / suite.reference, Path(temp) / "mutant")
                    report = api.grade(suite, folder, references=references)
                lost = [r.name for r in report.results if r.score < r.max_score]
                total += 1
                killed += bool(lost)
                print(f"{'killed' if lost else 'SURVIVED':9} {assignment}: {mutant.name}: "
                      f"-{report.max_score - report.score:g} points in {', '.join(lost) or 'nothing'}")
    print(f"kill rate: {killed}/{total} ({killed / max(total, 1):.0%})")
    return 0 if killed == total else 1
