#!/usr/bin/env bash
# Starts a single-node Slurm cluster on this machine (munged, slurmctld and slurmd on localhost)
# for the Slurm executor's tests and for trying `tfpeft suite run --executor slurm` without a
# real cluster. Idempotent: a second call finds the daemons running and only waits for the node.
#
#   tools/slurm/start-local-cluster.sh [--install]
#
# --install first runs `apt-get install -y slurm-wlm munge` (Debian's Slurm 22.05); without it the
# script installs nothing and stops, saying so, where the binaries are missing.
# Needs root (re-runs itself through sudo where available) because slurmd starts jobs as their
# submitting user. Writes /etc/slurm/slurm.conf (only if absent or written by this script: a
# real cluster's configuration is never replaced) and keeps state and logs in $STATE_DIR.
# Stop it with tools/slurm/stop-local-cluster.sh.
#
# Choices for containers (no systemd, no writable cgroups): proctrack/linuxproc and task/none.
# Accounting: there is no slurmdbd, so accounting_storage/none; finished jobs are recorded by
# jobcomp/filetxt, which `sacct --completion` reads (state and exit code of every array task).
set -euo pipefail

STATE_DIR="${TFPEFT_SLURM_STATE:-/var/tmp/tfpeft-slurm}"
CONF=/etc/slurm/slurm.conf
MARK="# Written by tfpeft tools/slurm/start-local-cluster.sh"
NODE=localhost

install=0
for arg in "$@"; do
  case "$arg" in
    --install) install=1 ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "start-local-cluster: unknown argument '$arg' (only --install)" >&2; exit 2 ;;
  esac
done

if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null; then
    exec sudo TFPEFT_SLURM_STATE="$STATE_DIR" "$0" "$@"
  fi
  echo "start-local-cluster: needs root (slurmd starts jobs as their user), and sudo is missing" >&2
  exit 2
fi

if [ "$install" = 1 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends slurm-wlm munge \
    || { apt-get update && apt-get install -y --no-install-recommends slurm-wlm munge; }
fi
for bin in munged slurmctld slurmd sbatch squeue sacct scontrol; do
  if ! command -v "$bin" >/dev/null; then
    echo "start-local-cluster: '$bin' is not installed; run with --install, or" \
      "apt-get install slurm-wlm munge" >&2
    exit 2
  fi
done

if [ -e "$CONF" ] && ! grep -qxF "$MARK" "$CONF"; then
  echo "start-local-cluster: $CONF exists and was not written by this script; a configured" \
    "cluster is left alone (use it directly, or move that file away to start the local one)" >&2
  exit 2
fi

mkdir -p "$STATE_DIR"/{ctld,spool,log} /run/munge
chown munge:munge /run/munge
chmod 0755 /run/munge

# munge: every Slurm message is signed with the shared key.
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  if [ ! -s /etc/munge/munge.key ]; then
    if command -v mungekey >/dev/null; then
      runuser -u munge -- mungekey --create --keyfile=/etc/munge/munge.key
    else
      dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
      chown munge:munge /etc/munge/munge.key
      chmod 0400 /etc/munge/munge.key
    fi
  fi
  runuser -u munge -- munged
  touch "$STATE_DIR/munged.started"  # so that the stop script stops only a munged started here
  for _ in $(seq 50); do
    if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then break; fi
    sleep 0.1
  done
  munge -n | unmunge >/dev/null || { echo "start-local-cluster: munged did not start" >&2; exit 1; }
fi

# The node as slurmd sees this machine (CPUs, sockets, cores, memory), under the name localhost.
node_line="$(slurmd -C | head -n 1 | sed -E "s/^NodeName=[^ ]+/NodeName=$NODE NodeAddr=127.0.0.1/")"
new_conf="$(cat <<CONF
$MARK
# A single-node cluster for tests; see the script for why each plugin was chosen.
ClusterName=tfpeft-local
SlurmctldHost=$NODE(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/filetxt
JobCompLoc=$STATE_DIR/log/jobcomp.txt
StateSaveLocation=$STATE_DIR/ctld
SlurmdSpoolDir=$STATE_DIR/spool
SlurmctldPidFile=$STATE_DIR/slurmctld.pid
SlurmdPidFile=$STATE_DIR/slurmd.pid
SlurmctldLogFile=$STATE_DIR/log/slurmctld.log
SlurmdLogFile=$STATE_DIR/log/slurmd.log
SlurmctldTimeout=30
SlurmdTimeout=60
InactiveLimit=0
KillWait=5
MinJobAge=300
MaxArraySize=10001
$node_line State=UNKNOWN
PartitionName=debug Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
CONF
)"

changed=0
if [ ! -e "$CONF" ] || [ "$(cat "$CONF")" != "$new_conf" ]; then
  mkdir -p "$(dirname "$CONF")"
  printf '%s\n' "$new_conf" > "$CONF.tmp.$$"
  mv "$CONF.tmp.$$" "$CONF"
  changed=1
fi

alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

if alive "$STATE_DIR/slurmctld.pid" && [ "$changed" = 1 ]; then
  scontrol reconfigure || true
fi
if ! alive "$STATE_DIR/slurmctld.pid"; then
  slurmctld
fi
if ! alive "$STATE_DIR/slurmd.pid"; then
  slurmd -N "$NODE"
fi

# Wait for the node to come up; a node left DOWN or DRAINED by an earlier stop is resumed.
state=""
for _ in $(seq 60); do
  state="$(sinfo -h -n "$NODE" -o %T 2>/dev/null | head -n 1 || true)"
  case "$state" in
    idle|mixed|allocated|completing) break ;;
    down*|drain*) scontrol update NodeName="$NODE" State=RESUME 2>/dev/null || true ;;
  esac
  sleep 1
done
case "$state" in
  idle|mixed|allocated|completing) ;;
  *)
    echo "start-local-cluster: node $NODE is '$state' after 60 s; see $STATE_DIR/log/" >&2
    exit 1 ;;
esac

cat <<USE
Local Slurm cluster running: node $NODE ($(sinfo -h -n "$NODE" -o '%c CPUs, %m MiB')), partition debug.
  sinfo; squeue                          the node and the queue
  sbatch --wrap 'hostname'               a test job
  sacct --completion                     finished jobs (from $STATE_DIR/log/jobcomp.txt)
  tfpeft suite run SUITE --executor slurm
  tools/slurm/stop-local-cluster.sh      stops the daemons
Logs: $STATE_DIR/log/
USE
