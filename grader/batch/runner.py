"""``grade batch`` and ``grade export`` as plain functions.

run_batch: find the submissions -> skip those already graded (``resume``) -> a
pending row for each new one -> grade them (local pool or Dask), committing each
result to the gradebook as it arrives, with a progress bar -> write the exports.
similarity_pass: which submissions share code beyond the starter (on by default).
export: the gradebook -> grades.csv, results/ID/results.json, feedback/ID.md,
report.html.
"""
from __future__ import annotations

import os
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from ..reference import reference_root
from ..reports.feedback import write_feedback
from ..reports.gradescope import write_results_json
from ..reports.grades import write_grades_csv
from ..reports.overview import write_report_html
from ..results import CheckResult, Report, Status
from ..suites import load_suite
from ..worker.limits import Limits
from . import engine
from .entries import content_hash, discover
from .gradebook import FILENAME, Gradebook, GradebookError
from ..worker.statuses import SEVERITY, SubmissionStatus
from .record import Graded, grader_version


class BatchError(ValueError):
    """A batch that cannot start: the message says why (a usage error)."""


@dataclass
class BatchResult:
    out: Path
    graded: int = 0  # in this run
    reused: int = 0  # kept from an earlier run (--resume)
    counts: Counter = field(default_factory=Counter)  # statuses of every submission in the gradebook
    skipped: list[tuple[str, str]] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    similarity: object = None  # grader.similarity.SimilarityResult, when the pass ran


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def run_batch(assignment: str, directory: Path, out: Path, *, jobs: int | None = None, only: tuple[str, ...] = (),
              resume: bool = False, limits: Limits = Limits(), seed: int = 0, data_dir: str | None = None,
              scheduler: str | None = None, console: Console | None = None, progress: bool = True,
              similarity: bool = True, edition: str | None = None) -> BatchResult:
    suite = load_suite(assignment)
    directory, out = Path(directory), Path(out)
    console = console or Console()
    found = discover(directory, ignore=out)
    named = set(found.submissions) | set(found.ambiguous)
    unknown = sorted(set(only) - named)
    if unknown:
        raise BatchError(f"no submission named {', '.join(unknown)} in {directory}")
    wanted = {s: p for s, p in found.submissions.items() if not only or s in only}
    ambiguous = {s: names for s, names in found.ambiguous.items() if not only or s in only}
    version = grader_version(reference_root() / suite.reference)
    jobs = jobs or cores()
    engine_name = f"dask {scheduler}" if scheduler else f"local, {jobs} processes"
    try:
        book = Gradebook(out / FILENAME, assignment)
    except GradebookError as exc:
        raise BatchError(str(exc)) from None
    result = BatchResult(out, skipped=found.skipped)
    with book:
        run = book.start_run(str(directory.resolve()), engine_name, {"only": list(only), "resume": resume, "seed": seed,
                                                           "limits": asdict(limits), "data": data_dir,
                                                           "edition": edition},
                             version, engine.now(), found.skipped)
        todo = []
        for student, path in wanted.items():
            job = engine.Job(student, str(path), assignment, limits, seed, data_dir, edition)
            if resume and book.is_graded(student, content_hash(path), version, job.settings):
                result.reused += 1
            else:
                todo.append(job)
        book.add_pending({job.student: job.path for job in todo}, run)
        for student, names in ambiguous.items():
            book.save(ambiguity(student, names, directory, suite, version), run)
        for entry, why in found.skipped:
            console.print(f"[dim]skipped {entry}: {why}[/dim]", highlight=False)
        console.print(f"{assignment}: {len(todo)} to grade ({engine_name}), {result.reused} already graded, "
                      f"{len(found.skipped)} entries skipped; gradebook {book.path}", highlight=False)

        counts: Counter = Counter()
        columns = [TextColumn("grading"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("eta"),
                   TimeRemainingColumn(), TextColumn("{task.fields[counts]}")]
        with Progress(*columns, console=console, disable=not progress) as bar:
            task = bar.add_task("grading", total=len(todo), counts="")

            def on_done(graded: Graded) -> None:
                book.save(graded, run)
                counts[graded.status] += 1
                result.graded += 1
                bar.update(task, advance=1, counts="  ".join(f"{s.value} {counts[s]}" for s in SEVERITY if counts[s]))
                bar.console.print(f"{graded.student}: {graded.status.value} {graded.report.score:g}/"
                                  f"{graded.report.max_score:g} ({graded.seconds:.1f} s)", highlight=False)

            if todo and scheduler:
                try:
                    engine.run_dask(todo, scheduler, on_done)
                except engine.SchedulerUnreachable as exc:
                    raise BatchError(str(exc)) from None
            elif todo:
                engine.run_local(todo, jobs, on_done)
        book.finish_run(run, engine.now(), result.graded)
        result.counts = Counter(book.counts())
    if similarity:
        result.similarity = similarity_pass(assignment, directory, out, console, jobs)
    result.files = export(out)
    return result


def similarity_pass(assignment: str, directory: Path, out: Path, console: Console, jobs: int):
    """The similarity report of the whole folder (``grader.similarity``), written before
    the exports so that report.html links to it; its failure costs only itself."""
    from .. import similarity

    try:
        found = similarity.run(assignment, directory, out, jobs=jobs)
    except Exception as exc:  # the grades are in the gradebook whatever happens here
        console.print(f"similarity report not written: {type(exc).__name__}: {exc}", highlight=False)
        return None
    console.print(f"similarity: {len(found.comparison.pairs)} pairs listed of {found.comparison.pairs_total} "
                  f"({found.seconds:.1f} s): {out / 'similarity.html'}", highlight=False)
    return found


def ambiguity(student: str, names: list[str], directory: Path, suite, version: str) -> Graded:
    """The record of a student id that two entries claim: graded as neither."""
    why = f"two entries for {student}: {', '.join(names)}; keep one of them"
    report = Report(suite.name, str(directory / student), "",
                    [CheckResult(c.title, c.part, c.points, 0.0, Status.INVALID_SUBMISSION, why) for c in suite.checks],
                    grader_version=version)
    return Graded(student, ", ".join(names), "", SubmissionStatus.INVALID_SUBMISSION, report, version,
                  finished_at=engine.now(), message=why)


def export(out: Path, gradebook: Path | None = None) -> list[Path]:
    """Write every export of the gradebook (``out/gradebook.sqlite`` by default) into ``out``."""
    out = Path(out)
    try:
        book = Gradebook(gradebook or out / FILENAME)
    except GradebookError as exc:
        raise BatchError(str(exc)) from None
    with book:
        records, skipped = book.load(), book.skipped()
    suite = load_suite(book.assignment)
    parts, titles = columns(suite, records)
    files = [write_grades_csv(out / "grades.csv", records, parts)]
    for record in records:
        if record.graded:
            files.append(write_results_json(out / "results" / record.student / "results.json", record.report, record))
            files.append(write_feedback(out / "feedback" / f"{record.student}.md", record))
    top = max([suite.max_score] + [r.report.max_score for r in records if r.graded])
    files.append(write_report_html(out / "report.html", book.assignment, records, titles, top, skipped, engine.now(),
                                   similarity_page=(out / "similarity.html").is_file()))
    return files


def columns(suite, records: list[Graded]) -> tuple[dict[str, float], list[str]]:
    """The parts (with their points) and check titles the exports show: those of the
    editions the submissions were graded with, in the order they appear (a part's points
    as the first such submission had them); the suite's when nothing is graded yet."""
    graded = [r.report for r in records if r.graded and r.report.results]
    if not graded:
        return {part.name: part.points for part in suite.parts}, [c.title for c in suite.checks]
    parts, titles = {}, []
    for report in graded:
        for name, (_, points) in report.part_scores().items():
            parts.setdefault(name, points)
        titles += [r.name for r in report.results if r.name not in titles]
    return parts, titles
