#!/usr/bin/env bash
# make test-deploy: the deployments, end to end, on this machine (not part of make
# test: it installs Docker, starts a daemon and builds an image).
#   image      make image's build, with a private dockerd when none runs
#   compose    deploy/compose.yaml up; loadgen --verify through the gateway, the
#              monolith and faas by service name, 0 errors; down
#   k8s        deploy/k8s rendered and validated offline (tests/deploy/k8s.sh)
#   terraform  deploy/lambda validated offline (tests/deploy/terraform.sh)
#   hosts      namespaces, netdelay, several load hosts (tests/deploy/hosts.sh)
#   run        archbench run --profile smoke --hosts --rtt 1
# Then checks that nothing is left: no container, network or volume, no daemon it
# started, no namespace, no new iptables or nft rule, no new interface, ip_forward as
# it was. A part the machine cannot do prints SKIP with the reason. Ends with
# "test-deploy: N passed, N failed, N skipped" and the wall time.
set -uo pipefail
cd "$(dirname "$0")/../.."
# Like tests/run.sh: the benchmark lock, shared, so no benchmark measures the machine
# while this runs (benchmarks take it alone).
if [ -z "${ARCHBENCH_TESTS_LOCKED:-}" ] && command -v flock >/dev/null 2>&1; then
    exec env ARCHBENCH_TESTS_LOCKED=1 flock -s /tmp/archbench-bench.lock "$0" "$@"
fi
t0=$(date +%s)
passed=0 failed=0 skipped=0
pass() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }
skip() { echo "SKIP $1"; skipped=$((skipped + 1)); }
part() { echo "== $1"; }

[ "$(id -u)" -eq 0 ] || { echo "test-deploy: SKIP: needs root (dockerd, namespaces)"; exit 0; }
mk/bench-tools.sh dockerd debootstrap docker-compose iptables-legacy ip node npm libnetfilter_queue taskset
make -s all netdelay || { echo "test-deploy: FAIL: build"; exit 1; }

# ---- the machine before ----------------------------------------------------
snapshot() {
    {
        echo "# netns"; ip netns list | awk '{print $1}' | sort
        echo "# links"; ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | sort
        echo "# iptables-legacy"; iptables-legacy-save 2>/dev/null | grep -v '^[#:]' | sed 's/\[[0-9:]*\]//'
        echo "# nft"; nft list ruleset 2>/dev/null
        echo "# ip_forward"; cat /proc/sys/net/ipv4/ip_forward
        echo "# dockerd"; pgrep -x dockerd | sort
        echo "# containerd-shim"; pgrep -f containerd-shim | sort
    }
}
tmp=$(mktemp -d /tmp/archbench-deploy-XXXXXX)
snapshot >"$tmp/before"

PROJECT=abdeploy$$
COMPOSE=(docker-compose -p "$PROJECT" -f deploy/compose.yaml)
DOCKERD_STARTED=
cleanup() {
    if [ -n "${DOCKER_HOST:-}${DOCKERD_STARTED}" ] && docker info >/dev/null 2>&1; then
        "${COMPOSE[@]}" --profile load down -v --remove-orphans >/dev/null 2>&1
    fi
    [ -z "$DOCKERD_STARTED" ] || deploy/dockerd.sh stop
}
trap 'cleanup; rm -rf "$tmp"' EXIT

# ---- image and compose -----------------------------------------------------
part image
if out=$(deploy/dockerd.sh start 2>&1); then
    eval "$out"
    if deploy/image/build.sh; then pass "make image"; else fail "make image"; fi
else
    skip "image, compose: cannot start dockerd: $out"
fi

# healthy NAME...: waits up to 60 s for every service's container healthcheck
healthy() {
    local s id st
    for s in "$@"; do
        for _ in $(seq 1 120); do
            id=$("${COMPOSE[@]}" ps -q "$s" 2>/dev/null)
            st=$([ -n "$id" ] && docker inspect -f '{{.State.Health.Status}}' "$id" 2>/dev/null)
            [ "$st" = healthy ] && break
            sleep 0.5
        done
        [ "$st" = healthy ] || { echo "  $s: ${st:-no container}"; return 1; }
    done
}

