#!/usr/bin/env python3
"""Derives the test fixtures that exercise metadata handling from the scikit-image sample photos
beside this script (public domain / CC0, see README.md). Run from this folder; needs Pillow."""
import struct, zlib
import numpy as np
from PIL import Image, ImageCms

rocket = Image.open("rocket.jpg")

# EXIF orientation 6 (rotate 90 clockwise to display) plus an sRGB ICC profile.
exif = Image.Exif()
exif[0x0112] = 6
icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
rocket.save("rocket-rotated-icc.jpg", quality=92, exif=exif.tobytes(), icc_profile=icc)

# 16-bit RGB PNG.
chelsea = Image.open("chelsea.png").convert("RGB")
a = np.asarray(chelsea).astype(np.uint16) * 257
a[0, 0] = [1, 2, 3]  # values that do not survive a trip through 8 bits
with open("chelsea-16bit.png", "wb") as f:
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    h, w, _ = a.shape
    raw = b"".join(b"\x00" + a[y].astype(">u2").tobytes() for y in range(h))
    f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))

# RGBA: the cat inside an antialiased disc, transparent black outside (PNG with alpha).
cat = Image.open("chelsea.png").convert("RGB").crop((75, 0, 375, 300))
yy, xx = np.mgrid[0:300, 0:300]
alpha = np.clip(140.0 - np.hypot(xx - 149.5, yy - 149.5), 0, 1) * 255
rgba = np.dstack([np.asarray(cat) * (alpha[..., None] > 0), alpha]).astype(np.uint8)
Image.fromarray(rgba, "RGBA").save("cat-alpha.png")

# A PNG whose header claims 100000 x 100000 pixels, with almost no data.
with open("huge-header.png", "wb") as f:
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 100000, 100000, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 1000)) + chunk(b"IEND", b""))
