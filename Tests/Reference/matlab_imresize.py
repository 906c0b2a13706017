#!/usr/bin/env python3
"""Float64 numpy reference of MATLAB's imresize(A, scale, 'bicubic').

Follows MATLAB's toolbox/images/images/imresize.m (functions `contributions`,
`cubic`, `dimensionResizeOrder` and `resizeAlongDim`):

    % contributions(in_length, out_length, scale, kernel, kernel_width, antialiasing)
    if (scale < 1) && antialiasing
        h = @(x) scale * kernel(scale * x);
        kernel_width = kernel_width / scale;
    end
    x = (1:out_length)';
    u = x/scale + 0.5 * (1 - 1/scale);
    left = floor(u - kernel_width/2);
    P = ceil(kernel_width) + 2;
    indices = bsxfun(@plus, left, 0:P-1);
    weights = h(bsxfun(@minus, u, indices));
    weights = bsxfun(@rdivide, weights, sum(weights, 2));
    aux = [1:in_length, in_length:-1:1];
    indices = aux(mod(indices-1, length(aux)) + 1);
    kill = find(~any(weights, 1)); weights(:,kill) = []; indices(:,kill) = [];

    % cubic(x), Keys with a = -0.5, support 4
    f = (1.5*|x|^3 - 2.5*|x|^2 + 1)             .* (|x| <= 1) + ...
        (-0.5*|x|^3 + 2.5*|x|^2 - 4*|x| + 2)    .* (1 < |x| & |x| <= 2);

Choices made here:
  * Output length per dimension is ceil(in_len * scale) when a scale is
    given; when an output shape is given, scale = out_len / in_len per
    dimension (as MATLAB does).
  * Antialiasing is on, i.e. the kernel is widened when scale < 1.
  * Dimension order: MATLAB sorts the scales (`[~, order] = sort(scale)`,
    stable), so the dimension with the smallest scale is resized first and
    with equal scales rows (dim 1, height) go first. This is followed here.
  * Each dimension's contributions are accumulated into a dense
    out_len x in_len weight matrix (mirrored indices add up), so removing
    zero-weight columns has no effect on the result.
  * The computation stays in float64 from the uint8 input (0..255) to the
    end and is rounded once (half away from zero, clipped to 0..255).
    MATLAB itself, for uint8 input, returns uint8 from each 1-D pass
    (imresizemex keeps the input class), so it also rounds the intermediate
    image; `round_intermediate=True` (CLI: --round-intermediate) mimics that.

Subcommands:
  resize       write the reference image
  compare      compare an image with the float64 reference (exit 1 if the
               max abs difference exceeds --tolerance, default 0.5)
  compare-pil  compare an image with Pillow's Image.resize(..., BICUBIC)
               (exit 1 if the max abs difference exceeds 1)
  set5         bicubic down/up PSNR/SSIM on Set5; with the default luma
               protocol it reproduces the published bicubic baseline
               (x2 33.66/0.9299, x3 30.39/0.8682, x4 28.42/0.8104)

Only numpy and Pillow are used.
"""

import argparse
import math
import os
import sys

import numpy as np
from PIL import Image


def cubic(x):
    """Keys cubic convolution kernel, a = -0.5."""
    ax = np.abs(x)
    ax2 = ax * ax
    ax3 = ax2 * ax
    return ((1.5 * ax3 - 2.5 * ax2 + 1) * (ax <= 1)
            + (-0.5 * ax3 + 2.5 * ax2 - 4 * ax + 2) * ((ax > 1) & (ax <= 2)))


def weight_matrix(in_len, out_len, scale, antialiasing=True):
    """Dense (out_len, in_len) matrix of MATLAB's bicubic contributions."""
    kernel_width = 4.0
    if scale < 1 and antialiasing:
        def h(x):
            return scale * cubic(scale * x)
        kernel_width = kernel_width / scale
    else:
        h = cubic
    x = np.arange(1, out_len + 1, dtype=np.float64)[:, None]   # 1-based
    u = x / scale + 0.5 * (1 - 1 / scale)
    left = np.floor(u - kernel_width / 2)
    P = int(math.ceil(kernel_width)) + 2
    indices = left + np.arange(P)[None, :]                      # 1-based
    weights = h(u - indices)
    weights = weights / weights.sum(axis=1, keepdims=True)
    aux = np.concatenate([np.arange(1, in_len + 1), np.arange(in_len, 0, -1)])
    indices = aux[np.mod(indices.astype(np.int64) - 1, len(aux))]
    W = np.zeros((out_len, in_len))
    rows = np.broadcast_to(np.arange(out_len)[:, None], indices.shape)
    np.add.at(W, (rows, indices - 1), weights)
    return W


def to_uint8(a):
    """MATLAB double -> uint8: round half away from zero, saturate."""
    return np.clip(np.floor(a + 0.5), 0, 255).astype(np.uint8)