if docker info >/dev/null 2>&1 && docker image inspect archbench:latest >/dev/null 2>&1; then
    part compose
    export MONOLITH_PORT= GATEWAY_PORT= FAAS_PORT= ARCHBENCH_USERS=2000
    if "${COMPOSE[@]}" up -d >"$tmp/up.log" 2>&1 && healthy monolith auth-service profile-service gateway faas; then
        pass "compose up: five servers healthy"
        for target in gateway:8081 monolith:8080 faas:8082; do
            if LOAD_URL="http://$target/profile" LOAD_DURATION=3s "${COMPOSE[@]}" --profile load run --rm load \
                >"$tmp/load.txt" 2>&1; then
                pass "loadgen --verify via http://$target/profile: $(grep -m1 'requests in' "$tmp/load.txt" | sed 's/^ *//'), 0 errors"
            else
                fail "loadgen --verify via http://$target/profile: $(grep -E 'Errors|Status|error' "$tmp/load.txt" | tr -s ' ' | tr '\n' ' ')"
            fi
        done
        port=$("${COMPOSE[@]}" port gateway 8081 | sed 's/.*://')
        tok=$(docker run --rm -v "${PROJECT}_data:/data:ro" --network none archbench:latest \
              sh -c "awk -F'\t' '\$3==\"valid\"{print \$2; exit}' /data/tokens.tsv")
        if curl -fsS -H "Authorization: Bearer $tok" "http://127.0.0.1:$port/profile" | grep -q '"id":1,'; then
            pass "the gateway published on 127.0.0.1:$port answers user 1's profile"
        else
            fail "the gateway published on 127.0.0.1:$port does not answer user 1's profile"
        fi
    else
        fail "compose up: $(tail -n 3 "$tmp/up.log" | tr '\n' ' ')"
        "${COMPOSE[@]}" logs --tail 5 2>&1 | tail -n 20
    fi
    if "${COMPOSE[@]}" --profile load down -v --remove-orphans >"$tmp/down.log" 2>&1 &&
        [ -z "$(docker ps -aq --filter "label=com.docker.compose.project=$PROJECT")" ] &&
        [ -z "$(docker network ls -q --filter "label=com.docker.compose.project=$PROJECT")" ] &&
        [ -z "$(docker volume ls -q --filter "label=com.docker.compose.project=$PROJECT")" ]; then
        pass "compose down: no container, network or volume left"
    else
        fail "compose down: $(tail -n 3 "$tmp/down.log" | tr '\n' ' ')"
    fi
fi
if [ -n "$DOCKERD_STARTED" ]; then
    deploy/dockerd.sh stop
    DOCKERD_STARTED=
fi
unset DOCKER_HOST

# ---- manifests, Terraform, hosts -------------------------------------------
part k8s
if out=$(tests/deploy/k8s.sh 2>&1); then
    grep -q SKIP <<<"$out" && skip "$(grep SKIP <<<"$out")" || pass "$(tail -n 1 <<<"$out") (validated, not run)"
else
    echo "$out" | grep -v '^ok'; fail "kubernetes manifests"
fi
part terraform
if out=$(tests/deploy/terraform.sh 2>&1); then
    grep -q SKIP <<<"$out" && skip "$(grep SKIP <<<"$out")" || pass "$(tail -n 1 <<<"$out")"
else
    echo "$out"; fail "terraform validate"
fi
part hosts
if bench/hosts/hosts.sh --help | grep -q '^  hosts.sh up ID'; then
    pass "hosts.sh --help: the usage on stdout, exit 0"
else
    fail "hosts.sh --help did not print its usage and exit 0"
fi
if tests/deploy/hosts.sh; then pass "separate hosts"; else fail "separate hosts"; fi

part run
if bin/archbench run --rtt 1 >/dev/null 2>&1; [ $? -eq 2 ]; then
    pass "archbench run --rtt without --hosts: usage error (exit 2)"
else
    fail "archbench run --rtt without --hosts was not refused with exit 2"
fi
if bin/archbench run --profile smoke --hosts --rtt 1 --out "$tmp/run" >"$tmp/run.log" 2>&1; then
    summary=$(node -e '
        const r = require(process.argv[1]);
        const errs = Object.values(r.architectures).flatMap(a => a.scenarios)
            .reduce((n, s) => n + s.loadgen.errors.total, 0);
        const floor = a => r.architectures[a].scenarios.find(s => s.name === "floor").loadgen.latency.p50;
        const ok = r.complete && r.network.topology === "hosts" && r.network.rtt_ms === 1 &&
            Object.keys(r.network.hosts).length === 6 && errs === 0;
        console.log((ok ? "ok " : "bad ") + `${Object.keys(r.network.hosts).length} hosts, ${errs} errors, ` +
            `one connection: monolith ${floor("monolith")} us, microservices ${floor("microservices")} us ` +
            `(+${floor("microservices") - floor("monolith")} us; two round trips are 2000 us)`);
    ' "$tmp/run/run.json" 2>&1)
    if [[ $summary == ok* ]] && grep -q 'on a host of its own.*--rtt 1' "$tmp/run/report.md" &&
        grep -q 'en un host propio.*--rtt 1' "$tmp/run/report.es.md" &&
        grep -q 'should be about \*\*2.00 ms\*\* above the monolith.s. Measured in this run: \*\*[0-9]' "$tmp/run/report.md" &&
        grep -q 'unos \*\*2,00 ms\*\* por encima de la del monolito. Medido en esta ejecución: \*\*[0-9]' "$tmp/run/report.es.md"; then
        pass "archbench run --profile smoke --hosts --rtt 1: ${summary#ok }; both reports state it and set the measured rise beside the model's"
    else
        fail "archbench run --profile smoke --hosts --rtt 1: $summary"
    fi
else
    tail -n 5 "$tmp/run.log"; fail "archbench run --profile smoke --hosts --rtt 1"
fi

# ---- nothing left ----------------------------------------------------------
part leftovers
snapshot >"$tmp/after"
if diff "$tmp/before" "$tmp/after" >"$tmp/diff"; then
    pass "the machine is as it was: namespaces, interfaces, iptables and nft rules, ip_forward, daemons"
else
    fail "left behind:"; sed 's/^/  /' "$tmp/diff"
fi
if grep -q archbench-docker /proc/mounts; then fail "mounts of the private dockerd left"; fi

echo
echo "test-deploy: $passed passed, $failed failed, $skipped skipped ($(($(date +%s) - t0)) s)"
[ "$failed" -eq 0 ]
