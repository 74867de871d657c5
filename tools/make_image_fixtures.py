#!/usr/bin/python3
"""Writes the committed image fixtures under src/test/resources/fixtures/image/.

Run with an interpreter that has Pillow 9.4 and numpy (Debian: /usr/bin/python3):

    /usr/bin/python3 tools/make_image_fixtures.py

Outputs
  resample/cases.json  small RGB inputs and what Pillow's Image.resize returns for them
                       (NEAREST, BILINEAR, BICUBIC; whole image and crop-then-resize).
  decode/*.png|jpg|... one tiny image per encoding kind the decoder supports.
  decode/index.json    for each: size and the RGB bytes Pillow's convert('RGB') gives, or,
                       for 16-bit PNGs, round(v / 257) of the stored samples (see "rule").
  decode/cmyk2rgb.json sample of Pillow's CMYK -> RGB conversion, checked exhaustively here.
  bad/*                inputs the decoder must reject.

Every input is generated from fixed seeds, so rerunning the script reproduces the files as long
as Pillow and libjpeg stay the same.
"""

import base64
import io
import json
import os
import struct
import warnings
import zlib

import numpy as np
from PIL import Image, ImageCms

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                    "src", "test", "resources", "fixtures", "image")

FILTERS = {
    "NEAREST": Image.Resampling.NEAREST,
    "BILINEAR": Image.Resampling.BILINEAR,
    "BICUBIC": Image.Resampling.BICUBIC,
}


def b64(arr):
    return base64.b64encode(np.ascontiguousarray(arr, dtype=np.uint8).tobytes()).decode("ascii")


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=1, sort_keys=True)
        f.write("\n")


# ---------------------------------------------------------------------------------------------
# Resampler fixtures


