#!/usr/bin/env bash
# Regenerates the two hashed locks the install uses. They record no index address
# (--no-emit-index-url) and no local paths: the workspace's own packages are installed
# editable from the tree by tools/install.sh, never from the lock.
set -euo pipefail
cd "$(dirname "$0")/.."
uv=${UV:-.venv/bin/uv}
export UV_PYTHON_DOWNLOADS=never
common=(--generate-hashes --no-emit-index-url --python-version 3.11 )
# The current lock is the starting point (uv keeps its pins where they still fit), so adding
# one dependency moves only what that dependency needs, not every package to its newest.
work=$(mktemp)
trap 'rm -f "$work"' EXIT
cp requirements.lock "$work"
"$uv" pip compile pyproject.toml --extra dev "${common[@]}" --quiet --output-file "$work"
grep -v '^-e file:' "$work" | sed 's#^\#    uv pip compile.*#\#    make lock#' > requirements.lock
echo "uv==0.13.8" | "$uv" pip compile - "${common[@]}" \
  | sed 's#^\#    uv pip compile.*#\#    make lock#' > tools/bootstrap.lock
echo "requirements.lock and tools/bootstrap.lock regenerated"
