#!/usr/bin/env bash
# Quick start: swarmkeeper reconciling the examples/ directory against a local single-node Swarm.
# Starts the pieces it needs if they are missing (test/lab/lab: its own dockerd in swarm mode in a
# network namespace, and Redis), builds swarmkeeper, then applies examples/ and waits for convergence.
#   deploy/local/up.sh [DIR]      (default: examples)
#   test/lab/lab down             (stops the lab again)
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=${1:-examples}
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run -s build
eval "$(test/lab/lab up | sed 's/^/export /')"
echo "swarm: $DOCKER_HOST   redis: $REDIS_URL" >&2
node bin/swarmkeeper.js apply -f "$dir" --prune --wait --timeout 3m
node bin/swarmkeeper.js status -f "$dir"
