#!/usr/bin/env bash
# Separate "hosts" on one machine: one network namespace per host, all joined to a
# switch (a bridge in a namespace of its own, so the machine's own network is never
# touched), addresses 198.19.0.11, .12, ... (198.18.0.0/15 is reserved for benchmark
# testing). With a round trip RTT_MS > 0, every host delays each packet it sends to
# another host by RTT_MS/2 (bin/netdelay behind an iptables-legacy NFQUEUE rule in the
# host's own namespace), so a request and its answer cost RTT_MS more than on loopback.
#
#   hosts.sh up ID RTT_MS NAME[@CPUS]...  make the hosts ab-ID-NAME; prints "NAME ADDRESS"
#                                         per host. @CPUS pins that host's netdelay
#                                         (taskset list). Fails cleanly: on error nothing
#                                         is left.
#   hosts.sh exec ID NAME CMD...          run CMD on host NAME
#   hosts.sh down ID                      stop everything in the hosts, delete them (their
#                                         rules go with them); safe to repeat
#   hosts.sh leftovers                    list namespaces of any topology still present
#   hosts.sh reap                         down every topology runPID whose process PID is
#                                         gone (archbench run --hosts killed with SIGKILL)
# Needs root, iproute2, iptables-legacy, and bin/netdelay when RTT_MS > 0 (make netdelay).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
NETDELAY=${NETDELAY:-$HERE/../../bin/netdelay}
STATE=${ARCHBENCH_HOSTS_STATE:-/run/archbench-hosts}
NET=198.19.0

die() { echo "hosts: $*" >&2; exit 1; }
help() { sed -n '/^#   hosts.sh/,/^# Needs/p' "$0" | sed 's/^# \{0,1\}//'; }
usage() { help >&2; exit 2; }

valid_id() { [[ $1 =~ ^[A-Za-z0-9_-]{1,24}$ ]] || die "bad topology id '$1'"; }

# True while any of the pids is alive and not a zombie (a zombie holds nothing).
alive() {
    local p st
    for p in "$@"; do
        st=$(ps -o stat= -p "$p" 2>/dev/null || true)
        [ -z "$st" ] || [ "${st:0:1}" = Z ] || return 0
    done
    return 1
}

down() {
    local id=$1 ns pids
    valid_id "$id"
    for ns in $(ip netns list | awk '{print $1}' | grep -E "^ab-$id-" || true); do
        # every process still in the namespace (servers, netdelay): TERM, then KILL
        pids=$(ip netns pids "$ns" 2>/dev/null || true)
        if [ -n "$pids" ]; then
            kill -TERM $pids 2>/dev/null || true
            for _ in $(seq 1 50); do alive $pids || break; sleep 0.1; done
            ! alive $pids || kill -KILL $pids 2>/dev/null || true
        fi
        ip netns del "$ns" 2>/dev/null || true
    done
    rm -rf "${STATE:?}/$id"
}

# Starts netdelay in namespace ns, pinned to cpus when given, and waits until it
# has bound its queue; only then does the rule send packets to it.
start_delay() {
    local id=$1 ns=$2 cpus=$3 delay_us=$4 log="$STATE/$1/$2.netdelay.log" pin=()
    [ -z "$cpus" ] || pin=(taskset -c "$cpus")
    ip netns exec "$ns" "${pin[@]}" setsid "$NETDELAY" --delay-us "$delay_us" >"$log" 2>&1 </dev/null &
    for _ in $(seq 1 100); do
        grep -q '^netdelay: queue' "$log" && break
        kill -0 $! 2>/dev/null || die "netdelay in $ns: $(tail -n 1 "$log")"
        sleep 0.02
    done
    grep -q '^netdelay: queue' "$log" || die "netdelay in $ns did not start"
    ip netns exec "$ns" iptables-legacy -w -A OUTPUT -o eth0 -j NFQUEUE --queue-num 0
}

up() {
    local id=$1 rtt=$2
    shift 2
    valid_id "$id"
    [ $# -ge 1 ] && [ $# -le 200 ] || die "between 1 and 200 hosts"
    [[ $rtt =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "RTT_MS must be a number of milliseconds, got '$rtt'"
    local delay_us
    delay_us=$(awk -v r="$rtt" 'BEGIN { printf "%d", r * 500 }')
    [ "$delay_us" -eq 0 ] || [ -x "$NETDELAY" ] || die "$NETDELAY not found (make netdelay)"
    [ "$(id -u)" -eq 0 ] || die "needs root (network namespaces)"
    ip netns list | grep -q "^ab-$id-" && die "topology $id exists already (hosts.sh down $id)"
    mkdir -p "$STATE/$id"
    # whatever stops up half-way (die, a failing command) removes what it made
    UP_ID=$id
    trap 'down "$UP_ID"' EXIT
    local sw="ab-$id-switch" i=11 spec name cpus
    ip netns add "$sw"
    ip -n "$sw" link add br0 type bridge
    ip -n "$sw" link set br0 up
    for spec in "$@"; do
        name=${spec%%@*}
        cpus=; [ "$spec" = "$name" ] || cpus=${spec#*@}
        [[ $name =~ ^[A-Za-z0-9_-]{1,32}$ ]] && [ "$name" != switch ] || die "bad host name '$name'"
        local ns="ab-$id-$name"
        ip netns add "$ns"
        ip -n "$sw" link add "p$i" type veth peer name eth0 netns "$ns"
        ip -n "$sw" link set "p$i" master br0 up
        ip -n "$ns" link set lo up
        ip -n "$ns" addr add "$NET.$i/24" dev eth0
        ip -n "$ns" link set eth0 up
        [ "$delay_us" -eq 0 ] || start_delay "$id" "$ns" "$cpus" "$delay_us"
        echo "$name $NET.$i"
        i=$((i + 1))
    done
    trap - EXIT
}

leftovers() { ip netns list | awk '{print $1}' | grep -E '^ab-[A-Za-z0-9_-]+-' || true; }

reap() {
    local id
    for id in $(leftovers | sed -n 's/^ab-\(run[0-9]*\)-.*/\1/p' | sort -u); do
        kill -0 "${id#run}" 2>/dev/null || { echo "hosts: removing $id, left by a process that is gone" >&2; down "$id"; }
    done
}

case "${1:-}" in
up) [ $# -ge 4 ] || usage; shift; up "$@" ;;
down) [ $# -eq 2 ] || usage; down "$2" ;;
exec) [ $# -ge 4 ] || usage; valid_id "$2"; ns="ab-$2-$3"; shift 3; exec ip netns exec "$ns" "$@" ;;
leftovers) leftovers ;;
reap) reap ;;
-h|--help) help ;;
*) usage ;;
esac
