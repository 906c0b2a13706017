#!/usr/bin/python3
"""Parity of `fid` with pytorch-fid, on the CPU, with seeded random weights.

pytorch-fid's weights file cannot be downloaded here, so this script builds pytorch-fid's own
FIDInceptionV3 (the FID-patched torchvision Inception-v3), initialises it from torch.manual_seed(0)
(convolutions He-normal; batch-norm weight, bias, running mean and variance random too) and saves
its state dict with torch.save in the layout of pt_inception-2015-12-05-6726825d.pth. It then makes
two sets of photos of mixed sizes (random crops and resizes of scikit-image's sample photos and
Set5), and compares, pytorch-fid against `fid --weights <imported .srg>`:

  * FID at --dims 2048, 768, 192 and 64 (pytorch-fid's calculate_frechet_distance, scipy sqrtm; and
    the same statistics through an eigenvalue trace, which is what fid computes);
  * mu and sigma of a set (fid --save-stats, read with numpy), and the 2048-d features of single
    images (the mu of a one-image set);
  * .npz both ways: pytorch-fid's np.savez_compressed statistics given to fid, and fid's statistics
    given to pytorch-fid.

Run with the system Python (Debian's CPU torch):
  apt-get install -y python3-torch python3-torchvision python3-scipy python3-numpy python3-pil python3-skimage
  /usr/bin/python3 -m pip install --break-system-packages --no-deps pytorch-fid
  /usr/bin/python3 Tests/Reference/fid_reference.py --bin .build/release [--work DIR] [--images 100]
Exit status 0 when every difference is within tolerance (1e-4 relative).
"""
import argparse
import collections
import json
import os
import pathlib
import subprocess
import sys
import tempfile

import numpy as np
import torch
from PIL import Image
from scipy import linalg

import pytorch_fid.inception as pfi
from pytorch_fid import fid_score

TOL = 1e-4
ROOT = pathlib.Path(__file__).resolve().parents[2]


def random_state_dict(seed=0):
    """pytorch-fid's FIDInceptionV3 with seeded random weights, in the real file's key order."""
    torch.manual_seed(seed)
    net = pfi._inception_v3(num_classes=1008, aux_logits=False, weights=None)
    net.Mixed_5b = pfi.FIDInceptionA(192, pool_features=32)
    net.Mixed_5c = pfi.FIDInceptionA(256, pool_features=64)
    net.Mixed_5d = pfi.FIDInceptionA(288, pool_features=64)
    net.Mixed_6b = pfi.FIDInceptionC(768, channels_7x7=128)
    net.Mixed_6c = pfi.FIDInceptionC(768, channels_7x7=160)
    net.Mixed_6d = pfi.FIDInceptionC(768, channels_7x7=160)
    net.Mixed_6e = pfi.FIDInceptionC(768, channels_7x7=192)
    net.Mixed_7b = pfi.FIDInceptionE_1(1280)
    net.Mixed_7c = pfi.FIDInceptionE_2(2048)
    with torch.no_grad():
        for name, m in net.named_modules():
            if isinstance(m, torch.nn.Conv2d):
                fan_in = m.in_channels * m.kernel_size[0] * m.kernel_size[1]
                m.weight.normal_(0, (2.0 / fan_in) ** 0.5)
            elif isinstance(m, torch.nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0, 0.2)
                m.running_mean.normal_(0, 0.2)
                m.running_var.uniform_(0.5, 2.0)
            elif isinstance(m, torch.nn.Linear):
                m.weight.normal_(0, 0.02)
                m.bias.zero_()
    state = net.state_dict()
    return collections.OrderedDict((k, state[k]) for k in sorted(state))


def sample_photos():
    photos = []
    try:
        from skimage import data
        for name in ["astronaut", "coffee", "chelsea", "rocket", "camera", "coins", "immunohistochemistry", "hubble_deep_field", "motorcycle_left", "page"]:
            try:
                photos.append(Image.fromarray(getattr(data, name)()))
            except Exception:
                pass
    except ImportError:
        pass
    for p in sorted((pathlib.Path("/work/shared/data/Set5")).glob("*.png")) + sorted((ROOT / "Tests/ImagingTests/Set5").glob("*.png")):
        photos.append(Image.open(p))
    if not photos:
        sys.exit("no sample photos (install python3-skimage or provide Set5)")
    return photos


def make_set(folder, photos, count, seed):
    """Random crops, resizes, modes (RGB, some grey, some RGBA) and formats (PNG, JPEG)."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        src = photos[rng.integers(len(photos))]
        w, h = src.size
        cw, ch = int(rng.integers(min(w, 48), w + 1)), int(rng.integers(min(h, 48), h + 1))
        x, y = int(rng.integers(0, w - cw + 1)), int(rng.integers(0, h - ch + 1))
        im = src.crop((x, y, x + cw, y + ch))
        s = float(rng.uniform(0.4, 1.6))
        im = im.resize((max(16, int(cw * s)), max(16, int(ch * s))), Image.BICUBIC)
        mode = rng.random()
        im = im.convert("L") if mode < 0.1 else im.convert("RGBA") if mode < 0.2 else im.convert("RGB")
        ext = "jpg" if (mode >= 0.2 and rng.random() < 0.3) else "png"
        sub = folder / ("sub" if i % 5 == 0 else "")
        sub.mkdir(exist_ok=True)
        p = sub / f"{i:04d}.{ext}"
        im.save(p, quality=90) if ext == "jpg" else im.save(p)
        paths.append(p)
    return sorted(paths)


def features(model, paths, dims):
    """pytorch-fid's get_activations, one image per batch (sizes differ)."""
    return fid_score.get_activations([str(p) for p in paths], model, batch_size=1, dims=dims, device="cpu", num_workers=0)


