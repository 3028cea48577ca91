# shellcheck shell=bash disable=SC2034  # sets variables for the scripts that source it
# bench/peers/lib.sh: what every benchmark script here shares. Sourced first thing:
#   . "$(dirname "$0")/lib.sh"
# It moves to the repository root and takes /tmp/archbench-bench.lock for the whole
# run (benchmarks on this shared machine never overlap each other or a test suite;
# a caller that already holds it sets ARCHBENCH_BENCH_LOCKED=1), then offers:
#   bench_options SPEC "$@"   --name VALUE options and flags into variables, --help
#   bench_positive V...       refuse values that are not positive integers (exit 2)
#   bench_seed DIR USERS      seed DIR once (seed 42), export TOKENS for wrk/tokens.lua,
#                             set $secret (the service secret's file)
#   bench_secret_option BIN   "--service-secret $secret" if BIN takes it
#   bench_cpus [2]            the CPU split: sut_cpu (servers) and load_cpu (clients)
#   bench_start NAME DIR CMD  start a server on sut_cpu, read its address
#   bench_stop PID            stop one server started here
#   bench_nginx_gateway DIR PORT AUTH PROFILE [LINE]  nginx.conf: nginx as the gateway
#   bench_nginx DIR PORT URL  start nginx with DIR/nginx.conf on sut_cpu
#   bench_free_port           a free loopback port
#   bench_cpu_ticks PID...    CPU ticks used so far by processes and their children
#   bench_wrk_counts [FILE]   "requests req/s non-2xx socket-errors" from wrk's output
# Every process started through these is stopped when the script exits.
set -euo pipefail
BENCH_NAME=$(basename "$0" .sh)
BENCH_LOCK=/tmp/archbench-bench.lock
case " $* " in
  *" -h "* | *" --help "*) ;; # help waits for no benchmark
  *) [ -n "${ARCHBENCH_BENCH_LOCKED:-}" ] ||
    exec env ARCHBENCH_BENCH_LOCKED=1 flock "$BENCH_LOCK" "$0" "$@" ;;
esac
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

bench_fail() { echo "$BENCH_NAME: $*" >&2; exit 1; }
bench_usage_error() { echo "$BENCH_NAME: $* (see --help)" >&2; exit 2; }

