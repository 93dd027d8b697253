# swarmkeeper test lab -- network plumbing and per-node dockerd.  Sourced by test/lab/lab.

# net_up: bridge <name>br0 with $NET.1/24 + FORWARD accept rule (host FORWARD policy may be DROP
# with bridge-nf-call-iptables=1, so bridged traffic between the namespaces must be allowed)
net_up() {
  if ! ip link show "$BR" >/dev/null 2>&1; then
    ip link add "$BR" type bridge
    echo "$BR" >"$STATE/bridge"
    ip addr add "$NET.1/24" dev "$BR"
    ip link set "$BR" up
  fi
  if ! iptables -C FORWARD -i "$BR" -o "$BR" -m comment --comment "$FW_COMMENT" -j ACCEPT 2>/dev/null; then
    iptables -I FORWARD 1 -i "$BR" -o "$BR" -m comment --comment "$FW_COMMENT" -j ACCEPT
    touch "$STATE/fw-rule"
  fi
}

net_down() {
  while iptables -D FORWARD -i "$BR" -o "$BR" -m comment --comment "$FW_COMMENT" -j ACCEPT 2>/dev/null; do :; done
  [ -f "$STATE/bridge" ] && { ip link del "$BR" 2>/dev/null || true; }
  rm -f "$STATE/bridge" "$STATE/fw-rule"
}

# node_net_up N: netns <name>-n<N> with eth0 = $NET.1<N>/24, host veth <name>v<N> on the bridge
node_net_up() {
  local n=$1 ns veth
  ns=$(node_ns "$n")
  veth=$(node_veth "$n")
  ip netns add "$ns"
  echo "$ns" >"$(node_dir "$n")/netns"
  ip link add "$veth" type veth peer name eth0 netns "$ns"
  ip link set "$veth" master "$BR" up
  ip -n "$ns" addr add "$(node_addr "$n")/24" dev eth0
  ip -n "$ns" link set lo up
  ip -n "$ns" link set eth0 up
}

node_net_down() {
  local n=$1
  ip netns del "$(node_ns "$n")" 2>/dev/null || true
  ip link del "$(node_veth "$n")" 2>/dev/null || true
}

# start_dockerd N: dockerd in the node's netns and own UTS namespace (hostname <name>-n<N>).
# nsenter --net, NOT `ip netns exec` (that remounts /sys and hides the cgroup v1 mounts).
# setsid+nohup: own session, survives the calling shell; no fork, so $! is dockerd's pid.
start_dockerd() {
  local n=$1 d
  d=$(node_dir "$n")
  mkdir -p "$d/data" "$d/exec"
  # own config file (never /etc/docker/daemon.json) and own trust key: otherwise every daemon
  # shares /etc/docker/key.json and reports the same engine ID
  [ -f "$d/daemon.json" ] || printf '{"deprecated-key-path": "%s/key.json"}\n' "$d" >"$d/daemon.json"
  nohup setsid nsenter "--net=/run/netns/$(node_ns "$n")" -- unshare --uts -- \
    sh -c 'hostname "$0" && exec "$@"' "$(node_host "$n")" "$DOCKERD" \
    --data-root "$d/data" --exec-root "$d/exec" \
    --pidfile "$d/docker.pid" --host "unix://$d/docker.sock" \
    --config-file "$d/daemon.json" \
    --cgroup-parent "/swarmkeeper-lab-$LAB_NAME-n$n" \
    --insecure-registry "$NET.1:5000" \
    >>"$d/dockerd.log" 2>&1 </dev/null 8>&- &
  echo $! >"$d/started.pid"
}

# wait_engine N [TIMEOUT_S]: until the engine answers /_ping (fails fast if dockerd died)
wait_engine() {
  local n=$1 t=${2:-90} d end
  d=$(node_dir "$n")
  end=$(($(now_ms) + t * 1000))
  until engine_up "$n"; do
    if ! pid_alive "$d/started.pid" || [ "$(now_ms)" -ge "$end" ]; then
      log "engine n$n not up (log tail follows)"
      tail -20 "$d/dockerd.log" >&2
      return 1
    fi
    sleep 0.1
  done
}

# import_busybox N: docker import a one-binary busybox rootfs as local/busybox:1
import_busybox() {
  local n=$1 t
  t=$(mktemp -d)
  mkdir -p "$t/bin" "$t/tmp" "$t/etc" "$t/data" "$t/root"
  cp "$BUSYBOX_BIN" "$t/bin/busybox"
  # one process instead of ~270 `ln` calls; the loop is the fallback if chroot is not possible
  chroot "$t" /bin/busybox --install -s /bin 2>/dev/null ||
    (cd "$t/bin" && for a in $("$BUSYBOX_BIN" --list); do [ "$a" = busybox ] || ln -sf busybox "$a"; done)
  echo 'root:x:0:0:root:/root:/bin/sh' >"$t/etc/passwd"
  echo 'root:x:0:' >"$t/etc/group"
  tar -C "$t" -c . | dk "$n" import -c 'CMD ["/bin/sh"]' - "$BUSYBOX_TAG" >/dev/null
  rm -rf "$t"
}

