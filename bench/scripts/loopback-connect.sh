#!/usr/bin/env bash
# New-connection cost of a ruleset, without any network: each full-sync script given (from
# `KubeProxy.Bench sync --render-only DIR`) is loaded into a fresh network namespace of its own, and N TCP connects to
# 127.0.0.1 are timed there (every connect is a new conntrack entry, so it walks the NAT output chains of every table;
# the lookups miss, as for traffic that is not to a Service). A namespace without rules is measured too, as the floor.
#   sudo bench/scripts/loopback-connect.sh [-n 4000] [-r 3] FILE.nft...
set -euo pipefail
count=4000 rounds=3
while getopts n:r: o; do case $o in n) count=$OPTARG ;; r) rounds=$OPTARG ;; *) exit 2 ;; esac; done
shift $((OPTIND - 1))
probe=$(mktemp --suffix .py)
namespaces=()
cleanup() { for ns in "${namespaces[@]}"; do ip netns del "$ns" 2>/dev/null || true; done; rm -f "$probe"; }
trap cleanup EXIT
cat > "$probe" <<'PY'
import socket, sys, time
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", 18080))
server.listen(4096)
times = []
for _ in range(int(sys.argv[1])):
    client = socket.socket()
    start = time.perf_counter_ns()
    client.connect(("127.0.0.1", 18080))
    times.append(time.perf_counter_ns() - start)
    accepted, _ = server.accept()
    accepted.close()
    client.close()
times.sort()
print(f"p50 {times[len(times) // 2] / 1000:.1f} us  p90 {times[len(times) * 9 // 10] / 1000:.1f} us")
PY
run=$(head -c4 /dev/urandom | od -An -tx1 | tr -d ' \n')
labels=("no rules")
ns="kpconn-$run-0"; ip netns add "$ns"; namespaces+=("$ns"); ip netns exec "$ns" ip link set lo up
i=1
for file in "$@"; do
  ns="kpconn-$run-$i"; ip netns add "$ns"; namespaces+=("$ns")
  ip netns exec "$ns" ip link set lo up
  ip netns exec "$ns" nft -f "$file"
  labels+=("$file"); i=$((i + 1))
done
for _ in $(seq "$rounds"); do
  for j in "${!namespaces[@]}"; do
    printf '%-50s ' "${labels[$j]}:"
    ip netns exec "${namespaces[$j]}" python3 "$probe" "$count"
  done
done
