#!/usr/bin/env bash
# Instructions per request of a gateway, counted by callgrind (drift-free, unlike
# CPU time on a shared VM): bin/gateway, or nginx doing the same job
# (auth_request as a HEAD + proxy_pass, as in bench/peers/bench-microservices.sh),
# in front of the same auth-service and profile-service. The gateway runs under
# valgrind, not instrumented at first; after a warm-up, instrumentation is switched
# on, the counters zeroed, about --requests requests sent by bin/loadgen, and the gateway's
# instructions (its whole process: every thread, libraries and all, the kernel
# excluded) are divided by the requests it answered in that window.
#
#   bench/peers/gateway-instructions.sh [--requests N] [--conns C] [--gateway PATH]
#                                       [--nginx] [--out DIR]
# Prints "SYSTEM instructions_per_request=N requests=R" and keeps the callgrind
# file (callgrind_annotate FILE shows where the instructions go).
set -euo pipefail
cd "$(dirname "$0")/../.."

usage() {
  cat <<'EOF'
Usage: bench/peers/gateway-instructions.sh [options]
  --requests N    requests counted (default 20000)
  --conns C       loadgen connections (default 64)
  --gateway PATH  the gateway binary to measure (default bin/gateway)
  --nginx         measure nginx instead of the gateway
  --out DIR       work directory (default build/gateway-instructions)
  -h, --help      show this help
EOF
}

requests=20000 conns=64 gateway=bin/gateway nginx=0 out=build/gateway-instructions
while [ $# -gt 0 ]; do
  case "$1" in
    --requests) requests=$2; shift 2 ;;
    --conns) conns=$2; shift 2 ;;
    --gateway) gateway=$2; shift 2 ;;
    --nginx) nginx=1; shift ;;
    --out) out=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "gateway-instructions: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
for v in "$requests" "$conns"; do
  [[ "$v" =~ ^[1-9][0-9]*$ ]] || { echo "gateway-instructions: expected a positive number, got '$v'" >&2; exit 2; }
done
command -v valgrind >/dev/null || { echo "gateway-instructions: needs valgrind" >&2; exit 1; }
[ "$nginx" = 0 ] || mk/bench-tools.sh nginx
make -s bin/archbench bin/auth-service bin/profile-service bin/gateway bin/loadgen

mkdir -p "$out"
out=$(cd "$out" && pwd)
data=$out/data
[ -f "$data/tokens.tsv" ] || bin/archbench seed --users 10000 --dir "$data" >/dev/null
[ -f "$data/service-secret" ] || head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$data/service-secret"
chmod 600 "$data/service-secret"
secret=$(cat "$data/service-secret")

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

# start NAME CMD...: starts a server and sets $addr from its "listening on" line.
start() {
  local name=$1; shift
  rm -f "$out/$name.out" # a previous run's address must not be read as this one's
  "$@" >"$out/$name.out" 2>"$out/$name.log" &
  pids+=($!)
  local i
  for i in $(seq 600); do
    if [ -s "$out/$name.out" ]; then break; fi
    sleep 0.05
  done
  addr=$(sed -n 's/^listening on //p' "$out/$name.out")
  [ -n "$addr" ] || { echo "gateway-instructions: $name did not start (see $out/$name.log)" >&2; exit 1; }
}

# secret_opt BIN: the service credential option, for programs that take it (an
# older gateway measured with --gateway may not).
secret_opt() { if "$1" --help | grep -- --service-secret >/dev/null; then echo "--service-secret $data/service-secret"; fi; }
start auth bin/auth-service --listen 127.0.0.1:0 --db "$data/auth.db" --threads 1 \
  $(secret_opt bin/auth-service)
auth_addr=$addr
start profile bin/profile-service --listen 127.0.0.1:0 --db "$data/profiles.db" --threads 1 \
  $(secret_opt bin/profile-service)
profile_addr=$addr

cg=$out/callgrind.$([ "$nginx" = 1 ] && echo nginx || basename "$gateway").out
rm -f "$cg"
vg=(valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$cg")
if [ "$nginx" = 1 ]; then
  NGINX=$(command -v nginx || echo /usr/sbin/nginx)
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  mkdir -p "$out/nginx"
  cat >"$out/nginx/nginx.conf" <<EOF
worker_processes 1;
master_process off;
daemon off;
pid $out/nginx/nginx.pid;
error_log $out/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  upstream auth { server $auth_addr; keepalive 512; }
  upstream profile { server $profile_addr; keepalive 512; }
  server {
    listen 127.0.0.1:$port;
    location = /profile {
      auth_request /_verify;
      auth_request_set \$uid \$upstream_http_x_user_id;
      proxy_pass http://profile/v1/users/\$uid;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Authorization "";
      proxy_set_header X-Service-Secret "$secret";
    }
    location = /_verify {
      internal;
      proxy_pass http://auth/v1/verify;
      proxy_method HEAD;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Service-Secret "$secret";
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
    }
  }
}
EOF
  "${vg[@]}" "$NGINX" -c "$out/nginx/nginx.conf" -p "$out/nginx" -e "$out/nginx/error.log" \
    >"$out/gw.log" 2>&1 &
  pids+=($!)
  gw_pid=$!
  gw_addr=127.0.0.1:$port
  for i in $(seq 600); do
    curl -s -o /dev/null "http://$gw_addr/health" 2>/dev/null && break
    sleep 0.05
  done
  system=nginx
else
  start gateway "${vg[@]}" "$gateway" --listen 127.0.0.1:0 --threads 1 \
    --auth-url "http://$auth_addr" --profile-url "http://$profile_addr" $(secret_opt "$gateway")
  gw_pid=${pids[-1]}
  gw_addr=$addr
  system=$gateway
fi

url=http://$gw_addr/profile
# Warm-up: connections opened, pools filled, caches and lazy binding settled.
bin/loadgen -c "$conns" -d 3s --warmup 0s --timeout 10s --tokens "$data/tokens.tsv" "$url" \
  >/dev/null
# loadgen runs for a time, not a count: size the window from the instrumented rate.
callgrind_control -i on "$gw_pid" >/dev/null 2>&1
bin/loadgen -c "$conns" -d 2s --warmup 0s --timeout 10s --tokens "$data/tokens.tsv" --verify \
  --max-error-rate 0 --json "$out/probe.json" "$url" >/dev/null ||
  { echo "gateway-instructions: $system does not answer 200 (see $out)" >&2; exit 1; }
rate=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["throughput_rps"])' \
  "$out/probe.json")
secs=$(python3 -c "import math; print(min(600, max(2, math.ceil($requests / $rate))))")
callgrind_control -z "$gw_pid" >/dev/null 2>&1
bin/loadgen -c "$conns" -d "${secs}s" --warmup 0s --timeout 10s --tokens "$data/tokens.tsv" \
  --verify --json "$out/measured.json" "$url" >/dev/null
callgrind_control -d "$gw_pid" >/dev/null 2>&1
sleep 1
answered=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["requests"])' \
  "$out/measured.json")
file=$cg.1
ir=$(awk '/^totals:/{print $2}' "$file")
[ -n "$ir" ] && [ "$answered" -gt 0 ] || { echo "gateway-instructions: no counts (see $out)" >&2; exit 1; }
echo "$system instructions_per_request=$((ir / answered)) requests=$answered file=$file"
