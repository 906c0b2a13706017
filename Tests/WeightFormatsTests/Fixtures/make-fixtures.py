#!/usr/bin/env python3
"""Writes the WeightFormats test fixtures into this directory.

The .pth files are written by torch itself and the .safetensors files by the safetensors
library; the hostile files are built byte by byte or cut from torch's, and zip64.pth is
torch's plain-fp32.pth repacked by Python's zipfile in zip64 form. Each part writes the values that its
library reports into expected-<part>.json, which the Swift tests compare against.

    /usr/bin/python3 make-fixtures.py torch          # Debian's python3-torch (1.13)
    python3 make-fixtures.py safetensors             # pip install safetensors numpy
    python3 make-fixtures.py crafted                 # standard library only; after torch

Without an argument the script runs every part whose library it can import.
"""
import io
import json
import os
import pickle
import struct
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))


def path(name):
    return os.path.join(HERE, name)


def describe(tensors):
    """Keys in order, shapes and every value (flattened, row-major) as float64."""
    out = []
    for key, t in tensors.items():
        flat = t.detach().contiguous().reshape(-1)
        out.append({
            "key": key,
            "shape": list(t.shape),
            "dtype": str(t.dtype).replace("torch.", ""),
            "values": [float(v) for v in flat.double().tolist()],
            "sum": float(flat.double().sum()),
        })
    return out


