#!/usr/bin/env bash
# Builds the Node.js base images that the Dockerfile starts FROM, without pulling anything from a
# registry: a minimal root filesystem is assembled from this host's Node.js and `docker import`ed
# (the `node` on PATH: build.sh puts the npm-installed Node 24, node_modules/.bin, first).
#
#   deploy/image/build-base.sh [--debootstrap] [--force]
#
# Images (against $DOCKER_HOST):
#   local/node:<ver> and local/node:<major>               runtime: node, its shared libraries, CA bundle,
#                                                          /etc/passwd+group (user swarmkeeper, uid 10001), /tmp
#   local/node:<ver>-build and local/node:<major>-build    builder: the runtime plus npm, /bin/sh and /usr/bin/env
#                                                          (npm runs scripts through sh; bin shims use env)
# Layout follows the official node images (/usr/local/bin/node, /usr/local/lib/node_modules/npm), so
# the Dockerfile also works with `--build-arg BASE_IMAGE=node:24-bookworm-slim --build-arg BUILDER_IMAGE=node:24-bookworm`.
#
# --debootstrap   start from a Debian minbase root filesystem made by debootstrap (needs the `debootstrap`
#                 package and a Debian mirror: $DEBIAN_MIRROR, default the first `URIs:` of this host's apt
#                 sources) instead of an empty one. Bigger (~+80 MB), but with a shell and the usual
#                 userland for debugging. Node.js is still $NODE's. Not needed for the normal build.
# --force         rebuild even if the images exist.
#
# Environment: DOCKER (default: docker), NODE (default: node on PATH; build.sh puts the npm-installed
# Node 24, node_modules/.bin, first), DEBIAN_SUITE (default: bookworm).
set -euo pipefail

DOCKER=${DOCKER:-docker}
variant=scratch
force=0
for arg in "$@"; do
  case "$arg" in
    --debootstrap) variant=debootstrap ;;
    --force) force=1 ;;
    -h | --help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build-base.sh: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

node_bin=$(command -v "${NODE:-node}") || { echo "build-base.sh: node not found on PATH" >&2; exit 1; }
node_bin=$(readlink -f "$node_bin")
node_version=$("$node_bin" -p 'process.versions.node')
node_major=${node_version%%.*}
npm_dir=$("$node_bin" -e 'const p=require("path");const f=require("fs");
  for (const d of [p.join(p.dirname(process.execPath),"../lib/node_modules/npm"),"/usr/lib/node_modules/npm","/usr/local/lib/node_modules/npm","/usr/share/nodejs/npm"])
    if (f.existsSync(p.join(d,"bin/npm-cli.js"))) { console.log(p.resolve(d)); process.exit(0) }
  process.exit(1)') || { echo "build-base.sh: npm not found next to $node_bin" >&2; exit 1; }

runtime_tag="local/node:$node_version"
build_tag="local/node:$node_version-build"
if [ "$force" = 0 ] && "$DOCKER" image inspect "$runtime_tag" "$build_tag" >/dev/null 2>&1; then
  echo "build-base.sh: $runtime_tag and $build_tag exist (use --force to rebuild)" >&2
  "$DOCKER" tag "$runtime_tag" "local/node:$node_major"
  "$DOCKER" tag "$build_tag" "local/node:$node_major-build"
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"
mkdir -p "$root"

if [ "$variant" = debootstrap ]; then
  command -v debootstrap >/dev/null || { echo "build-base.sh: install the debootstrap package first" >&2; exit 1; }
  mirror=${DEBIAN_MIRROR:-$(grep -hoE '^(URIs:|deb) +https?://[^ ]+' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null | awk '{print $2}' | head -1)}
  [ -n "$mirror" ] || { echo "build-base.sh: set DEBIAN_MIRROR" >&2; exit 1; }
  debootstrap --variant=minbase "${DEBIAN_SUITE:-bookworm}" "$root" "$mirror" >&2
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
fi

# copy_elf FILE DEST: the file at DEST inside the rootfs, plus every shared library ldd lists (at the
# same absolute path, so the dynamic loader finds them as on the host).
copy_elf() {
  install -D -m 0755 "$1" "$root$2"
  ldd "$1" | grep -oE '/[^ ]+' | while read -r lib; do
    [ -e "$root$lib" ] || install -D -m 0755 "$(readlink -f "$lib")" "$root$lib"
  done
}

copy_elf "$node_bin" /usr/local/bin/node
install -D -m 0644 /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
mkdir -p "$root/tmp" "$root/app" "$root/home/swarmkeeper"
chmod 1777 "$root/tmp"
if [ "$variant" = debootstrap ]; then
  chroot "$root" groupadd -g 10001 swarmkeeper
  chroot "$root" useradd -u 10001 -g 10001 -d /home/swarmkeeper -s /usr/sbin/nologin swarmkeeper
else
  printf '%s\n' 'root:x:0:0:root:/root:/sbin/nologin' 'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin' \
    'swarmkeeper:x:10001:10001:swarmkeeper:/home/swarmkeeper:/sbin/nologin' >"$root/etc/passwd"
  printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' 'swarmkeeper:x:10001:' >"$root/etc/group"
  # glibc resolves names through NSS; without this file `files dns` is not the guaranteed order.
  echo 'hosts: files dns' >"$root/etc/nsswitch.conf"
fi

# import ROOTFS TAG: one layer, owned by root except the swarmkeeper home directory.
import() {
  local tar="$work/rootfs.tar"
  tar -C "$1" --numeric-owner --owner=0 --group=0 --exclude=./home/swarmkeeper -cf "$tar" .
  tar -C "$1" --numeric-owner --owner=10001 --group=10001 -rf "$tar" ./home/swarmkeeper
  "$DOCKER" import \
    -c 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -c "ENV NODE_VERSION=$node_version" \
    -c 'CMD ["node"]' \
    -m "swarmkeeper base ($variant): host Node.js $node_version" \
    "$tar" "$2" >/dev/null
}

import "$root" "$runtime_tag"

# Builder: add npm and what npm needs to run package scripts.
mkdir -p "$root/usr/local/lib/node_modules"
cp -a "$npm_dir" "$root/usr/local/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
if [ "$variant" = scratch ]; then
  copy_elf "$(readlink -f /bin/sh)" /bin/sh
  copy_elf "$(readlink -f "$(command -v env)")" /usr/bin/env
fi
import "$root" "$build_tag"

"$DOCKER" tag "$runtime_tag" "local/node:$node_major"
"$DOCKER" tag "$build_tag" "local/node:$node_major-build"
echo "build-base.sh: built $runtime_tag, $build_tag (tags local/node:$node_major, local/node:$node_major-build)" >&2
