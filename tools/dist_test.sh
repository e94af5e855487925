#!/usr/bin/env bash
# Distributed testing with torchrun, one process per GPU; on machines
# without a GPU pass --cfg-options env_cfg.dist_cfg.backend=gloo to use CPU
# processes.
#   bash tools/dist_test.sh CONFIG CHECKPOINT NUM_PROCESSES [test.py options]
# Multi-node: set NNODES, NODE_RANK, MASTER_ADDR and PORT on every node.
set -euo pipefail
if [ $# -lt 3 ]; then
    echo "usage: $0 CONFIG CHECKPOINT NUM_PROCESSES [test.py options]" >&2
    echo "error: CONFIG, CHECKPOINT and NUM_PROCESSES are needed" >&2
    exit 2
fi
CONFIG=$1
CHECKPOINT=$2
NPROC=$3
shift 3
[ -e "$CHECKPOINT" ] || {
    echo "error: checkpoint $CHECKPOINT: does not exist" >&2
    exit 2
}
exec bash "$(dirname "$0")/dist_run.sh" test "$NPROC" "$CONFIG" \
    "$CHECKPOINT" "$@"
