#!/usr/bin/env bash
# The README's test command (`npm test`), complete on a fresh machine by itself: installs the npm
# packages when missing, runs lint, format, typecheck, the build and the unit tests, then makes sure
# the kube harness's binaries exist (test/kube/kube build: built once into /var/cache/swarmkeeper/kube,
# outside the repository; a no-op taking ~0.1 s when cached) and runs the integration suites on a
# real lab (test/lab/lab: dockerd in swarm mode, Redis; it installs docker.io, busybox-static and
# redis-server itself), which vitest's globalSetup starts.
# SK_SKIP_KUBE_BUILD=1 skips the kube build step (the kube test files then build on first use).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm install --no-audit --no-fund --no-save
echo "== lint"; npx eslint .
echo "== format"; npx prettier --check . >/dev/null || { npx prettier --check .; exit 1; }
echo "== typecheck"; npx tsc -p tsconfig.json --noEmit
echo "== build"; npm run -s build
echo "== unit"; npx vitest run --project unit
if [ "${SK_SKIP_KUBE_BUILD:-}" != 1 ]; then
  # Before the integration run: its first build takes ~20 min on 2 CPUs, longer than any test
  # file's beforeAll may wait. Progress and the build log path go to stderr.
  echo "== kube-apiserver (build or find cached)"; test/kube/kube build >/dev/null
fi
echo "== integration"; npx vitest run --project integration
