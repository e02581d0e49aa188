#!/usr/bin/env bash
# Starts a 6-node Redis Cluster (3 masters + 3 replicas) on 127.0.0.1:7001-7006 from the installed
# redis-server, and waits until every node reports cluster_state:ok, sees 3 replicas and lists them in
# CLUSTER SLOTS (so a client's first look at the cluster finds all six nodes).
# Succeeds at once when the cluster is already up. Exits non-zero with the failing node's log tail otherwise.
#
# Environment (both optional; the defaults are the shared test cluster):
#   REDIS_CLUSTER_BASE_PORT  first port (default 7001): nodes listen on BASE..BASE+5, their cluster bus on
#                            BASE+10000..BASE+10005. A throw-away cluster for one test uses another base.
#   REDIS_CLUSTER_DIR        where nodes keep config, logs and pid files (default redis-cluster/.run for
#                            base 7001, redis-cluster/.run-BASE otherwise). stop.sh deletes it.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
host=127.0.0.1
base_port="${REDIS_CLUSTER_BASE_PORT:-7001}"
# The cluster bus listens on port + 10000, so the highest base is 65535 - 10000 - 5.
if ! [[ "$base_port" =~ ^[0-9]{1,5}$ ]] || [ "$base_port" -lt 1024 ] || [ "$base_port" -gt 55530 ]; then
  echo "redis-cluster: REDIS_CLUSTER_BASE_PORT must be a number from 1024 to 55530 (got \"$base_port\")" >&2
  exit 2
fi
ports=()
for i in 0 1 2 3 4 5; do ports+=($((base_port + i))); done
# Another base gets its own directory by default: stop.sh deletes it, and must never delete the shared
# cluster's state.
if [ "$base_port" -eq 7001 ]; then default_dir="$here/.run"; else default_dir="$here/.run-$base_port"; fi
run_dir="${REDIS_CLUSTER_DIR:-$default_dir}"
timeout_s="${REDIS_CLUSTER_TIMEOUT:-30}"
redis_server="${REDIS_SERVER_BIN:-redis-server}"

# Every call is bounded: something else listening on a port must not hang the script.
cli() { timeout 3 redis-cli -h "$host" "$@"; }

log_tail() {
  local port=$1
  echo "---- last lines of node $port's log ($run_dir/$port/redis.log) ----" >&2
  tail -n 20 "$run_dir/$port/redis.log" >&2 2>/dev/null || echo "(no log)" >&2
}

node_ok() { # cluster_state ok, 3 replicas seen by this node, and serving: every slot range has its replica
  local port=$1 info nodes slots
  info=$(cli -p "$port" cluster info 2>/dev/null) || return 1
  grep -q '^cluster_state:ok' <<<"$info" || return 1
  nodes=$(cli -p "$port" cluster nodes 2>/dev/null) || return 1
  [ "$(grep -c 'slave' <<<"$nodes")" -eq 3 ] || return 1
  [ "$(grep -c 'master' <<<"$nodes")" -ge 3 ] || return 1
  # CLUSTER SLOTS leaves out a replica until it has synced with its master (and this node heard so): a
  # client asking now would see 3 nodes, not 6. Each node of each slot range is one line with the host.
  slots=$(cli -p "$port" cluster slots 2>/dev/null) || return 1
  [ "$(grep -cx "$host" <<<"$slots")" -ge 6 ] || return 1
}

all_ok() {
  local port
  for port in "${ports[@]}"; do node_ok "$port" || return 1; done
}

if all_ok; then
  echo "redis-cluster: already up on $host:${ports[0]}-${ports[-1]}"
  exit 0
fi

command -v "$redis_server" >/dev/null || { echo "redis-cluster: $redis_server not found (install redis-server)" >&2; exit 1; }
command -v redis-cli >/dev/null || { echo "redis-cluster: redis-cli not found (install redis-tools)" >&2; exit 1; }

# Start every node that does not answer; a node that answers but is not clustered is reset below.
for port in "${ports[@]}"; do
  if cli -p "$port" ping 2>/dev/null | grep -q PONG; then continue; fi
  dir="$run_dir/$port"
  rm -rf "$dir" && mkdir -p "$dir"
  sed -e "s#{{PORT}}#$port#g" -e "s#{{DIR}}#$dir#g" "$here/node.conf.template" >"$dir/redis.conf"
  if ! "$redis_server" "$dir/redis.conf" >"$dir/start.out" 2>&1; then
    echo "redis-cluster: node $port failed to start:" >&2
    cat "$dir/start.out" >&2
    log_tail "$port"
    exit 1
  fi
done

# Wait until each node answers (10 s in all).
deadline=$((SECONDS + 10))
for port in "${ports[@]}"; do
  until timeout 1 redis-cli -h "$host" -p "$port" ping 2>/dev/null | grep -q PONG; do
    if [ $SECONDS -ge $deadline ]; then
      echo "redis-cluster: node $port does not answer PING" >&2
      cat "$run_dir/$port/start.out" >&2 2>/dev/null || true
      log_tail "$port"
      exit 1
    fi
    sleep 0.1
  done
done

# Create the cluster unless the nodes already formed one (e.g. a restart after a partial failure).
known=$(cli -p "${ports[0]}" cluster info | grep '^cluster_known_nodes:' | cut -d: -f2 | tr -d '\r')
if [ "${known:-1}" -lt 6 ]; then
  for port in "${ports[@]}"; do
    cli -p "$port" flushall >/dev/null 2>&1 || true
    cli -p "$port" cluster reset hard >/dev/null
  done
  addrs=()
  for port in "${ports[@]}"; do addrs+=("$host:$port"); done
  if ! timeout 60 redis-cli --cluster create "${addrs[@]}" --cluster-replicas 1 --cluster-yes >"$run_dir/create.out" 2>&1; then
    echo "redis-cluster: cluster create failed:" >&2
    tail -n 20 "$run_dir/create.out" >&2
    exit 1
  fi
fi

# cluster_state:ok comes before replicas have gossiped and synced: wait for all of it on every node.
deadline=$((SECONDS + timeout_s))
while ! all_ok; do
  if [ $SECONDS -ge $deadline ]; then
    for port in "${ports[@]}"; do
      if ! node_ok "$port"; then
        echo "redis-cluster: node $port not ready after ${timeout_s}s:" >&2
        cli -p "$port" cluster info 2>&1 | head -3 >&2 || true
        log_tail "$port"
        exit 1
      fi
    done
  fi
  sleep 0.2
done
echo "redis-cluster: up on $host:${ports[0]}-${ports[-1]} (3 masters, 3 replicas)"
