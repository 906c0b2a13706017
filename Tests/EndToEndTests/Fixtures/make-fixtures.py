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

# Two ICC profiles of our own, made with Little CMS (liblcms2): Display P3 (the wide gamut of phone
# photos: P3 primaries, D65, the sRGB tone curve) and a linear grey (gamma 1), unlike sRGB in tone.
import ctypes
lcms = ctypes.CDLL("liblcms2.so.2")
for name, res, args in [("cmsBuildParametricToneCurve", ctypes.c_void_p, [ctypes.c_void_p, ctypes.c_int, ctypes.POINTER(ctypes.c_double)]),
                        ("cmsBuildGamma", ctypes.c_void_p, [ctypes.c_void_p, ctypes.c_double]),
                        ("cmsCreateRGBProfile", ctypes.c_void_p, [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]),
                        ("cmsCreateGrayProfile", ctypes.c_void_p, [ctypes.c_void_p, ctypes.c_void_p]),
                        ("cmsD50_xyY", ctypes.c_void_p, []),
                        ("cmsMLUalloc", ctypes.c_void_p, [ctypes.c_void_p, ctypes.c_uint]),
                        ("cmsMLUsetASCII", ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p]),
                        ("cmsWriteTag", ctypes.c_int, [ctypes.c_void_p, ctypes.c_uint, ctypes.c_void_p]),
                        ("cmsSaveProfileToFile", ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p])]:
    getattr(lcms, name).restype, getattr(lcms, name).argtypes = res, args

def save_profile(profile, description, path):
    for tag, text in [(0x64657363, description), (0x63707274, b"No copyright, use freely")]:  # desc, cprt
        mlu = lcms.cmsMLUalloc(None, 1)
        lcms.cmsMLUsetASCII(mlu, b"en", b"US", text)
        lcms.cmsWriteTag(profile, tag, mlu)
    assert lcms.cmsSaveProfileToFile(profile, path.encode())

xyY = ctypes.c_double * 3
srgb_curve = lcms.cmsBuildParametricToneCurve(None, 4, (ctypes.c_double * 5)(2.4, 1 / 1.055, 0.055 / 1.055, 1 / 12.92, 0.04045))
p3 = lcms.cmsCreateRGBProfile(xyY(0.3127, 0.3290, 1), (ctypes.c_double * 9)(0.680, 0.320, 1, 0.265, 0.690, 1, 0.150, 0.060, 1),
                              (ctypes.c_void_p * 3)(srgb_curve, srgb_curve, srgb_curve))
save_profile(p3, b"Display P3 (srg test fixture)", "display-p3.icc")
grey = lcms.cmsCreateGrayProfile(lcms.cmsD50_xyY(), lcms.cmsBuildGamma(None, 1.0))
save_profile(grey, b"Linear grey (srg test fixture)", "grey-linear.icc")

# A photo in Display P3, as phones take them: the camera's values tagged P3, so its saturated
# colours lie outside sRGB. And a grey photo tagged with the linear grey profile.
Image.open("chelsea.png").convert("RGB").crop((150, 60, 246, 124)).save(
    "chelsea-p3.jpg", quality=92, icc_profile=open("display-p3.icc", "rb").read())
Image.open("camera.png").convert("L").crop((200, 100, 264, 148)).save(
    "camera-grey-linear.png", icc_profile=open("grey-linear.icc", "rb").read())

# A JPEG whose ICC profile is garbage.
Image.open("chelsea.png").convert("RGB").crop((150, 60, 182, 84)).save(
    "bad-profile.jpg", quality=92, icc_profile=b"not an ICC profile, just bytes" * 4)