# bench_options "name1 name2 flag:quick" "$@": each --name VALUE sets $name (dashes
# become underscores), each flag:NAME makes --NAME set $NAME=1; -h/--help prints
# the script's usage function and exits 0; anything else is bad usage (exit 2).
bench_options() {
  local spec=" $1 " opt var
  shift
  while [ $# -gt 0 ]; do
    case "$1" in
      -h|--help) usage; exit 0 ;;
      --*) opt=${1#--} ;;
      *) bench_usage_error "unexpected argument '$1'" ;;
    esac
    var=${opt//-/_}
    if [[ "$spec" == *" flag:$opt "* ]]; then
      printf -v "$var" 1
      shift
    elif [[ "$spec" == *" $opt "* ]]; then
      [ $# -ge 2 ] || bench_usage_error "--$opt needs a value"
      printf -v "$var" '%s' "$2"
      shift 2
    else
      bench_usage_error "unknown option '$1'"
    fi
  done
}

bench_positive() {
  local v
  for v in "$@"; do
    [[ "$v" =~ ^[1-9][0-9]*$ ]] || bench_usage_error "expected a positive number, got '$v'"
  done
}

# bench_seed DIR USERS: the same deterministic data every script and run uses; sets
# $secret to the service secret's file (DIR/service-secret, written by the seed, or
# here for data seeded before it was).
bench_seed() {
  [ -f "$1/tokens.tsv" ] || bin/archbench seed --users "$2" --seed 42 --dir "$1" >/dev/null
  export TOKENS=$1/tokens.tsv # read by bench/peers/wrk/tokens.lua
  secret=$1/service-secret
  [ -f "$secret" ] || (umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$secret")
}

# bench_workdir: makes $out absolute, seeds $data (out/data-USERS) and creates $raw,
# this run's own folder for raw output. Reads the script's $out and $users.
# shellcheck disable=SC2154
bench_workdir() {
  mkdir -p "$out"
  out=$(cd "$out" && pwd)
  data=$out/data-$users
  bench_seed "$data" "$users"
  raw=$out/raw-$(date -u +%Y%m%dT%H%M%SZ)
  mkdir -p "$raw"
}

# bench_secret_option BIN: "--service-secret $secret" for a program that takes it
# (a build from before the service credential does not).
bench_secret_option() {
  if "$1" --help | grep -- --service-secret >/dev/null; then echo "--service-secret $secret"; fi
}

# bench_cpus [2]: servers on CPU 1, clients on CPU 0, so load and system under test
# never share a core; on one CPU both use it, unless 2 says the script needs two.
# Also raises the open-files limit for many connections.
bench_cpus() {
  if [ "$(nproc)" -ge 2 ]; then
    sut_cpu=1 load_cpu=0
  else
    [ "${1:-1}" -lt 2 ] || bench_fail "needs 2 CPUs (clients on 0, servers on 1)"
    sut_cpu=0 load_cpu=0
  fi
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
}

bench_pids=()
bench_cleanup() {
  local p
  for p in "${bench_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if declare -F bench_on_exit >/dev/null; then bench_on_exit; fi
}
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

# bench_start NAME DIR CMD...: runs CMD on sut_cpu (stdout DIR/NAME.out, stderr
# DIR/NAME.log) and waits up to 10 s for its "listening on ADDR" line; sets addr
# and pid.
bench_start() {
  local name=$1 dir=$2
  shift 2
  : >"$dir/$name.out"
  taskset -c "$sut_cpu" "$@" >"$dir/$name.out" 2>"$dir/$name.log" &
  pid=$!
  bench_pids+=("$pid")
  local _
  for _ in $(seq 200); do
    grep -q '^listening on' "$dir/$name.out" 2>/dev/null && break
    sleep 0.05
  done
  addr=$(sed -n 's/^listening on //p' "$dir/$name.out")
  [ -n "$addr" ] || bench_fail "$name did not start (see $dir/$name.log)"
}

bench_stop() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  local keep=() p
  for p in "${bench_pids[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
  bench_pids=("${keep[@]}")
}

bench_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# bench_nginx_head DIR: the first lines of every nginx.conf here (one worker, in the
# foreground, its files in DIR).
bench_nginx_head() {
  cat <<CONF
worker_processes 1;
daemon off;
pid $1/nginx.pid;
error_log $1/error.log warn;
events { worker_connections 4096; }
CONF
}

# bench_nginx_gateway DIR PORT AUTH_ADDR PROFILE_ADDR [HEAD_LINE]: writes DIR/nginx.conf
# for nginx doing the gateway's job on 127.0.0.1:PORT: auth_request to auth-service,
# the user id from its X-User-Id header, then proxy_pass to profile-service;
# keep-alive upstreams, the service secret ($secret) on both calls. The verify call
# is a HEAD: auth_request never reads a subrequest's body, so after a GET whose small
# body arrived in a second segment nginx closes the upstream connection (measured:
# ~14k TIME_WAIT sockets in 4 s and auth-service at 45 instead of 18 µs/request).
# HEAD gets the same status and X-User-Id with no body, which is how nginx is best
# deployed in front of this service. HEAD_LINE: one more main-context directive.
bench_nginx_gateway() {
  local key
  key=$(cat "$secret")
  mkdir -p "$1"
  { bench_nginx_head "$1"; [ -z "${5:-}" ] || echo "$5"; cat <<CONF
http {
  access_log off;
  upstream auth { server $3; keepalive 512; }
  upstream profile { server $4; keepalive 512; }
  server {
    listen 127.0.0.1:$2;
    location = /profile {
      auth_request /_verify;
      auth_request_set \$uid \$upstream_http_x_user_id;
      proxy_pass http://profile/v1/users/\$uid;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Authorization "";
      proxy_set_header X-Service-Secret "$key";
    }
    location = /_verify {
      internal;
      proxy_pass http://auth/v1/verify;
      proxy_method HEAD;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Service-Secret "$key";
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
    }
  }
}
CONF
  } >"$1/nginx.conf"
}

# bench_nginx DIR URL: starts nginx with DIR/nginx.conf on sut_cpu and waits up to
# 10 s for URL to answer; sets nginx_pid (the master) and nginx_worker.
bench_nginx() {
  local bin
  bin=$(command -v nginx || echo /usr/sbin/nginx)
  taskset -c "$sut_cpu" "$bin" -c "$1/nginx.conf" -p "$1" -e "$1/error.log" &
  nginx_pid=$!
  bench_pids+=("$nginx_pid")
  local _
  for _ in $(seq 200); do
    curl -s -o /dev/null "$2" 2>/dev/null && break
    sleep 0.05
  done
  curl -s -o /dev/null "$2" || bench_fail "nginx did not start (see $1/error.log)"
  nginx_worker=$(pgrep -P "$nginx_pid" | head -1)
}

bench_nginx_version() { "$(command -v nginx || echo /usr/sbin/nginx)" -v 2>&1 | sed 's/.*\///'; }

# bench_cpu_ticks PID...: user + system clock ticks of the processes and of their
# children (nginx's worker does the work, not its master).
bench_cpu_ticks() {
  local total=0 p
  for p in "$@" $(for q in "$@"; do pgrep -P "$q"; done); do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}

# bench_wrk_counts [FILE]: "requests req/s non-2xx socket-errors" of one wrk run
# (its output in FILE or on stdin).
bench_wrk_counts() {
  awk '/requests in/ {n = $1} /^Requests\/sec:/ {r = $2} /Non-2xx/ {x = $NF}
       /Socket errors/ {gsub(",", ""); e = $4 + $6 + $8 + $10}
       END {printf "%s %s %s %s\n", n + 0, (r == "" ? 0 : r), x + 0, e + 0}' "${1:-/dev/stdin}"
}