def make_torch():
    import torch
    from collections import OrderedDict
    from torch import nn

    torch.manual_seed(1234)

    class Net(nn.Module):
        def __init__(self, c=3, f=4):
            super().__init__()
            self.conv_first = nn.Conv2d(c, f, 3, padding=1)
            self.body = nn.Sequential(nn.Conv2d(f, f, 3, padding=1), nn.LeakyReLU(0.2), nn.Conv2d(f, f, 1))
            self.conv_last = nn.Conv2d(f, c, 3, padding=1)

    expected = {"torch_version": torch.__version__}

    sd = Net().state_dict()
    torch.save(sd, path("plain-fp32.pth"))
    expected["plain-fp32.pth"] = describe(sd)

    sd_half = OrderedDict((k, v.half()) for k, v in sd.items())
    torch.save(sd_half, path("plain-fp16.pth"))
    expected["plain-fp16.pth"] = describe(OrderedDict((k, v.float()) for k, v in sd_half.items()))
    for entry in expected["plain-fp16.pth"]:
        entry["dtype"] = "float16"

    sd2 = Net().state_dict()
    torch.save({"params_ema": sd, "params": sd2}, path("wrapped-params-ema.pth"))
    expected["wrapped-params-ema.pth"] = describe(sd)

    # A training checkpoint: the weights sit under 'state_dict' next to plain Python values.
    torch.save({"epoch": 12, "lr": 1e-4, "name": "esrgan", "flags": [True, False, None],
                "seed": 2 ** 70, "negative": -3, "big": 70000, "state_dict": sd2},
               path("wrapped-state-dict.pth"))
    expected["wrapped-state-dict.pth"] = describe(sd2)

    dp = nn.DataParallel(Net())
    sd3 = dp.state_dict()
    assert all(k.startswith("module.") for k in sd3)
    torch.save(sd3, path("data-parallel.pth"))
    expected["data-parallel.pth"] = describe(OrderedDict((k[len("module."):], v) for k, v in sd3.items()))

    # Views: a transposed (non-contiguous) tensor and two views of one storage with offsets.
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6) / 7
    shared = torch.randn(20)
    views = OrderedDict([
        ("transposed", base.t()),
        ("sliced", base[1:3, ::2]),
        ("shared.a", shared[2:8]),
        ("shared.b", shared[5:17].view(3, 4)),
        ("scalar", torch.tensor(2.5)),
        ("empty", torch.zeros(0, 3)),
    ])
    assert not views["transposed"].is_contiguous() and not views["sliced"].is_contiguous()
    assert views["shared.a"].storage_offset() == 2 and views["shared.b"].storage_offset() == 5
    torch.save(views, path("views.pth"))
    expected["views.pth"] = describe(views)

    # Other element types, converted to float on read.
    torch.manual_seed(7)
    mixed = OrderedDict([
        ("bf16", torch.randn(2, 3).bfloat16()),
        ("f64", torch.randn(5).double()),
        ("bn.num_batches_tracked", torch.tensor(17)),
        ("i32", torch.tensor([1, -2, 3], dtype=torch.int32)),
        ("u8", torch.tensor([0, 7, 255], dtype=torch.uint8)),
        ("mask", torch.tensor([True, False, True])),
    ])
    torch.save(mixed, path("dtypes.pth"))
    expected["dtypes.pth"] = describe(OrderedDict((k, v.double()) for k, v in mixed.items()))
    for entry, t in zip(expected["dtypes.pth"], mixed.values()):
        entry["dtype"] = str(t.dtype).replace("torch.", "")

    # An nn.Parameter saved as such goes through torch._utils._rebuild_parameter.
    param = nn.Parameter(torch.randn(2, 2))
    torch.save({"weight": param}, path("parameter.pth"))
    expected["parameter.pth"] = describe({"weight": param})

    # Zero strides: five elements from one, and eight million from one, which a reader must refuse
    # to materialise from a file of a few hundred bytes.
    expanded = OrderedDict([("x", torch.tensor([1.5]).expand(5)), ("row", torch.arange(3.0).expand(2, 3))])
    assert expanded["x"].stride() == (0,)
    torch.save(expanded, path("expanded.pth"))
    expected["expanded.pth"] = describe(expanded)
    torch.save({"x": torch.zeros(1).expand(1 << 23)}, path("expanded-huge.pth"))

    with open(path("expected-torch.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")


def make_safetensors():
    import numpy as np
    from safetensors.numpy import save_file

    rng = np.random.default_rng(99)
    tensors = {
        "conv_first.weight": rng.standard_normal((4, 3, 3, 3)).astype(np.float32),
        "conv_first.bias": rng.standard_normal(4).astype(np.float32),
        "conv_last.weight": rng.standard_normal((3, 4, 3, 3)).astype(np.float16),
        "conv_last.bias": rng.standard_normal(3).astype(np.float16),
        "scale": np.array(4.0, dtype=np.float64),
    }
    save_file(tensors, path("model.safetensors"), metadata={"format": "pt", "arch": "test"})
    expected = {}
    import safetensors
    expected["safetensors_version"] = safetensors.__version__
    entries = []
    for k, v in tensors.items():
        flat = v.astype(np.float64).reshape(-1)
        entries.append({"key": k, "shape": list(v.shape), "dtype": str(v.dtype),
                        "values": [float(x) for x in flat], "sum": float(flat.sum())})
    expected["model.safetensors"] = entries
    with open(path("expected-safetensors.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")


def torch_like_zip(name, pickle_bytes, compression=zipfile.ZIP_STORED):
    """A zip laid out as torch.save lays it out, around the given data.pkl."""
    with zipfile.ZipFile(path(name), "w", compression) as z:
        # ZipInfo's fixed 1980 date keeps the files byte-identical from run to run.
        z.writestr(zipfile.ZipInfo("archive/data.pkl"), pickle_bytes, compression)
        z.writestr(zipfile.ZipInfo("archive/version"), "3\n", compression)


def safetensors_bytes(header, data):
    h = json.dumps(header).encode()
    return struct.pack("<Q", len(h)) + h + data


def make_crafted():
    # plain-fp32.pth repacked as zip64: with the limit lowered, Python's zipfile writes zip64 extra
    # fields, a zip64 end-of-central-directory record and its locator, as torch does for big files.
    with zipfile.ZipFile(path("plain-fp32.pth")) as source:
        members = [(info.filename, source.read(info)) for info in source.infolist()]
    limit = zipfile.ZIP64_LIMIT
    zipfile.ZIP64_LIMIT = 0
    try:
        with zipfile.ZipFile(path("zip64.pth"), "w", zipfile.ZIP_STORED) as z:
            for name, data in members:
                with z.open(name, "w", force_zip64=True) as f:
                    f.write(data)
    finally:
        zipfile.ZIP64_LIMIT = limit


    # GLOBAL os.system + REDUCE: what a malicious checkpoint runs on torch.load.
    evil = b"\x80\x02cos\nsystem\nq\x00X\x0a\x00\x00\x00echo pwnedq\x01\x85q\x02Rq\x03."
    torch_like_zip("hostile-os-system.pth", evil)

    # The same through pickle's own __reduce__ (module 'posix' on Linux) one level down a dict.
    class Evil:
        def __reduce__(self):
            return (os.system, ("echo pwned",))
    torch_like_zip("hostile-nested-global.pth", pickle.dumps({"state_dict": {"w": Evil()}}, protocol=2))

    # A deflated data.pkl: torch never compresses, the reader supports stored entries only.
    torch_like_zip("deflated.pth", pickle.dumps({}, protocol=2), zipfile.ZIP_DEFLATED)

    plain = open(path("plain-fp32.pth"), "rb").read()
    with open(path("truncated-half.pth"), "wb") as f:
        f.write(plain[: len(plain) // 2])
    with open(path("truncated-tail.pth"), "wb") as f:
        f.write(plain[:-10])

    # A central directory whose first entry claims its data lies past the end of the file.
    eocd = plain.rfind(b"PK\x05\x06")
    cd = struct.unpack_from("<I", plain, eocd + 16)[0]
    bad = bytearray(plain)
    struct.pack_into("<I", bad, cd + 42, len(plain) + 1000)
    with open(path("bad-local-offset.pth"), "wb") as f:
        f.write(bytes(bad))

    data = struct.pack("<4f", 1, 2, 3, 4)
    with open(path("offsets-past-end.safetensors"), "wb") as f:
        f.write(safetensors_bytes({"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 64]}}, data))
    with open(path("header-too-long.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", 10_000) + b'{"w":{}}')
    with open(path("overlapping.safetensors"), "wb") as f:
        f.write(safetensors_bytes({
            "a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 12]},
            "b": {"dtype": "F32", "shape": [2], "data_offsets": [8, 16]}}, data))
    with open(path("shape-mismatch.safetensors"), "wb") as f:
        f.write(safetensors_bytes({"w": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 16]}}, data))
    with open(path("unknown-dtype.safetensors"), "wb") as f:
        f.write(safetensors_bytes({"w": {"dtype": "F8_E4M3", "shape": [16], "data_offsets": [0, 16]}}, data))


def main():
    parts = sys.argv[1:]
    if not parts:
        for name in ("torch", "safetensors"):
            try:
                __import__(name)
                parts.append(name)
            except ImportError:
                print(f"skipping part '{name}': cannot import {name} with {sys.executable}")
        parts.append("crafted")
    for part in parts:
        {"torch": make_torch, "safetensors": make_safetensors, "crafted": make_crafted}[part]()
        print(f"wrote the '{part}' fixtures")


if __name__ == "__main__":
    main()
