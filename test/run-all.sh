#!/usr/bin/env bash
# Runs every check and test: lint, typecheck, CRD freshness, unit tests, then the integration
# suites on a real lab (test/lab/lab: dockerd in swarm mode, Redis) that vitest's globalSetup starts.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm install --no-audit --no-fund --no-save
echo "== lint"; npx eslint .
echo "== format"; npx prettier --check . >/dev/null || { npx prettier --check .; exit 1; }
echo "== typecheck"; npx tsc -p tsconfig.json --noEmit
echo "== build"; npm run -s build
echo "== unit"; npx vitest run --project unit
echo "== integration"; npx vitest run --project integration
