"""The ``grade`` command: thin click wrappers around plain functions.

    grade assignment1 ./my_solution            grade one submission, print the report
    grade assignment1 ./my_solution --json r.json
    grade batch assignment1 ./submissions --out grades/   every entry of the folder, a gradebook, exports
    grade export grades/                                  the exports again, from the gradebook

Exit status: 0 when grading ran (whatever the score), 1 when ``--fail-under`` is
given and the score is below it, 2 on usage errors.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__, data
from . import similarity as similarity_defaults
from .editions import find
from .release.command import release, secrets_option, seed_from
from .suites import ASSIGNMENTS, SUITES
from .worker import sandbox
from .worker.limits import DEVICES, SANDBOXES, GiB, Limits, MiB


def limit_options(command):
    """Options that set the worker's limits, shared by every grading command.

    The first three reach the command as arguments (``timeout``, ``timeout_scale``,
    ``memory_gib``); the others are kept aside and picked up by ``make_limits``, so
    that a command's signature does not grow with every limit."""
    defaults = Limits()
    options = [
        click.option("--timeout", type=click.FloatRange(min=1), default=Limits.timeout, show_default=True,
                     help="Default wall-clock seconds per check call; checks that train get their own budget."),
        click.option("--timeout-scale", type=click.FloatRange(min=0.1), default=1.0, show_default=True,
                     help="Multiply every time budget (for slow machines)."),
        click.option("--memory-gib", type=click.FloatRange(min=0.5), default=Limits.memory / GiB, show_default=True,
                     help="Address-space limit of a worker, in GiB."),
        _extra("--cpu-seconds", "cpu_seconds", click.IntRange(min=1), defaults.cpu_seconds,
               "CPU seconds a worker process may use over its life."),
        _extra("--processes", "processes", click.IntRange(min=16), defaults.processes,
               "Processes and threads a worker may have (RLIMIT_NPROC)."),
        _extra("--file-size-mib", "file_size", click.IntRange(min=1), defaults.file_size // MiB,
               "Largest file a worker may write, in MiB.", scale=MiB),
        _extra("--disk-mib", "disk", click.IntRange(min=16), defaults.disk // MiB,
               "What a sandboxed worker may write in each of its copy of the submission, /tmp and /dev/shm, in MiB.",
               scale=MiB),
        _extra("--output-kib", "output", click.IntRange(min=1), defaults.output // 1024,
               "Printed output kept per check, in KiB.", scale=1024),
        _extra("--sandbox", "sandbox", click.Choice(SANDBOXES), defaults.sandbox,
               "bubblewrap: require the sandbox; none: plain processes; auto: the sandbox where it works."),
        _extra("--numpy-compat", "numpy_compat", click.BOOL, False,
               "Grade code written for NumPy 1: the worker puts back what NumPy 2 removed (np.int, np.product, "
               "np.reshape(newshape=) ...); the report's notes say so.", is_flag=True),
        _extra("--device", "device", click.Choice(DEVICES), defaults.device,
               "Where PyTorch code trains: cpu, cuda (a GPU must be there), or auto (a GPU where there is one)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


EXTRA_LIMITS = "grader.extra_limits"


def _extra(flag: str, field: str, kind, default, text: str, scale: int = 1, is_flag: bool = False):
    def remember(ctx, param, value):
        ctx.meta.setdefault(EXTRA_LIMITS, {})[field] = value * scale if scale != 1 else value
        return value
    return click.option(flag, type=kind, default=default, show_default=not is_flag, help=text, expose_value=False,
                        callback=remember, is_flag=is_flag)


def make_limits(timeout: float, timeout_scale: float, memory_gib: float) -> Limits:
    """The limits the options of the current command ask for; a usage error (exit status 2)
    when submitted code cannot run here with the isolation asked for (see ``sandbox``)."""
    ctx = click.get_current_context(silent=True)
    extra = dict(ctx.meta.get(EXTRA_LIMITS, {})) if ctx else {}
    limits = Limits(timeout=timeout, timeout_scale=timeout_scale, memory=int(memory_gib * GiB), **extra)
    try:
        sandbox.isolation(limits.sandbox)
    except sandbox.SandboxUnavailable as exc:
        raise click.UsageError(f"--sandbox {limits.sandbox}: {exc}") from None
    from .api import check_device

    try:
        check_device(limits.device)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    return limits


def load_dataset(data_dir: str | None) -> data.Dataset | None:
    if not data_dir:
        return None
    try:
        return data.load(data_dir)
    except data.DataError as exc:
        raise click.BadParameter(str(exc), param_hint="--data") from None


GRADABLE = [*ASSIGNMENTS, *SUITES]  # an assignment (its edition detected) or one edition's suite


class Grade(click.Group):
    """``grade ASSIGNMENT PATH`` for every known assignment and suite, beside the other commands."""

    def list_commands(self, ctx):
        return GRADABLE + sorted(super().list_commands(ctx))

    def get_command(self, ctx, name):
        if name in GRADABLE:
            return grade_command(name)
        return super().get_command(ctx, name)


def edition_option(command):
    return click.option("--edition", metavar="YEAR",
                        help="Grade as this course edition (a year, e.g. 2025, or an edition's name as "
                             "`grade list` shows it) instead of the one detected from the folder.")(command)


def check_edition(assignment: str, edition: str | None) -> None:
    """A usage error (exit status 2) for an edition the assignment does not have."""
    if edition is None:
        return
    if assignment not in ASSIGNMENTS:
        raise click.UsageError(f"--edition is for an assignment ({', '.join(ASSIGNMENTS)}); {assignment} is "
                               "already one edition's suite")
    try:
        find(ASSIGNMENTS[assignment], edition)
    except KeyError as exc:
        raise click.BadParameter(exc.args[0], param_hint="--edition") from None


@click.group(cls=Grade, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="grade")
def main():
    """Grade CS231n-style assignments: run the student's code in an isolated worker,
    compare it with the reference, and report a score."""


def grade_command(assignment: str) -> click.Command:
    detected = " (the course edition is detected from the folder; --edition to choose)" if assignment in ASSIGNMENTS \
        else ""

    @click.command(name=assignment, help=f"Grade one {assignment} submission (a folder, .zip or .ipynb){detected}.")
    @click.argument("submission", type=click.Path(exists=True, path_type=Path))
    @click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
                  help="Also write the report as Gradescope's results.json.")
    @click.option("--data", "data_dir", type=click.Path(exists=True, file_okay=False),
                  help="A cifar-10-batches-py folder (or its parent) to use instead of the embedded data.")
    @click.option("--seed", type=int, default=0, show_default=True, help="Seed for every generated input.")
    @secrets_option
    @click.option("--fail-under", type=float, help="Exit with status 1 when the score is below this many points.")
    @click.option("-v", "--verbose", is_flag=True, help="Show full feedback and what the code printed.")
    @edition_option
    @limit_options
    def command(submission, json_path, data_dir, seed, secrets_file, fail_under, verbose, edition, timeout,
                timeout_scale, memory_gib):
        from . import api
        from .reports.gradescope import write_results_json
        from .reports.terminal import render

        check_edition(assignment, edition)
        seed = seed_from(secrets_file, seed)
        report = api.grade(assignment, submission, edition=edition, dataset=load_dataset(data_dir), seed=seed,
                           limits=make_limits(timeout, timeout_scale, memory_gib))
        render(report, verbose=verbose)
        if json_path:
            write_results_json(json_path, report)
        if fail_under is not None and report.score < fail_under:
            sys.exit(1)

    return command


@main.command()
@click.argument("assignment", type=click.Choice(GRADABLE))
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the gradebook and the exports  [default: ASSIGNMENT-grades]")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Submissions graded at once on this machine  [default: the core count]")
@click.option("--only", multiple=True, metavar="ID", help="Grade only this student id (repeatable).")
@click.option("--resume", is_flag=True,
              help="Skip submissions already graded from the same content, by the same grader version, "
                   "with the same limits, seed and data.")
