#!/usr/bin/env bash
# Instructions per request of a gateway, counted by callgrind: they do not drift,
# unlike CPU time on a shared VM (usage below; shared steps from lib.sh).
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
  cat <<'EOF'
Usage: bench/peers/gateway-instructions.sh [options]
bin/gateway (or another build's gateway, or nginx doing the same job: auth_request
as a HEAD, then proxy_pass, as in bench-microservices.sh) runs under valgrind's
callgrind in front of one auth-service and one profile-service. After a warm-up
its instrumentation is switched on, the counters zeroed, and bin/loadgen sends
about --requests requests; the gateway's instructions in that window (its whole
process, libraries included, the kernel not) divided by the requests answered are
printed as "SYSTEM instructions_per_request=N requests=R file=CALLGRIND_FILE"
(callgrind_annotate FILE shows where they go).

  --requests N      requests counted (default 20000)
  --conns C         loadgen connections (default 64)
  --gateway PATH    the gateway binary to measure (default bin/gateway)
  --nginx           measure nginx instead of a gateway
  --out DIR         work directory (default build/gateway-instructions)
  -h, --help        show this help
EOF
}

requests=20000 conns=64 gateway=bin/gateway nginx=0 out=build/gateway-instructions
bench_options "requests conns gateway out flag:nginx" "$@"
bench_positive "$requests" "$conns"
command -v valgrind >/dev/null || bench_fail "needs valgrind"
[ "$nginx" = 0 ] || mk/bench-tools.sh nginx
bench_cpus
make -s bin/archbench bin/auth-service bin/profile-service bin/gateway bin/loadgen

mkdir -p "$out"
out=$(cd "$out" && pwd)
data=$out/data
bench_seed "$data" 10000

# The services want the secret unless the gateway measured is a build from before
# it existed, which cannot send one.
svc_secret=(--service-secret "$secret")
[ "$nginx" = 1 ] || [ -n "$(bench_secret_option "$gateway")" ] ||
  svc_secret=(--insecure-no-service-secret)
bench_start auth "$out" bin/auth-service --listen 127.0.0.1:0 --db "$data/auth.db" \
  --threads 1 "${svc_secret[@]}"
auth_addr=$addr
bench_start profile "$out" bin/profile-service --listen 127.0.0.1:0 --db "$data/profiles.db" \
  --threads 1 "${svc_secret[@]}"
profile_addr=$addr

cg=$out/callgrind.$([ "$nginx" = 1 ] && echo nginx || basename "$gateway").out
rm -f "$cg" "$cg".*
vg=(valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$cg")
if [ "$nginx" = 1 ]; then
  port=$(bench_free_port)
  # One process (no master), so callgrind sees the worker; otherwise the
  # configuration of bench-microservices.sh.
  bench_nginx_gateway "$out/nginx" "$port" "$auth_addr" "$profile_addr" "master_process off;"
  taskset -c "$sut_cpu" "${vg[@]}" "$(command -v nginx || echo /usr/sbin/nginx)" \
    -c "$out/nginx/nginx.conf" -p "$out/nginx" -e "$out/nginx/error.log" >"$out/gw.log" 2>&1 &
  gw_pid=$!
  bench_pids+=("$gw_pid")
  gw_addr=127.0.0.1:$port
  for _ in $(seq 600); do
    curl -s -o /dev/null "http://$gw_addr/health" 2>/dev/null && break
    sleep 0.05
  done
  system=nginx
else
  bench_start gateway "$out" "${vg[@]}" "$gateway" --listen 127.0.0.1:0 --threads 1 \
    --auth-url "http://$auth_addr" --profile-url "http://$profile_addr" \
    $(bench_secret_option "$gateway")
  gw_pid=$pid gw_addr=$addr system=$gateway
fi

url=http://$gw_addr/profile
lg=(taskset -c "$load_cpu" bin/loadgen -c "$conns" --warmup 0s --timeout 10s --tokens "$TOKENS")
# Warm-up: connections opened, pools filled, lazy binding and caches settled.
"${lg[@]}" -d 3s "$url" >/dev/null
# loadgen runs for a time, not a count: the window is sized from the rate with
# instrumentation on.
callgrind_control -i on "$gw_pid" >/dev/null 2>&1
"${lg[@]}" -d 2s --verify --max-error-rate 0 --json "$out/probe.json" "$url" >/dev/null ||
  bench_fail "$system does not answer 200 (see $out)"
rate=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["throughput_rps"])' \
  "$out/probe.json")
secs=$(python3 -c "import math; print(min(600, max(2, math.ceil($requests / $rate))))")
callgrind_control -z "$gw_pid" >/dev/null 2>&1
"${lg[@]}" -d "${secs}s" --verify --json "$out/measured.json" "$url" >/dev/null
callgrind_control -d "$gw_pid" >/dev/null 2>&1
sleep 1
answered=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["requests"])' \
  "$out/measured.json")
ir=$(awk '/^totals:/{print $2}' "$cg.1")
[ -n "$ir" ] && [ "$answered" -gt 0 ] || bench_fail "no counts (see $out)"
echo "$system instructions_per_request=$((ir / answered)) requests=$answered file=$cg.1"
