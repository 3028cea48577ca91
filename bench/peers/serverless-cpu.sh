#!/usr/bin/env bash
# CPU time per warm request of bin/faas and of its function instances, and req/s
# (the docs/serverless.md table; usage below, shared steps from lib.sh).
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
  cat <<'EOF'
Usage: bench/peers/serverless-cpu.sh [options]
CPU time per warm request of bin/faas and of its function instances, and req/s,
at c=1 and at c=64 with --max-concurrency 2, 8 and 64. faas --threads 1 runs on
CPU 1, wrk -t1 on CPU 0; CPU time is the nanoseconds on CPU of every thread of
faas and of its instances (/proc/PID/task/*/schedstat) over one wrk run after a
2 s warm-up, divided by the requests wrk completed; context switches per request
(voluntary/involuntary) from /proc/PID/task/*/status.

  --rounds N        rounds (default 3)
  --duration DUR    wrk duration per run (default 4s)
  --old DIR         a directory holding an older faas and fn-get-profile: the two
                    builds alternate within every round, so their same-round
                    ratios can be compared on a machine whose speed drifts
  --users N         seeded users (default 10000)
  -h, --help        show this help
EOF
}

rounds=3 duration=4s old="" users=10000
bench_options "rounds duration old users" "$@"
bench_positive "$rounds" "$users"

mk/bench-tools.sh wrk taskset
make -s all
work=var/bench-serverless
data=$work/data-$users
mkdir -p "$work"
bench_seed "$data" "$users"
bench_cpus
pid=""

# on_cpu PID: nanoseconds on CPU of all its threads; switches PID: "voluntary involuntary".
on_cpu() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{s += $1} END {printf "%.0f\n", s}'; }
switches() {
  cat /proc/"$1"/task/*/status 2>/dev/null |
    awk '/^voluntary_ctxt/ {v += $2} /^nonvoluntary_ctxt/ {n += $2} END {printf "%d %d\n", v, n}'
}
# sample: "faas_ns inst_ns instances faas_vol faas_invol inst_vol inst_invol"
sample() {
  local f fv fn c=0 n=0 iv=0 in=0 v x k
  f=$(on_cpu "$pid")
  read -r fv fn <<<"$(switches "$pid")"
  for k in $(pgrep -P "$pid"); do
    c=$((c + $(on_cpu "$k"))); n=$((n + 1))
    read -r v x <<<"$(switches "$k")"; iv=$((iv + v)); in=$((in + x))
  done
  echo "$f $c $n $fv $fn $iv $in"
}

# measure LABEL DIR CONNS [faas options]: one line of results.
measure() {
  local label=$1 dir=$2 conns=$3; shift 3
  bench_start cpu-faas "$work" "$dir/faas" --function "$dir/fn-get-profile" \
    --env "ARCHBENCH_DB=$data/app.db" --threads 1 --listen 127.0.0.1:0 "$@"
  local url="http://$addr/profile"
  taskset -c "$load_cpu" wrk -t1 -c"$conns" -d2s -s bench/peers/wrk/tokens.lua "$url" >/dev/null 2>&1
  local a b w
  a=$(sample)
  w=$(taskset -c "$load_cpu" wrk -t1 -c"$conns" -d"$duration" -s bench/peers/wrk/tokens.lua "$url" 2>&1)
  b=$(sample)
  bench_stop "$pid"
  local reqs rps non2xx
  read -r reqs rps non2xx _ <<<"$(bench_wrk_counts <<<"$w")"
  awk -v l="$label" -v q="$reqs" -v r="$rps" -v e="$non2xx" -v a="$a" -v b="$b" 'BEGIN {
    split(a, x, " "); split(b, y, " ")
    printf "%-28s %8.0f req/s  faas %6.1f us  instances %6.1f us (%d)  switches faas %.2f/%.2f instances %.2f/%.2f  non-2xx %s\n",
      l, r, (y[1] - x[1]) / 1e3 / q, (y[2] - x[2]) / 1e3 / q, y[3],
      (y[4] - x[4]) / q, (y[5] - x[5]) / q, (y[6] - x[6]) / q, (y[7] - x[7]) / q, e }'
}

builds=(bin)
[ -z "$old" ] || builds=("$old" bin)
for r in $(seq "$rounds"); do
  for cfg in "1" "64 --max-concurrency 2" "64 --max-concurrency 8" "64"; do
    read -r -a args <<<"$cfg"
    tag="c=${args[0]}${args[1]:+ mc=${args[2]}}"
    order=("${builds[@]}")
    [ $((r % 2)) -eq 1 ] || mapfile -t order < <(printf '%s\n' "${builds[@]}" | tac)
    for d in "${order[@]}"; do
      measure "round $r $tag $([ "$d" = bin ] && echo new || echo old)" "$d" "${args[@]}"
    done
  done
done
