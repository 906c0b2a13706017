#!/usr/bin/env bash
# Upscales what is new in an inbox folder: every image under INBOX whose result is not yet in OUT
# (the inbox's tree is mirrored under OUT). Meant for cron (see crontab.txt): one run at a time (a
# lock with flock -n), a log (one JSON record per image, then errors), and the exit status checked.
#
#   nightly-upscale.sh INBOX OUT [upscale options, e.g. -m realesrgan-x4plus]
#
# Environment: SRG_BIN (folder of the srg tools, else PATH), LOG (default OUT/nightly-upscale.log),
# MIN_AGE (minutes a file must be untouched, so files still being copied wait; default 1, 0: none).
# Exit status: 0 when done, also when some images failed (they are logged) or another run holds the
# lock; upscale's status when it fails as a whole (2: fatal, 64: bad usage).
set -euo pipefail
if [[ -n ${SRG_BIN:-} ]]; then PATH=$SRG_BIN:$PATH; fi

inbox=${1:?usage: nightly-upscale.sh INBOX OUT [upscale options]}
out=${2:?usage: nightly-upscale.sh INBOX OUT [upscale options]}
shift 2
mkdir -p "$out"
out=$(cd "$out" && pwd)
log=${LOG:-$out/nightly-upscale.log}
say() { echo "$(date '+%F %T') $*" >> "$log"; }

# The lock lives as long as this shell holds descriptor 9: a run that finds it taken leaves at once.
exec 9> "$out/.nightly-upscale.lock"
if ! flock -n 9; then say "another run holds $out/.nightly-upscale.lock; nothing done"; exit 0; fi

age=()
if [[ ${MIN_AGE:-1} != 0 ]]; then age=(-mmin "+${MIN_AGE:-1}"); fi
say "start: $inbox -> $out"
status=0
(cd "$inbox" && find . -type f "${age[@]}" \( -iname '*.png' -o -iname '*.jpg' -o -iname '*.jpeg' -o -iname '*.webp' \
  -o -iname '*.tif' -o -iname '*.tiff' -o -iname '*.bmp' \) -print0 |
  upscale -0 --json --skip-existing "$@" -o "$out/") >> "$log" 2>&1 || status=$?

case $status in
  0) say "done" ;;
  1) say "done; some images failed (listed above), they are retried next run" ;;
  *) say "upscale failed with status $status"; exit "$status" ;;
esac
