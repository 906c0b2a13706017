#!/usr/bin/env bash
# The comparison every SR write-up makes: shrink the images of DIR by SCALE with MATLAB's bicubic
# (after cropping them to a multiple of SCALE), enlarge them again with the bicubic baseline and with
# every installed model of that scale, and print PSNR and SSIM (luma, border of SCALE pixels cut, as
# the papers report them) and FID per method.
#
#   examples/evaluate.sh DIR [SCALE]        (SCALE defaults to 4)
#
# Environment: SRG_BIN (folder of the srg tools, else they are found on PATH), MODELS ("a b": only
# these models), KEEP (a folder to keep the low-resolution and upscaled images in).
# FID needs the `fid` tool and its Inception weights (see fid --help); otherwise the column is n/a.
# FID over a handful of images says little: it is meant for hundreds.
set -euo pipefail
if [[ -n ${SRG_BIN:-} ]]; then PATH=$SRG_BIN:$PATH; fi

hr=${1:?usage: evaluate.sh DIR [SCALE]}
scale=${2:-4}
hr=$(cd "$hr" && pwd)
if [[ -n ${KEEP:-} ]]; then work=$KEEP; mkdir -p "$work"; else work=$(mktemp -d); trap 'rm -rf "$work"' EXIT; fi

# The reference images, as paths relative to DIR.
(cd "$hr" && find . -type f \( -iname '*.png' -o -iname '*.jpg' -o -iname '*.jpeg' -o -iname '*.bmp' \
  -o -iname '*.tif' -o -iname '*.tiff' -o -iname '*.webp' \) | sed 's|^\./||' | LC_ALL=C sort) > "$work/hr.list"
[[ -s $work/hr.list ]] || { echo "evaluate.sh: no images in $hr" >&2; exit 2; }

# Low-resolution inputs: PNG, so no JPEG loss is added to what the methods must undo.
(cd "$hr" && tr '\n' '\0' < "$work/hr.list" | downscale -0 -q -f -s "$scale" --modcrop --format png -o "$work/lr/")

# Methods: the bicubic baseline, then the installed models of this scale (or those named in MODELS).
methods=(bicubic)
while IFS=$'\t' read -r name x arch _; do
  [[ $x == "x$scale" && $arch != FIDInceptionV3 ]] || continue
  if [[ -n ${MODELS:-} && " $MODELS " != *" $name "* ]]; then continue; fi
  methods+=("$name")
done < <(upscale --list-models 2>/dev/null)

# FID only when the tool is there and finds its weights ($SRG_FID_WEIGHTS or inception-fid in the model path).
fid_reason=""
if ! command -v fid > /dev/null; then
  fid_reason="no fid tool on PATH"
elif [[ -z ${SRG_FID_WEIGHTS:-} ]] && ! upscale --list-models 2>/dev/null | cut -f1 | grep -qx inception-fid; then
  fid_reason="fid found no Inception weights (set SRG_FID_WEIGHTS or install inception-fid.srg; see fid --help)"
fi
[[ -z $fid_reason ]] || echo "evaluate.sh: FID is n/a: $fid_reason" >&2

printf '%-28s %9s %8s %9s\n' method PSNR SSIM FID
for m in "${methods[@]}"; do
  sr=$work/sr/$m
  args=(-m "$m")
  [[ $m == bicubic ]] && args+=(--scale "$scale")
  if ! (cd "$work/lr" && find . -name '*.png' -print0 | upscale -0 -q -f "${args[@]}" -o "$sr/"); then
    echo "evaluate.sh: $m failed on some images" >&2
  fi
  # Pairs by name: DIR/NAME.ext against sr/NAME.png; the SR image is the modcropped size, so compare
  # the common top-left part (modcrop keeps the top left).
  read -r psnr ssim _ < <(while IFS= read -r p; do printf '%s\0%s\0' "$hr/$p" "$sr/${p%.*}.png"; done < "$work/hr.list" |
    ssim -0 -q --y --crop "$scale" --crop-to-smaller --metrics psnr,ssim | tail -n 1) || psnr=n/a ssim=n/a
  fid_value=n/a
  if [[ -z $fid_reason ]]; then
    sed "s|^|$hr/|" "$work/hr.list" > "$work/hr-abs.list"
    if out=$(fid -q "$work/hr-abs.list" "$sr" 2> "$work/fid.err"); then
      fid_value=$(printf '%.2f' "${out#FID: }")
    else
      fid_reason=$(head -n 1 "$work/fid.err"); echo "evaluate.sh: FID is n/a: $fid_reason" >&2
    fi
  fi
  printf '%-28s %9s %8s %9s\n' "$m" "$psnr" "$ssim" "$fid_value"
done
