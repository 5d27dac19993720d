"""The Gradescope autograder zip: what course staff upload as an assignment's autograder.

    setup.sh          run once, as root, when Gradescope builds the image: Python, bubblewrap
                      where the image allows, CPU PyTorch, and the grader (the student wheel)
    run_autograder    run as root for every submission: ``grader.release.autograder``
    config.json       the assignment, the released suite, the parts graded, the wheel
    cs231n_grader_student-*.whl
    reference/ASSIGNMENT/   the reference solution (never in the student release)
    starter/          the starter folder (for uploads of loose files)
    secrets.json      the secret seed of official grading

Gradescope unpacks it into ``/autograder/source``; ``run_autograder`` honours
``AUTOGRADER_ROOT`` (default ``/autograder``) and ``GRADER_PYTHON`` (default the
virtual environment ``setup.sh`` makes), so that a fake tree can stand in for it.
"""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

from ..reference import reference_root
from .zips import add, add_folder

VENV = "/opt/cs231n-grader"  # world-readable, so that an unprivileged worker uid can run its Python

SETUP = f"""#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image (Ubuntu).
set -euo pipefail
cd "$(dirname "$0")"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq python3 python3-venv python3-pip
# The sandbox for student code; where the image forbids namespaces the grader falls back to
# plain worker processes under an unprivileged uid of their own (see the grader's README).
apt-get install -y -qq bubblewrap || echo "bubblewrap could not be installed: plain worker processes"
python3 -m venv {VENV}
{VENV}/bin/pip install -q --upgrade pip
{VENV}/bin/pip install -q torch torchvision --index-url https://download.pytorch.org/whl/cpu
{VENV}/bin/pip install -q ./cs231n_grader_student-*.whl
chmod -R go-rwx reference starter secrets.json config.json
{VENV}/bin/python -c "from grader.worker import sandbox; from grader.worker.limits import Limits; \\
print(sandbox.describe(Limits()))"
"""

RUN = f"""#!/usr/bin/env bash
# Gradescope runs this as root for every submission: grade /autograder/submission, write
# /autograder/results/results.json. AUTOGRADER_ROOT and GRADER_PYTHON change where it looks.
set -uo pipefail
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
PYTHON="${{GRADER_PYTHON:-{VENV}/bin/python}}"
cd "$ROOT/source" || exit 1
exec "$PYTHON" -m grader.release.autograder --root "$ROOT"
"""


def build_autograder(path: Path, *, assignment: str, suite, wheel: Path, starter: Path, secrets: dict,
                     parts: tuple[str, ...] = ()) -> Path:
    """Write the autograder zip of ``suite`` (released as ``assignment``) to ``path``."""
    config = {"assignment": assignment, "suite": suite.name, "parts": list(parts), "wheel": wheel.name,
              "reference": suite.reference, "timeout_scale": 1.0}
    reference = reference_root() / suite.reference
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bundle:
        add(bundle, "setup.sh", SETUP.encode(), executable=True)
        add(bundle, "run_autograder", RUN.encode(), executable=True)
        add(bundle, "config.json", json.dumps(config, indent=2).encode())
        add(bundle, "secrets.json", json.dumps(secrets).encode())
        add(bundle, wheel.name, wheel.read_bytes())
        add_folder(bundle, reference, f"reference/{suite.reference}")
        add_folder(bundle, starter, "starter")
    return path
