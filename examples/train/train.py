#!/usr/bin/env python3
"""A compact GAN super-resolution recipe, as the ESRGAN and fast.ai write-ups describe it:

1. pretrain the generator on a pixel loss (L1 or MSE), optionally plus a VGG feature loss;
2. fine-tune it adversarially against a discriminator: ESRGAN's relativistic average GAN (--gan ragan,
   the default), or fast.ai's critic switching (--gan critic: train the critic until its loss drops
   below a threshold, then the generator for one step, and again);
3. export the generator to .srg with examples/export/export_srg.py, for `upscale -m FILE.srg`.

Training pairs come from examples/training-pairs.sh: folders holding hr/ and lr/ whose files match by
name; each HR image is cropped from the top left to SCALE times its LR's size.

    python3 examples/train/train.py --data pairs/realesrgan --scale 4 -o my-x4.srg
    python3 examples/train/train.py --tiny --data pairs -o tiny.srg        # a CPU smoke run, well under a minute

The VGG feature loss (--vgg) needs torchvision's ImageNet VGG19 weights already in the torch hub cache
(vgg19-dcbb9e9d.pth); nothing is downloaded.
"""
import argparse
import math
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image, ImageOps

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "export"))
from export_srg import export  # noqa: E402

IMAGE_EXTENSIONS = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"}


# ---------------------------------------------------------------- generators

class SRVGG(nn.Module):
    """SRVGGNetCompact (Real-ESRGAN's compact model): plain convolutions at LR size, pixel shuffle, plus
    the nearest-neighbour enlarged input."""

    def __init__(self, scale=4, features=64, convs=16):
        super().__init__()
        self.scale = scale
        layers = [nn.Conv2d(3, features, 3, padding=1), nn.PReLU(features)]
        for _ in range(convs):
            layers += [nn.Conv2d(features, features, 3, padding=1), nn.PReLU(features)]
        layers += [nn.Conv2d(features, 3 * scale * scale, 3, padding=1), nn.PixelShuffle(scale)]
        self.body = nn.Sequential(*layers)
        self.halo = convs + 2  # receptive-field radius in input pixels

    def forward(self, x):
        return self.body(x) + F.interpolate(x, scale_factor=self.scale, mode="nearest")


class RDB(nn.Module):
    """Residual dense block: five densely connected convolutions, residual scaled by 0.2."""

    def __init__(self, nf, gc):
        super().__init__()
        self.convs = nn.ModuleList(nn.Conv2d(nf + i * gc, gc if i < 4 else nf, 3, padding=1) for i in range(5))

    def forward(self, x):
        feats = [x]
        for i, conv in enumerate(self.convs):
            y = conv(torch.cat(feats, 1))
            if i < 4:
                feats.append(F.leaky_relu(y, 0.2))
        return y * 0.2 + x


class RRDB(nn.Module):
    def __init__(self, nf, gc):
        super().__init__()
        self.blocks = nn.Sequential(RDB(nf, gc), RDB(nf, gc), RDB(nf, gc))

    def forward(self, x):
        return self.blocks(x) * 0.2 + x


class RRDBNet(nn.Module):
    """ESRGAN's generator (scale 2 or 4): RRDB trunk, then nearest x2 upsampling steps."""

    def __init__(self, scale=4, nf=64, blocks=23, gc=32):
        super().__init__()
        assert scale in (2, 4), "RRDBNet here upsamples in x2 steps: scale 2 or 4"
        self.steps = int(math.log2(scale))
        self.first = nn.Conv2d(3, nf, 3, padding=1)
        self.trunk = nn.Sequential(*[RRDB(nf, gc) for _ in range(blocks)])
        self.trunk_conv = nn.Conv2d(nf, nf, 3, padding=1)
        self.ups = nn.ModuleList(nn.Conv2d(nf, nf, 3, padding=1) for _ in range(self.steps))
        self.hr_conv = nn.Conv2d(nf, nf, 3, padding=1)
        self.last = nn.Conv2d(nf, 3, 3, padding=1)
        self.halo = min(64, 2 + 15 * blocks + self.steps + 2)

    def forward(self, x):
        f = self.first(x)
        f = f + self.trunk_conv(self.trunk(f))
        for up in self.ups:
            f = F.leaky_relu(up(F.interpolate(f, scale_factor=2, mode="nearest")), 0.2)
        return self.last(F.leaky_relu(self.hr_conv(f), 0.2))


