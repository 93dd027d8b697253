#!/usr/bin/env bash
# Quick start: swarmkeeper reconciling a GitOps directory (default: examples/) against a local
# single-node Swarm. Starts what is missing: test/lab/lab installs docker.io, busybox-static and
# redis-server with apt, runs its own dockerd in swarm mode (in a network namespace, with a
# private data-root, exec-root, socket and pidfile) and a Redis on a free loopback port.
#
#   deploy/local/up.sh [--once] [DIR]
#     DIR      the GitOps directory to reconcile (default: examples)
#     --once   apply DIR, wait for convergence, print status and exit (no controller)
#   test/lab/lab down     stops the lab again (only what it started, by pid)
set -euo pipefail
once=0
case "${1:-}" in
  -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  --once) once=1; shift ;;
esac
cd "$(dirname "$0")/../.."
dir=${1:-examples}
# The system Node (any npm) only runs this npm install; it installs Node 24 into node_modules/.bin
# (the devDependency `node`), which runs the build and the controller below.
[ -x node_modules/.bin/node ] || npm install --no-audit --no-fund --no-save
PATH="$PWD/node_modules/.bin:$PATH"
npm run -s build
while IFS= read -r line; do export "${line?}"; done < <(test/lab/lab up)
echo "swarm: $DOCKER_HOST   redis: $REDIS_URL" >&2
if [ "$once" = 1 ]; then
  node bin/swarmkeeper.js apply -f "$dir" --prune --wait --timeout 3m
  exec node bin/swarmkeeper.js status -f "$dir"
fi
echo "swarmkeeper run: reconciling $dir; metrics on http://127.0.0.1:9464/metrics; Ctrl-C stops" >&2
exec node bin/swarmkeeper.js run --source "dir=$dir" --redis-url "$REDIS_URL" --listen 127.0.0.1:9464
