#!/usr/bin/env bash
# Benchmark: serverless cold starts and warm throughput, in one run (usage below;
# shared steps from lib.sh).
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
  cat <<'EOF'
Usage: bench/peers/bench-serverless.sh [options]
 1. spawn floor: posix_spawn + init + exit + wait of bin/fn-get-profile itself
    (ARCHBENCH_DB set, no Runtime API: it opens the database and exits), the
    least any exec-mode cold start can cost; one sample before each exec-mode
    cold start (step 2), so both are measured in the same minutes;
 2. forced cold starts in each start mode (exec, fork-server): faas with a 5 ms
    idle timeout, one request every 50 ms, so every request finds no instance;
    Init Duration (spawn -> first /next) from faas's REPORT log and the client's
    latency of each cold request;
 3. warm throughput at 64 connections: bin/monolith --threads 1 against
    bin/faas --threads 1 (exec, default --max-concurrency 64: up to 64 instances)
    and, to show what one invocation per instance costs on one CPU, bin/faas
    --max-concurrency 2 (excess invocations queue in faas); interleaved rounds,
    wrk with a token per request.
The system under test runs on CPU 1, curl and wrk on CPU 0.

  --cold N          forced cold starts per start mode (default 60)
  --rounds N        warm rounds (default 3)
  --duration DUR    wrk duration per warm run (default 8s; about 3 min in all)
  --users N         seeded users (default 10000)
  --conns N         wrk connections of the warm runs (default 64)
  -h, --help        show this help
EOF
}

cold=60 rounds=3 duration=8s users=10000 conns=64
bench_options "cold rounds duration users conns" "$@"
bench_positive "$cold" "$rounds" "$users" "$conns"

mk/bench-tools.sh wrk taskset curl
command -v jq >/dev/null || bench_fail "needs jq (apt-get install jq)"
make -s all build/peers/spawn-floor

work=var/bench-serverless
data=$work/data-$users
mkdir -p "$work"
bench_seed "$data" "$users"
token=$(awk -F'\t' '$3=="valid"{print $2; exit}' "$TOKENS")
bench_cpus

# start NAME CMD...: starts a server on the SUT CPU, sets url and pid.
start() {
  local name=$1
  shift
  bench_start "$name" "$work" "$@" --listen 127.0.0.1:0
  url="http://$addr/profile"
}

stop() { bench_stop "$1"; }

# pct P: the P-th percentile (nearest rank) of the numbers on stdin.
pct() { sort -g | awk -v p="$1" '{v[NR]=$1} END {i=int(NR*p/100+0.999); if(i<1)i=1; printf "%.2f", v[i]}'; }

# One spawn-floor sample before every exec-mode cold start, so that the floor and
# the cold starts are measured in the same minutes (this VM's speed drifts).
floor_samples=$work/floor.txt
rm -f "$floor_samples"

declare -A init_p50 init_p90 client_p50 ncold
for mode in exec fork-server; do
  echo "== $cold forced cold starts, --start $mode"
  report=$work/cold-$mode.jsonl client=$work/cold-$mode-client.txt
  rm -f "$report" "$client"
  start "faas-cold-$mode" bin/faas --function bin/fn-get-profile --env "ARCHBENCH_DB=$data/app.db" \
    --start "$mode" --idle-timeout-ms 5 --threads 1 --report-log "$report"
  for _ in $(seq "$cold"); do
    sleep 0.05
    if [ "$mode" = exec ]; then
      ARCHBENCH_DB=$data/app.db taskset -c "$sut_cpu" build/peers/spawn-floor -n 1 bin/fn-get-profile \
        | sed -n 's/.*p50=\([0-9.]*\) ms.*/\1/p' >>"$floor_samples"
      sleep 0.05
    fi
    taskset -c "$load_cpu" curl -s -o /dev/null -w '%{time_total}\n' \
      -H "Authorization: Bearer $token" "$url" >>"$client"
  done
  stop "$pid"
  ncold[$mode]=$(jq -r 'select(.initDurationMs != null) | .initDurationMs' "$report" | wc -l)
  init_p50[$mode]=$(jq -r 'select(.initDurationMs != null) | .initDurationMs' "$report" | pct 50)
  init_p90[$mode]=$(jq -r 'select(.initDurationMs != null) | .initDurationMs' "$report" | pct 90)
  client_p50[$mode]=$(awk '{print $1 * 1000}' "$client" | pct 50)
  echo "cold starts: ${ncold[$mode]}/$cold  Init Duration p50 ${init_p50[$mode]} ms  p90 ${init_p90[$mode]} ms  client p50 ${client_p50[$mode]} ms"