@click.option("--scheduler", metavar="ADDRESS", help="Grade on a Dask cluster (e.g. tcp://host:8786) instead.")
@click.option("--data", "data_dir", type=click.Path(exists=True, file_okay=False),
              help="A cifar-10-batches-py folder (or its parent) to use instead of the embedded data.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for every generated input.")
@click.option("--no-progress", is_flag=True, help="No progress bar (one line per submission still).")
@click.option("--no-similarity", is_flag=True, help="Skip the similarity report (see `grade similarity`).")
@secrets_option
@edition_option
@limit_options
def batch(assignment, directory, out, jobs, only, resume, scheduler, data_dir, seed, no_progress, no_similarity,
          secrets_file, edition, timeout, timeout_scale, memory_gib):
    """Grade every entry of DIRECTORY (a folder, .zip or .ipynb per student, named by the
    student id) into a gradebook, then write grades.csv, report.html, a Gradescope
    results.json and a feedback file per student. For an assignment, each submission's
    course edition is detected from its folder unless --edition gives one for all."""
    from .batch.runner import BatchError, run_batch

    check_edition(assignment, edition)
    seed = seed_from(secrets_file, seed)
    if data_dir:
        load_dataset(data_dir)  # a usage error now, not one per submission later
    out = out or Path(f"{assignment}-grades")
    try:
        result = run_batch(assignment, directory, out, jobs=jobs, only=only, resume=resume, seed=seed,
                           edition=edition, limits=make_limits(timeout, timeout_scale, memory_gib), data_dir=data_dir,
                           scheduler=scheduler, progress=not no_progress, similarity=not no_similarity)
    except BatchError as exc:
        raise click.UsageError(str(exc)) from None
    except KeyboardInterrupt:
        click.echo(f"\ninterrupted: every finished submission is in {out}; run the same command with --resume "
                   "to grade the rest", err=True)
        sys.exit(130)
    statuses = ", ".join(f"{status} {n}" for status, n in sorted(result.counts.items()))
    click.echo(f"graded {result.graded}, kept {result.reused} from before; gradebook: {statuses}")
    click.echo(f"wrote {out / 'grades.csv'}, {out / 'report.html'}, results/ and feedback/ in {out}")
    if result.similarity is not None:
        click.echo(f"wrote {out / 'similarity.csv'} and {out / 'similarity.html'}")


