#!/usr/bin/env bash
# Is loadgen ever the bottleneck? loadgen and wrk, interleaved, against one nginx
# worker serving a static JSON file (usage below; shared steps from lib.sh).
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
  cat <<'EOF'
Usage: bench/peers/bench-loadgen.sh [options]
Runs loadgen and wrk, interleaved, against one nginx worker serving a static JSON
file, at 1, 64 and 256 connections, for several rounds, and reports medians.
Request rates come from the server (nginx stub_status, read before and after each
run), so neither tool grades itself. nginx is pinned to CPU 1 and every client to
CPU 0. At 1 connection the latency floor is a raw blocking probe
(build/peers/probe): loadgen's p50 is compared with it. Besides the rates it
reports each client's CPU time per request: on a shared machine the rates drift
with everything else that runs, the CPU cost much less.

  --rounds N          interleaved rounds (default 3)
  --duration SECS     seconds per run (default 5)
  --conns "LIST"      connection counts (default "1 64 256")
  -h, --help          show this help
EOF
}

rounds=3 duration=5 conns="1 64 256"
bench_options "rounds duration conns" "$@"
bench_positive "$rounds" "$duration" $conns

mk/bench-tools.sh wrk nginx taskset curl
make -s bin/loadgen build/peers/probe >&2
bench_cpus 2

tmp=$(mktemp -d /tmp/bench-loadgen.XXXXXX)
bench_on_exit() { rm -rf "$tmp"; }

port=$(bench_free_port)
mkdir -p "$tmp/www"
# A profile body like the real endpoint's (DESIGN §2).
printf '%s' '{"id":42,"username":"jose.nunez42","display_name":"José Núñez","email":"jose.nunez42@example.com","bio":"Backend developer in Madrid. Loves ☕ and 🚲.","created_at":"2024-03-01T12:00:00Z"}' > "$tmp/www/profile.json"
{ bench_nginx_head "$tmp"; cat <<CONF
http {
    access_log off;
    keepalive_requests 100000000;
    keepalive_timeout 60s;
    client_body_temp_path $tmp/body;
    proxy_temp_path $tmp/proxy;
    fastcgi_temp_path $tmp/fastcgi;
    uwsgi_temp_path $tmp/uwsgi;
    scgi_temp_path $tmp/scgi;
    server {
        listen 127.0.0.1:$port;
        location = /profile.json { root $tmp/www; default_type application/json; }
        location = /nginx_status { stub_status; }
    }
}
CONF
} > "$tmp/nginx.conf"
bench_nginx "$tmp" "http://127.0.0.1:$port/nginx_status"
url="http://127.0.0.1:$port/profile.json"
worker=$nginx_worker
hz=$(getconf CLK_TCK)
# CPU ticks (user + system) nginx's worker has used so far.
worker_ticks() { awk '{print $14 + $15}' "/proc/$worker/stat"; }

# Requests nginx has served so far (the status request itself included).
served() { curl -fs "http://127.0.0.1:$port/nginx_status" | awk 'NR==3 {print $3}'; }

# CPU seconds (user + system) the last timed client used, via bash's `time`.
TIMEFORMAT='%3U %3S'
timed() { { time "$@" > "$tmp/out" 2>"$tmp/err.client" ; } 2> "$tmp/cpu"; }
cpu_used() { awk '{print $1 + $2}' "$tmp/cpu"; }