def imresize(img, scale=None, output_shape=None, round_intermediate=False):
    """MATLAB imresize(img, scale, 'bicubic') with antialiasing.

    img: (H, W) or (H, W, C) array; uint8 values are used as 0..255.
    scale: number or (row_scale, col_scale); output_shape: (H, W).
    Returns the unrounded float64 result, unless round_intermediate is true,
    in which case each 1-D pass is rounded to uint8 like MATLAB does for
    uint8 input (the result is then uint8).
    """
    a = np.asarray(img, dtype=np.float64)
    in_shape = a.shape[:2]
    if scale is not None:
        scales = tuple(scale) if np.ndim(scale) else (scale, scale)
        scales = tuple(float(s) for s in scales)
        out_shape = tuple(int(math.ceil(n * s)) for n, s in zip(in_shape, scales))
    elif output_shape is not None:
        out_shape = tuple(int(n) for n in output_shape)
        scales = tuple(o / n for o, n in zip(out_shape, in_shape))
    else:
        raise ValueError("give scale or output_shape")
    order = sorted(range(2), key=lambda d: scales[d])   # stable: rows first on ties
    for dim in order:
        W = weight_matrix(in_shape[dim], out_shape[dim], scales[dim])
        a = np.tensordot(W, a, axes=([1], [dim]))       # resized axis moves to 0
        a = np.moveaxis(a, 0, dim)
        if round_intermediate:
            a = to_uint8(a).astype(np.float64)
    return to_uint8(a) if round_intermediate else a


# ---------------------------------------------------------------- helpers

def parse_scale(text):
    """A scale factor: a number such as 0.25, or a fraction such as 1/3."""
    num, _, den = text.partition("/")
    return float(num) / float(den) if den else float(num)


def load(path):
    im = Image.open(path)
    if im.mode not in ("L", "RGB"):
        im = im.convert("RGBA" if "A" in im.getbands() else "RGB")
    return np.asarray(im)


def save(path, arr):
    Image.fromarray(arr).save(path)


def rgb_to_y(img):
    """MATLAB rgb2ycbcr luma for uint8 RGB, returned as uint8 values."""
    a = img.astype(np.float64)
    y = 16 + (65.481 * a[..., 0] + 128.553 * a[..., 1] + 24.966 * a[..., 2]) / 255
    return to_uint8(y)


def psnr(a, b):
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return 10 * math.log10(255.0 ** 2 / mse)


def _filter_valid(img, g):
    """Separable 'valid' correlation of a 2-D image with 1-D kernel g."""
    n = len(g)
    h, w = img.shape
    t = sum(g[k] * img[k:h - n + 1 + k, :] for k in range(n))
    return sum(g[k] * t[:, k:w - n + 1 + k] for k in range(n))


def ssim(a, b, L=255.0):
    """Wang et al. 2004 SSIM: 11x11 Gaussian (sigma 1.5), K1 .01, K2 .03."""
    x = np.arange(11) - 5
    g = np.exp(-(x ** 2) / (2 * 1.5 ** 2))
    g /= g.sum()
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    c1, c2 = (0.01 * L) ** 2, (0.03 * L) ** 2
    mu1, mu2 = _filter_valid(a, g), _filter_valid(b, g)
    s11 = _filter_valid(a * a, g) - mu1 ** 2
    s22 = _filter_valid(b * b, g) - mu2 ** 2
    s12 = _filter_valid(a * b, g) - mu1 * mu2
    m = ((2 * mu1 * mu2 + c1) * (2 * s12 + c2)) / ((mu1 ** 2 + mu2 ** 2 + c1) * (s11 + s22 + c2))
    return m.mean()


def diff_stats(ours, ref):
    if ours.shape != ref.shape:
        sys.exit(f"shape mismatch: ours {ours.shape} vs reference {ref.shape}")
    d = np.abs(ours.astype(np.float64) - ref.astype(np.float64))
    return d.max(), d.mean()


# ---------------------------------------------------------------- commands

def cmd_resize(args):
    img = load(args.input)
    out = imresize(img, args.scale, round_intermediate=args.round_intermediate)
    save(args.output, to_uint8(out) if out.dtype != np.uint8 else out)


# Slack added to --tolerance so that an implementation computing in float32
# is not failed for rounding a value within float32 error of .5 the other way.
FLOAT_SLACK = 1e-3


def cmd_compare(args):
    """Compare OURS with the reference.

    max_abs_diff_vs_float: against the unrounded float64 reference clipped to
    0..255 (a correctly rounded result is within 0.5 of it);
    max_abs_diff_uint8 and mean_abs_diff: against the rounded uint8 reference.
    """
    img = load(args.input)
    ours = load(args.ours)
    ref_f = np.clip(imresize(img, args.scale), 0, 255)
    ref_u8 = to_uint8(ref_f)
    max_f, _ = diff_stats(ours, ref_f)
    max_u8, mean_u8 = diff_stats(ours, ref_u8)
    print(f"max_abs_diff_vs_float={max_f:.4f} max_abs_diff_uint8={int(max_u8)} "
          f"mean_abs_diff={mean_u8:.4f}")
    return 1 if max_f > args.tolerance + FLOAT_SLACK else 0


