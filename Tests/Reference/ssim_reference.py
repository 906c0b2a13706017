#!/usr/bin/env python3
"""Checks `ssim` against scikit-image and against plain numpy transcriptions of the conventions it
implements, on real photos and distorted copies of them.

    python3 Tests/Reference/ssim_reference.py SSIM_BINARY FIXTURE_DIR [--tolerance 1e-6]

References per mode:
  default       skimage.metrics.structural_similarity(gaussian_weights=True, sigma=1.5,
                use_sample_covariance=False, data_range=R, channel_axis=-1)
  --skimage     structural_similarity(data_range=R, channel_axis=-1)   (7x7 uniform, sample covariance)
  --y --crop N  the same Gaussian SSIM on the luma of MATLAB's rgb2ycbcr (rounded as uint8 / uint16),
                N pixels cut from each border
  --matlab      Wang's ssim.m: f = max(1, round(min(M,N)/256)), imfilter(ones(f)/f^2, 'symmetric'),
                img(1:f:end, 1:f:end), then the Gaussian SSIM
  msssim        pytorch-msssim's ms_ssim (5 scales, weights 0.0448..0.1333, valid Gaussian filtering,
                avg_pool2d(2, padding=size%2) between scales, relu), transcribed in numpy
  psnr          skimage.metrics.peak_signal_noise_ratio(data_range=R)
Needs numpy, scipy, scikit-image and Pillow. Prints one line per check and exits 1 if any differs by more than the tolerance (absolute).
"""
import io, json, os, struct, subprocess, sys, tempfile, zlib
import numpy as np
from PIL import Image
from scipy import ndimage
from skimage.metrics import structural_similarity, peak_signal_noise_ratio

WEIGHTS = [0.0448, 0.2856, 0.3001, 0.2363, 0.1333]


def gaussian_ssim(a, b, R, **kw):
    return structural_similarity(a, b, gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
                                 data_range=R, channel_axis=-1 if a.ndim == 3 else None, **kw)


def luma(a, R):
    x = a.astype(np.float64) / R
    y = (16 + 65.481 * x[..., 0] + 128.553 * x[..., 1] + 24.966 * x[..., 2]) * (R / 255)
    return np.floor(y + 0.5)  # MATLAB rounds half away from zero; values are positive


def matlab_downsample(p):
    f = max(1, int(np.floor(min(p.shape[:2]) / 256 + 0.5)))
    if f == 1:
        return p
    before = (f + 1) // 2 - 1
    padded = np.pad(p, [(before, f - 1 - before), (before, f - 1 - before)] + [(0, 0)] * (p.ndim - 2), mode="symmetric")
    # box sum over rows i-before .. i-before+f-1 (and the same columns)
    out = np.zeros_like(p, dtype=np.float64)
    for dy in range(f):
        for dx in range(f):
            out += padded[dy:dy + p.shape[0], dx:dx + p.shape[1]]
    out /= f * f
    return out[::f, ::f]


def valid_gauss(x):
    g = np.exp(-((np.arange(11) - 5) ** 2) / (2 * 1.5 ** 2))
    g /= g.sum()
    x = ndimage.correlate1d(x, g, axis=0, mode="constant")[5:-5, :]
    return ndimage.correlate1d(x, g, axis=1, mode="constant")[:, 5:-5]


def ssim_cs(x, y, R):
    c1, c2 = (0.01 * R) ** 2, (0.03 * R) ** 2
    mu1, mu2 = valid_gauss(x), valid_gauss(y)
    s11 = valid_gauss(x * x) - mu1 ** 2
    s22 = valid_gauss(y * y) - mu2 ** 2
    s12 = valid_gauss(x * y) - mu1 * mu2
    cs = (2 * s12 + c2) / (s11 + s22 + c2)
    return (((2 * mu1 * mu2 + c1) / (mu1 ** 2 + mu2 ** 2 + c1)) * cs).mean(), cs.mean()


def pool(x):
    ph, pw = x.shape[0] % 2, x.shape[1] % 2
    x = np.pad(x, [(ph, ph), (pw, pw)])
    h, w = (x.shape[0] - 2) // 2 + 1, (x.shape[1] - 2) // 2 + 1
    return (x[0:2 * h:2, 0:2 * w:2] + x[1:2 * h:2, 0:2 * w:2] + x[0:2 * h:2, 1:2 * w:2] + x[1:2 * h:2, 1:2 * w:2]) / 4


def msssim(a, b, R):
    vals = []
    for c in range(a.shape[2] if a.ndim == 3 else 1):
        x = (a[..., c] if a.ndim == 3 else a).astype(np.float64)
        y = (b[..., c] if b.ndim == 3 else b).astype(np.float64)
        v = 1.0
        for i, w in enumerate(WEIGHTS):
            s, cs = ssim_cs(x, y, R)
            if i == len(WEIGHTS) - 1:
                v *= max(s, 0) ** w
            else:
                v *= max(cs, 0) ** w
                x, y = pool(x), pool(y)
        vals.append(v)
    return float(np.mean(vals))


