#!/usr/bin/env bash
# Benchmark: what one service-to-service call costs the caller, the gateway's own
# client and libcurl against the floor (usage below; shared steps from lib.sh).
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
  cat <<'EOF'
Usage: bench/peers/bench-upstream.sh [options]
build/peers/upstream-cost makes keep-alive GETs with the gateway's own client
(microservices/upstream.c), with libcurl's multi interface driven from epoll (the
gateway's client until it got its own, kept as the reference) and with one send
and one recv per call ("raw", the floor), against nginx answering a fixed 200 on
CPU 1; the client runs on CPU 0 and reports its own thread's user and system CPU
per call. Interleaved rounds; the table gives medians over the rounds. The
gateway makes two such calls per request, so twice a client's difference to the
floor is what that client costs it beyond the network I/O itself; compare it with
the nginx gateway's whole CPU per request in bench/peers/bench-microservices.sh.

  --rounds N        interleaved rounds (default 5; about 1 min in all)
  --calls N         calls per measurement (default 50000)
  --inflight "LIST" calls in flight at once (default "1 32")
  --out DIR         work directory: nginx config, raw results (default build/bench-upstream)
  -h, --help        show this help
EOF
}

rounds=5 calls=50000 inflight="1 32" out=build/bench-upstream
bench_options "rounds calls inflight out" "$@"
bench_positive "$rounds" "$calls" $inflight
bench_cpus 2

mk/bench-tools.sh nginx taskset curl python3
make -s build/peers/upstream-cost

mkdir -p "$out/nginx"
out=$(cd "$out" && pwd)
port=$(bench_free_port)
# A fixed answer the size of auth-service's, and no limit on requests per
# connection so that every call reuses its connection.
{ bench_nginx_head "$out/nginx"; cat <<EOF
http {
  access_log off;
  keepalive_requests 100000000;
  server {
    listen 127.0.0.1:$port;
    location / { default_type application/json; return 200 '{"user_id":1234}'; }
  }
}
EOF
} >"$out/nginx/nginx.conf"
url=http://127.0.0.1:$port/v1/verify
bench_nginx "$out/nginx" "$url"

results=$out/results-$(date -u +%Y%m%dT%H%M%SZ).txt
for r in $(seq "$rounds"); do
  for k in $inflight; do
    # rotate the order between rounds so that drift does not favour one client
    case $((r % 3)) in
      1) order="raw client curl" ;; 2) order="client curl raw" ;; *) order="curl raw client" ;;
    esac
    for m in $order; do
      taskset -c "$load_cpu" build/peers/upstream-cost -n "$calls" -k "$k" "$m" "$url" | tee -a "$results" >&2
    done
  done
done

python3 - "$results" "$rounds" <<'EOF'
import re, sys, statistics as st
path, rounds = sys.argv[1], sys.argv[2]
rows = {}
for line in open(path):
    f = dict(kv.split("=") for kv in line.split()[1:])
    key = (line.split()[0], int(f["inflight"]))
    rows.setdefault(key, []).append((float(f["user_us"]), float(f["sys_us"])))
print(f"\nClient CPU per call, median of {rounds} rounds ({path}):\n")
print("| calls in flight | client | user µs | system µs | total µs | − floor, µs |")
print("|---|---|---|---|---|---|")
names = {"raw": "raw send + recv (floor)", "client": "the gateway's client",
         "curl": "libcurl (reference)"}
for k in sorted({k for _, k in rows}):
    med = {m: [st.median(x[i] for x in rows[(m, k)]) for i in (0, 1)]
           for m in names if (m, k) in rows}
    floor = sum(med["raw"])
    for m in names:
        if m in med:
            u, s = med[m]
            print(f"| {k} | {names[m]} | {u:.1f} | {s:.1f} | {u + s:.1f} | {u + s - floor:+.1f} |")
EOF