# copy_busybox FROM TO: images are per engine
copy_busybox() { dk "$1" save "$BUSYBOX_TAG" | dk "$2" load -q >/dev/null; }

ready_count() { dk 1 node ls --format '{{.Status}}' 2>/dev/null | grep -c '^Ready$' || true; }
all_ready() { [ "$(ready_count)" = "$1" ]; }

# swarm_up NODES MANAGERS: init on n1; managers join serially (parallel manager joins race raft
# membership changes), workers in parallel; then wait for every node Ready
swarm_up() {
  local N=$1 M=$2 wt mt i pids=()
  dk 1 swarm init --advertise-addr "$(node_addr 1)" --listen-addr "$(node_addr 1):2377" >/dev/null
  wt=$(dk 1 swarm join-token -q worker)
  mt=$(dk 1 swarm join-token -q manager)
  echo manager >"$(node_dir 1)/role"
  for i in $(seq 2 "$N"); do
    local a
    a=$(node_addr "$i")
    if [ "$i" -le "$M" ]; then
      dk "$i" swarm join --token "$mt" --advertise-addr "$a" --listen-addr "$a:2377" "$(node_addr 1):2377" >/dev/null
      echo manager >"$(node_dir "$i")/role"
    else
      dk "$i" swarm join --token "$wt" --advertise-addr "$a" --listen-addr "$a:2377" "$(node_addr 1):2377" >/dev/null &
      pids+=($!)
      echo worker >"$(node_dir "$i")/role"
    fi
  done
  wait_pids "${pids[@]}"
  wait_until 60 "$N nodes Ready" all_ready "$N"
}

# node_start N: netns + dockerd for node N, recorded in $STATE/nodes
node_start() {
  local n=$1
  mkdir -p "$(node_dir "$n")"
  echo "n$n" >>"$STATE/nodes"
  node_net_up "$n"
  start_dockerd "$n"
}

# node_stop_all: leave swarm, remove containers, stop dockerds by pid, clean mounts/shims/netns
node_stop_all() {
  local nodes n ids t0 t1 t2 t3 pids
  nodes=$(node_list | sed 's/^n//')
  t0=$(now_ms)
  for n in $nodes; do # services first, from any manager that answers
    engine_up "$n" || continue
    ids=$(dk "$n" service ls -q 2>/dev/null) || continue
    [ -n "$ids" ] && { dk "$n" service rm $ids >/dev/null 2>&1 || true; }
    break
  done
  # `wait` always gets explicit pids: when up fails, this runs in the shell that started the dockerds
  pids=()
  for n in $nodes; do
    # /run/docker/plugins/<id> is NOT under exec-root: remember plugin ids to clean it later
    (engine_up "$n" && { dk "$n" plugin ls -q --no-trunc 2>/dev/null >>"$STATE/plugin-ids" || true; } &&
      dk "$n" swarm leave --force >/dev/null 2>&1) &
    pids+=($!)
  done
  wait_pids "${pids[@]}" || true
  t1=$(now_ms)
  # remove containers first: busybox httpd as PID 1 ignores SIGTERM, dockerd shutdown would wait 10 s each
  pids=()
  for n in $nodes; do
    (engine_up "$n" && ids=$(dk "$n" ps -aq 2>/dev/null) && [ -n "$ids" ] && dk "$n" rm -f $ids >/dev/null 2>&1) &
    pids+=($!)
  done
  wait_pids "${pids[@]}" || true
  t2=$(now_ms)
  pids=()
  for n in $nodes; do
    stop_pid "$(node_dir "$n")/started.pid" 30 &
    pids+=($!)
  done
  wait_pids "${pids[@]}" || true
  t3=$(now_ms)
  log "down: services+leave $((t1 - t0))ms, containers $((t2 - t1))ms, dockerd stop $((t3 - t2))ms"
  kill_orphan_shims "$STATE"
  for n in $nodes; do umount_under "$(node_dir "$n")"; done
  if [ -f "$STATE/plugin-ids" ]; then
    while read -r id; do
      [ -n "$id" ] && [[ $id =~ ^[0-9a-f]{64}$ ]] && {
        umount_under "/run/docker/plugins/$id"
        rm -rf "/run/docker/plugins/$id"
      }
    done <"$STATE/plugin-ids"
  fi
  for n in $nodes; do node_net_down "$n"; done
  cgroups_down
  log "down: shims/mounts/netns cleanup $(($(now_ms) - t3))ms"
}

# cgroups_down: remove the (empty) --cgroup-parent directories of this lab's nodes in every hierarchy
cgroups_down() {
  find /sys/fs/cgroup -maxdepth 3 -depth -type d -path "*/swarmkeeper-lab-$LAB_NAME-n[0-9]*" \
    -exec rmdir {} + 2>/dev/null || true
}
