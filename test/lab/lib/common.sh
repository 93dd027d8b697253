# swarmkeeper test lab -- shared helpers and configuration.  Sourced by test/lab/lab.
# Every process the lab starts is recorded by pid; teardown stops only those pids.
# Daemons are started with fd 8 (the lab lock, see `lock` in ../lab) closed, else they would hold the lock.

# shellcheck disable=SC2034  # variables are used by the other lib files
LAB_NAME=${LAB_NAME:-sk}
LAB_ROOT=${LAB_ROOT:-/var/lib/swarmkeeper-lab}
STATE=$LAB_ROOT/$LAB_NAME
LOCK=$LAB_ROOT/.$LAB_NAME.lock
BR=${LAB_NAME}br0
BUSYBOX_TAG=local/busybox:1
BUSYBOX_BIN=${BUSYBOX_BIN:-/bin/busybox} # from busybox-static
DOCKER=/usr/bin/docker                   # Debian 20.10 client: matches the daemon (not /usr/local/bin/docker)
DOCKERD=/usr/sbin/dockerd
FW_COMMENT="swarmkeeper-lab:$LAB_NAME"

# the docker CLI must only ever talk to the socket we give it
unset DOCKER_HOST DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH

now_ms() { date +%s%3N; }
log() { echo "[lab $LAB_NAME $(date +%T.%3N)] $*" >&2; }
die() {
  log "error: $*"
  exit 1
}

validate_name() {
  # interface names must stay <= 15 chars: "<name>br0" and "<name>v<i>"
  [[ $LAB_NAME =~ ^[a-z][a-z0-9]{0,9}$ ]] || die "LAB_NAME must match ^[a-z][a-z0-9]{0,9}\$ (got '$LAB_NAME')"
}

# node helpers: n=index
node_dir() { echo "$STATE/n$1"; }
node_ns() { echo "${LAB_NAME}-n$1"; }
node_veth() { echo "${LAB_NAME}v$1"; }
node_host() { echo "${LAB_NAME}-n$1"; }
node_addr() { echo "$NET.1$1"; }
node_sock() { echo "$STATE/n$1/docker.sock"; }
dk() {
  local n=$1
  shift
  "$DOCKER" -H "unix://$(node_sock "$n")" "$@"
}
engine_up() { curl -sf -m 5 --unix-socket "$(node_sock "$1")" http://x/_ping >/dev/null 2>&1; }
node_list() { [ -f "$STATE/nodes" ] && cat "$STATE/nodes" || true; }

# wait_pids PID...: wait for the given background jobs only (never a bare `wait`: the shell that ran
# `lab up` is also the parent of the dockerds it started); fails if any job failed
wait_pids() {
  local p rc=0
  for p in "$@"; do wait "$p" || rc=1; done
  return $rc
}

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# pid_start PID: the process's start time (clock ticks since boot, /proc/PID/stat field 22), or
# nothing. A pid is reused once its process is gone (pid_max is 32768 here, so it wraps within an
# hour of tests): comparing the start time tells "still the process we signalled" from "a new one".
pid_start() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
  stat=${stat##*) } # fields after "(comm) "; field 3 is the first
  set -- $stat
  printf '%s' "${20:-}"
}

# stop_pid PIDFILE [TIMEOUT_S]: SIGTERM a pid we recorded, SIGKILL after the timeout. Every signal
# after the first goes only to the process that got the first (same start time), never to a
# process that reused its pid meanwhile.
stop_pid() {
  local f=$1 t=${2:-30} p st
  [ -f "$f" ] || return 0
  p=$(cat "$f")
  if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then
    st=$(pid_start "$p")
    kill -TERM "$p" 2>/dev/null || true
    for _ in $(seq $((t * 10))); do
      [ -n "$st" ] && [ "$(pid_start "$p")" = "$st" ] || break
      sleep 0.1
    done
    if [ -n "$st" ] && [ "$(pid_start "$p")" = "$st" ]; then
      log "pid $p still alive after ${t}s, SIGKILL"
      kill -KILL "$p" 2>/dev/null || true
      for _ in $(seq 50); do
        [ "$(pid_start "$p")" = "$st" ] || break
        sleep 0.1
      done
    fi
  fi
  rm -f "$f"
}

# umount_under DIR: lazily unmount everything mounted below DIR (deepest first)
umount_under() {
  local d m
  d=$(readlink -f "$1") || return 0
  awk -v p="$d" '$2==p || index($2, p"/")==1 {print $2}' /proc/self/mounts | sort -r | while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done
}

# containerd shims survive a dead dockerd/containerd; kill those whose -address lies under DIR
# (they can only be ours), each by pid.  comm is truncated to 15 chars: "containerd-shim".
kill_orphan_shims() {
  local d=$1 p
  for p in $(pgrep -x containerd-shim 2>/dev/null || true); do
    if tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -- "-address $d/" >/dev/null; then
      log "killing orphan shim $p"
      kill -KILL "$p" 2>/dev/null || true
    fi
  done
  return 0
}

# ensure_packages PKG...: apt-get install what is missing; apt-get update only when something is
ensure_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep 'install ok installed' >/dev/null || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing missing packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  local try
  # a fresh machine's mirror or dpkg lock can fail once: three tries, each logged
  for try in 1 2 3; do
    apt-get update -qq >&2 && apt-get install -y -qq "${missing[@]}" >&2 && return 0
    log "package install failed (try $try of 3)"
    [ "$try" -lt 3 ] && sleep $((try * 5))
  done
  die "could not install: ${missing[*]}"
}