# run TOOL CONNS -> appends "tool conns rate p50_us client_cpu_us server_cpu_us", the
# CPU figures per request served.
run() {
  local tool=$1 c=$2 before after p50 out n cpu ticks0 ticks1 scpu
  before=$(served)
  ticks0=$(worker_ticks)
  case $tool in
    wrk)
      timed timeout $((duration + 30)) taskset -c "$load_cpu" wrk -t1 -c"$c" -d"${duration}s" --latency "$url"
      out=$(cat "$tmp/out")
      # wrk prints "50.00%  41.00us" in its latency distribution.
      p50=$(awk '$1=="50%" || $1=="50.00%" {print $2}' <<<"$out" | head -1)
      p50=$(awk -v v="$p50" 'BEGIN { n=v+0; if (v ~ /ms$/) n*=1000; else if (v ~ /s$/ && v !~ /us$/) n*=1e6; print n }')
      ;;
    loadgen)
      timed timeout $((duration + 30)) taskset -c "$load_cpu" bin/loadgen -t1 -c"$c" -d"${duration}s" --warmup 0 \
        --json "$tmp/lg.json" "$url"
      p50=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["latency"]["p50"])' "$tmp/lg.json")
      ;;
    probe)
      timed timeout $((duration + 30)) taskset -c "$load_cpu" build/peers/probe 127.0.0.1 "$port" /profile.json "$duration"
      p50=$(awk '{print $4}' "$tmp/out")
      ;;
  esac
  ticks1=$(worker_ticks)
  after=$(served)
  n=$((after - before - 1))
  cpu=$(awk -v s="$(cpu_used)" -v n="$n" 'BEGIN { printf "%.2f", (n > 0 ? s * 1e6 / n : 0) }')
  scpu=$(awk -v t=$((ticks1 - ticks0)) -v hz="$hz" -v n="$n" \
    'BEGIN { printf "%.2f", (n > 0 ? t / hz * 1e6 / n : 0) }')
  echo "$tool $c $((n / duration)) $p50 $cpu $scpu $round" >> "$tmp/results"
  printf '  %-8s c=%-4s %8s req/s (server)  p50 %6s us  CPU/request: client %s us, nginx %s us\n' \
    "$tool" "$c" "$((n / duration))" "$p50" "$cpu" "$scpu" >&2
}

echo "bench-loadgen: nginx on CPU $sut_cpu ($(bench_nginx_version)), clients on CPU $load_cpu, ${duration}s runs, $rounds rounds; load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
: > "$tmp/results"
for r in $(seq "$rounds"); do
  round=$r
  echo "round $r" >&2
  for c in $conns; do
    # Alternate who goes first, so drift over time does not favour one tool.
    if [ $((r % 2)) -eq 1 ]; then order="wrk loadgen"; else order="loadgen wrk"; fi
    [ "$c" = 1 ] && order="$order probe"
    for tool in $order; do run "$tool" "$c"; sleep 1; done
  done
done

echo "bench-loadgen: done; load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
python3 - "$tmp/results" "$rounds" "$duration" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
def med(tool, c, col):
    v = [float(r[col]) for r in rows if r[0] == tool and r[1] == c]
    return statistics.median(v) if v else float("nan")
conns = sorted({r[1] for r in rows}, key=int)
print(f"Medians of {sys.argv[2]} interleaved rounds of {sys.argv[3]} s; req/s counted by nginx stub_status.")
print()
# Paired: the two tools' runs of one round are seconds apart, so their ratio is less
# exposed to the machine's drift than the ratio of medians taken over all rounds.
def paired(c, col, num, den):
    by = {}
    for r in rows:
        if r[1] == c:
            by.setdefault(r[6], {})[r[0]] = float(r[col])
    v = [x[num] / x[den] for x in by.values() if num in x and den in x and x[den] > 0]
    return statistics.median(v) if v else float("nan")
print("| connections | wrk req/s | loadgen req/s | loadgen / wrk | same-round ratio | wrk CPU/req | loadgen CPU/req"
      " | nginx CPU/req (wrk / loadgen) | wrk p50 | loadgen p50 | probe p50 | loadgen p50 / probe |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
for c in conns:
    w, l = med("wrk", c, 2), med("loadgen", c, 2)
    pr = paired(c, 2, "loadgen", "wrk")
    wc, lc = med("wrk", c, 4), med("loadgen", c, 4)
    ws, ls = med("wrk", c, 5), med("loadgen", c, 5)
    wp, lp, pp = med("wrk", c, 3), med("loadgen", c, 3), med("probe", c, 3)
    probe = f"{pp:.1f} us" if pp == pp else "-"
    ratio = f"{lp / pp:.2f}" if pp == pp else "-"
    print(f"| {c} | {w:,.0f} | {l:,.0f} | {l / w:.2f} | {pr:.2f} | {wc:.1f} us | {lc:.1f} us"
          f" | {ws:.1f} / {ls:.1f} us | {wp:.0f} us | {lp:.0f} us | {probe} | {ratio} |")
print()
print("same-round ratio: median over rounds of loadgen's rate / wrk's rate in that round.")
print("CPU/req: user + system CPU time of the client (or of nginx's worker) divided by the")
print("requests nginx served.")
PY
