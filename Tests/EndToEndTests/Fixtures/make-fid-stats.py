#!/usr/bin/python3
"""fid-a.npz (np.savez) and fid-b.npz (np.savez_compressed): 5-d statistics of random features,
and fid-ab.txt: pytorch-fid's calculate_frechet_distance between them (scipy 1.10, numpy 1.24)."""
import pathlib
import numpy as np
from pytorch_fid.fid_score import calculate_frechet_distance
here = pathlib.Path(__file__).parent
rng = np.random.default_rng(0)
a, b = rng.normal(size=(40, 5)), rng.normal(0.3, 1.2, size=(50, 5)) @ rng.normal(size=(5, 5))
np.savez(here / "fid-a.npz", mu=a.mean(0), sigma=np.cov(a, rowvar=False))
np.savez_compressed(here / "fid-b.npz", mu=b.mean(0), sigma=np.cov(b, rowvar=False))
(here / "fid-ab.txt").write_text(repr(calculate_frechet_distance(a.mean(0), np.cov(a, rowvar=False), b.mean(0), np.cov(b, rowvar=False))) + "\n")
