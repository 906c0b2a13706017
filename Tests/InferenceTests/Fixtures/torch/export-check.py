#!/usr/bin/python3
"""Exports fixture generators with examples/export/export_srg.py into OUTDIR, with torch's output on
input.npy beside each (NAME.srg, NAME.output.npy), for TorchImportTests to compare with the engine.

    /usr/bin/python3 export-check.py REPO_ROOT OUTDIR
"""
import importlib.util
import os
import sys

import numpy as np
import torch
import torch.nn as nn

root, out = sys.argv[1], sys.argv[2]
here = os.path.join(root, "Tests/InferenceTests/Fixtures/torch")


def load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


fixtures = load("fixtures", os.path.join(here, "make-torch-fixtures.py"))
export_srg = load("export_srg", os.path.join(root, "examples/export/export_srg.py"))


class Decoder(nn.Module):
    """Layers the importer's architectures do not use: a transposed convolution, Tanh, Sigmoid,
    bilinear Upsample, batch norm, scalar arithmetic and a subtraction."""

    def __init__(self):
        super().__init__()
        self.head = nn.Conv2d(3, 8, 3, padding=1)
        self.bn = nn.BatchNorm2d(8)
        self.up = nn.ConvTranspose2d(8, 8, 4, stride=2, padding=1)
        self.act = nn.Tanh()
        self.resize = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False)
        self.tail = nn.Conv2d(8, 3, 3, padding="same")
        self.gate = nn.Sigmoid()

    def forward(self, x):
        f = self.act(self.up(self.bn(self.head(x))))
        y = self.tail(self.resize(f) * 0.5 - 0.1)
        return self.gate(y) - torch.nn.functional.interpolate(x, scale_factor=4, mode="nearest") / 4


x = torch.from_numpy(np.load(os.path.join(here, "input.npy")))[None]
models = {
    "srvgg": fixtures.SRVGGNetCompact(),
    "msrresnet": fixtures.MSRResNet(),
    "rrdbnet-x2": fixtures.RRDBNet(scale=2, num_block=1),
    "srgan": fixtures.SRGANGenerator(),
    "decoder": Decoder(),
}
for name, model in models.items():
    torch.manual_seed(sum(map(ord, name)))
    fixtures.randomise(model)
    export_srg.export(model, os.path.join(out, f"{name}.srg"), name=name)
    with torch.no_grad():
        fixtures.save_npy(os.path.join(out, f"{name}.output.npy"), model(x)[0])