@main.command(name="list")
def list_suites():
    """Show the assignments, their course editions (how each is detected), parts and points."""
    from .suites import load_suite

    for assignment, editions in ASSIGNMENTS.items():
        click.echo(f"{assignment}  (grade {assignment} PATH detects the edition; --edition YEAR chooses)")
        for edition in editions:
            suite = load_suite(edition.suite_name)
            click.echo(f"  {edition.name:10} {suite.max_score:5g} points  suite {suite.name}: {suite.about}")
            click.echo(f"             detected by: {'; '.join(c.text for c in edition.clues)}")
            click.echo("             " + ", ".join(f"{p.name} {p.points:g}" for p in suite.parts))
    others = [name for name in SUITES if all(name != e.suite_name for es in ASSIGNMENTS.values() for e in es)]
    for name in others:
        suite = load_suite(name)
        click.echo(f"{name}  {suite.max_score:g} points: {suite.about}")
        click.echo("             " + ", ".join(f"{p.name} {p.points:g}" for p in suite.parts))


@main.command()
@click.argument("out", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--gradebook", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The gradebook to read  [default: OUT/gradebook.sqlite]")
def export(out, gradebook):
    """Write grades.csv, report.html, results/ and feedback/ into OUT from its gradebook."""
    from .batch.runner import BatchError
    from .batch.runner import export as write_exports

    try:
        files = write_exports(out, gradebook)
    except BatchError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"wrote {len(files)} files in {out}")


@main.command()
@click.argument("assignment", type=click.Choice(GRADABLE))
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for similarity.csv and similarity.html  [default: ASSIGNMENT-grades]")
@click.option("--exclude", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="A folder of code students may all have seen (e.g. last year's public solutions): taken out "
                   "like the starter code (repeatable).")
@click.option("--floor", type=click.FloatRange(0, 1), default=similarity_defaults.FLOOR, show_default=True,
              help="List a pair when this share of either side's fingerprints is found in the other.")
@click.option("--top", type=click.IntRange(min=0), default=similarity_defaults.TOP, show_default=True,
              help="Pairs shown side by side in similarity.html.")
@click.option("--ignore-common", type=click.FloatRange(0, 1, min_open=True), default=None,
              help="Drop fingerprints found in more than this share of the submissions (e.g. 0.5).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Processes that fingerprint submissions  [default: the core count]")
def similarity(assignment, directory, out, exclude, floor, top, ignore_common, jobs):
    """Compare every pair of submissions of DIRECTORY on the code students wrote (the starter
    code and --exclude folders taken out); write similarity.csv and similarity.html into OUT,
    and the similarity table of OUT's gradebook when there is one. A high score is a reason
    to look, not proof."""
    from .similarity import SimilarityError, run

    out = out or Path(f"{assignment}-grades")
    try:
        result = run(assignment, directory, out, exclude=exclude, floor=floor, top=top, common=ignore_common,
                     jobs=jobs)
    except SimilarityError as exc:
        raise click.UsageError(str(exc)) from None
    failed = sum(1 for p in result.prints if p.error)
    click.echo(f"{len(result.prints) - failed} submissions compared ({failed} without code), "
               f"{len(result.comparison.pairs)} pairs listed, {result.seconds:.1f} s")
    for note in result.notes:
        click.echo(note)
    click.echo(f"wrote {out / 'similarity.csv'} and {out / 'similarity.html'}")


main.add_command(release)

if __name__ == "__main__":
    main()
