#!/usr/bin/env bash
# What Server-Timing costs: CPU per request of every architecture's servers with the
# header and with --no-server-timing, side by side in interleaved rounds, and the
# monolith's instructions per request under callgrind (usage below; lib.sh).
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
  cat <<'EOF'
Usage: bench/peers/server-timing-cost.sh [options]
Two copies of each architecture run at once, one with Server-Timing and one with
--no-server-timing on every server (faas's function with ARCHBENCH_SERVER_TIMING=0):
the monolith; gateway + auth-service + profile-service; faas + fn-get-profile.
Every server runs with --threads 1 on CPU 1, wrk -t1 on CPU 0. In each round every
copy gets one wrk run (on and off alternate, their order flipped every round); CPU
per request is the nanoseconds on CPU of all threads of the copy's processes (faas's
instances included, /proc/PID/task/*/schedstat) over the run, divided by the
requests wrk completed. Prints per-round figures and a Markdown table of medians
and of the median same-round on/off ratio. Then, unless --no-callgrind, the
monolith's, the microservices' and fn-get-profile's instructions per request
with and without, counted by callgrind: they do not drift (faas itself cannot run
under valgrind: it starts instances with pidfd_open, which valgrind 3.19 lacks).

  --rounds N        rounds (default 4)
  --duration SECS   seconds per wrk run (default 5)
  --conns C         wrk connections (default 16)
  --users N         seeded users (default 10000)
  --out DIR         work directory (default build/server-timing-cost)
  --no-callgrind    skip the callgrind counts
  --no-cpu          only the callgrind counts
  -h, --help        show this help
EOF
}

rounds=4 duration=5 conns=16 users=10000 out=build/server-timing-cost no_callgrind=0 no_cpu=0
bench_options "rounds duration conns users out flag:no-callgrind flag:no-cpu" "$@"
bench_positive "$rounds" "$duration" "$conns" "$users"
mk/bench-tools.sh wrk taskset curl python3
[ "$no_callgrind" = 1 ] || command -v valgrind >/dev/null || bench_fail "needs valgrind"
bench_cpus 2
make -s all

bench_workdir

# ---- CPU per request, interleaved -----------------------------------------------

declare -A url procs
archs="monolith microservices serverless"

# start_copy on|off: the three architectures, their URLs and processes by "ARCH-on".
start_copy() {
  local v=$1 flag=() env=()
  [ "$v" = on ] || flag=(--no-server-timing) env=(--env ARCHBENCH_SERVER_TIMING=0)
  bench_start "monolith-$v" "$out" bin/monolith --listen 127.0.0.1:0 --db "$data/app.db" \
    --threads 1 "${flag[@]}"
  url[monolith-$v]=http://$addr/profile procs[monolith-$v]=$pid
  bench_start "auth-$v" "$out" bin/auth-service --listen 127.0.0.1:0 --db "$data/auth.db" \
    --threads 1 --service-secret "$secret" "${flag[@]}"
  local a=$addr ps=$pid
  bench_start "profile-$v" "$out" bin/profile-service --listen 127.0.0.1:0 \
    --db "$data/profiles.db" --threads 1 --service-secret "$secret" "${flag[@]}"
  local p=$addr
  ps+=" $pid"
  bench_start "gateway-$v" "$out" bin/gateway --listen 127.0.0.1:0 --auth-url "http://$a" \
    --profile-url "http://$p" --threads 1 --service-secret "$secret" "${flag[@]}"
  url[microservices-$v]=http://$addr/profile procs[microservices-$v]="$pid $ps"
  bench_start "faas-$v" "$out" bin/faas --function bin/fn-get-profile --threads 1 \
    --listen 127.0.0.1:0 --env "ARCHBENCH_DB=$data/app.db" "${env[@]}" "${flag[@]}"
  url[serverless-$v]=http://$addr/profile procs[serverless-$v]=$pid
}

# copy_ns "PID...": nanoseconds on CPU of every thread of these processes and of
# their children (faas's instances).
copy_ns() {
  local p
  for p in $1 $(for q in $1; do pgrep -P "$q"; done); do
    cat /proc/"$p"/task/*/schedstat 2>/dev/null
  done | awk '{s += $1} END {printf "%.0f\n", s}'
}

# run ARCH-V ROUND: one wrk run; appends "arch variant round req/s cpu_us".
run() {
  local copy=$1 round=$2 before after w reqs rps
  before=$(copy_ns "${procs[$copy]}")
  w=$(taskset -c "$load_cpu" wrk -t1 -c"$conns" -d"${duration}s" --timeout 5s \
    -s bench/peers/wrk/tokens.lua "${url[$copy]}" 2>&1)
  after=$(copy_ns "${procs[$copy]}")
  read -r reqs rps _ <<<"$(bench_wrk_counts <<<"$w")"
  [ "$reqs" -gt 0 ] || bench_fail "$copy: no requests completed"
  printf '%s\t%s\t%s\t%s\t%s\n' "${copy%-*}" "${copy##*-}" "$round" "$rps" \
    "$(awk -v a="$before" -v b="$after" -v q="$reqs" 'BEGIN {printf "%.2f", (b - a) / 1e3 / q}')" |
    tee -a "$raw/results.tsv" >&2
}

