#!/usr/bin/env bash
# Training on a Slurm cluster: srun starts one task per GPU.
#   [GPUS=16 GPUS_PER_NODE=8 CPUS_PER_TASK=5 SRUN_ARGS="..."] \
#       bash tools/slurm_train.sh PARTITION JOB_NAME CONFIG WORK_DIR \
#       [train.py options]
set -euo pipefail
source "$(dirname "$0")/launch_common.sh"
need_args 4 "$0 PARTITION JOB_NAME CONFIG WORK_DIR [train.py options]" \
    "PARTITION, JOB_NAME, CONFIG and WORK_DIR" "$@"
exec bash "$(dirname "$0")/slurm_run.sh" train "$1" "$2" "$3" \
    --work-dir "$4" "${@:5}"