# ---------------------------------------------------------------- discriminator

class Discriminator(nn.Module):
    """ESRGAN's VGG-style discriminator (five stride-2 stages for 128-pixel patches, fewer for small
    ones), with a global average pool so any patch size works."""

    def __init__(self, nf=64, patch=128):
        super().__init__()
        layers, c = [], 3
        stages = max(1, min(5, int(math.log2(patch)) - 2))
        for out in [nf, nf * 2, nf * 4, nf * 8, nf * 8][:stages]:
            layers += [nn.Conv2d(c, out, 3, 1, 1), nn.LeakyReLU(0.2, True),
                       nn.Conv2d(out, out, 4, 2, 1, bias=False), nn.BatchNorm2d(out), nn.LeakyReLU(0.2, True)]
            c = out
        self.features = nn.Sequential(*layers)
        self.head = nn.Sequential(nn.Linear(c, 100), nn.LeakyReLU(0.2, True), nn.Linear(100, 1))

    def forward(self, x):
        return self.head(self.features(x).mean(dim=(2, 3)))


# ---------------------------------------------------------------- data

def load(path):
    with Image.open(path) as im:
        a = np.asarray(ImageOps.exif_transpose(im).convert("RGB"), dtype=np.float32) / 255.0
    return torch.from_numpy(a).permute(2, 0, 1).contiguous()


def images(folder):
    out = {}
    for root, _, files in os.walk(folder):
        for f in files:
            stem, ext = os.path.splitext(f)
            if ext.lower() in IMAGE_EXTENSIONS:
                out[os.path.relpath(os.path.join(root, stem), folder)] = os.path.join(root, f)
    return out


def read_pairs(folders, scale):
    """(HR, LR) tensors, HR cropped from the top left to SCALE x the LR's size."""
    pairs = []
    for d in folders:
        hr, lr = images(os.path.join(d, "hr")), images(os.path.join(d, "lr"))
        for key in sorted(lr.keys() & hr.keys()):
            x, y = load(hr[key]), load(lr[key])
            h, w = y.shape[1] * scale, y.shape[2] * scale
            if x.shape[1] < h or x.shape[2] < w:
                sys.exit(f"train.py: {hr[key]} is smaller than x{scale} its LR {lr[key]}")
            pairs.append((x[:, :h, :w], y))
    if not pairs:
        sys.exit(f"train.py: no hr/lr pairs in {', '.join(folders)} (see examples/training-pairs.sh)")
    return pairs


def batch(pairs, size, patch, scale):
    """Aligned random patches (LR side patch // scale), randomly flipped and transposed."""
    p = patch // scale
    hrs, lrs = [], []
    for _ in range(size):
        hr, lr = random.choice(pairs)
        y, x = random.randint(0, max(0, lr.shape[1] - p)), random.randint(0, max(0, lr.shape[2] - p))
        a, b = hr[:, y * scale:(y + p) * scale, x * scale:(x + p) * scale], lr[:, y:y + p, x:x + p]
        if a.shape[1] != patch or a.shape[2] != patch:
            sys.exit(f"train.py: an LR image is smaller than the {p}px patch (lower --patch)")
        if random.random() < 0.5:
            a, b = a.flip(2), b.flip(2)
        if random.random() < 0.5:
            a, b = a.flip(1), b.flip(1)
        if random.random() < 0.5:
            a, b = a.transpose(1, 2), b.transpose(1, 2)
        hrs.append(a)
        lrs.append(b)
    return torch.stack(hrs), torch.stack(lrs)


