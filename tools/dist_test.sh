#!/usr/bin/env bash
# Distributed testing with torchrun (torch.distributed.run), one process per
# GPU; on machines without a GPU pass
# --cfg-options env_cfg.dist_cfg.backend=gloo to use CPU processes.
#   bash tools/dist_test.sh CONFIG CHECKPOINT NUM_PROCESSES [test.py options]
# Multi-node: set NNODES, NODE_RANK, MASTER_ADDR and PORT on every node.
set -euo pipefail
if [ $# -lt 3 ]; then
    echo "usage: $0 CONFIG CHECKPOINT NUM_PROCESSES [test.py options]" >&2
    exit 2
fi
CONFIG=$1
CHECKPOINT=$2
NPROC=$3
shift 3
TOOLS_DIR=$(cd "$(dirname "$0")" && pwd)
exec "${PYTHON:-python}" -m torch.distributed.run \
    --nnodes="${NNODES:-1}" \
    --node_rank="${NODE_RANK:-0}" \
    --master_addr="${MASTER_ADDR:-127.0.0.1}" \
    --master_port="${PORT:-29500}" \
    --nproc_per_node="$NPROC" \
    "$TOOLS_DIR/test.py" "$CONFIG" "$CHECKPOINT" --launcher pytorch "$@"