def resample_inputs():
    rng = np.random.default_rng(20240501)
    inputs = {}

    def rand(name, w, h):
        inputs[name] = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)

    rand("rand7x5", 7, 5)
    rand("rand13x11", 13, 11)
    rand("rand16x16", 16, 16)
    rand("rand64x48", 64, 48)
    rand("rand1x1", 1, 1)
    rand("rand1x7", 1, 7)
    rand("rand7x1", 7, 1)
    # Hard 0/255 edges push bicubic's negative lobes outside 0..255 and exercise clipping.
    yy, xx = np.mgrid[0:9, 0:9]
    checker = (((xx + yy) % 2) * 255).astype(np.uint8)
    inputs["checker9x9"] = np.stack([checker, 255 - checker, checker // 2 + 64], -1)
    return inputs


RESAMPLE_SIZES = {
    "rand7x5": [(1, 1), (3, 2), (7, 5), (14, 10), (9, 3), (20, 4), (5, 7), (2, 11), (1, 5), (7, 1)],
    "rand13x11": [(4, 3), (6, 11), (13, 4), (26, 33), (5, 5), (17, 9)],
    "rand16x16": [(8, 8), (5, 3), (3, 5), (31, 17), (16, 1), (1, 16), (2, 2)],
    "rand64x48": [(7, 5), (30, 20), (13, 37), (3, 2), (100, 9)],
    "rand1x1": [(1, 1), (3, 2), (5, 5)],
    "rand1x7": [(3, 3), (1, 2), (4, 14)],
    "rand7x1": [(3, 1), (14, 2)],
    "checker9x9": [(4, 4), (20, 20), (5, 13)],
}

# (input, (left, top, width, height), (out width, out height)): Pillow's
# img.crop((left, top, left + width, top + height)).resize(out, filter).
RESAMPLE_CROPS = [
    ("rand16x16", (2, 3, 10, 7), (5, 5)),
    ("rand16x16", (5, 1, 3, 12), (9, 4)),
    ("rand16x16", (0, 0, 16, 16), (8, 8)),
    ("rand16x16", (4, 4, 8, 8), (8, 8)),
    ("rand64x48", (10, 5, 40, 30), (11, 7)),
    ("rand64x48", (3, 7, 20, 33), (37, 29)),
    ("rand64x48", (63, 0, 1, 48), (4, 6)),
    ("rand13x11", (1, 2, 11, 9), (13, 11)),
]


def make_resample():
    out_dir = os.path.join(ROOT, "resample")
    os.makedirs(out_dir, exist_ok=True)
    inputs = resample_inputs()
    cases = []
    for name, sizes in RESAMPLE_SIZES.items():
        im = Image.fromarray(inputs[name], "RGB")
        for size in sizes:
            for fname, f in FILTERS.items():
                res = np.asarray(im.resize(size, f))
                cases.append({"input": name, "filter": fname, "crop": None,
                              "width": size[0], "height": size[1], "rgb": b64(res)})
    for name, (left, top, w, h), size in RESAMPLE_CROPS:
        im = Image.fromarray(inputs[name], "RGB").crop((left, top, left + w, top + h))
        for fname, f in FILTERS.items():
            res = np.asarray(im.resize(size, f))
            cases.append({"input": name, "filter": fname, "crop": [left, top, w, h],
                          "width": size[0], "height": size[1], "rgb": b64(res)})
    doc = {
        "pillow": Image.__version__,
        "inputs": {n: {"width": a.shape[1], "height": a.shape[0], "rgb": b64(a)}
                   for n, a in inputs.items()},
        "cases": cases,
    }
    write_json(os.path.join(out_dir, "cases.json"), doc)


# ---------------------------------------------------------------------------------------------
# PNG writer for the kinds Pillow cannot write (2/4-bit gray, 16-bit colour, Adam7 interlace).


def _chunk(tag, data):
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def _pack_row(row, bit_depth):
    """row: 1-D array of samples (channels already interleaved)."""
    if bit_depth == 16:
        return row.astype(">u2").tobytes()
    if bit_depth == 8:
        return row.astype(np.uint8).tobytes()
    per_byte = 8 // bit_depth
    padded = np.zeros(-(-len(row) // per_byte) * per_byte, dtype=np.int64)
    padded[:len(row)] = row
    out = bytearray()
    for i in range(0, len(padded), per_byte):
        v = 0
        for s in padded[i:i + per_byte]:
            v = (v << bit_depth) | int(s)
        out.append(v)
    return bytes(out)


def _paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def _filter_row(ftype, row, prev, bpp):
    out = bytearray([ftype])
    for i, x in enumerate(row):
        a = row[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        pred = [0, a, b, (a + b) // 2, _paeth(a, b, c)][ftype]
        out.append((x - pred) & 0xFF)
    return bytes(out)


def _encode_image(samples, bit_depth, channels):
    """Filtered scanlines of one (sub-)image, cycling through all five filter types."""
    h, w = samples.shape[:2]
    bpp = max(1, channels * bit_depth // 8)
    rows = [_pack_row(samples[y].reshape(-1), bit_depth) for y in range(h)]
    prev = bytes(len(rows[0]))
    out = bytearray()
    for y, row in enumerate(rows):
        out += _filter_row(y % 5, row, prev, bpp)
        prev = row
    return bytes(out)


ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2),
         (0, 1, 1, 2)]


def write_png(path, samples, color_type, bit_depth, plte=None, trns=None, interlace=False):
    """samples: H x W x C raw sample values (palette indices for colour type 3)."""
    if samples.ndim == 2:
        samples = samples[:, :, None]
    h, w, channels = samples.shape
    if interlace:
        raw = b""
        for x0, y0, dx, dy in ADAM7:
            sub = samples[y0::dy, x0::dx]
            if sub.shape[0] and sub.shape[1]:
                raw += _encode_image(sub, bit_depth, channels)
    else:
        raw = _encode_image(samples, bit_depth, channels)
    data = b"\x89PNG\r\n\x1a\n"
    data += _chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, bit_depth, color_type, 0, 0,
                                        1 if interlace else 0))
    if plte is not None:
        data += _chunk(b"PLTE", bytes(plte))
    if trns is not None:
        data += _chunk(b"tRNS", bytes(trns))
    data += _chunk(b"IDAT", zlib.compress(raw, 9))
    data += _chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(data)


# ---------------------------------------------------------------------------------------------
# Decoder fixtures

W, H = 19, 13  # not a multiple of any JPEG MCU size, so partial blocks are exercised


def base_rgb():
    rng = np.random.default_rng(7)
    yy, xx = np.mgrid[0:H, 0:W]
    r = 128 + 100 * np.sin(xx / 3.0) * np.cos(yy / 2.0)
    g = xx * 255.0 / (W - 1)
    b = yy * 255.0 / (H - 1)
    arr = np.stack([r, g, b], -1) + rng.normal(0, 12, (H, W, 3))
    return arr.clip(0, 255).astype(np.uint8)


def u16_samples(shape, seed):
    """Random 16-bit samples plus the values where round(v/257) and v>>8 disagree."""
    rng = np.random.default_rng(seed)
    s = rng.integers(0, 65536, shape).astype(np.int64)
    special = [0, 1, 128, 129, 255, 256, 385, 386, 32767, 32768, 32896, 65407, 65408, 65534,
               65535]
    flat = s.reshape(-1)
    flat[:len(special)] = special
    return s


def round16(v):
    return ((v + 128) // 257).astype(np.uint8)


def jpeg_segments(data):
    """(marker, start, end) of every segment before SOS; end is exclusive."""
    assert data[:2] == b"\xff\xd8"
    segs, i = [], 2
    while True:
        marker = data[i + 1]
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        segs.append((marker, i, i + 2 + length))
        if marker == 0xDA:
            return segs
        i += 2 + length


def strip_segments(data, marker):
    out, last = bytearray(data[:2]), 2
    for m, s, e in jpeg_segments(data):
        if m == marker:
            out += data[last:s]
            last = e
    out += data[last:]
    return bytes(out)


def adobe_app14(transform):
    body = b"Adobe" + struct.pack(">HHHB", 100, 0, 0, transform)
    return b"\xff\xee" + struct.pack(">H", len(body) + 2) + body


def make_decode():
    out_dir = os.path.join(ROOT, "decode")
    os.makedirs(out_dir, exist_ok=True)
    rgb = base_rgb()
    gray = np.asarray(Image.fromarray(rgb).convert("L"))
    cases = []

    def add(name, kind, rule="pil", expected=None, note=None):
        path = os.path.join(out_dir, name)
        if rule == "pil":
            expected = np.asarray(Image.open(path).convert("RGB"))
        entry = {"file": name, "kind": kind, "width": int(expected.shape[1]),
                 "height": int(expected.shape[0]),
                 "lossless": not name.endswith(".jpg"), "rule": rule, "rgb": b64(expected)}
        if note:
            entry["note"] = note
        cases.append(entry)

    def save(name, im, **kw):
        im.save(os.path.join(out_dir, name), **kw)

    # PNG, written by Pillow
    save("png-gray1.png", Image.fromarray(gray).point(lambda v: 255 if v > 127 else 0).convert("1"))
    add("png-gray1.png", "PNG gray 1-bit")
    save("png-gray8.png", Image.fromarray(gray))
    add("png-gray8.png", "PNG gray 8-bit")
    save("png-gray8-trns.png", Image.fromarray(gray), transparency=int(gray[0, 0]))
    add("png-gray8-trns.png", "PNG gray 8-bit with tRNS")
    la = np.stack([gray, rgb[:, :, 1]], -1)
    save("png-graya8.png", Image.fromarray(la, "LA"))
    add("png-graya8.png", "PNG gray+alpha 8-bit")
    g16 = u16_samples((H, W), 1)
    save("png-gray16.png", Image.fromarray(g16.astype(np.uint16)))
    add("png-gray16.png", "PNG gray 16-bit", "round16", np.repeat(round16(g16)[:, :, None], 3, -1),
        "Pillow opens 16-bit gray as mode I and convert('RGB') clips to 0..255; "
        "the decoder scales by round(v/257) instead")
    save("png-rgb8.png", Image.fromarray(rgb))
    add("png-rgb8.png", "PNG RGB 8-bit")
    save("png-rgb8-trns.png", Image.fromarray(rgb), transparency=tuple(int(v) for v in rgb[0, 0]))
    add("png-rgb8-trns.png", "PNG RGB 8-bit with tRNS")
    rgba = np.concatenate([rgb, gray[:, :, None]], -1)
    save("png-rgba8.png", Image.fromarray(rgba, "RGBA"))
    add("png-rgba8.png", "PNG RGBA 8-bit")
    for colors, bits in ((2, 1), (4, 2), (16, 4), (200, 8)):
        pal = Image.fromarray(rgb).quantize(colors=colors, method=Image.Quantize.MEDIANCUT)
        name = "png-palette%d.png" % bits
        save(name, pal)
        add(name, "PNG palette %d-bit" % bits)
    pal = Image.fromarray(rgb).quantize(colors=200, method=Image.Quantize.MEDIANCUT)
    save("png-palette8-trns.png", pal, transparency=bytes(range(0, 200, 3)))
    add("png-palette8-trns.png", "PNG palette 8-bit with tRNS")

    # PNG, written by hand: Pillow cannot write these kinds
    rng = np.random.default_rng(3)
    for bits in (2, 4):
        s = rng.integers(0, 1 << bits, (H, W))
        name = "png-gray%d.png" % bits
        write_png(os.path.join(out_dir, name), s, 0, bits)
        add(name, "PNG gray %d-bit" % bits)
    rgb16 = u16_samples((H, W, 3), 2)
    write_png(os.path.join(out_dir, "png-rgb16.png"), rgb16, 2, 16)
    add("png-rgb16.png", "PNG RGB 16-bit", "round16", round16(rgb16),
        "Pillow keeps the high byte (v >> 8); the decoder rounds v/257")
    rgba16 = u16_samples((H, W, 4), 4)
    write_png(os.path.join(out_dir, "png-rgba16.png"), rgba16, 6, 16)
    add("png-rgba16.png", "PNG RGBA 16-bit", "round16", round16(rgba16[:, :, :3]),
        "Pillow keeps the high byte (v >> 8); the decoder rounds v/257")
    ga16 = u16_samples((H, W, 2), 5)
    write_png(os.path.join(out_dir, "png-graya16.png"), ga16, 4, 16)
    add("png-graya16.png", "PNG gray+alpha 16-bit", "round16",
        np.repeat(round16(ga16[:, :, :1]), 3, -1), "Pillow keeps the high byte (v >> 8)")
    write_png(os.path.join(out_dir, "png-rgb8-interlaced.png"), rgb, 2, 8, interlace=True)
    add("png-rgb8-interlaced.png", "PNG RGB 8-bit Adam7")
    idx = rng.integers(0, 16, (H, W))
    plte = rng.integers(0, 256, 48)
    write_png(os.path.join(out_dir, "png-palette4-interlaced.png"), idx, 3, 4, plte=plte,
              trns=bytes([0, 128, 255]), interlace=True)
    add("png-palette4-interlaced.png", "PNG palette 4-bit Adam7 with tRNS")

    # JPEG, written by Pillow (libjpeg-turbo)
    im = Image.fromarray(rgb)
    for sub, tag in ((2, "420"), (1, "422"), (0, "444")):
        name = "jpeg-baseline-%s.jpg" % tag
        save(name, im, quality=90, subsampling=sub)
        add(name, "JPEG baseline YCbCr 4:%s:%s" % (tag[1], tag[2]))
    save("jpeg-progressive.jpg", im, quality=90, progressive=True)
    add("jpeg-progressive.jpg", "JPEG progressive YCbCr 4:2:0")
    save("jpeg-gray.jpg", Image.fromarray(gray), quality=90)
    add("jpeg-gray.jpg", "JPEG grayscale")
    save("jpeg-gray-progressive.jpg", Image.fromarray(gray), quality=90, progressive=True)
    add("jpeg-gray-progressive.jpg", "JPEG grayscale progressive")
    save("jpeg-cmyk-adobe.jpg", im.convert("CMYK"), quality=90)
    add("jpeg-cmyk-adobe.jpg", "JPEG CMYK, Adobe APP14 transform 0 (inverted)")
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90 CW to display
    save("jpeg-exif-rotated.jpg", im, quality=90, exif=exif.tobytes())
    add("jpeg-exif-rotated.jpg", "JPEG with EXIF orientation 6 (not applied)")
    srgb = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    # Fixed creation date and no profile id (an id is an MD5 that would cover the date), so the
    # file does not change between runs.
    srgb[24:36] = struct.pack(">6H", 2024, 1, 1, 0, 0, 0)
    srgb[84:100] = bytes(16)
    srgb = bytes(srgb)
    save("jpeg-icc.jpg", im, quality=90, icc_profile=srgb)
    add("jpeg-icc.jpg", "JPEG with an embedded ICC profile (ignored)")

    # JPEG, derived by editing Pillow's markers
    with open(os.path.join(out_dir, "jpeg-cmyk-adobe.jpg"), "rb") as f:
        cmyk = f.read()
    with open(os.path.join(out_dir, "jpeg-cmyk-noadobe.jpg"), "wb") as f:
        f.write(strip_segments(cmyk, 0xEE))
    add("jpeg-cmyk-noadobe.jpg", "JPEG CMYK without Adobe APP14",
        note="Pillow reads every 4-component JPEG as Adobe-inverted CMYK")
    # YCCK: store the YCbCr of the image in components 0-2 and a K ramp in component 3, then
    # mark the Adobe segment transform 2. Pillow's encoder stores 255 - pixel for CMYK.
    ycc = np.asarray(im.convert("YCbCr")).astype(np.int64)
    k = (np.arange(W)[None, :] * 9 % 256).repeat(H, 0)
    stored = np.concatenate([ycc, k[:, :, None]], -1)
    buf = io.BytesIO()
    Image.fromarray((255 - stored).astype(np.uint8), "CMYK").save(buf, "JPEG", quality=90)
    data = bytearray(buf.getvalue())
    (m, s, e), = [seg for seg in jpeg_segments(bytes(data)) if seg[0] == 0xEE]
    data[s + 4 + 11] = 2
    with open(os.path.join(out_dir, "jpeg-ycck-adobe.jpg"), "wb") as f:
        f.write(bytes(data))
    add("jpeg-ycck-adobe.jpg", "JPEG YCCK, Adobe APP14 transform 2")
    # RGB stored without colour transform: Pillow writes mode YCbCr samples untouched.
    buf = io.BytesIO()
    Image.frombytes("YCbCr", im.size, rgb.tobytes()).save(buf, "JPEG", quality=90, subsampling=0)
    plain = strip_segments(buf.getvalue(), 0xE0)
    with open(os.path.join(out_dir, "jpeg-rgb-adobe.jpg"), "wb") as f:
        f.write(plain[:2] + adobe_app14(0) + plain[2:])
    add("jpeg-rgb-adobe.jpg", "JPEG RGB components, Adobe APP14 transform 0")
    ids = bytearray(plain)
    for m, s, e in jpeg_segments(plain):
        if m in (0xC0, 0xC2):
            for c in range(3):
                ids[s + 10 + 3 * c] = b"RGB"[c]
        if m == 0xDA:
            for c in range(3):
                ids[s + 5 + 2 * c] = b"RGB"[c]
    with open(os.path.join(out_dir, "jpeg-rgb-ids.jpg"), "wb") as f:
        f.write(bytes(ids))
    add("jpeg-rgb-ids.jpg", "JPEG RGB components, no JFIF/Adobe, component ids 'R','G','B'")
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=90)
    with open(os.path.join(out_dir, "jpeg-nojfif.jpg"), "wb") as f:
        f.write(strip_segments(buf.getvalue(), 0xE0))
    add("jpeg-nojfif.jpg", "JPEG YCbCr without JFIF APP0 (component ids 1,2,3)")

    # Other formats ImageIO reads
    save("bmp-rgb24.bmp", im)
    add("bmp-rgb24.bmp", "BMP 24-bit")
    save("gif-palette.gif", im.quantize(colors=64))
    add("gif-palette.gif", "GIF palette")

    write_json(os.path.join(out_dir, "index.json"), {"pillow": Image.__version__, "cases": cases})
    make_cmyk_table(out_dir)
    make_bad(im)


def make_cmyk_table(out_dir):
    """Pillow's cmyk2rgb is 255 - C - K + round(C * K / 255), i.e. round((255-C)(255-K)/255)."""
    c = np.arange(256)
    cc, kk = np.meshgrid(c, c, indexing="ij")
    cmyk = np.stack([cc, cc, cc, kk], -1).astype(np.uint8)
    got = np.asarray(Image.frombytes("CMYK", (256, 256), cmyk.tobytes()).convert("RGB"))[..., 0]
    want = np.floor((255 - cc) * (255 - kk) / 255.0 + 0.5)
    assert (got == want).all(), "Pillow's CMYK conversion is not round((255-C)(255-K)/255)"
    rng = np.random.default_rng(11)
    picks = [(0, 0), (255, 255), (255, 0), (0, 255), (128, 128), (1, 254)]
    picks += [tuple(int(v) for v in p) for p in rng.integers(0, 256, (200, 2))]
    rows = [[ci, ki, int(got[ci, ki])] for ci, ki in picks]
    write_json(os.path.join(out_dir, "cmyk2rgb.json"),
               {"columns": ["c", "k", "r"], "rows": rows})


def make_bad(im):
    out_dir = os.path.join(ROOT, "bad")
    os.makedirs(out_dir, exist_ok=True)

    def put(name, data):
        with open(os.path.join(out_dir, name), "wb") as f:
            f.write(data)

    png, jpg, tif = io.BytesIO(), io.BytesIO(), io.BytesIO()
    im.save(png, "PNG")
    im.save(jpg, "JPEG", quality=90)
    im.save(tif, "TIFF")
    png, jpg = png.getvalue(), jpg.getvalue()
    put("empty.jpg", b"")
    put("truncated.png", png[:len(png) // 2])
    put("truncated-header.jpg", jpg[:len(jpg) // 2])
    put("truncated.jpg", jpg[:len(jpg) - 100])
    put("missing-eoi.jpg", jpg[:-2])
    put("header-only.jpg", jpg[:jpeg_segments(jpg)[-1][2]])
    idat = png.index(b"IDAT") + 4
    corrupt = bytearray(png)
    for i in range(idat + 2, idat + 40):
        corrupt[i] ^= 0x5A
    put("corrupt-idat.png", bytes(corrupt))
    put("random.bin", np.random.default_rng(5).integers(0, 256, 300, dtype=np.uint8).tobytes())
    put("notes.txt", b"label,path\ncat,images/cat_001.jpg\n")
    put("image.tif", tif.getvalue())


if __name__ == "__main__":
    # convert('RGB') of a palette image with tRNS is exactly what the expectations need.
    warnings.filterwarnings("ignore", message="Palette images with Transparency")
    make_resample()
    make_decode()
