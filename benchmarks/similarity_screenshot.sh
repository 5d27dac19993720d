#!/usr/bin/env bash
# The similarity page as a browser shows it: builds the batch of the similarity tests
# (three independent solutions, four planted copies of one of them, the starter alone, the
# starter plus one copied function), runs `grade similarity` on it, and saves headless
# Chromium's screenshot of similarity.html: the histogram of pair scores, the top pairs,
# and the first pair side by side with its matched runs highlighted.
#
#   benchmarks/similarity_screenshot.sh [OUT.png]   (default: benchmarks/similarity_screenshot.png)
#
# Needs the project's environment active and Chromium (Debian: apt-get install -y chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
out="$(realpath -m "${1:-benchmarks/similarity_screenshot.png}")"
browser="$(command -v chromium || command -v chromium-browser || true)"
if [ -z "$browser" ]; then
    echo "chromium is not installed (Debian: apt-get install -y chromium)" >&2
    exit 2
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python - "$work/submissions" <<'PY'
import sys
from pathlib import Path

sys.path.insert(0, "tests")
from similarity_authors import build_batch

build_batch(Path("assignments/assignment1"), Path("reference/assignment1"), Path(sys.argv[1]))
PY
python -m grader.cli similarity assignment1 "$work/submissions" --out "$work/out" --top 6 -j 1
"$browser" --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
    --disable-sync --no-first-run --user-data-dir="$work/profile" --screenshot="$out" --window-size=1400,2000 \
    "file://$work/out/similarity.html" 2>/dev/null
echo "wrote $out"
