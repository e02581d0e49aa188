#!/usr/bin/env bash
# Stops the local 6-node Redis Cluster started by start.sh and removes its state.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
run_dir="${REDIS_CLUSTER_DIR:-$here/.run}"
for port in 7001 7002 7003 7004 7005 7006; do
  redis-cli -h 127.0.0.1 -p "$port" shutdown nosave >/dev/null 2>&1 || true
done
rm -rf "$run_dir"
echo "redis-cluster: stopped"
