#!/usr/bin/python3
"""Writes the fast.ai U-Net fixtures of TorchImportTests with fast.ai's own DynamicUnet: seeded,
narrow generators whose encoder has torchvision's ResNet layout (so the keys are those of a real
ResNet-34 or ResNet-18 body, but the widths are small), their state dicts, and torch's output on a
fixed 64x96 input, as little-endian float32 C-order .npy arrays (CHW).

The networks take and give ImageNet-normalised images, as fast.ai trains them; the fixtures hold
the image in [0, 1] (unet-input.npy) and the denormalised output (NAME.output.npy), which is what
the imported .srg graph maps between. The input is 8-bit exact and also written as unet-input.png,
and the v2 model's output, clipped and rounded to 8 bits, as unet-v2.output.png: what `upscale`
must make of that image.

fastai v1 and v2 cannot be imported in one process: run this once with each on PYTHONPATH; each
run writes the fixtures of its version. With Debian's python3-torch (1.13), python3-torchvision and
python3-sklearn, from this directory:

  pip install --target /tmp/fastai1 --no-deps fastai==1.0.61 fastprogress==0.2.3
  pip install --target /tmp/fastai2 --no-deps fastai==2.7.12 fastcore==1.5.29 fastprogress==1.0.3 fastdownload==0.0.7
  PYTHONPATH=/tmp/fastai1 /usr/bin/python3 make-unet-fixtures.py
  PYTHONPATH=/tmp/fastai2 /usr/bin/python3 make-unet-fixtures.py
"""
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn
from torchvision.models.resnet import BasicBlock, Bottleneck, conv1x1

import fastai
from fastai.layers import NormType
from fastai.vision.models.unet import DynamicUnet

V1 = fastai.__version__.startswith("1.")

MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
SIZE = (64, 96)


def resnet_body(widths, depths, block=BasicBlock):
    """torchvision's ResNet cut before its pooling (fast.ai's create_body), with other widths:
    nn.Sequential(conv1, bn1, relu, maxpool, layer1, ..., layer4), ResNet._make_layer's blocks."""
    inplanes = widths[0]
    body = [nn.Conv2d(3, inplanes, 7, 2, 3, bias=False), nn.BatchNorm2d(inplanes), nn.ReLU(inplace=True),
            nn.MaxPool2d(3, 2, 1)]
    for i, (width, depth) in enumerate(zip(widths, depths)):
        stride = 1 if i == 0 else 2
        downsample = None
        if stride != 1 or inplanes != width * block.expansion:
            downsample = nn.Sequential(conv1x1(inplanes, width * block.expansion, stride),
                                       nn.BatchNorm2d(width * block.expansion))
        blocks = [block(inplanes, width, stride, downsample)]
        inplanes = width * block.expansion
        blocks += [block(inplanes, width) for _ in range(1, depth)]
        body.append(nn.Sequential(*blocks))
    return nn.Sequential(*body)


def unet(widths, depths, block=BasicBlock, **kwargs):
    encoder = resnet_body(widths, depths, block)
    if V1:
        return DynamicUnet(encoder, n_classes=3, img_size=SIZE, **kwargs)
    return DynamicUnet(encoder, n_out=3, img_size=SIZE, **kwargs)


