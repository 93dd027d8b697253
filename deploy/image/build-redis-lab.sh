#!/usr/bin/env bash
# Lab only: an image `local/redis:7` made from this host's redis-server and redis-cli (with their shared
# libraries), for swarms that cannot pull redis:7. Not for production: use the official image there.
#   deploy/image/build-redis-lab.sh        then: REDIS_IMAGE=local/redis:7 docker stack deploy ...
# Environment: DOCKER (default: docker), TAG (default: local/redis:7).
set -euo pipefail
DOCKER=${DOCKER:-docker}
tag=${TAG:-local/redis:7}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"
copy_elf() {
  install -D -m 0755 "$1" "$root$2"
  ldd "$1" | grep -oE '/[^ ]+' | while read -r lib; do
    [ -e "$root$lib" ] || install -D -m 0755 "$(readlink -f "$lib")" "$root$lib"
  done
}
copy_elf "$(readlink -f "$(command -v redis-server)")" /usr/local/bin/redis-server
copy_elf "$(readlink -f "$(command -v redis-cli)")" /usr/local/bin/redis-cli
mkdir -p "$root/data" "$root/tmp" "$root/etc"
chmod 1777 "$root/tmp"
printf '%s\n' 'root:x:0:0:root:/root:/sbin/nologin' 'redis:x:999:999:redis:/data:/sbin/nologin' >"$root/etc/passwd"
printf '%s\n' 'root:x:0:' 'redis:x:999:' >"$root/etc/group"
tar -C "$root" --numeric-owner --owner=0 --group=0 --exclude=./data -cf "$work/rootfs.tar" .
tar -C "$root" --numeric-owner --owner=999 --group=999 -rf "$work/rootfs.tar" ./data
"$DOCKER" import -c 'ENV PATH=/usr/local/bin:/usr/bin:/bin' -c 'WORKDIR /data' -c 'USER 999:999' \
  -c 'EXPOSE 6379' -c 'CMD ["redis-server", "--protected-mode", "no"]' \
  -m "lab redis from host $(redis-server --version | grep -oE 'v=[^ ]+')" "$work/rootfs.tar" "$tag" >/dev/null
echo "build-redis-lab.sh: built $tag" >&2
