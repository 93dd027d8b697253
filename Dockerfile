# swarmkeeper controller image.
#
# Build with deploy/image/build.sh (creates the base images first; see deploy/image/README.md).
# Two stages:
#   build    node + npm: compiles TypeScript and bundles the CLI (npm run build), and drops
#            devDependencies (npm prune).
#            node_modules comes from the build context, installed by `npm install` on the host from
#            package-lock.json: the builder needs no registry access (there is none in the lab).
#   runtime  node only (no shell, no npm), runs as uid 10001.
# Node 24 (LTS) in both stages: build-base.sh makes local/node:24 from the npm-installed Node 24
# (node_modules/.bin/node, the devDependency `node`), not from the host's system Node.
# With registry access the official images work as well:
#   docker build --build-arg BUILDER_IMAGE=node:24-bookworm --build-arg BASE_IMAGE=node:24-bookworm-slim -t swarmkeeper .
ARG BUILDER_IMAGE=local/node:24-build
ARG BASE_IMAGE=local/node:24

FROM ${BUILDER_IMAGE} AS build
WORKDIR /src
# Dependencies first: this layer is reused while package-lock.json and node_modules stay the same.
COPY package.json package-lock.json ./
COPY node_modules ./node_modules
COPY tsconfig.json tsconfig.build.json ./
# One COPY per folder in "include" of tsconfig.build.json (test/integration/image.test.ts checks this).
COPY reconciler ./reconciler
COPY controllers ./controllers
COPY machines ./machines
# build/bundle-cli.ts: the CLI's bundle (dist/cli), made by npm run build after tsc
COPY build ./build
RUN npm run build \
 && npm prune --omit=dev --offline --no-audit --no-fund

FROM ${BASE_IMAGE} AS runtime
WORKDIR /app
# MALLOC_ARENA_MAX=1: one glibc malloc arena for all of Node's threads (4-6 MiB less RSS idle), and
# V8's young generation at most 2 x 8 MiB (the default grows to 2 x 64 MiB in a pass over many
# stacks); set here, bin/swarmkeeper.js need not re-execute `run` to set them (controllers/cli/launch.ts)
ENV NODE_ENV=production \
    HOME=/home/swarmkeeper \
    MALLOC_ARENA_MAX=1 \
    NODE_OPTIONS=--max-semi-space-size=8
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY bin ./bin
COPY crds ./crds
COPY deploy/image/healthcheck.mjs ./healthcheck.mjs
USER 10001:10001
ENTRYPOINT ["node", "/app/bin/swarmkeeper.js"]
CMD ["run"]
LABEL org.opencontainers.image.title="swarmkeeper" \
      org.opencontainers.image.description="A Kubernetes-style reconciling controller for Docker Swarm" \
      org.opencontainers.image.licenses="Apache-2.0"
