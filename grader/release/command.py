"""``grade release`` and ``--secrets``: thin click wrappers (see ``build`` and ``secret_seed``)."""
from __future__ import annotations

from pathlib import Path

import click

from .secret_seed import PUBLIC_SEED, SecretsError, read_secrets


def seed_from(secrets_file: Path | None, seed: int) -> int:
    """The grading seed: the secrets file's (official grading), else ``--seed``."""
    if secrets_file is None:
        return seed
    if seed != PUBLIC_SEED:
        raise click.UsageError("--seed and --secrets both give the seed: pass one of them")
    try:
        return read_secrets(secrets_file)["seed"]
    except SecretsError as exc:
        raise click.BadParameter(str(exc), param_hint="--secrets") from None


def secrets_option(command):
    return click.option("--secrets", "secrets_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                        help='A secrets file, {"seed": N}: grade on its secret seed (official grading, see '
                             "`grade release`).")(command)


@click.command()
@click.argument("assignment")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for the starter zip, the student wheel, the autograder zip and the fixtures.")
@click.option("--edition", metavar="YEAR", help="The course edition released (default: the assignment's default).")
@click.option("--secrets", "secrets_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The secrets file with the official seed  [default: OUT/secrets.json, made on the first release]")
@click.option("--part", "parts", multiple=True, metavar="NAME", help="Release only this part (repeatable).")
def release(assignment, out, edition, secrets_file, parts):
    """Make what course staff publish for ASSIGNMENT (an assignment or a suite): the starter
    zip and a grader wheel for students (recorded answers of the public checks, no
    reference), and the Gradescope autograder zip (reference and secret seed: staff only)."""
    from .build import ReleaseError, build_release

    try:
        made = build_release(assignment, out, edition=edition, secrets=secrets_file, parts=tuple(parts))
    except (ReleaseError, SecretsError, KeyError) as exc:
        raise click.UsageError(str(exc.args[0] if exc.args else exc)) from None
    for note in made.notes:
        click.echo(note)
    size = lambda path: f"{path.stat().st_size / 1e6:.2f} MB"  # noqa: E731
    click.echo(f"released {made.suite}:")
    click.echo(f"  for students: {made.starter} ({size(made.starter)}), {made.wheel} ({size(made.wheel)})")
    click.echo(f"  for Gradescope (staff only, holds the reference and the secret seed): {made.autograder} "
               f"({size(made.autograder)})")
    click.echo(f"  kept for the next release: {made.fixture} ({size(made.fixture)})"
               + (f", {made.secrets} (staff only)" if made.secrets and made.secrets.parent == out else ""))
