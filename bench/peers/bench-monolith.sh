#!/usr/bin/env bash
# Benchmark: the monolith against nginx serving a static copy of one profile JSON,
# in interleaved rounds (usage below; options and shared steps from lib.sh).
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
  cat <<'EOF'
Usage: bench/peers/bench-monolith.sh [options]
Both servers get one worker (monolith --threads 1, nginx worker_processes 1) on
CPU 1; wrk runs on CPU 0 with bench/peers/wrk/tokens.lua, so every request carries
a different user's token (nginx ignores it, but the client pays the same per
request for both). Rounds are interleaved: round 1 c=64 nginx, monolith, c=256
nginx, monolith ... so drift on this shared machine hits both alike.

  (no options)        3 rounds x c=64,256,1024 x 10 s (about 3.5 min)
  --quick             the monolith alone, c=64, 10 s: a quick look at its
                      throughput without nginx
  --rounds N          interleaved rounds (default 3)
  --duration DUR      wrk duration per run (default 10s)
  --users N           seeded users (default 100000)
  --conns "LIST"      connection counts (default "64 256 1024")
  -h, --help          show this help
EOF
}

rounds=3 duration=10s users=100000 conns="64 256 1024" quick=0
bench_options "rounds duration users conns flag:quick" "$@"
bench_positive "$rounds" "$users"

tools=(wrk taskset)
[ "$quick" = 1 ] || tools+=(nginx curl python3)
mk/bench-tools.sh "${tools[@]}"
make -s bin/monolith bin/archbench

work=var/bench
data=$work/data-$users
mkdir -p "$work"
bench_seed "$data" "$users"
bench_cpus

start_monolith() {
  bench_start monolith "$work" bin/monolith --listen 127.0.0.1:0 --db "$data/app.db" --threads 1
  mono_pid=$pid
  mono_url="http://$addr/profile"
}

start_nginx() {
  local dir=$PWD/$work/nginx
  mkdir -p "$dir/www"
  # the static body: user 1's profile exactly as the monolith renders it
  local token
  token=$(awk -F'\t' '$3=="valid"{print $2; exit}' "$TOKENS")
  curl -sf -H "Authorization: Bearer $token" "$mono_url" >"$dir/www/profile"
  local port
  port=$(bench_free_port)
  { bench_nginx_head "$dir"; cat <<CONF
worker_rlimit_nofile 20000;
http {
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 75s;
  server {
    listen 127.0.0.1:$port reuseport;
    root $dir/www;
    location = /profile { default_type application/json; add_header Cache-Control no-store; }
  }
}
CONF
  } >"$dir/nginx.conf"
  nginx_url="http://127.0.0.1:$port/profile"
  bench_nginx "$dir" "$nginx_url"
}

# run_wrk NAME URL CONNS PID: one measurement; appends a row to $rows
run_wrk() {
  local name=$1 url=$2 c=$3 pid=$4 out before after
  before=$(bench_cpu_ticks "$pid")
  out=$(taskset -c "$load_cpu" wrk -t1 -c"$c" -d"$duration" --latency \
        -s bench/peers/wrk/tokens.lua "$url" 2>&1)
  after=$(bench_cpu_ticks "$pid")
  local rps p50 p99 errs non2xx reqs
  read -r reqs rps non2xx errs <<<"$(bench_wrk_counts <<<"$out")"
  p50=$(awk '$1=="50%"{print $2}' <<<"$out")
  p99=$(awk '$1=="99%"{print $2}' <<<"$out")
  local cpu_us
  cpu_us=$(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="${reqs:-0}" \
           'BEGIN{ if (n>0) printf "%.1f", t*1e6/hz/n; else print "nan" }')
  rows+=("$name $c ${rps:-0} ${p50:-nan} ${p99:-nan} ${errs:-0} ${non2xx:-0} $cpu_us")
  printf '  %-9s c=%-5s %10s req/s  p50 %-9s p99 %-9s errors %s non-2xx %s  server CPU %s us/req\n' \
    "$name" "$c" "${rps:-0}" "${p50:-?}" "${p99:-?}" "${errs:-0}" "${non2xx:-0}" "$cpu_us" >&2
  if [ "$quick" = 1 ]; then echo "$out"; fi
}

