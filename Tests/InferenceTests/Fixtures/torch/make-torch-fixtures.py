#!/usr/bin/python3
"""Writes the PyTorch generator fixtures of TorchImportTests: small, seeded instances of each
architecture `srg import` recognises, their state dicts (.pth, one .safetensors), and torch's output
on a fixed seeded input, as little-endian float32 C-order .npy arrays (CHW).

Run from this directory with CPU torch (Debian's python3-torch):  /usr/bin/python3 make-torch-fixtures.py
The architectures are written out here in plain PyTorch, as BasicSR, Real-ESRGAN and the SRGAN paper
define them, so that importing this file gives the test of examples/export/export_srg.py its modules.
"""
import json
import math
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


# ---------------------------------------------------------------- ESRGAN / RRDBNet (BasicSR layout)

class ResidualDenseBlock(nn.Module):
    def __init__(self, num_feat, num_grow_ch):
        super().__init__()
        self.conv1 = nn.Conv2d(num_feat, num_grow_ch, 3, 1, 1)
        self.conv2 = nn.Conv2d(num_feat + num_grow_ch, num_grow_ch, 3, 1, 1)
        self.conv3 = nn.Conv2d(num_feat + 2 * num_grow_ch, num_grow_ch, 3, 1, 1)
        self.conv4 = nn.Conv2d(num_feat + 3 * num_grow_ch, num_grow_ch, 3, 1, 1)
        self.conv5 = nn.Conv2d(num_feat + 4 * num_grow_ch, num_feat, 3, 1, 1)
        self.lrelu = nn.LeakyReLU(negative_slope=0.2)

    def forward(self, x):
        x1 = self.lrelu(self.conv1(x))
        x2 = self.lrelu(self.conv2(torch.cat((x, x1), 1)))
        x3 = self.lrelu(self.conv3(torch.cat((x, x1, x2), 1)))
        x4 = self.lrelu(self.conv4(torch.cat((x, x1, x2, x3), 1)))
        x5 = self.conv5(torch.cat((x, x1, x2, x3, x4), 1))
        return x5 * 0.2 + x


class RRDB(nn.Module):
    def __init__(self, num_feat, num_grow_ch):
        super().__init__()
        self.rdb1 = ResidualDenseBlock(num_feat, num_grow_ch)
        self.rdb2 = ResidualDenseBlock(num_feat, num_grow_ch)
        self.rdb3 = ResidualDenseBlock(num_feat, num_grow_ch)

    def forward(self, x):
        out = self.rdb3(self.rdb2(self.rdb1(x)))
        return out * 0.2 + x


class RRDBNet(nn.Module):
    def __init__(self, num_in_ch=3, num_out_ch=3, scale=4, num_feat=16, num_block=2, num_grow_ch=8):
        super().__init__()
        self.scale = scale
        if scale == 2:
            num_in_ch = num_in_ch * 4
        elif scale == 1:
            num_in_ch = num_in_ch * 16
        self.conv_first = nn.Conv2d(num_in_ch, num_feat, 3, 1, 1)
        self.body = nn.Sequential(*[RRDB(num_feat, num_grow_ch) for _ in range(num_block)])
        self.conv_body = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        self.conv_up1 = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        self.conv_up2 = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        self.conv_hr = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        self.conv_last = nn.Conv2d(num_feat, num_out_ch, 3, 1, 1)
        self.lrelu = nn.LeakyReLU(negative_slope=0.2)

    def forward(self, x):
        if self.scale == 2:
            feat = F.pixel_unshuffle(x, 2)
        elif self.scale == 1:
            feat = F.pixel_unshuffle(x, 4)
        else:
            feat = x
        feat = self.conv_first(feat)
        body_feat = self.conv_body(self.body(feat))
        feat = feat + body_feat
        feat = self.lrelu(self.conv_up1(F.interpolate(feat, scale_factor=2, mode="nearest")))
        feat = self.lrelu(self.conv_up2(F.interpolate(feat, scale_factor=2, mode="nearest")))
        return self.conv_last(self.lrelu(self.conv_hr(feat)))


def esrgan_original_keys(state):
    """The BasicSR names of an x4 RRDBNet renamed to the original ESRGAN repository's."""
    out = {}
    blocks = 1 + max(int(k.split(".")[1]) for k in state if k.startswith("body."))
    for k, v in state.items():
        p = k.split(".")
        if p[0] == "body":
            name = f"model.1.sub.{p[1]}.{p[2].upper()}.{p[3]}.0.{p[4]}"
        else:
            name = {"conv_first": "model.0", "conv_body": f"model.1.sub.{blocks}", "conv_up1": "model.3",
                    "conv_up2": "model.6", "conv_hr": "model.8", "conv_last": "model.10"}[p[0]] + "." + p[1]
        out[name] = v
    return out