# cpu_rounds: both copies started and checked, the rounds run, the table printed.
cpu_rounds() {
  start_copy on
  start_copy off

  # Each copy answers 200 and carries the header exactly when it should.
  token=$(awk -F'\t' '$3=="valid"{print $2; exit}' "$data/tokens.tsv")
  for a in $archs; do
    for v in on off; do
      head=$(curl -fsi -H "Authorization: Bearer $token" "${url[$a-$v]}") ||
        bench_fail "$a-$v does not answer 200"
      n=$(grep -ci '^server-timing:' <<<"$head" || true)
      [ "$v:$n" = on:1 ] || [ "$v:$n" = off:0 ] || bench_fail "$a-$v: $n Server-Timing lines"
    done
  done

  echo "warming up" >&2
  for a in $archs; do
    for v in on off; do
      taskset -c "$load_cpu" wrk -t1 -c"$conns" -d2s -s bench/peers/wrk/tokens.lua \
        "${url[$a-$v]}" >/dev/null
    done
  done
  for r in $(seq "$rounds"); do
    for a in $archs; do
      if [ $((r % 2)) -eq 1 ]; then run "$a-on" "$r"; run "$a-off" "$r"
      else run "$a-off" "$r"; run "$a-on" "$r"; fi
    done
  done
  python3 - "$raw/results.tsv" "$rounds" "$conns" <<'EOF'
import sys, statistics as st
path, rounds, conns = sys.argv[1], sys.argv[2], sys.argv[3]
cpu, rps = {}, {}
for a, v, r, q, c in (l.split("\t") for l in open(path)):
    cpu.setdefault((a, v), {})[r] = float(c)
    rps.setdefault((a, v), {})[r] = float(q)
print(f"| architecture | CPU µs/request with | without | same-round ratio (median of {rounds}) | range | req/s with / without |")
print("|---|---|---|---|---|---|")
for a in ("monolith", "microservices", "serverless"):
    on, off = cpu[(a, "on")], cpu[(a, "off")]
    ratios = [on[r] / off[r] for r in on]
    print(f"| {a} | {st.median(on.values()):.2f} | {st.median(off.values()):.2f} | "
          f"{(st.median(ratios) - 1) * 100:+.1f} % | {(min(ratios) - 1) * 100:+.1f} % … "
          f"{(max(ratios) - 1) * 100:+.1f} % | {st.median(rps[(a, 'on')].values()):,.0f} / "
          f"{st.median(rps[(a, 'off')].values()):,.0f} |")
print(f"\nwrk -t1 -c{conns}; CPU of every process of the architecture, both copies on CPU 1.")
EOF
  echo "raw: $raw" >&2
}

# cg_control ARGS...: callgrind_control, bounded: its vgdb once hung for minutes on
# an idle server; a second try gets through.
cg_control() {
  timeout 20 callgrind_control "$@" >/dev/null 2>&1 ||
    timeout 20 callgrind_control "$@" >/dev/null 2>&1 || bench_fail "callgrind_control $*"
}

# cg_start NAME V CMD...: CMD under callgrind, instrumentation off until asked;
# adds its pid to cg_pids and its output file to cg_files.
cg_start() {
  local name=$1 v=$2 cg=$out/callgrind.$1-$2.out
  shift 2
  rm -f "$cg" "$cg".*
  bench_start "cg-$name-$v" "$out" valgrind --tool=callgrind --instr-atstart=no \
    --callgrind-out-file="$cg" "$@"
  cg_pids+=("$pid") cg_files+=("$cg.1")
}

