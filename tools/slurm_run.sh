#!/usr/bin/env bash
# What slurm_train.sh and slurm_test.sh share: checks the job's numbers and
# files, then starts tools/TOOL.py with srun, one task per GPU, each with
# --launcher slurm (mmengine reads its rank and world from Slurm).
#   bash tools/slurm_run.sh TOOL PARTITION JOB_NAME CONFIG [TOOL arguments]
# Environment: GPUS (tasks in all, default 8), GPUS_PER_NODE (default the
# smaller of 8 and GPUS), CPUS_PER_TASK (default 5), SRUN_ARGS (more srun
# options), PYTHON (default python).
set -euo pipefail
TOOL=$1
PARTITION=$2
JOB_NAME=$3
CONFIG=$4
shift 4
source "$(dirname "$0")/launch_common.sh"
GPUS=${GPUS:-8}
whole GPUS "$GPUS"
GPUS_PER_NODE=${GPUS_PER_NODE:-$((GPUS < 8 ? GPUS : 8))}
CPUS_PER_TASK=${CPUS_PER_TASK:-5}
whole GPUS_PER_NODE "$GPUS_PER_NODE"
whole CPUS_PER_TASK "$CPUS_PER_TASK"
[ -n "$PARTITION" ] || fail "PARTITION is empty"
[ -n "$JOB_NAME" ] || fail "JOB_NAME is empty"
need_config "$CONFIG"
TOOLS_DIR=$(cd "$(dirname "$0")" && pwd)
# SRUN_ARGS is split into words on purpose: it holds several options.
# shellcheck disable=SC2086
exec srun -p "$PARTITION" \
    --job-name="$JOB_NAME" \
    --gres=gpu:"$GPUS_PER_NODE" \
    --ntasks="$GPUS" \
    --ntasks-per-node="$GPUS_PER_NODE" \
    --cpus-per-task="$CPUS_PER_TASK" \
    --kill-on-bad-exit=1 \
    ${SRUN_ARGS:-} \
    "${PYTHON:-python}" -u "$TOOLS_DIR/$TOOL.py" "$CONFIG" "$@" \
    --launcher slurm
