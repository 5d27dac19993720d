#!/usr/bin/env bash
# Part V on a GPU, in one go: the device check of README's "The PyTorch notebook" (under
# 8 minutes on one GPU; it prints everything it measures).
#
#   bash benchmarks/gpu_part_v.sh wheels   here, where pip reaches a registry: the wheels the GPU
#                                          machine lacks (nbformat and its needs, for Python 3.12) into .whl/
#   bash benchmarks/gpu_part_v.sh          on the GPU machine, with .whl/ carried beside the project:
#                                          installs the grader with no download, then runs gpu_part_v.py
#
# The GPU machine is taken to have torch, torchvision, numpy, click, rich, scikit-learn,
# matplotlib and setuptools already; nothing is fetched there.
set -euo pipefail
cd "$(dirname "$0")/.."
WHEELS=(nbformat==5.11.1 fastjsonschema==2.22.3 jsonschema==4.26.0 jsonschema-specifications==2025.9.1
        jupyter_core==5.9.1 platformdirs==4.14.9 referencing==0.37.0 rpds-py==2026.9.1 traitlets==5.16.1)

if [ "${1:-}" = wheels ]; then
    grep -qx '/.whl/' .git/info/exclude 2>/dev/null || echo '/.whl/' >> "$(git rev-parse --git-path info/exclude)"
    python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
        --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
        --platform any -d .whl "${WHEELS[@]}"
    ls -l .whl
    exit 0
fi

export PYTHONUNBUFFERED=1
SITE=/tmp/grader-site
echo "== installing the grader (no downloads) into $SITE"
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target "$SITE" .whl/*.whl
python3 -m pip install -q --no-index --no-deps --no-build-isolation --no-compile --no-cache-dir --target "$SITE" .
export PYTHONPATH="$SITE" GRADER_REFERENCE_ROOT="$PWD/reference"
python3 -c "import grader, nbformat, torch; print('grader from', grader.__file__, '| torch', torch.__version__)"
nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv || true
timeout 460 python3 benchmarks/gpu_part_v.py "$@"
