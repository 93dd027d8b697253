#!/usr/bin/env bash
# Runs the controller benches in sequence against DOCKER_HOST / REDIS_URL and prints a summary
# table of their FIGURE lines. Usage (from the repo root, after `npm run build`):
#   eval "$(LAB_NAME=skbench test/lab/lab up | grep -E '^(DOCKER_HOST|REDIS_URL)=' | sed 's/^/export /')"
#   bash bench/run-all.sh            # BENCHES="drift queue resync" to choose
set -euo pipefail
cd "$(dirname "$0")/.."
PATH="$PWD/node_modules/.bin:$PATH" # the npm-installed Node 24 (devDependency `node`), not the system's
: "${DOCKER_HOST:?set DOCKER_HOST (unix://...)}" "${REDIS_URL:?set REDIS_URL}"
[ -f dist/controllers/cli/main.js ] || { echo "run 'npm run build' first (the controller runs from dist/)" >&2; exit 2; }
out=$(mktemp -d /tmp/skbench-all-XXXXXX)
trap 'rm -rf "$out"' EXIT
status=0
for b in ${BENCHES:-drift queue resync}; do
  echo "=== bench/$b.ts"
  if ! npx tsx "bench/$b.ts" 2>&1 | grep -v '^npm warn' | tee "$out/$b.log"; then status=1; fi
done
echo
echo "=== summary ($(nproc) CPUs, node $(node --version), load $(cut -d' ' -f1-3 /proc/loadavg))"
printf '%-8s | %s\n' bench figure
printf '%-8s-+-%s\n' -------- ------------------------------------------------------------
for b in ${BENCHES:-drift queue resync}; do
  grep '^FIGURE ' "$out/$b.log" 2>/dev/null | sed 's/^FIGURE //' | while IFS= read -r line; do
    printf '%-8s | %s\n' "$b" "$line"
  done
done
exit $status
