#!/usr/bin/env bash
# Benchmarks the microservices gateway against nginx doing the same job in front of
# the same services, with the monolith as the baseline, and optionally another
# build's stack as a before/after (usage below; lib.sh).
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
  cat <<'EOF'
Usage: bench/peers/bench-microservices.sh [options]
The gateway against nginx doing the same job in front of the same auth-service and
profile-service processes, with the monolith as the baseline. Interleaved rounds
in one run, wrk pinned to CPU 0 and every process of the system under test to
CPU 1, wrk rotating tokens over the seeded users. Prints a Markdown table (medians
over the rounds) and keeps the raw wrk output. With --baseline, the gateway,
auth-service and profile-service of another build (main's, say) run as a stack of
their own, "baseline", in the same rounds.

  --rounds N        interleaved rounds (default 3)
  --duration SECS   seconds per wrk run (default 10)
  --conns "LIST"    wrk connection counts (default "64 256")
  --users N         seeded users (default 10000)
  --out DIR         work directory: data, logs, raw wrk output (default build/bench-micro)
  --baseline DIR    also measure the gateway, auth-service and profile-service in DIR
  -h, --help        show this help
EOF
}

rounds=3 duration=10 conns="64 256" users=10000 out=build/bench-micro baseline=
bench_options "rounds duration conns users out baseline" "$@"
[ -z "$baseline" ] || baseline=$(cd "$baseline" && pwd)
bench_positive "$rounds" "$duration" "$users" $conns

mk/bench-tools.sh wrk nginx taskset curl python3
bench_cpus 2
make -s bin/monolith bin/archbench bin/auth-service bin/profile-service bin/gateway

bench_workdir

bench_start auth "$out" bin/auth-service --listen 127.0.0.1:0 --db "$data/auth.db" --threads 1 \
  --service-secret "$secret"
auth_addr=$addr pid_auth=$pid
bench_start profile "$out" bin/profile-service --listen 127.0.0.1:0 --db "$data/profiles.db" \
  --threads 1 --service-secret "$secret"
profile_addr=$addr pid_profile=$pid
bench_start gateway "$out" bin/gateway --listen 127.0.0.1:0 --auth-url "http://$auth_addr" \
  --profile-url "http://$profile_addr" --threads 1 --service-secret "$secret"
gateway_addr=$addr pid_gateway=$pid
systems="gateway nginx monolith"
if [ -n "$baseline" ]; then
  bench_start bauth "$out" "$baseline/auth-service" --listen 127.0.0.1:0 --db "$data/auth.db" \
    --threads 1 $(bench_secret_option "$baseline/auth-service")
  bauth_addr=$addr pid_bauth=$pid
  bench_start bprofile "$out" "$baseline/profile-service" --listen 127.0.0.1:0 \
    --db "$data/profiles.db" --threads 1 $(bench_secret_option "$baseline/profile-service")
  bprofile_addr=$addr pid_bprofile=$pid
  bench_start baseline "$out" "$baseline/gateway" --listen 127.0.0.1:0 \
    --auth-url "http://$bauth_addr" --profile-url "http://$bprofile_addr" --threads 1 \
    $(bench_secret_option "$baseline/gateway")
  baseline_addr=$addr pid_baseline=$pid
  systems="$systems baseline"
fi
bench_start monolith "$out" bin/monolith --listen 127.0.0.1:0 --db "$data/app.db" --threads 1
monolith_addr=$addr pid_monolith=$pid

# nginx as the gateway, configured as it is best deployed (lib.sh says how).
nginx_port=$(bench_free_port)
bench_nginx_gateway "$out/nginx" "$nginx_port" "$auth_addr" "$profile_addr"
nginx_addr=127.0.0.1:$nginx_port
bench_nginx "$out/nginx" "http://$nginx_addr/health"
pid_nginx=$nginx_worker

# Every process of the system under test on its CPU, all threads.
for p in "$pid_auth" "$pid_profile" "$pid_gateway" "$pid_monolith" "$pid_nginx" \
  ${baseline:+"$pid_bauth" "$pid_bprofile" "$pid_baseline"}; do
  taskset -a -pc "$sut_cpu" "$p" >/dev/null
done

# Same answer from every path before measuring anything.
token=$(awk -F'\t' '$3=="valid"{print $2; exit}' "$data/tokens.tsv")
ref=$(curl -fs -H "Authorization: Bearer $token" "http://$monolith_addr/profile")
for a in "$gateway_addr" "$nginx_addr" ${baseline:+"$baseline_addr"}; do
  got=$(curl -fs -H "Authorization: Bearer $token" "http://$a/profile") || true
  [ "$got" = "$ref" ] || { echo "bench-microservices: $a answers differently from the monolith" >&2; exit 1; }
done

ticks=$(getconf CLK_TCK)

