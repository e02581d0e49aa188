#!/usr/bin/env bash
# Stops the local 6-node Redis Cluster started by start.sh and removes its state.
# REDIS_CLUSTER_BASE_PORT and REDIS_CLUSTER_DIR select the cluster, as for start.sh (default: the shared
# test cluster on 7001-7006). Only this cluster's nodes are touched: by port, then by the pid files in its
# run directory for any node that did not answer SHUTDOWN.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
host=127.0.0.1
base_port="${REDIS_CLUSTER_BASE_PORT:-7001}"
if ! [[ "$base_port" =~ ^[0-9]{1,5}$ ]] || [ "$base_port" -lt 1024 ] || [ "$base_port" -gt 55530 ]; then
  echo "redis-cluster: REDIS_CLUSTER_BASE_PORT must be a number from 1024 to 55530 (got \"$base_port\")" >&2
  exit 2
fi
ports=()
for i in 0 1 2 3 4 5; do ports+=($((base_port + i))); done
if [ "$base_port" -eq 7001 ]; then default_dir="$here/.run"; else default_dir="$here/.run-$base_port"; fi
run_dir="${REDIS_CLUSTER_DIR:-$default_dir}"

for port in "${ports[@]}"; do
  timeout 3 redis-cli -h "$host" -p "$port" shutdown nosave >/dev/null 2>&1 || true
done
# A node that is hung (e.g. SIGSTOPped) does not answer SHUTDOWN: kill it by its pid file, but only when
# that pid still is this node's redis-server (pids get reused).
for port in "${ports[@]}"; do
  pidfile="$run_dir/$port/redis.pid"
  [ -f "$pidfile" ] || continue
  pid=$(cat "$pidfile" 2>/dev/null) || continue
  [[ "$pid" =~ ^[0-9]+$ ]] || continue
  if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "redis-server.*:$port"; then
    kill -9 "$pid" 2>/dev/null || true
  fi
done
rm -rf "$run_dir"
echo "redis-cluster: stopped ${ports[0]}-${ports[-1]}"
