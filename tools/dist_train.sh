#!/usr/bin/env bash
# Distributed training with torchrun, one process per GPU; on machines
# without a GPU pass --cfg-options env_cfg.dist_cfg.backend=gloo to use CPU
# processes.
#   bash tools/dist_train.sh CONFIG NUM_PROCESSES [train.py options]
# Multi-node: set NNODES, NODE_RANK, MASTER_ADDR and PORT on every node.
set -euo pipefail
source "$(dirname "$0")/launch_common.sh"
need_args 2 "$0 CONFIG NUM_PROCESSES [train.py options]" \
    "CONFIG and NUM_PROCESSES" "$@"
exec bash "$(dirname "$0")/dist_run.sh" train "$2" "$1" "${@:3}"