rows=()
start_monolith
echo "monolith: $mono_url (pid $mono_pid, CPU $sut_cpu); wrk on CPU $load_cpu; $users users" >&2

if [ "$quick" = 1 ]; then
  echo "warm-up (2 s), then 64 connections for $duration with a different user per request:" >&2
  taskset -c "$load_cpu" wrk -t1 -c64 -d2s -s bench/peers/wrk/tokens.lua "$mono_url" >/dev/null
  run_wrk monolith "$mono_url" 64 "$mono_pid"
  exit 0
fi

start_nginx
echo "nginx:    $nginx_url (pid $nginx_pid, CPU $sut_cpu)" >&2
for u in "$mono_url" "$nginx_url"; do   # warm-up
  taskset -c "$load_cpu" wrk -t1 -c64 -d2s -s bench/peers/wrk/tokens.lua "$u" >/dev/null
done
for r in $(seq "$rounds"); do
  echo "round $r/$rounds" >&2
  for c in $conns; do
    run_wrk nginx "$nginx_url" "$c" "$nginx_pid"
    run_wrk monolith "$mono_url" "$c" "$mono_pid"
  done
done

# Medians per (server, c) and the ratios the goals are stated in.
printf '%s\n' "${rows[@]}" >"$work/rows.txt"
python3 - "$work/rows.txt" <<'PY'
import sys, statistics as st
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
def med(name, c, col, conv=float):
    v = [conv(r[col]) for r in rows if r[0] == name and r[1] == c and r[col] != "nan"]
    return st.median(v) if v else float("nan")
def ms(s):
    for suf, f in (("us", 1e-3), ("ms", 1.0), ("s", 1e3)):
        if s.endswith(suf):
            return float(s[:-len(suf)]) * f
    return float("nan")
conns = sorted({r[1] for r in rows}, key=int)
print("| connections | nginx static req/s | monolith req/s | monolith / nginx | monolith p50 ms | monolith p99 ms | nginx p99 ms | CPU us/req nginx | CPU us/req monolith | errors+non-2xx |")
print("|---|---|---|---|---|---|---|---|---|---|")
for c in conns:
    n, m = med("nginx", c, 2), med("monolith", c, 2)
    err = sum(int(r[5]) + int(r[6]) for r in rows if r[1] == c)
    print(f"| {c} | {n:,.0f} | {m:,.0f} | {m/n:.2f}x | {med('monolith', c, 3, ms):.2f} "
          f"| {med('monolith', c, 4, ms):.2f} | {med('nginx', c, 4, ms):.2f} "
          f"| {med('nginx', c, 7):.1f} | {med('monolith', c, 7):.1f} | {err} |")
# Ratios are paired: computed within each round (the two servers ran back to back)
# and the median of those is reported, which cancels most of the machine's drift.
def paired(a, ca, b, cb):
    ra = [float(r[2]) for r in rows if r[0] == a and r[1] == ca]
    rb = [float(r[2]) for r in rows if r[0] == b and r[1] == cb]
    return st.median([x / y for x, y in zip(ra, rb)])
lo, hi = conns[0], conns[-1]
print()
print("paired ratios (median over rounds of the same round's ratio):")
for c in conns:
    print(f"  c={c}: monolith / nginx = {paired('monolith', c, 'nginx', c):.2f}x")
r1 = paired("monolith", lo, "nginx", lo)
r2 = paired("monolith", hi, "monolith", lo)
r3 = paired("nginx", hi, "nginx", lo)
print(f"goal: monolith >= 0.5x nginx static at c={lo}: {r1:.2f}x -> {'met' if r1 >= 0.5 else 'MISSED'}")
print(f"goal: monolith at c={hi} >= 0.9x its own c={lo}: {r2:.2f}x -> {'met' if r2 >= 0.9 else 'MISSED'}"
      f" (nginx: {r3:.2f}x)")
PY