done
floor=$(pct 50 <"$floor_samples")
echo "spawn floor of bin/fn-get-profile (init, then exit), $cold samples between the exec cold starts: p50 $floor ms"

# wrk_rps NAME URL: warm-up 2 s, then the measured run; prints "rps non2xx errors".
wrk_rps() {
  taskset -c "$load_cpu" wrk -t1 -c"$conns" -d2s -s bench/peers/wrk/tokens.lua "$2" >/dev/null 2>&1
  taskset -c "$load_cpu" wrk -t1 -c"$conns" -d"$duration" -s bench/peers/wrk/tokens.lua "$2" \
    >"$work/wrk-$1.txt" 2>&1
  local rps non2xx errs
  read -r _ rps non2xx errs <<<"$(bench_wrk_counts "$work/wrk-$1.txt")"
  echo "$rps $non2xx $errs"
}

mono=() faas=() faas2=()
for r in $(seq "$rounds"); do
  start monolith bin/monolith --db "$data/app.db" --threads 1
  read -r rps n2 er <<<"$(wrk_rps "monolith-$r" "$url")"
  stop "$pid"
  echo "round $r monolith: $rps req/s (non-2xx $n2, socket errors $er)"
  mono+=("$rps")
  start faas-warm bin/faas --function bin/fn-get-profile --env "ARCHBENCH_DB=$data/app.db" --threads 1
  read -r rps n2 er <<<"$(wrk_rps "faas-$r" "$url")"
  stop "$pid"
  echo "round $r faas:     $rps req/s (non-2xx $n2, socket errors $er)"
  faas+=("$rps")
  start faas-warm-mc2 bin/faas --function bin/fn-get-profile --env "ARCHBENCH_DB=$data/app.db" \
    --threads 1 --max-concurrency 2
  read -r rps n2 er <<<"$(wrk_rps "faas-mc2-$r" "$url")"
  stop "$pid"
  echo "round $r faas --max-concurrency 2: $rps req/s (non-2xx $n2, socket errors $er)"
  faas2+=("$rps")
done
mono_med=$(printf '%s\n' "${mono[@]}" | pct 50)
faas_med=$(printf '%s\n' "${faas[@]}" | pct 50)
faas2_med=$(printf '%s\n' "${faas2[@]}" | pct 50)
ratio2=$(awk -v a="$faas2_med" -v b="$mono_med" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')
ratio=$(awk -v a="$faas_med" -v b="$mono_med" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')

goal() { awk -v ok="$1" 'BEGIN {print (ok ? "met" : "MISSED")}'; }
exec_goal=$(goal "$(awk -v a="${init_p50[exec]}" -v f="$floor" 'BEGIN {print (a <= f + 1)}')")
fork_goal=$(goal "$(awk -v a="${init_p50[fork-server]}" 'BEGIN {print (a < 1)}')")
warm_goal=$(goal "$(awk -v r="$ratio" 'BEGIN {print (r >= 0.4)}')")
{
  echo
  echo "| measure | result | goal | |"
  echo "|---|---|---|---|"
  echo "| spawn floor: fn-get-profile spawn+init+exit+wait, p50 | $floor ms | | |"
  echo "| exec cold start: Init Duration p50 (p90), ${ncold[exec]} cold | ${init_p50[exec]} ms (${init_p90[exec]}) | <= floor + 1 ms | $exec_goal |"
  echo "| exec cold request, client latency p50 | ${client_p50[exec]} ms | | |"
  echo "| fork-server cold start: Init Duration p50 (p90), ${ncold[fork-server]} cold | ${init_p50[fork-server]} ms (${init_p90[fork-server]}) | < 1 ms | $fork_goal |"
  echo "| fork-server cold request, client latency p50 | ${client_p50[fork-server]} ms | | |"
  echo "| warm throughput c=$conns, monolith median of $rounds | $mono_med req/s | | |"
  echo "| warm throughput c=$conns, faas (exec) median of $rounds | $faas_med req/s | | |"
  echo "| faas / monolith | $ratio | >= 0.4 | $warm_goal |"
  echo "| warm throughput c=$conns, faas --max-concurrency 2, median of $rounds | $faas2_med req/s ($ratio2 x monolith) | | |"
} | tee "$work/results.md"