def read(path):
    """8-bit images through Pillow; 16-bit RGB PNGs (which Pillow reduces to 8 bits) decoded here,
    for the unfiltered ones this script and the fixtures use."""
    data = open(path, "rb").read()
    if data[:8] == b"\x89PNG\r\n\x1a\n" and data[24] == 16:
        w, h = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        idat, pos = b"", 8
        while pos < len(data):
            n, kind = int.from_bytes(data[pos:pos + 4], "big"), data[pos + 4:pos + 8]
            if kind == b"IDAT":
                idat += data[pos + 8:pos + 8 + n]
            pos += 12 + n
        rows = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(h, 1 + w * 6)
        assert (rows[:, 0] == 0).all(), "filtered 16-bit PNG rows are not supported here"
        return rows[:, 1:].copy().view(">u2").reshape(h, w, 3).astype(np.uint16)
    return np.asarray(Image.open(path))


def ours(binary, ref, test, *flags):
    out = subprocess.run([binary, "--json", "--metrics", "ssim,psnr,msssim" if "msssim" in flags else "ssim,psnr",
                          *[f for f in flags if f != "msssim"], ref, test], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"ssim failed on {ref} {test}: {out.stderr}")
    return json.loads(out.stdout.splitlines()[0])


def main():
    binary, fixtures = sys.argv[1], sys.argv[2]
    tol = float(sys.argv[sys.argv.index("--tolerance") + 1]) if "--tolerance" in sys.argv else 1e-6
    tmp = tempfile.mkdtemp()
    cases = []
    for name in ["chelsea.png", "rocket.jpg", "camera.png", "chelsea-16bit.png"]:
        ref = os.path.join(fixtures, name)
        im = Image.open(ref)
        a = read(ref)
        if a.dtype == np.uint16:
            R = 65535
            noise = np.random.default_rng(1).normal(0, 900, a.shape)
            b = np.clip(a + noise, 0, 65535).astype(np.uint16)
            test = os.path.join(tmp, "t-" + name)
            h, w, _ = b.shape
            raw = b"".join(b"\x00" + b[y].astype(">u2").tobytes() for y in range(h))
            chunk = lambda k, d: struct.pack(">I", len(d)) + k + d + struct.pack(">I", zlib.crc32(k + d) & 0xFFFFFFFF)
            open(test, "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, 2, 0, 0, 0))
                                   + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
            b = read(test)
        else:
            R = 255
            buf = io.BytesIO()
            im.save(buf, "JPEG", quality=25)
            test = os.path.join(tmp, "t-" + name.rsplit(".", 1)[0] + ".png")
            Image.open(buf).save(test)
            b = read(test)
        cases.append((ref, test, a, b, R))

    worst = 0.0
    def check(label, got, want):
        nonlocal worst
        d = abs(got - want)
        worst = max(worst, d)
        print(f"{'ok  ' if d <= tol else 'FAIL'} {label}: ours {got:.10f} reference {want:.10f} diff {d:.2e}")

    for ref, test, a, b, R in cases:
        n = os.path.basename(ref)
        r = ours(binary, ref, test)
        check(f"{n} ssim", r["ssim"], gaussian_ssim(a, b, R))
        check(f"{n} psnr", r["psnr"], peak_signal_noise_ratio(a, b, data_range=R))
        r = ours(binary, ref, test, "--skimage")
        check(f"{n} ssim --skimage", r["ssim"], structural_similarity(a, b, data_range=R, channel_axis=-1 if a.ndim == 3 else None))
        r = ours(binary, ref, test, "--matlab")
        check(f"{n} ssim --matlab", r["ssim"], gaussian_ssim(matlab_downsample(a.astype(np.float64)), matlab_downsample(b.astype(np.float64)), R))
        r = ours(binary, ref, test, "msssim")
        check(f"{n} msssim", r["msssim"], msssim(a, b, R))
        if a.ndim == 3:
            r = ours(binary, ref, test, "--y", "--crop", "4")
            ya, yb = luma(a, R)[4:-4, 4:-4], luma(b, R)[4:-4, 4:-4]
            check(f"{n} ssim --y --crop 4", r["ssim"], gaussian_ssim(ya, yb, R))
            check(f"{n} psnr --y --crop 4", r["psnr"], peak_signal_noise_ratio(ya, yb, data_range=R))
    print(f"largest difference {worst:.2e} (tolerance {tol:g})")
    return 0 if worst <= tol else 1


if __name__ == "__main__":
    sys.exit(main())
