#!/usr/bin/env bash
# Regenerates the two hashed locks the install uses. They record no index address
# (--no-emit-index-url) and no local paths: the workspace's own packages are installed
# editable from the tree by tools/install.sh, never from the lock.
set -euo pipefail
cd "$(dirname "$0")/.."
uv=${UV:-.venv/bin/uv}
export UV_PYTHON_DOWNLOADS=never
common=(--generate-hashes --no-emit-index-url --python-version 3.11 )
"$uv" pip compile pyproject.toml --extra dev "${common[@]}" \
  | grep -v '^-e file:' | sed 's#^\#    uv pip compile.*#\#    make lock#' > requirements.lock
echo "uv==0.13.8" | "$uv" pip compile - "${common[@]}" \
  | sed 's#^\#    uv pip compile.*#\#    make lock#' > tools/bootstrap.lock
echo "requirements.lock and tools/bootstrap.lock regenerated"