# callgrind_arch ARCH on|off: "instructions requests" of every server of ARCH over
# 5 s of bin/loadgen -c 8 after a 2 s warm-up (faas cannot run under valgrind: its
# instances are started through pidfd_open, a system call valgrind lacks).
callgrind_arch() {
  local flag=()
  [ "$2" = on ] || flag=(--no-server-timing)
  cg_pids=() cg_files=()
  if [ "$1" = monolith ]; then
    cg_start monolith "$2" bin/monolith --listen 127.0.0.1:0 --db "$data/app.db" --threads 1 \
      "${flag[@]}"
  else
    cg_start auth "$2" bin/auth-service --listen 127.0.0.1:0 --db "$data/auth.db" --threads 1 \
      --service-secret "$secret" "${flag[@]}"
    local a=$addr
    cg_start profile "$2" bin/profile-service --listen 127.0.0.1:0 --db "$data/profiles.db" \
      --threads 1 --service-secret "$secret" "${flag[@]}"
    cg_start gateway "$2" bin/gateway --listen 127.0.0.1:0 --auth-url "http://$a" \
      --profile-url "http://$addr" --threads 1 --service-secret "$secret" "${flag[@]}"
  fi
  local lg=(taskset -c "$load_cpu" bin/loadgen -c 8 --warmup 0s --timeout 10s --tokens "$TOKENS")
  "${lg[@]}" -d 2s "http://$addr/profile" >/dev/null
  local p
  for p in "${cg_pids[@]}"; do
    cg_control -i on "$p"
    cg_control -z "$p"
  done
  "${lg[@]}" -d 5s --verify --max-error-rate 0 --json "$out/cg-$1-$2.json" "http://$addr/profile" \
    >/dev/null || bench_fail "$1 under callgrind does not answer 200"
  for p in "${cg_pids[@]}"; do cg_control -d "$p"; done
  sleep 1
  for p in "${cg_pids[@]}"; do bench_stop "$p"; done
  local n ir=0 f
  n=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["requests"])' \
    "$out/cg-$1-$2.json")
  for f in "${cg_files[@]}"; do
    ir=$((ir + $(awk '/^totals:/{print $2}' "$f")))
  done
  [ "$ir" -gt 0 ] && [ "$n" -gt 0 ] || bench_fail "no callgrind counts (see $out)"
  echo "$ir $n"
}

# callgrind_function on|off: "instructions requests" of one fn-get-profile instance
# (faas itself runs natively, as in function-instructions.sh: the instance is a
# wrapper that execs valgrind on the function, faas's --env reaching it).
callgrind_function() {
  local flag=() env=() cg=$out/callgrind.function-$1.out
  [ "$1" = on ] || flag=(--no-server-timing) env=(--env ARCHBENCH_SERVER_TIMING=0)
  rm -f "$cg" "$cg".*
  printf '#!/bin/sh\nexec %s --tool=callgrind --instr-atstart=no --callgrind-out-file=%s %s "$@"\n' \
    "$(command -v valgrind)" "$cg" "$PWD/bin/fn-get-profile" >"$out/instance"
  chmod +x "$out/instance"
  bench_start "cg-faas-$1" "$out" bin/faas --function "$out/instance" --listen 127.0.0.1:0 \
    --threads 1 --max-concurrency 1 --timeout-ms 60000 --idle-timeout-ms 600000 \
    --memory-mb 1024 --env "ARCHBENCH_DB=$data/app.db" "${env[@]}" "${flag[@]}"
  local faas=$pid lg=(taskset -c "$load_cpu" bin/loadgen -c 1 --warmup 0s --timeout 10s --tokens "$TOKENS")
  "${lg[@]}" -d 3s "http://$addr/profile" >/dev/null
  local inst
  inst=$(pgrep -P "$faas" | head -1)
  [ -n "$inst" ] || bench_fail "no function instance is running"
  cg_control -i on "$inst"
  cg_control -z "$inst"
  "${lg[@]}" -d 5s --verify --max-error-rate 0 --json "$out/cg-function-$1.json" \
    "http://$addr/profile" >/dev/null || bench_fail "the function under callgrind does not answer 200"
  cg_control -d "$inst"
  sleep 1
  bench_stop "$faas"
  local n ir
  n=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["requests"])' \
    "$out/cg-function-$1.json")
  ir=$(awk '/^totals:/{print $2}' "$cg".1)
  [ -n "$ir" ] && [ "$n" -gt 0 ] || bench_fail "no callgrind counts for the function (see $out)"
  echo "$ir $n"
}

[ "$no_cpu" = 1 ] || cpu_rounds
[ "$no_callgrind" = 0 ] || exit 0
echo
for a in monolith microservices function; do
  if [ "$a" = function ]; then
    read -r ir_on n_on <<<"$(callgrind_function on)"
    read -r ir_off n_off <<<"$(callgrind_function off)"
  else
    read -r ir_on n_on <<<"$(callgrind_arch "$a" on)"
    read -r ir_off n_off <<<"$(callgrind_arch "$a" off)"
  fi
  [ -n "$n_on" ] && [ -n "$n_off" ] || bench_fail "$a: no callgrind counts"
  awk -v s="$a" -v a="$ir_on" -v b="$n_on" -v c="$ir_off" -v d="$n_off" 'BEGIN {
    printf "%s under callgrind: %.0f instructions/request with Server-Timing (%d requests), %.0f without (%d requests): %+.2f %%\n",
      s, a / b, b, c / d, d, (a / b / (c / d) - 1) * 100 }'
done
echo "callgrind files: $out/callgrind.*.out.1 (callgrind_annotate shows where they go)" >&2
