#!/usr/bin/python3
"""Writes the FID test fixtures (numpy 1.24, torch 1.13 on the CPU):
   stats-savez.npz / stats-savez-compressed.npz: mu (float64 [3]) and sigma (float64 [3, 3]) as
   np.savez and np.savez_compressed write them, plus a float32 Fortran-order array 'f';
   ../../InferenceTests/Fixtures/bilinear-resize.json: F.interpolate(bilinear, align_corners=False)
   of a deterministic 3 x 7 x 11 image to a few sizes (every output value)."""
import json, pathlib
import numpy as np
import torch
import torch.nn.functional as F

here = pathlib.Path(__file__).parent
mu = np.array([0.5, -1.25, 3.0])
sigma = np.array([[2.0, 0.3, -0.1], [0.3, 1.5, 0.2], [-0.1, 0.2, 0.75]])
f = np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3))
np.savez(here / "stats-savez.npz", mu=mu, sigma=sigma, f=f)
np.savez_compressed(here / "stats-savez-compressed.npz", mu=mu, sigma=sigma, f=f)

x = torch.tensor([((i * 37) % 256) / 255 for i in range(3 * 7 * 11)], dtype=torch.float32).reshape(1, 3, 7, 11)
cases = []
for size in [(5, 13), (7, 11), (3, 4), (16, 9), (1, 1)]:
    y = F.interpolate(x, size=size, mode="bilinear", align_corners=False)
    cases.append({"height": size[0], "width": size[1], "values": [float(v) for v in y.flatten()]})
(here / "../../InferenceTests/Fixtures/bilinear-resize.json").write_text(json.dumps({"input": "((i * 37) % 256) / 255 for i in 0..<231, 3x7x11", "cases": cases}))
