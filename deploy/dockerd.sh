#!/usr/bin/env bash
# A private Docker daemon for make image and make test-deploy on machines without
# systemd: its own socket, data and exec roots, no docker0 bridge, no iptables rules,
# ip_forward left alone, so stopping it leaves the host as it was.
#   eval "$(deploy/dockerd.sh start)"   exports DOCKER_HOST (and DOCKERD_STARTED=1
#                                       when this call started the daemon)
#   deploy/dockerd.sh stop              stops the daemon started by start
#   deploy/dockerd.sh status            exit 0 when the private daemon answers
# When `docker info` already works (a system daemon, or DOCKER_HOST set), start
# prints nothing to change and starts nothing.
set -euo pipefail

DATA=${ARCHBENCH_DOCKER_DATA:-/var/lib/archbench-docker}
RUN=${ARCHBENCH_DOCKER_RUN:-/run/archbench-docker}
SOCK="unix://$RUN/docker.sock"
PIDFILE="$RUN/dockerd.pid"

die() { echo "dockerd.sh: $*" >&2; exit 1; }

private_up() { DOCKER_HOST=$SOCK docker info >/dev/null 2>&1; }

start() {
    if [ -z "${ARCHBENCH_PRIVATE_DOCKER:-}" ] && docker info >/dev/null 2>&1; then
        echo ": using the running Docker daemon"
        return 0
    fi
    if private_up; then
        echo "export DOCKER_HOST=$SOCK"
        return 0
    fi
    command -v dockerd >/dev/null || die "dockerd not found (apt-get install docker.io)"
    [ "$(id -u)" -eq 0 ] || die "starting dockerd needs root"
    mkdir -p "$DATA" "$RUN"
    # --bridge=none: no docker0; --iptables=false and --ip-forward=false: Compose's
    # own bridge networks still join their containers at layer 2, and ports published
    # to 127.0.0.1 go through docker-proxy, so no host rule is needed.
    setsid dockerd --data-root "$DATA" --exec-root "$RUN/exec" --pidfile "$PIDFILE" \
        -H "$SOCK" --bridge=none --iptables=false --ip-forward=false --ip-masq=false \
        --userland-proxy=true >"$RUN/dockerd.log" 2>&1 </dev/null &
    local pid=$!
    for _ in $(seq 1 200); do
        if private_up; then
            echo "export DOCKER_HOST=$SOCK DOCKERD_STARTED=1"
            return 0
        fi
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill "$pid" 2>/dev/null || true
    die "dockerd did not start: $(tail -n 3 "$RUN/dockerd.log" | tr '\n' ' ')"
}

stop() {
    [ -f "$PIDFILE" ] || return 0
    local pid
    pid=$(cat "$PIDFILE")
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid"
        # dockerd stops its containers (10 s each at most) and its containerd first
        for _ in $(seq 1 300); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            echo "dockerd.sh: dockerd $pid did not stop in 30 s, killing it" >&2
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    rm -f "$PIDFILE"
}

case "${1:-}" in
start) start ;;
stop) stop ;;
status) private_up ;;
*) echo "usage: deploy/dockerd.sh start|stop|status" >&2; exit 2 ;;
esac
