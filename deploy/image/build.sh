#!/usr/bin/env bash
# Builds the swarmkeeper controller image against $DOCKER_HOST:
#   1. the base images local/node:<major> and local/node:<major>-build, if missing (build-base.sh);
#   2. node_modules from package-lock.json, if missing (npm install; the image build itself needs no registry);
#   3. docker build of the repository's Dockerfile (compile in the builder stage, copy into the runtime).
#
#   deploy/image/build.sh [TAG]        (default: $SWARMKEEPER_IMAGE or swarmkeeper:dev)
# Environment: DOCKER (default: docker), DOCKER_HOST, BUILD_ARGS (extra `docker build` arguments).
set -euo pipefail
cd "$(dirname "$0")/../.."

DOCKER=${DOCKER:-docker}
tag=${1:-${SWARMKEEPER_IMAGE:-swarmkeeper:dev}}
# The image's Node is the npm-installed one (devDependency `node`, Node 24), as for everything else
# here: the system Node only runs this npm install.
[ -x node_modules/.bin/node ] || npm install --no-audit --no-fund --no-save
PATH="$PWD/node_modules/.bin:$PATH"
major=$(node -p 'process.versions.node.split(".")[0]')
version=$(node -p 'require("./package.json").version')

if ! "$DOCKER" image inspect "local/node:$major" "local/node:$major-build" >/dev/null 2>&1; then
  # NODE named: under npm/npx, $NODE is the Node that runs npm (the system one), not this one
  DOCKER=$DOCKER NODE=$(command -v node) deploy/image/build-base.sh
fi

start=$(date +%s)
# The classic builder: works with every daemon and client here (BuildKit needs the buildx plugin on newer
# clients); the Dockerfile uses nothing BuildKit-specific.
# shellcheck disable=SC2086
DOCKER_BUILDKIT=0 "$DOCKER" build --quiet --force-rm \
  --build-arg "BUILDER_IMAGE=local/node:$major-build" --build-arg "BASE_IMAGE=local/node:$major" \
  --label "org.opencontainers.image.version=$version" \
  -t "$tag" ${BUILD_ARGS:-} . >/dev/null
size=$("$DOCKER" image inspect -f '{{.Size}}' "$tag")
echo "build.sh: built $tag in $(($(date +%s) - start))s, $((size / 1000000)) MB" >&2
