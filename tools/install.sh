#!/usr/bin/env bash
# Installs everything the project needs into .venv from the hashed locks, using the
# machine's Python (uv never downloads one). Idempotent and quick when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/.."
export UV_PYTHON_DOWNLOADS=never UV_NO_PROGRESS=1
PYTHON=${PYTHON:-python3}
stamp=.venv/.installed
inputs=(requirements.lock tools/bootstrap.lock pyproject.toml libs/*/pyproject.toml services/*/pyproject.toml)
if [ -f "$stamp" ] && [ -z "$(find "${inputs[@]}" -newer "$stamp" 2>/dev/null)" ]; then
  exit 0
fi
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
  "$PYTHON" -m venv .venv
fi
if [ ! -x .venv/bin/uv ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r tools/bootstrap.lock
fi
# --compile-bytecode: every service process, migration run and test session imports the same
# few thousand modules; compiled once here, in parallel, not by each process as it starts
# (ADR 0034).
.venv/bin/uv pip sync --python .venv/bin/python --require-hashes --compile-bytecode --quiet requirements.lock
editables=()
for d in libs/* services/*; do editables+=(-e "$d"); done
.venv/bin/uv pip install --python .venv/bin/python --no-deps --no-build-isolation --quiet "${editables[@]}"
.venv/bin/python -m compileall -q -j 0 libs services benchmarks >/dev/null
touch "$stamp"
echo "installed into .venv"
