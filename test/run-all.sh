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
# The system Node (any npm) only runs this npm install; it installs Node 24 into node_modules/.bin
# (the devDependency `node`), first on PATH from here on: every tool below and every process the
# tests start (process.execPath) runs on it, also when this script is run without npm.
[ -x node_modules/.bin/node ] || npm install --no-audit --no-fund --no-save
PATH="$PWD/node_modules/.bin:$PATH"
echo "== node $(node --version)"
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