# run TARGET CONNS ROUND: one wrk run; appends a result line to $raw/results.tsv:
# target conns round req/s p99_ms non2xx errors cpu_us_per_req(process=us,...)
run() {
  local target=$1 c=$2 round=$3 url procs
  case $target in
    gateway) url=http://$gateway_addr/profile; procs="gateway:$pid_gateway auth-service:$pid_auth profile-service:$pid_profile" ;;
    nginx) url=http://$nginx_addr/profile; procs="nginx:$pid_nginx auth-service:$pid_auth profile-service:$pid_profile" ;;
    monolith) url=http://$monolith_addr/profile; procs="monolith:$pid_monolith" ;;
    baseline) url=http://$baseline_addr/profile; procs="gateway:$pid_baseline auth-service:$pid_bauth profile-service:$pid_bprofile" ;;
  esac
  declare -A before
  local np
  for np in $procs; do before[$np]=$(bench_cpu_ticks "${np#*:}"); done
  local f=$raw/$target-c$c-r$round.txt
  taskset -c "$load_cpu" wrk -t1 -c"$c" -d"${duration}s" --timeout 5s --latency \
    -s bench/peers/wrk/tokens.lua "$url" >"$f"
  local reqs rps p99 non2xx errs cpu=""
  read -r reqs rps non2xx errs <<<"$(bench_wrk_counts "$f")"
  p99=$(awk '$1=="99%"{v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; print v}' "$f")
  for np in $procs; do
    local d=$(( $(bench_cpu_ticks "${np#*:}") - ${before[$np]} ))
    cpu+="${np%%:*}=$(awk -v d="$d" -v t="$ticks" -v r="$reqs" 'BEGIN{printf "%.1f", d*1e6/t/r}'),"
  done
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$target" "$c" "$round" "$rps" "$p99" "$non2xx" "$errs" "${cpu%,}" \
    | tee -a "$raw/results.tsv" >&2
}

echo "warming up" >&2
for t in $systems; do
  taskset -c "$load_cpu" wrk -t1 -c64 -d3s -s bench/peers/wrk/tokens.lua "http://$(eval echo \$${t}_addr)/profile" \
    >/dev/null
done

for r in $(seq "$rounds"); do
  for c in $conns; do
    # alternate the order between rounds so that drift does not favour one side
    if [ $((r % 2)) -eq 1 ]; then order=$systems; else order="nginx gateway ${systems#gateway nginx }"; fi
    for t in $order; do run "$t" "$c" "$r"; done
  done
done

# Medians over the rounds, then the table.
python3 - "$raw/results.tsv" "$rounds" "$duration" <<'EOF'
import sys, statistics as st
path, rounds, duration = sys.argv[1], sys.argv[2], sys.argv[3]
rows = [l.rstrip("\n").split("\t") for l in open(path)]
by = {}
for t, c, r, rps, p99, non2xx, errs, cpu in rows:
    d = by.setdefault((t, int(c)), {"rps": [], "p99": [], "bad": 0, "cpu": {}})
    d["rps"].append(float(rps)); d["p99"].append(float(p99))
    d["bad"] += int(non2xx) + int(errs)
    for kv in cpu.split(","):
        k, v = kv.split("=")
        d["cpu"].setdefault(k, []).append(float(v))
med = lambda xs: st.median(xs)
print(f"| conns | system | req/s (median of {rounds}) | p99 ms | non-2xx + socket errors | CPU µs/request by process |")
print("|---|---|---|---|---|---|")
for c in sorted({k[1] for k in by}):
    for t in ("gateway", "nginx", "monolith", "baseline"):
        d = by.get((t, c))
        if not d: continue
        cpu = ", ".join(f"{k} {med(v):.1f}" for k, v in d["cpu"].items())
        total = sum(med(v) for v in d["cpu"].values())
        print(f"| {c} | {t} | {med(d['rps']):,.0f} | {med(d['p99']):.2f} | {d['bad']} | {cpu} (total {total:.1f}) |")
print()
print("| conns | gateway ÷ nginx req/s | gateway p99 − nginx p99 (ms) | microservices ÷ monolith req/s | baseline ÷ monolith req/s |")
print("|---|---|---|---|---|")
for c in sorted({k[1] for k in by}):
    g, n, m, b = (by.get((t, c)) for t in ("gateway", "nginx", "monolith", "baseline"))
    if not (g and n and m): continue
    base = f"{med(b['rps'])/med(m['rps']):.2f}×" if b else "–"
    print(f"| {c} | {med(g['rps'])/med(n['rps']):.2f}× | {med(g['p99'])-med(n['p99']):+.2f} | {med(g['rps'])/med(m['rps']):.2f}× | {base} |")
print()
print("Per-round req/s (gateway / nginx):", ", ".join(
    f"c={c}: " + " ".join(f"{a:,.0f}/{b:,.0f}" for a, b in zip(by[('gateway', c)]['rps'], by[('nginx', c)]['rps']))
    for c in sorted({k[1] for k in by}) if ('gateway', c) in by and ('nginx', c) in by))
EOF
echo "raw wrk output: $raw" >&2
