#!/usr/bin/env bash
# Instructions per warm invocation of a function instance (bin/fn-get-profile by
# default), counted by callgrind: drift-free, unlike CPU time on a shared VM.
# The instance runs under bin/faas inside valgrind, not instrumented at first;
# after a warm-up, instrumentation is switched on (callgrind_control -i on),
# --requests GET /profile requests are sent one after another over one keep-alive
# connection (each as a different user, from tokens.tsv), the counters are dumped,
# and the instance's instructions (its whole process, libraries included, the
# kernel excluded) are divided by the requests.
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
  cat <<'EOF'
Usage: bench/peers/function-instructions.sh [options]
Instructions per warm invocation of a function instance under bin/faas, counted
by callgrind (the instance's process, libraries included). Prints
"FUNCTION instructions_per_invocation=N invocations=R" and the functions that
take the most (inclusive); the callgrind file stays in --out.

  --function PATH   the function binary (default bin/fn-get-profile)
  --requests N      invocations counted (default 1000)
  --warmup N        invocations before counting (default 200)
  --users N         seeded users (default 10000)
  --out DIR         work directory (default build/function-instructions)
  --library-path D  the instance loads shared libraries from D first (e.g. a
                    libcurl built with symbols, to see where its share goes)
  -h, --help        show this help
EOF
}

function=bin/fn-get-profile requests=1000 warmup=200 users=10000 out=build/function-instructions
library_path=""
bench_options "function requests warmup users out library-path" "$@"
bench_positive "$requests" "$warmup" "$users"
command -v valgrind >/dev/null || bench_fail "needs valgrind"
make -s bin/faas bin/fn-get-profile bin/archbench
[ -x "$function" ] || bench_fail "$function: not an executable"

mkdir -p "$out"
out=$(cd "$out" && pwd)
function=$(cd "$(dirname "$function")" && pwd)/$(basename "$function")
data=var/bench-serverless/data-$users
mkdir -p var/bench-serverless
bench_seed "$data" "$users"
data=$(cd "$data" && pwd)
bench_cpus

# The instance is the wrapper, exec'ing valgrind on the function (same pid), with
# the arguments faas passes. Paths are absolute: instances need not inherit PATH.
rm -f "$out"/callgrind.*
cat >"$out/instance" <<EOF
#!/bin/sh
${library_path:+LD_LIBRARY_PATH=$(cd "$library_path" && pwd) }exec $(command -v valgrind) --tool=callgrind --instr-atstart=no \\
  --callgrind-out-file=$out/callgrind.%p.out $function "\$@"
EOF
chmod +x "$out/instance"

# requests FILE N OFFSET: a curl config of N GET /profile requests, each with the
# next valid token (from OFFSET on), all on one connection (curl's --next keeps it).
requests_config() {
  awk -F'\t' -v n="$2" -v off="$3" -v url="http://$addr/profile" '
    $3 == "valid" { t[k++] = $2 }
    END { for (i = 0; i < n; i++) {
            if (i) print "next"
            printf "url = \"%s\"\nheader = \"Authorization: Bearer %s\"\noutput = \"/dev/null\"\nwrite-out = \"%%{http_code}\\n\"\n", url, t[(off + i) % k]
          } }' "$data/tokens.tsv" >"$1"
}
# send CONFIG N: sends them; fails unless all N answered 200.
send() {
  local ok
  ok=$(taskset -c "$load_cpu" curl -s -K "$1" | grep -c '^200$' || true)
  [ "$ok" = "$2" ] || bench_fail "$ok of $2 requests answered 200 (see $out/faas.log)"
}

bench_start faas "$out" bin/faas --function "$out/instance" --listen 127.0.0.1:0 --threads 1 \
  --max-concurrency 1 --timeout-ms 60000 --idle-timeout-ms 600000 --memory-mb 1024 \
  --env "ARCHBENCH_DB=$data/app.db"
faas_pid=$pid
requests_config "$out/warmup.curl" "$warmup" 0
requests_config "$out/measured.curl" "$requests" "$warmup"
send "$out/warmup.curl" "$warmup"
instance=$(pgrep -P "$faas_pid" | head -1)
[ -n "$instance" ] || bench_fail "no instance is running"
callgrind_control -i on "$instance" >/dev/null
send "$out/measured.curl" "$requests"
callgrind_control -d "$instance" >/dev/null
bench_stop "$faas_pid"

dumps=("$out"/callgrind."$instance".out.*) # callgrind_control -d writes .out.1
cg=${dumps[-1]}
[ -f "$cg" ] || bench_fail "callgrind wrote no dump for pid $instance"
total=$(awk '/^(summary|totals):/ {print $2; exit}' "$cg")
[ -n "$total" ] || bench_fail "no totals in $cg"
echo "$(basename "$function") instructions_per_invocation=$((total / requests)) invocations=$requests"
echo "inclusive instructions per invocation of the largest functions ($cg):"
callgrind_annotate --inclusive=yes "$cg" 2>/dev/null |
  awk -v n="$requests" '/^-+$/ { sect++ ; next }
       sect >= 3 && $1 ~ /^[0-9,]+$/ && shown < 25 {
         c = $1; gsub(",", "", c); $1 = ""; sub(/\([^)]*\)$/, "");
         printf "%10.0f %s\n", c / n, $0; shown++ }'
