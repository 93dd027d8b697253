# swarmkeeper test lab -- Redis, registry and the test volume plugin.  Sourced by test/lab/lab.

redis_ping() { [ "$(timeout 2 redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null)" = PONG ]; }

# redis_start [PORT]: redis-server on 127.0.0.1, no persistence, own dir/pidfile; a free port is
# picked at run time unless PORT is given (restart keeps the port)
redis_start() {
  local R=$STATE/redis want=${1:-} port
  mkdir -p "$R"
  for _ in 1 2 3 4 5; do
    port=${want:-$(free_port)} || die "no free loopback port for redis"
    nohup setsid redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no \
      --dir "$R" --pidfile "$R/redis.pid" --daemonize no --logfile "$R/redis.log" \
      >/dev/null 2>&1 </dev/null 8>&- &
    echo $! >"$R/started.pid"
    echo "$port" >"$R/port"
    if wait_until 10 "redis on :$port" redis_or_dead "$port"; then
      redis_ping "$port" && return 0
    fi
    stop_pid "$R/started.pid" 5
    [ -n "$want" ] && break
    log "redis failed on port $port, trying another"
  done
  tail -5 "$R/redis.log" >&2 2>/dev/null || true
  die "redis did not start"
}
redis_or_dead() { redis_ping "$1" || ! pid_alive "$STATE/redis/started.pid"; }

redis_restart() {
  local R=$STATE/redis port
  [ -f "$R/port" ] || die "redis not started by this lab"
  port=$(cat "$R/port")
  stop_pid "$R/started.pid" 10
  redis_start "$port"
  log "redis restarted on :$port (pid $(cat "$R/started.pid"))"
}

registry_up() { curl -sf -m 2 "http://$NET.1:5000/v2/" >/dev/null; }
registry_or_dead() { registry_up || ! pid_alive "$STATE/registry/started.pid"; }

# registry_start: Debian docker-registry (distribution 2.8), no auth, on the bridge address :5000
registry_start() {
  local R=$STATE/registry
  pid_alive "$R/started.pid" && return 0
  [ -z "$(ss -Htln "src $NET.1 and sport = :5000" 2>/dev/null)" ] || die "$NET.1:5000 is already in use"
  mkdir -p "$R/storage"
  cat >"$R/config.yml" <<YML
version: 0.1
log: {level: warn, fields: {service: registry}}
storage:
  filesystem: {rootdirectory: $R/storage}
  delete: {enabled: true}
http:
  addr: $NET.1:5000
YML
  nohup setsid docker-registry serve "$R/config.yml" >"$R/registry.log" 2>&1 </dev/null 8>&- &
  echo $! >"$R/started.pid"
  wait_until 30 "registry" registry_or_dead && registry_up || {
    tail -5 "$R/registry.log" >&2
    die "registry did not start"
  }
  echo "$NET.1:5000" >"$R/addr"
}

# registry_stop: TERM the registry by its pid; storage and address stay for registry_start
registry_stop() {
  [ -f "$STATE/registry/addr" ] || die "registry not started by this lab"
  stop_pid "$STATE/registry/started.pid" 10
  log "registry stopped"
}

# plugin_build: static C volume plugin -> `docker plugin create` on n1 -> push -> rm (nodes install it
# from the registry with `docker plugin install --grant-all-permissions`)
plugin_build() {
  local ref=$NET.1:5000/lab/swlvol:1 b
  [ -f "$STATE/plugin-ref" ] && return 0
  b=$(mktemp -d)
  gcc -static -O2 -o "$b/swlvol" "$LAB_DIR/plugin/swlvol.c" || die "gcc -static failed (libc6-dev installed?)"
  strip "$b/swlvol"
  mkdir -p "$b/pl/rootfs/run/docker/plugins" "$b/pl/rootfs/data" "$b/pl/rootfs/tmp" \
    "$b/pl/rootfs/dev" "$b/pl/rootfs/proc" "$b/pl/rootfs/sys" "$b/pl/rootfs/etc"
  cp "$b/swlvol" "$b/pl/rootfs/swlvol"
  cp "$LAB_DIR/plugin/config.json" "$b/pl/config.json"
  dk 1 plugin rm -f "$ref" >/dev/null 2>&1 || true
  dk 1 plugin create "$ref" "$b/pl" >/dev/null
  dk 1 plugin ls -q --no-trunc >>"$STATE/plugin-ids" 2>/dev/null || true
  dk 1 plugin push "$ref" >/dev/null
  dk 1 plugin rm -f "$ref" >/dev/null
  rm -rf "$b"
  echo "$ref" >"$STATE/plugin-ref"
}
