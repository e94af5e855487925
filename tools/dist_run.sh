#!/usr/bin/env bash
# What dist_train.sh and dist_test.sh share: checks their arguments, then runs
# tools/TOOL.py in NUM_PROCESSES processes with torchrun
# (torch.distributed.run).
#   bash tools/dist_run.sh TOOL NUM_PROCESSES CONFIG [TOOL arguments]
# Multi-node: set NNODES, NODE_RANK, MASTER_ADDR and PORT on every node.
set -euo pipefail
TOOL=$1
NPROC=$2
CONFIG=$3
shift 3
source "$(dirname "$0")/launch_common.sh"
whole NUM_PROCESSES "$NPROC"
need_config "$CONFIG"
TOOLS_DIR=$(cd "$(dirname "$0")" && pwd)
exec "${PYTHON:-python}" -m torch.distributed.run \
    --nnodes="${NNODES:-1}" \
    --node_rank="${NODE_RANK:-0}" \
    --master_addr="${MASTER_ADDR:-127.0.0.1}" \
    --master_port="${PORT:-29500}" \
    --nproc_per_node="$NPROC" \
    "$TOOLS_DIR/$TOOL.py" "$CONFIG" "$@" --launcher pytorch
