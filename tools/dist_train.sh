#!/usr/bin/env bash
# Distributed training with torchrun, one process per GPU; on machines
# without a GPU pass --cfg-options env_cfg.dist_cfg.backend=gloo to use CPU
# processes.
#   bash tools/dist_train.sh CONFIG NUM_PROCESSES [train.py options]
# Multi-node: set NNODES, NODE_RANK, MASTER_ADDR and PORT on every node.
set -euo pipefail
if [ $# -lt 2 ]; then
    echo "usage: $0 CONFIG NUM_PROCESSES [train.py options]" >&2
    echo "error: CONFIG and NUM_PROCESSES are needed" >&2
    exit 2
fi
CONFIG=$1
NPROC=$2
shift 2
exec bash "$(dirname "$0")/dist_run.sh" train "$NPROC" "$CONFIG" "$@"
