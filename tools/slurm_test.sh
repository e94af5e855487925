#!/usr/bin/env bash
# Testing on a Slurm cluster: srun starts one task per GPU.
#   [GPUS=8 GPUS_PER_NODE=8 CPUS_PER_TASK=5 SRUN_ARGS="..."] \
#       bash tools/slurm_test.sh PARTITION JOB_NAME CONFIG CHECKPOINT \
#       [test.py options]
set -euo pipefail
source "$(dirname "$0")/launch_common.sh"
need_args 4 "$0 PARTITION JOB_NAME CONFIG CHECKPOINT [test.py options]" \
    "PARTITION, JOB_NAME, CONFIG and CHECKPOINT" "$@"
need_checkpoint "$4"
exec bash "$(dirname "$0")/slurm_run.sh" test "$1" "$2" "$3" "$4" "${@:5}"