def randomise(model):
    """Seeded weights that keep activations near 1, weight-norm magnitudes that differ from |v|,
    non-trivial batch-norm statistics, spectral-norm vectors, and a non-zero attention gamma."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("weight_g"):
                p.uniform_(0.6, 1.2)
            elif name.endswith("gamma"):
                p.fill_(0.7)
            elif name.endswith("weight_orig") or (name.endswith("weight_v") and p.dim() > 1) or (name.endswith("weight") and p.dim() > 1):
                fan_in = p[0].numel()
                p.normal_(0, 1 / math.sqrt(fan_in))
            elif name.endswith("bias"):
                p.uniform_(-0.1, 0.1)
            elif name.endswith("weight"):  # batch norm
                p.uniform_(0.5, 1.5)
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.bias.uniform_(-0.2, 0.2)
                m.running_mean.uniform_(-0.3, 0.3)
                m.running_var.uniform_(0.5, 2.0)
            if isinstance(m, BasicBlock):
                m.bn2.weight.uniform_(0.1, 0.3)  # residual branches that do not swamp the shortcut
            if isinstance(m, Bottleneck):
                m.bn3.weight.uniform_(0.1, 0.3)
        for name, b in model.named_buffers():
            if name.endswith("weight_u") or name.endswith("weight_v"):
                b.copy_(nn.functional.normalize(torch.randn_like(b), dim=0))
    return model.eval()


def save_npy(path, t):
    np.save(path, np.ascontiguousarray(t.detach().numpy().astype("<f4")))


def save_png(path, t):
    """An RGB image in [0, 1] (CHW), clipped and rounded to 8 bits."""
    from PIL import Image
    pixels = np.rint(np.clip(t.detach().numpy().transpose(1, 2, 0) * 255, 0, 255)).astype(np.uint8)
    Image.fromarray(pixels, "RGB").save(path)


def main():
    os.chdir(os.path.dirname(os.path.abspath(__file__)))
    torch.manual_seed(0)
    x = torch.randint(0, 256, (1, 3, *SIZE)) / 255.0
    save_npy("unet-input.npy", x[0])
    save_png("unet-input.png", x[0])
    resnet34, resnet18 = (3, 4, 6, 3), (2, 2, 2, 2)
    if V1:
        fixtures = [
            # The decrappify generator, saved as learn.save does: {'model': ..., 'opt': ...}.
            ("unet-v1", unet((4, 8, 16, 32), resnet34, blur=True, self_attention=True, y_range=(-3., 3.),
                             norm_type=NormType.Weight)),
            # fastai v1's conv_layer with batch norm after the ReLU, and a bottleneck res block.
            ("unet-v1-batchnorm", unet((4, 8, 16, 32), resnet18, blur=True, self_attention=True, y_range=(-3., 3.),
                                       norm_type=NormType.Batch, bottle=True)),
        ]
    else:
        fixtures = [
            ("unet-v2", unet((6, 12, 24, 48), resnet34, blur=True, self_attention=True, y_range=(-3., 3.),
                             norm_type=NormType.Weight)),
            # unet_learner's defaults in fastai v2: no blur, no self-attention, no y_range, plain convolutions.
            ("unet-v2-plain", unet((4, 8, 16, 32), resnet18)),
            # A ResNet-50-shaped encoder (Bottleneck blocks) and ConvLayers with batch norm; stored as
            # float16 (the model's weights rounded to float16 before torch's forward) to stay small.
            ("unet-v2-resnet50", unet((2, 2, 4, 8), (3, 4, 6, 3), Bottleneck, blur=True, self_attention=True,
                                      y_range=(-3., 3.), norm_type=NormType.Batch)),
        ]
    for name, model in fixtures:
        torch.manual_seed(sum(map(ord, name)))
        randomise(model)
        half = name.endswith("resnet50")
        if half:
            with torch.no_grad():
                for t in model.state_dict().values():
                    if t.is_floating_point():
                        t.copy_(t.half().float())
        with torch.no_grad():
            y = model((x - MEAN) / STD) * STD + MEAN
        state = type(model.state_dict())((k, v.clone()) for k, v in model.state_dict().items())
        if name == "unet-v1":
            # An optimiser state, filled for the head only (kept small).
            opt = torch.optim.Adam(model.parameters(), lr=1e-3)
            model.train()
            model(x).mean().backward()
            for p in model.layers[:-2].parameters():
                p.grad = None
            opt.step()
            model.eval()
            torch.save({"model": state, "opt": opt.state_dict()}, f"{name}.pth")
        else:
            if half:
                state = type(state)((k, v.half() if v.is_floating_point() else v) for k, v in state.items())
            torch.save(state, f"{name}.pth")
        save_npy(f"{name}.output.npy", y[0])
        if name == "unet-v2":
            save_png(f"{name}.output.png", y[0])
        params = sum(t.numel() for t in state.values())
        print(name, f"fastai {fastai.__version__}", tuple(y.shape), f"{params} values",
              f"output {float(y.min()):.3f}..{float(y.max()):.3f}", file=sys.stderr)


if __name__ == "__main__":
    main()
