#!/usr/bin/env bash
# Training pairs for examples/train/train.py from a folder of clean high-resolution images:
#
#   OUT/hr, OUT/lr                  the SR benchmark degradation: MATLAB bicubic after --modcrop
#   OUT/realesrgan/hr, .../lr       Real-ESRGAN's second-order degradation (blur, resize, noise, JPEG, twice)
#   OUT/fastai/hr, .../lr           fast.ai's crappifier (shrink, a drawn number, JPEG 10-70) at a fixed scale
#
#   examples/training-pairs.sh HR_DIR OUT_DIR [SCALE]      (SCALE defaults to 4; SEED to 1)
#
# Pairs match by file name; train.py reads any of the three (train.py --data OUT/realesrgan ...).
# Environment: SRG_BIN (folder of the srg tools, else they are found on PATH), SEED.
set -euo pipefail
if [[ -n ${SRG_BIN:-} ]]; then PATH=$SRG_BIN:$PATH; fi

src=${1:?usage: training-pairs.sh HR_DIR OUT_DIR [SCALE]}
out=${2:?usage: training-pairs.sh HR_DIR OUT_DIR [SCALE]}
scale=${3:-4}
seed=${SEED:-1}
mkdir -p "$out"
out=$(cd "$out" && pwd)
cd "$src"

images() {  # the images under HR_DIR, NUL-separated, as relative paths
  find . -type f \( -iname '*.png' -o -iname '*.jpg' -o -iname '*.jpeg' -o -iname '*.bmp' -o -iname '*.tif' \
    -o -iname '*.tiff' -o -iname '*.webp' \) -print0 | LC_ALL=C sort -z
}

# Bicubic pairs. HR images are copied as they are: train.py crops each to SCALE times its LR's size
# from the top left, which is what --modcrop did before shrinking.
images | downscale -0 -q -f -s "$scale" --modcrop --format png -o "$out/lr/"
mkdir -p "$out/hr"
images | xargs -0 cp --parents -t "$out/hr"

# Real-ESRGAN's recipe; --pairs writes hr/ (cropped to a multiple of the scale) and lr/.
images | crappify -0 -q -f --recipe realesrgan --scale "$scale" --seed "$seed" --format png --pairs "$out/realesrgan/"

# fast.ai's crappifier as a chain of stages, so the LR is exactly 1/SCALE of the HR (the fastai
# recipe itself sets the shorter side in pixels, --size, which gives no fixed scale).
images | crappify -0 -q -f --downscale "$scale" --text --jpeg 10-70 --seed "$seed" --format png --pairs "$out/fastai/"

for d in "$out" "$out/realesrgan" "$out/fastai"; do
  echo "training-pairs.sh: $(find "$d/lr" -type f | wc -l) pairs in $d/{hr,lr}"
done
