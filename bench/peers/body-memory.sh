#!/usr/bin/env bash
# What request bodies held at once cost faas, with its body budget
# (--max-body-memory-mb, default 256) and without one: N clients each send most of
# a large body and hold it; faas's RSS and the clients answered 503 are printed
# (usage below; lib.sh).
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
  cat <<'EOF'
Usage: bench/peers/body-memory.sh [options]
Starts bin/faas on the server CPU, once with its default body budget and once
with --max-body-memory-mb 1048576 (no budget in effect), alternating for
--rounds rounds. In each run --clients connections send a POST head announcing
--body-mb MB and all but 100 KB of that body, and hold it; then faas's RSS and
the number of clients answered 503 are printed, one line per run.

  --clients N   connections holding a body (default 60)
  --body-mb MB  announced body size, at most 6 (default 6)
  --rounds N    rounds (default 2)
  --out DIR     work directory (default build/body-memory)
  -h, --help    show this help
EOF
}

clients=60 body_mb=6 rounds=2 out=build/body-memory
bench_options "clients body-mb rounds out" "$@"
bench_positive "$clients" "$body_mb" "$rounds"
[ "$body_mb" -le 6 ] || bench_usage_error "--body-mb: at most 6 (faas's body limit)"
mk/bench-tools.sh taskset python3
bench_cpus
make -s bin/faas bin/fn-get-profile
mkdir -p "$out"

# hold PORT PID: the clients, on load_cpu; prints "rss_mb=R answered_503=A".
hold() {
  taskset -c "$load_cpu" python3 - "$1" "$2" "$clients" "$body_mb" <<'EOF'
import select, socket, sys, time
port, pid, n, mb = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
total = mb * 1000 * 1000
pad = b" " * (total - 100 * 1000)
def rss_mb():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) // 1024
socks = []
for _ in range(n):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(f"POST /hold HTTP/1.1\r\nHost: x\r\nContent-Length: {total}\r\n\r\n".encode())
    try:
        s.sendall(pad)
    except OSError:  # answered 503 and closed while sending
        pass
    socks.append(s)
time.sleep(1)
answered = 0
for s in socks:
    if select.select([s], [], [], 0)[0]:
        try:
            answered += b" 503 " in s.recv(64)
        except OSError:
            pass
print(f"rss_mb={rss_mb()} answered_503={answered}")
EOF
}

for round in $(seq "$rounds"); do
  for cap in default 1048576; do
    flag=()
    [ "$cap" = default ] || flag=(--max-body-memory-mb "$cap")
    bench_start "faas-$cap" "$out" bin/faas --function bin/fn-get-profile \
      --listen 127.0.0.1:0 --threads 2 "${flag[@]}"
    before=$(awk '/^VmRSS/ {print int($2 / 1024)}' /proc/"$pid"/status)
    printf 'round %s  budget %-8s  %s clients x %s MB  rss_before_mb=%s %s\n' \
      "$round" "$cap" "$clients" "$body_mb" "$before" "$(hold "${addr##*:}" "$pid")"
    bench_stop "$pid"
  done
done
