#!/usr/bin/env bash
# Rebuilds every action's dist/ and fails when the committed copy differs: the runner executes the
# committed bundle, never the source, so a stale dist ships old behaviour.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build --silent
changes=$(git status --porcelain --untracked-files=all -- actions | grep -E '^.. actions/[^/]+/dist/' || true)
if [ -n "$changes" ]; then
  echo "dist/ is stale: rebuild with 'npm run build' and commit the result." >&2
  echo "$changes" >&2
  git --no-pager diff --stat -- actions >&2
  exit 1
fi
echo "dist/ is current for: $(ls -d actions/*/dist | xargs -n1 dirname | xargs -n1 basename | tr '\n' ' ')"
