#!/usr/bin/env bash
# Upscales a list of images across machines with GNU parallel: the list is cut into chunks of 50
# paths and each chunk is piped to `upscale` on one of the hosts over SSH, one upscale per host at a
# time (upscale itself uses every core of its host).
#
#   cluster/parallel.sh LIST OUT [upscale options]       LIST: one path per line, or - for stdin
#   SSHLOGIN=node1,node2,8/node3 cluster/parallel.sh paths.txt /shared/out -m realesrgan-x4plus
#
# Every host needs: the srg tools on the PATH of a non-interactive SSH shell (or SRG_BIN set to the
# same folder everywhere), the models (install-models, or SRG_MODEL_PATH on a shared folder, which is
# passed along), and the same view of the files: LIST's paths and OUT must name the same places on
# every host (a shared file system). SSHLOGIN=: (the default) runs on this machine only.
# Exit status: 0 when every chunk succeeded, else the number of failed chunks (see upscale's errors).
set -euo pipefail
list=${1:?usage: parallel.sh LIST OUT [upscale options]}
out=${2:?usage: parallel.sh LIST OUT [upscale options]}
shift 2
mkdir -p "$out"
out=$(cd "$out" && pwd)
cmd=(upscale)
if [[ -n ${SRG_BIN:-} ]]; then cmd=("$SRG_BIN/upscale"); fi
env=()
if [[ -n ${SRG_MODEL_PATH:-} ]]; then export SRG_MODEL_PATH; env=(--env SRG_MODEL_PATH); fi

# -q quotes the command for the remote shell; -j1 runs one chunk per host at a time; relative paths
# in LIST are taken from this folder on every host.
cat -- "$list" | parallel --pipe -N 50 -j1 -q "${env[@]}" --sshlogin "${SSHLOGIN:-:}" --workdir "$PWD" \
  "${cmd[@]}" --quiet "$@" -o "$out/"
