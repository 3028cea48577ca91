#!/usr/bin/env bash
# make test-deploy, separate hosts: bench/hosts/hosts.sh and bin/netdelay.
#   1. a 10 ms round trip: loadgen in one namespace, the monolith in another, one
#      connection: the median must lie in [9.5, 15) ms (the delay applied once each way,
#      not zero, not twice), 0 errors;
#   2. load from several hosts: three loadgen namespaces against one monolith at the
#      same time, each with --json, combined by archbench merge: requests, successes
#      and errors add up and the merged histogram holds every request;
#   3. a topology that fails half-way leaves nothing behind;
#   4. hosts.sh reap removes the hosts of a run whose process is gone;
# and after each, no namespace, no live netdelay, no NFQUEUE rule in the machine's
# own tables. Needs root; prints SKIP otherwise.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${ARCHBENCH_TESTS_LOCKED:-}" ] && command -v flock >/dev/null 2>&1; then
    exec env ARCHBENCH_TESTS_LOCKED=1 flock -s /tmp/archbench-bench.lock "$0" "$@"
fi
H=bench/hosts/hosts.sh
ID=t$$
tmp=$(mktemp -d /tmp/archbench-hosts-XXXXXX)
fails=0 passes=0

[ "$(id -u)" -eq 0 ] || { echo "hosts: SKIP: needs root for network namespaces"; exit 0; }
cleanup() { "$H" down "$ID" || true; rm -rf "$tmp"; }
trap cleanup EXIT

ok() { echo "ok   $1"; passes=$((passes + 1)); }
fail() { echo "FAIL $1"; fails=$((fails + 1)); }
jnum() { node -e "const j=require(process.argv[1]); console.log(eval('j.'+process.argv[2]))" "$1" "$2"; }

# Nothing of topology $ID left: namespaces, live netdelays, rules, state.
assert_clean() {
    local what=$1 left
    left=$(ip netns list | grep -c "^ab-$ID-" || true)
    for _ in $(seq 1 20); do  # netdelays that exited may wait a moment to be reaped
        pgrep -x netdelay >/dev/null || break
        sleep 0.1
    done
    if [ "$left" -ne 0 ]; then fail "$what: $left namespaces left"; return; fi
    if pgrep -x netdelay >/dev/null && ps -o stat= -p "$(pgrep -d, -x netdelay)" | grep -vq '^Z'; then
        fail "$what: netdelay still running"; return
    fi
    if iptables-legacy -S 2>/dev/null | grep -q NFQUEUE; then fail "$what: NFQUEUE rule in the root namespace"; return; fi
    [ ! -e "/run/archbench-hosts/$ID" ] || { fail "$what: state left in /run/archbench-hosts/$ID"; return; }
    ok "$what: nothing left behind"
}

bin/archbench seed --users 1000 --dir "$tmp/data" >/dev/null

# 1. one connection across a 10 ms round trip
"$H" up "$ID" 10 client@0 server@1 >/dev/null
"$H" exec "$ID" server taskset -c 1 bin/monolith --listen 198.19.0.12:8080 --db "$tmp/data/app.db" \
    >"$tmp/monolith.out" 2>"$tmp/monolith.log" &
for _ in $(seq 1 100); do grep -q listening "$tmp/monolith.out" && break; sleep 0.05; done
"$H" exec "$ID" client taskset -c 0 bin/loadgen -c 1 -d 2s --warmup 500ms --tokens "$tmp/data/tokens.tsv" \
    --verify --json "$tmp/rtt.json" http://198.19.0.12:8080/profile >/dev/null
p50=$(jnum "$tmp/rtt.json" latency.p50)
errors=$(jnum "$tmp/rtt.json" errors.total)
if [ "$p50" -ge 9500 ] && [ "$p50" -lt 15000 ] && [ "$errors" -eq 0 ]; then
    ok "10 ms round trip: median ${p50} us, 0 errors"
else
    fail "10 ms round trip: median ${p50} us (expected 9500..14999), $errors errors"
fi
"$H" down "$ID"
assert_clean "10 ms round trip"

# 2. three load hosts at once, merged
"$H" up "$ID" 1 server@1 load1@0 load2@0 load3@0 >/dev/null
"$H" exec "$ID" server taskset -c 1 bin/monolith --listen 198.19.0.11:8080 --db "$tmp/data/app.db" \
    >"$tmp/monolith.out" 2>"$tmp/monolith.log" &
for _ in $(seq 1 100); do grep -q listening "$tmp/monolith.out" && break; sleep 0.05; done
pids=()
for l in load1 load2 load3; do
    "$H" exec "$ID" "$l" taskset -c 0 bin/loadgen -c 4 -d 2s --warmup 500ms --tokens "$tmp/data/tokens.tsv" \
        --verify --json "$tmp/$l.json" http://198.19.0.11:8080/profile >/dev/null &
    pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
bin/archbench merge "$tmp"/load{1,2,3}.json >"$tmp/merged.json"
sum() { local t=0 f; for f in "$tmp"/load{1,2,3}.json; do t=$((t + $(jnum "$f" "$1"))); done; echo $t; }
for field in requests successes errors.total latency.count config.connections; do
    want=$(sum "$field") got=$(jnum "$tmp/merged.json" "$field")
    if [ "$want" -eq "$got" ] && [ "$got" -gt 0 -o "$field" = errors.total ]; then
        ok "three load hosts merged: $field $got = sum of the three"
    else
        fail "three load hosts merged: $field $got, the three add up to $want"
    fi
done
buckets=$(node -e "const j=require(process.argv[1]); console.log(j.latency.histogram.buckets.reduce((a,b)=>a+b[1],0))" "$tmp/merged.json")
[ "$buckets" -eq "$(jnum "$tmp/merged.json" requests)" ] && ok "merged histogram holds every request ($buckets)" ||
    fail "merged histogram holds $buckets of $(jnum "$tmp/merged.json" requests) requests"
[ "$(sum errors.total)" -eq 0 ] && ok "three load hosts: 0 errors" || fail "three load hosts: $(sum errors.total) errors"
"$H" down "$ID"
assert_clean "three load hosts"

# 3. a host name that cannot be used, after two good ones: up fails, nothing is left
if "$H" up "$ID" 1 good1 good2 'bad/name' >/dev/null 2>"$tmp/up.err"; then
    fail "bad host name: up succeeded"
else
    ok "bad host name: up refused ($(tail -n 1 "$tmp/up.err"))"
fi
assert_clean "failed up"

# 4. a run killed with SIGKILL leaves its hosts; the next run reaps them
sh -c 'exit 0' & dead=$!
wait "$dead"
ID=run$dead
"$H" up "$ID" 1 a b >/dev/null
"$H" reap 2>/dev/null
assert_clean "hosts of a dead run reaped"

echo "hosts: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
