#!/usr/bin/env bash
# Distributed testing with torchrun, one process per GPU; on machines
# without a GPU pass --cfg-options env_cfg.dist_cfg.backend=gloo to use CPU
# processes.
#   bash tools/dist_test.sh CONFIG CHECKPOINT NUM_PROCESSES [test.py options]
# Multi-node: set NNODES, NODE_RANK, MASTER_ADDR and PORT on every node.
set -euo pipefail
source "$(dirname "$0")/launch_common.sh"
need_args 3 "$0 CONFIG CHECKPOINT NUM_PROCESSES [test.py options]" \
    "CONFIG, CHECKPOINT and NUM_PROCESSES" "$@"
need_checkpoint "$2"
exec bash "$(dirname "$0")/dist_run.sh" test "$3" "$1" "$2" "${@:4}"