# ---------------------------------------------------------------- Real-ESRGAN SRVGGNetCompact

class SRVGGNetCompact(nn.Module):
    def __init__(self, num_in_ch=3, num_out_ch=3, num_feat=16, num_conv=4, upscale=4):
        super().__init__()
        self.upscale = upscale
        self.body = nn.ModuleList()
        self.body.append(nn.Conv2d(num_in_ch, num_feat, 3, 1, 1))
        self.body.append(nn.PReLU(num_parameters=num_feat))
        for _ in range(num_conv):
            self.body.append(nn.Conv2d(num_feat, num_feat, 3, 1, 1))
            self.body.append(nn.PReLU(num_parameters=num_feat))
        self.body.append(nn.Conv2d(num_feat, num_out_ch * upscale * upscale, 3, 1, 1))
        self.upsampler = nn.PixelShuffle(upscale)

    def forward(self, x):
        out = x
        for layer in self.body:
            out = layer(out)
        out = self.upsampler(out)
        base = F.interpolate(x, scale_factor=self.upscale, mode="nearest")
        return out + base


# ---------------------------------------------------------------- BasicSR MSRResNet

class ResidualBlockNoBN(nn.Module):
    def __init__(self, num_feat=16, res_scale=1.0):
        super().__init__()
        self.res_scale = res_scale
        self.conv1 = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        self.conv2 = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        self.relu = nn.ReLU()

    def forward(self, x):
        return x + self.conv2(self.relu(self.conv1(x))) * self.res_scale


class MSRResNet(nn.Module):
    def __init__(self, num_in_ch=3, num_out_ch=3, num_feat=16, num_block=2, upscale=4):
        super().__init__()
        self.upscale = upscale
        self.conv_first = nn.Conv2d(num_in_ch, num_feat, 3, 1, 1)
        self.body = nn.Sequential(*[ResidualBlockNoBN(num_feat) for _ in range(num_block)])
        if upscale in [2, 3]:
            self.upconv1 = nn.Conv2d(num_feat, num_feat * upscale * upscale, 3, 1, 1)
            self.pixel_shuffle = nn.PixelShuffle(upscale)
        elif upscale == 4:
            self.upconv1 = nn.Conv2d(num_feat, num_feat * 4, 3, 1, 1)
            self.upconv2 = nn.Conv2d(num_feat, num_feat * 4, 3, 1, 1)
            self.pixel_shuffle = nn.PixelShuffle(2)
        self.conv_hr = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        self.conv_last = nn.Conv2d(num_feat, num_out_ch, 3, 1, 1)
        self.lrelu = nn.LeakyReLU(negative_slope=0.1)

    def forward(self, x):
        feat = self.lrelu(self.conv_first(x))
        out = self.body(feat)
        if self.upscale == 4:
            out = self.lrelu(self.pixel_shuffle(self.upconv1(out)))
            out = self.lrelu(self.pixel_shuffle(self.upconv2(out)))
        else:
            out = self.lrelu(self.pixel_shuffle(self.upconv1(out)))
        out = self.conv_last(self.lrelu(self.conv_hr(out)))
        base = F.interpolate(x, scale_factor=self.upscale, mode="bilinear", align_corners=False)
        return out + base


# ---------------------------------------------------------------- SRGAN paper's SRResNet (with batch norm)