def stats(act):
    return np.mean(act, axis=0), np.cov(act, rowvar=False)


def eig_fid(m1, s1, m2, s2):
    w, v = np.linalg.eigh(s1)
    r = (v * np.sqrt(np.maximum(w, 0))) @ v.T
    m = r @ s2 @ r
    t = np.sqrt(np.maximum(np.linalg.eigvalsh((m + m.T) / 2), 0)).sum()
    d = m1 - m2
    return d @ d + np.trace(s1) + np.trace(s2) - 2 * t


def rel(a, b):
    return abs(a - b) / max(abs(b), 1e-12)


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode not in (0, 1):
        sys.exit(f"{' '.join(map(str, cmd))} failed ({r.returncode}):\n{r.stderr}")
    return r.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=str(ROOT / ".build/release"), help="folder with the fid and srg executables")
    ap.add_argument("--work", help="working folder (default: a temporary one)")
    ap.add_argument("--images", type=int, default=100, help="images per set")
    ap.add_argument("--dims", default="2048,768,192,64")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    work = pathlib.Path(args.work or tempfile.mkdtemp(prefix="fid-reference-"))
    work.mkdir(parents=True, exist_ok=True)
    fid_bin, srg_bin = pathlib.Path(args.bin) / "fid", pathlib.Path(args.bin) / "srg"

    pth = work / "pt_inception-random.pth"
    state = random_state_dict()
    torch.save(state, pth)
    pfi.load_state_dict_from_url = lambda *a, **k: torch.load(pth)
    srg = work / "inception-random.srg"
    run([srg_bin, "import", pth, "-o", srg, "--force"])

    photos = sample_photos()
    a = make_set(work / "a", photos, args.images, 1)
    b = make_set(work / "b", photos, args.images, 2)
    ok = True

    def check(label, ours, theirs, tol=TOL, absolute=1e-6):
        nonlocal ok
        err = rel(ours, theirs)
        good = err <= tol or abs(ours - theirs) <= absolute
        ok &= good
        print(f"{label:52s} ours {ours:.10g}  pytorch-fid {theirs:.10g}  rel {err:.2e}  {'ok' if good else 'FAIL'}")

    dims_list = [int(d) for d in args.dims.split(",")]
    first = dims_list[0]
    for dims in dims_list:
        model = pfi.InceptionV3([pfi.InceptionV3.BLOCK_INDEX_BY_DIM[dims]]).eval()
        fa, fb = features(model, a, dims), features(model, b, dims)
        (m1, s1), (m2, s2) = stats(fa), stats(fb)
        try:
            ref = fid_score.calculate_frechet_distance(m1, s1, m2, s2)
        except ValueError as e:
            print(f"  pytorch-fid's sqrtm fails at dims {dims}: {e}")
            ref = float("nan")
        ref_eig = eig_fid(m1, s1, m2, s2)
        out = run([fid_bin, "--weights", srg, "--dims", str(dims), "--json", "-q", "--save-stats", work / f"a{dims}.npz", work / "a", work / "b"])
        ours = json.loads(out)["fid"]
        check(f"FID dims {dims} (vs scipy sqrtm)", ours, ref, tol=TOL if dims < args.images else 1e-2)
        check(f"FID dims {dims} (vs eigenvalue trace, same statistics)", ours, ref_eig)
        saved = np.load(work / f"a{dims}.npz")
        mu_err = np.abs(saved["mu"] - m1).max() / np.abs(m1).max()
        sig_err = np.abs(saved["sigma"] - s1).max() / np.abs(s1).max()
        ok &= mu_err <= TOL and sig_err <= TOL
        print(f"{'  mu, sigma of set a (max |diff| / max |value|)':52s} mu {mu_err:.2e}  sigma {sig_err:.2e}  {'ok' if mu_err <= TOL and sig_err <= TOL else 'FAIL'}")
        if dims == first:
            # Features of single images: the mean of a one-image set.
            for p in a[:3]:
                out_npz = work / "one.npz"
                run([fid_bin, "--weights", srg, "--dims", str(dims), "-q", "--save-stats", out_npz, p])
                f = np.load(out_npz)["mu"]
                ref_f = features(model, [p], dims)[0]
                e = np.abs(f - ref_f).max() / np.abs(ref_f).max()
                ok &= e <= TOL
                print(f"  {dims}-d features of {p.relative_to(work)} (max |diff| / max |value|) {e:.2e}  {'ok' if e <= TOL else 'FAIL'}")
            # .npz both ways: pytorch-fid's compressed statistics read by fid, ours read by pytorch-fid.
            theirs = work / "theirs_b.npz"
            np.savez_compressed(theirs, mu=m2, sigma=s2)
            out = run([fid_bin, "--json", "-q", work / f"a{dims}.npz", theirs])
            check("fid reading our a.npz and pytorch-fid's b.npz", json.loads(out)["fid"], eig_fid(saved["mu"], saved["sigma"], m2, s2), tol=1e-9)
            mo, so = fid_score.compute_statistics_of_path(str(work / f"a{dims}.npz"), model, 1, dims, "cpu")
            same = np.array_equal(mo, saved["mu"]) and np.array_equal(so, saved["sigma"])
            ok &= same
            print(f"  pytorch-fid reads our a.npz: mu and sigma {'identical' if same else 'DIFFERENT'}")
            try:
                check("pytorch-fid's FID from our a.npz and its b", fid_score.calculate_frechet_distance(mo, so, m2, s2), ref,
                      tol=TOL if dims < args.images else 1e-2)
            except ValueError as e:
                print(f"  pytorch-fid's sqrtm fails: {e}")
    print("PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
