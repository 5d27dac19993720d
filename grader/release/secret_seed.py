"""The instructor's secret: the seed official grading makes its inputs from.

A secrets file is JSON, ``{"seed": 1234567}``. The autograder reads it; ``grade ...
--secrets FILE`` too. It is never in a student release (wheel, starter), and the seed
is never in a report: a submission that hard-codes the outputs of the public inputs
(seed 0, whose answers the student release records) earns nothing on it.
"""
from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

PUBLIC_SEED = 0  # the seed a student's own run uses, and the fixtures are recorded on


class SecretsError(ValueError):
    """A secrets file that cannot be used; the message says why."""


def read_secrets(path: str | Path) -> dict:
    path = Path(path)
    try:
        content = json.loads(path.read_text())
    except (OSError, UnicodeError, ValueError) as exc:
        raise SecretsError(f"{path}: not a readable JSON secrets file ({exc})") from None
    seed = content.get("seed") if isinstance(content, dict) else None
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2 ** 63:
        raise SecretsError(f'{path}: expected {{"seed": N}} with N a non-negative integer')
    if seed == PUBLIC_SEED:
        raise SecretsError(f"{path}: the secret seed must differ from the public seed {PUBLIC_SEED}")
    return content


def new_secrets(path: Path) -> dict:
    """Write a fresh secrets file (readable by its owner only) and return it."""
    content = {"seed": secrets.randbelow(2 ** 31 - 1) + 1}
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(content, handle)
    return content