def cmd_compare_pil(args):
    im = Image.open(args.input)
    size = (round(im.width * args.scale), round(im.height * args.scale))
    ref = np.asarray(im.resize(size, Image.BICUBIC))
    ours = load(args.ours)
    max_d, mean_d = diff_stats(ours, ref)
    print(f"max_abs_diff={int(max_d)} mean_abs_diff={mean_d:.4f}")
    return 1 if max_d > args.tolerance else 0


def cmd_set5(args):
    """Bicubic down/up baseline on Set5, PSNR/SSIM on luma, s-pixel border shaved.

    --protocol y (default): the SRCNN/VDSR evaluation protocol that produced
      the published table (demo_SR.m): Y = rgb2ycbcr(uint8 RGB) as uint8,
      downscale and upscale the Y plane in float with no rounding in between,
      round once to uint8.
    --protocol rgb: resize the RGB image, rounding to uint8 after the
      downscale and after the upscale, then take Y of both images.
    """
    s = args.scale
    names = sorted(f for f in os.listdir(args.dir)
                   if f.lower().endswith((".png", ".bmp", ".jpg", ".tif", ".tiff")))
    ri = args.round_intermediate

    def resize_u8(a, scale):
        out = imresize(a, scale, round_intermediate=ri)
        return out if ri else to_uint8(out)

    psnrs, ssims = [], []
    for name in names:
        hr = load(os.path.join(args.dir, name))
        h, w = hr.shape[:2]
        hr = hr[:h - h % s, :w - w % s]                          # modcrop
        y_hr = rgb_to_y(hr) if hr.ndim == 3 else hr
        if args.protocol == "y":
            y_sr = to_uint8(imresize(imresize(y_hr, 1 / s), s))
        else:
            sr = resize_u8(resize_u8(hr, 1 / s), s)
            y_sr = rgb_to_y(sr) if sr.ndim == 3 else sr
        y_hr, y_sr = y_hr[s:-s, s:-s], y_sr[s:-s, s:-s]
        psnrs.append(psnr(y_hr, y_sr))
        ssims.append(ssim(y_hr, y_sr))
        if args.verbose:
            print(f"{name}: psnr={psnrs[-1]:.4f} ssim={ssims[-1]:.4f}")
    print(f"scale={s} protocol={args.protocol} images={len(names)} "
          f"psnr={np.mean(psnrs):.4f} ssim={np.mean(ssims):.4f}")
    return 0


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)

    r = sub.add_parser("resize", help="write the MATLAB bicubic reference image")
    r.add_argument("--input", required=True)
    r.add_argument("--scale", type=parse_scale, required=True,
                   help="e.g. 0.25 or 1/3")
    r.add_argument("--output", required=True)
    r.add_argument("--round-intermediate", action="store_true",
                   help="round to uint8 after each 1-D pass (MATLAB on uint8 input)")
    r.set_defaults(func=cmd_resize)

    c = sub.add_parser("compare", help="compare an image with the float64 reference")
    c.add_argument("--input", required=True)
    c.add_argument("--ours", required=True)
    c.add_argument("--scale", type=parse_scale, required=True,
                   help="e.g. 0.25 or 1/3")
    c.add_argument("--tolerance", type=float, default=0.5,
                   help="max abs difference from the unrounded reference, in "
                        "8-bit units (default 0.5, plus %g float slack)" % FLOAT_SLACK)
    c.set_defaults(func=cmd_compare)

    cp = sub.add_parser("compare-pil", help="compare with Pillow Image.resize BICUBIC")
    cp.add_argument("--input", required=True)
    cp.add_argument("--ours", required=True)
    cp.add_argument("--scale", type=parse_scale, required=True,
                   help="e.g. 0.25 or 1/3")
    cp.add_argument("--tolerance", type=float, default=1,
                    help="max abs difference in 8-bit units (default 1)")
    cp.set_defaults(func=cmd_compare_pil)

    s5 = sub.add_parser("set5", help="Set5 bicubic baseline PSNR/SSIM")
    s5.add_argument("--dir", required=True)
    s5.add_argument("--scale", type=int, required=True)
    s5.add_argument("--protocol", choices=("y", "rgb"), default="y",
                    help="y: resize the luma plane in float (published table); "
                         "rgb: resize RGB rounding to uint8 after each resize")
    s5.add_argument("--round-intermediate", action="store_true",
                    help="with --protocol rgb: also round after each 1-D pass")
    s5.add_argument("-v", "--verbose", action="store_true")
    s5.set_defaults(func=cmd_set5)

    args = p.parse_args(argv)
    return args.func(args) or 0


if __name__ == "__main__":
    sys.exit(main())
