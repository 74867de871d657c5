#!/usr/bin/env bash
# Stops the single-node Slurm cluster that tools/slurm/start-local-cluster.sh started: slurmd,
# slurmctld, and munged if that script started it. Queued jobs are kept in the controller's
# state and resume at the next start.
#
#   tools/slurm/stop-local-cluster.sh [--purge]
#
# --purge also deletes the state directory (jobs, logs) and the /etc/slurm/slurm.conf the start
# script wrote.
set -euo pipefail

STATE_DIR="${TFPEFT_SLURM_STATE:-/var/tmp/tfpeft-slurm}"
CONF=/etc/slurm/slurm.conf
MARK="# Written by tfpeft tools/slurm/start-local-cluster.sh"

purge=0
for arg in "$@"; do
  case "$arg" in
    --purge) purge=1 ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "stop-local-cluster: unknown argument '$arg' (only --purge)" >&2; exit 2 ;;
  esac
done

if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null; then
    exec sudo TFPEFT_SLURM_STATE="$STATE_DIR" "$0" "$@"
  fi
  echo "stop-local-cluster: needs root, and sudo is missing" >&2
  exit 2
fi

# Stops the process named by a pid file, waiting up to 10 s for it to exit.
stop() {
  local pidfile="$1" name="$2" pid
  [ -s "$pidfile" ] || return 0
  pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "stop-local-cluster: $name (pid $pid) did not stop within 10 s" >&2
      return 1
    fi
    echo "stopped $name (pid $pid)"
  fi
  rm -f "$pidfile"
}

stop "$STATE_DIR/slurmd.pid" slurmd
stop "$STATE_DIR/slurmctld.pid" slurmctld
if [ -e "$STATE_DIR/munged.started" ]; then
  stop /run/munge/munged.pid munged
  rm -f "$STATE_DIR/munged.started"
fi

if [ "$purge" = 1 ]; then
  rm -rf "$STATE_DIR"
  if [ -e "$CONF" ] && grep -qxF "$MARK" "$CONF"; then
    rm -f "$CONF"
  fi
  echo "removed $STATE_DIR and the local cluster's $CONF"
fi