# ---------------------------------------------------------------- losses

class VGGLoss(nn.Module):
    """L1 between VGG19 conv5_4 features before activation (ESRGAN's perceptual loss)."""

    def __init__(self):
        super().__init__()
        import torchvision
        cache = os.path.join(torch.hub.get_dir(), "checkpoints", "vgg19-dcbb9e9d.pth")
        if not os.path.exists(cache):
            sys.exit(f"train.py: --vgg needs torchvision's VGG19 weights in {cache}; train without --vgg")
        vgg = torchvision.models.vgg19()
        vgg.load_state_dict(torch.load(cache, map_location="cpu"))
        self.features = vgg.features[:35].eval().requires_grad_(False)
        self.register_buffer("mean", torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1))

    def forward(self, a, b):
        return F.l1_loss(self.features((a - self.mean) / self.std), self.features((b - self.mean) / self.std))


def bce(logits, target):
    return F.binary_cross_entropy_with_logits(logits, torch.full_like(logits, float(target)))


# ---------------------------------------------------------------- training

def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", action="append", required=True, help="a folder with hr/ and lr/ (repeatable)")
    p.add_argument("-o", "--output", required=True, help="the .srg file to write (a .pth of the weights goes beside it)")
    p.add_argument("--name", help="the model's name (default: the output's base name)")
    p.add_argument("--scale", type=int, default=4)
    p.add_argument("--arch", choices=["srvgg", "rrdb"], default="srvgg")
    p.add_argument("--features", type=int, default=64)
    p.add_argument("--depth", type=int, default=16, help="srvgg: convolutions; rrdb: RRDB blocks")
    p.add_argument("--patch", type=int, default=128, help="HR patch side")
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--pretrain-iters", type=int, default=100000)
    p.add_argument("--gan-iters", type=int, default=100000)
    p.add_argument("--lr", type=float, default=2e-4, help="pretraining learning rate (fine-tuning: half)")
    p.add_argument("--loss", choices=["l1", "mse"], default="l1")
    p.add_argument("--vgg", action="store_true", help="add ESRGAN's VGG19 feature loss")
    p.add_argument("--gan", choices=["ragan", "critic"], default="ragan")
    p.add_argument("--pixel-weight", type=float, help="pixel loss weight when fine-tuning (default 0.01 with --vgg, else 1)")
    p.add_argument("--gan-weight", type=float, default=5e-3)
    p.add_argument("--critic-threshold", type=float, default=0.65, help="--gan critic: switch to the generator below this loss")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--log-every", type=int, default=100)
    p.add_argument("--tiny", action="store_true", help="a small, fast CPU run: tiny generator and critic, few iterations")
    a = p.parse_args()
    if a.tiny:
        a.features, a.depth, a.patch, a.batch = 16, 4 if a.arch == "srvgg" else 1, a.scale * -(-32 // a.scale), 4
        a.pretrain_iters, a.gan_iters, a.log_every = 200, 100, 50
    if a.patch % a.scale:
        sys.exit("train.py: --patch must be a multiple of --scale")

    random.seed(a.seed)
    torch.manual_seed(a.seed)
    torch.set_num_threads(min(torch.get_num_threads(), os.cpu_count() or 1))
    pairs = read_pairs(a.data, a.scale)
    print(f"train.py: {len(pairs)} pairs, x{a.scale}, {a.arch}", flush=True)

    if a.arch == "srvgg":
        g = SRVGG(a.scale, a.features, a.depth)
    else:
        g = RRDBNet(a.scale, a.features, a.depth, max(8, a.features // 2))
    pixel = nn.L1Loss() if a.loss == "l1" else nn.MSELoss()
    vgg = VGGLoss() if a.vgg else None
    started = time.time()

    def log(phase, it, total, **losses):
        if it % a.log_every == 0 or it == total:
            text = " ".join(f"{k} {v:.4f}" for k, v in losses.items())
            print(f"{phase} {it}/{total} {text} ({time.time() - started:.0f}s)", flush=True)

    # 1. Pretraining: the PSNR-oriented generator.
    opt = torch.optim.Adam(g.parameters(), lr=a.lr, betas=(0.9, 0.99))
    g.train()
    for it in range(1, a.pretrain_iters + 1):
        hr, lr = batch(pairs, a.batch, a.patch, a.scale)
        sr = g(lr)
        loss = pixel(sr, hr) + (vgg(sr, hr) if vgg else 0)
        opt.zero_grad()
        loss.backward()
        opt.step()
        log("pretrain", it, a.pretrain_iters, loss=loss.item())

    # 2. Adversarial fine-tuning.
    d = Discriminator(a.features, a.patch)
    opt_g = torch.optim.Adam(g.parameters(), lr=a.lr / 2, betas=(0.9, 0.99))
    opt_d = torch.optim.Adam(d.parameters(), lr=a.lr / 2, betas=(0.9, 0.99))
    w_pix = a.pixel_weight if a.pixel_weight is not None else (0.01 if vgg else 1.0)
    critic_turn, steps = True, {"critic": 0, "generator": 0}
    for it in range(1, a.gan_iters + 1):
        hr, lr = batch(pairs, a.batch, a.patch, a.scale)
        sr = g(lr)
        if a.gan == "ragan" or critic_turn:
            # Discriminator: real is more realistic than the average fake, and fake less than the average real.
            real, fake = d(hr), d(sr.detach())
            if a.gan == "ragan":
                loss_d = (bce(real - fake.mean(), 1) + bce(fake - real.mean(), 0)) / 2
            else:
                loss_d = (bce(real, 1) + bce(fake, 0)) / 2
            opt_d.zero_grad()
            loss_d.backward()
            opt_d.step()
            if a.gan == "critic":
                steps["critic"] += 1
                critic_turn = loss_d.item() >= a.critic_threshold
                log("critic", it, a.gan_iters, critic=loss_d.item())
                continue
        # Generator: the pixel (and feature) loss plus the adversarial term.
        d.requires_grad_(False)
        fake = d(sr)
        if a.gan == "ragan":
            real = d(hr).detach()
            adv = (bce(real - fake.mean(), 0) + bce(fake - real.mean(), 1)) / 2
        else:
            adv = bce(fake, 1)
        content = w_pix * pixel(sr, hr) + (vgg(sr, hr) if vgg else 0)
        loss_g = content + a.gan_weight * adv
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()
        d.requires_grad_(True)
        critic_turn = True
        steps["generator"] += 1
        if a.gan == "ragan":
            log("gan", it, a.gan_iters, d=loss_d.item(), g_adv=adv.item(), g_content=float(content))
        else:
            log("generator", it, a.gan_iters, g_adv=adv.item(), g_content=float(content))

    if a.gan == "critic":
        print(f"critic switching: {steps['critic']} critic and {steps['generator']} generator steps", flush=True)

    # 3. Export.
    g.eval()
    base = os.path.splitext(a.output)[0]
    torch.save(g.state_dict(), base + ".pth")
    name = a.name or os.path.basename(base)
    arch = "SRVGGNetCompact" if a.arch == "srvgg" else "RRDBNet"
    m = export(g, a.output, name=name, architecture=arch, scale=a.scale, halo=g.halo,
               source=f"examples/train/train.py ({a.arch}, {a.gan}, {a.loss}{', vgg' if vgg else ''})")
    print(f"train.py: wrote {a.output} ({m['name']}, x{m['scale']}) and {base}.pth in {time.time() - started:.0f}s")


if __name__ == "__main__":
    main()