class SRGANResidualBlock(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv_block = nn.Sequential(
            nn.Conv2d(channels, channels, 3, 1, 1), nn.BatchNorm2d(channels), nn.PReLU(),
            nn.Conv2d(channels, channels, 3, 1, 1), nn.BatchNorm2d(channels))

    def forward(self, x):
        return x + self.conv_block(x)


class SRGANGenerator(nn.Module):
    def __init__(self, in_channels=3, out_channels=3, channels=16, num_blocks=2, upscale=4):
        super().__init__()
        self.conv_block1 = nn.Sequential(nn.Conv2d(in_channels, channels, 9, 1, 4), nn.PReLU())
        self.residual_blocks = nn.Sequential(*[SRGANResidualBlock(channels) for _ in range(num_blocks)])
        self.conv_block2 = nn.Sequential(nn.Conv2d(channels, channels, 3, 1, 1), nn.BatchNorm2d(channels))
        layers = []
        for _ in range(int(math.log2(upscale))):
            layers += [nn.Conv2d(channels, channels * 4, 3, 1, 1), nn.PixelShuffle(2), nn.PReLU()]
        self.upsampling = nn.Sequential(*layers)
        self.conv_block3 = nn.Conv2d(channels, out_channels, 9, 1, 4)

    def forward(self, x):
        out1 = self.conv_block1(x)
        out = self.residual_blocks(out1)
        out2 = self.conv_block2(out)
        out = out1 + out2
        out = self.upsampling(out)
        return self.conv_block3(out)


# ---------------------------------------------------------------- BasicSR EDSR

class EDSR(nn.Module):
    def __init__(self, num_in_ch=3, num_out_ch=3, num_feat=16, num_block=2, upscale=2, res_scale=1.0,
                 img_range=255.0, rgb_mean=(0.4488, 0.4371, 0.4040)):
        super().__init__()
        self.img_range = img_range
        self.mean = torch.Tensor(rgb_mean).view(1, 3, 1, 1)
        self.conv_first = nn.Conv2d(num_in_ch, num_feat, 3, 1, 1)
        self.body = nn.Sequential(*[ResidualBlockNoBN(num_feat, res_scale) for _ in range(num_block)])
        self.conv_after_body = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        layers = []
        if upscale & (upscale - 1) == 0:
            for _ in range(int(math.log2(upscale))):
                layers += [nn.Conv2d(num_feat, 4 * num_feat, 3, 1, 1), nn.PixelShuffle(2)]
        else:
            layers += [nn.Conv2d(num_feat, 9 * num_feat, 3, 1, 1), nn.PixelShuffle(3)]
        self.upsample = nn.Sequential(*layers)
        self.conv_last = nn.Conv2d(num_feat, num_out_ch, 3, 1, 1)

    def forward(self, x):
        self.mean = self.mean.type_as(x)
        x = (x - self.mean) * self.img_range
        x = self.conv_first(x)
        res = self.conv_after_body(self.body(x))
        res = res + x
        x = self.conv_last(self.upsample(res))
        return x / self.img_range + self.mean


# ---------------------------------------------------------------- writing

def save_npy(path, t):
    np.save(path, np.ascontiguousarray(t.detach().numpy().astype("<f4")))


def save_safetensors(path, state):
    header, blobs, offset = {}, [], 0
    for k, v in state.items():
        b = v.detach().contiguous().numpy().astype("<f4").tobytes()
        header[k] = {"dtype": "F32", "shape": list(v.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def randomise(model):
    """Seeded weights on a scale that keeps activations near 1, and non-trivial batch-norm statistics."""
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            fan_in = m.in_channels * m.kernel_size[0] * m.kernel_size[1]
            nn.init.normal_(m.weight, 0, 1 / math.sqrt(fan_in))
            nn.init.uniform_(m.bias, -0.1, 0.1)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.uniform_(m.weight, 0.5, 1.5)
            nn.init.uniform_(m.bias, -0.2, 0.2)
            m.running_mean.uniform_(-0.3, 0.3)
            m.running_var.uniform_(0.5, 2.0)
        elif isinstance(m, nn.PReLU):
            nn.init.uniform_(m.weight, 0.05, 0.4)
    return model.eval()


def main():
    os.chdir(os.path.dirname(os.path.abspath(__file__)))
    torch.manual_seed(0)
    x = torch.rand(1, 3, 12, 10)
    x8 = torch.rand(1, 3, 12, 8)  # pixel_unshuffle(4) needs sides divisible by 4
    save_npy("input.npy", x[0])
    save_npy("input-12x8.npy", x8[0])
    fixtures = [
        ("rrdbnet-x4", RRDBNet(scale=4), x),
        ("rrdbnet-x2", RRDBNet(scale=2, num_block=1), x),
        ("rrdbnet-x1", RRDBNet(scale=1, num_block=1), x8),
        ("srvgg-x4", SRVGGNetCompact(), x),
        ("msrresnet-x4", MSRResNet(), x),
        ("srgan-x4", SRGANGenerator(), x),
        ("edsr-x2", EDSR(), x),
    ]
    for name, model, inp in fixtures:
        torch.manual_seed(sum(map(ord, name)))
        randomise(model)
        with torch.no_grad():
            y = model(inp)
        state = model.state_dict()
        if name == "rrdbnet-x4":
            # The same weights in the original ESRGAN layout (.pth) and BasicSR's (.safetensors).
            torch.save(esrgan_original_keys(state), "esrgan-x4.pth")
            save_safetensors("rrdbnet-x4.safetensors", state)
        else:
            # Wrapped as BasicSR saves generators.
            torch.save({"params_ema": state} if name != "edsr-x2" else {"params": state}, f"{name}.pth")
        save_npy(f"{name}.output.npy", y[0])
        print(name, tuple(y.shape), f"{float(y.abs().max()):.3f}", file=sys.stderr)


if __name__ == "__main__":
    main()