# wait_until DEADLINE_S DESCRIPTION CMD...: poll CMD every 100 ms until it succeeds or the deadline passes
wait_until() {
  local t=$1 what=$2 end
  shift 2
  end=$(($(now_ms) + t * 1000))
  until "$@"; do
    [ "$(now_ms)" -lt "$end" ] || {
      log "timeout after ${t}s waiting for $what"
      return 1
    }
    sleep 0.1
  done
}

# free_port: a loopback TCP port nobody listens on (below the ephemeral range)
free_port() {
  local p
  for _ in $(seq 200); do
    p=$((20000 + RANDOM % 12000))
    [ -z "$(ss -Htln "sport = :$p" 2>/dev/null)" ] && {
      echo "$p"
      return 0
    }
  done
  return 1
}

# choose_subnet: "a.b.c" prefix of the lab /24.  LAB_SUBNET wins (accepts 10.79.0 or 10.79.0.0/24);
# `sk` defaults to 10.77.0; other names take the first 10.<x>.0 in 10.80..10.199 not routed on the host.
choose_subnet() {
  if [ -n "${LAB_SUBNET:-}" ]; then
    local s=${LAB_SUBNET%/24}
    [[ $s =~ ^[0-9]+\.[0-9]+\.[0-9]+\.0$ ]] && s=${s%.0}
    [[ $s =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "LAB_SUBNET must look like 10.79.0 or 10.79.0.0/24 (got '$LAB_SUBNET')"
    echo "$s"
    return 0
  fi
  [ "$LAB_NAME" = sk ] && {
    echo 10.77.0
    return 0
  }
  local x routes
  routes=$(ip -4 route show)
  for x in $(seq 80 199); do
    grep -q "^10\.$x\.0\.0/24 " <<<"$routes" || {
      echo "10.$x.0"
      return 0
    }
  done
  die "no free 10.x.0.0/24 subnet; set LAB_SUBNET"
}

# the table is read whole first: under pipefail, `ip route | grep -q` fails when grep leaves early
# and ip dies of SIGPIPE (a table longer than a pipe's buffer), which read as "not routed"
subnet_in_use() {
  local routes
  routes=$(ip -4 route show)
  grep -q "^${1//./\\.}\.0/24 " <<<"$routes"
}
