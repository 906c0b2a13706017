#!/usr/bin/env bash
# A Slurm job array over a list of images: task i of n upscales every n-th path of LIST starting
# at the i-th, so the tasks share the work evenly whatever the array's size.
#
#   sbatch --array=0-15 cluster/slurm-upscale.sh paths.txt /shared/out -m realesrgan-x4plus
#   cluster/slurm-upscale.sh paths.txt out/          (outside Slurm: task 0 of 1, the whole list)
#
# The srg tools and models must be installed on every node (or SRG_BIN / SRG_MODEL_PATH point at a
# shared folder); LIST's paths and OUT must be visible from every node. --skip-existing makes a
# resubmitted array redo only what is missing.
#SBATCH --job-name=upscale
#SBATCH --cpus-per-task=8
#SBATCH --mem=8G
#SBATCH --time=04:00:00
#SBATCH --output=upscale-%A_%a.log
set -euo pipefail
if [[ -n ${SRG_BIN:-} ]]; then PATH=$SRG_BIN:$PATH; fi
list=${1:?usage: slurm-upscale.sh LIST OUT [upscale options]}
out=${2:?usage: slurm-upscale.sh LIST OUT [upscale options]}
shift 2

# This task's index from 0 (arrays may start anywhere, e.g. --array=1-16) and the number of tasks.
task=$(( ${SLURM_ARRAY_TASK_ID:-0} - ${SLURM_ARRAY_TASK_MIN:-0} ))
count=${SLURM_ARRAY_TASK_COUNT:-1}
jobs=()
if [[ -n ${SLURM_CPUS_PER_TASK:-} ]]; then jobs=(-j "$SLURM_CPUS_PER_TASK"); fi

echo "slurm-upscale.sh: task $task of $count on $(hostname)" >&2
awk -v t="$task" -v n="$count" '(NR - 1) % n == t' "$list" |
  upscale --quiet --skip-existing "${jobs[@]}" "$@" -o "$out/"
