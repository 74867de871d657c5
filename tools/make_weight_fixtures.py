#!/usr/bin/python3
"""Writes the weight-file test fixtures under src/test/resources/fixtures/weights/.

The files are produced independently of the Java code: safetensors is written here from the
format's specification (8-byte little-endian header length, JSON header, data buffer), .npy and
.npz through numpy itself. expected.json records the float32 value of every element as numpy
computes it (as raw uint32 bits, so NaN payloads and -0.0 compare exactly), plus CRC-32 checksums
of whole-range conversion sweeps. Run with Debian's python3 and numpy; if PyTorch is importable
its bfloat16 rounding is used to double-check ours.

Usage: tools/make_weight_fixtures.py [output-dir]
"""

import io
import json
import os
import struct
import sys
import zipfile
import zlib

import numpy as np

np.seterr(all="ignore")  # overflow to infinity and NaN casts are what the fixtures test

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    ROOT, "src", "test", "resources", "fixtures", "weights")
ZIP_TIME = (2020, 1, 1, 0, 0, 0)  # fixed so regenerated archives are byte-identical

# binary16 patterns worth checking: zeros, subnormals, normals, the largest finite, infinities
# and NaNs (quiet, signalling-style with a low payload, negative)
HALF_BITS = [0x0000, 0x8000, 0x0001, 0x0002, 0x03FF, 0x8001, 0x0400, 0x0401, 0x3555, 0x3C00,
             0x3C01, 0xC000, 0x7BFF, 0xFBFF, 0x7C00, 0xFC00, 0x7E00, 0x7C01, 0x7DFF, 0xFE00,
             0x1234, 0x5678]
# bfloat16 patterns: the upper halves of interesting float32 values
BF16_BITS = [0x0000, 0x8000, 0x0001, 0x007F, 0x0080, 0x3F80, 0xBF80, 0x4049, 0x7F7F, 0x7F80,
             0xFF80, 0x7FC0, 0x7F81, 0xFFC1]
F64_VALUES = [0.0, -0.0, 1.0 / 3.0, 0.1, 1e-46, 1e-45, 3.5e38, -1e300, 16777217.0,
              1.0 + 2.0 ** -24, 1.0 + 3 * 2.0 ** -24, float("inf"), float("-inf"), float("nan")]
I64_VALUES = [0, -1, 16777217, 16777219, 2 ** 53 + 1, 2 ** 63 - 1, -2 ** 63, 123456789012]


def bits32(values):
    """The float32 bit patterns of an array converted to float32 by numpy, C order."""
    return np.ascontiguousarray(np.asarray(values).astype(np.float32)).view(np.uint32) \
        .ravel().tolist()


def halves(bits, order="<"):
    return np.array(bits, dtype=np.uint16).view(np.float16).astype(order + "f2")


def bfloat16_to_float32(bits):
    return (np.array(bits, dtype=np.uint32) << 16).view(np.float32)


def float32_to_bfloat16_bits(f32):
    """Round to nearest even on the upper 16 bits; a NaN becomes the quiet NaN of its sign, as
    Eigen's float-to-bfloat16 conversion (used by TensorFlow and JAX) does."""
    b = np.asarray(f32, dtype=np.float32).view(np.uint32).astype(np.uint64)
    rounded = ((b + 0x7FFF + ((b >> 16) & 1)) >> 16) & 0xFFFF
    nan = np.isnan(np.asarray(f32, dtype=np.float32))
    return np.where(nan, ((b >> 16) & 0x8000) | 0x7FC0, rounded).astype(np.uint16)


def expected(arr):
    return {"shape": list(np.shape(arr)), "bits": bits32(arr)}


# ---- safetensors, written from the specification ----

def safetensors_bytes(tensors, metadata=None, pad=True):
    """tensors: list of (name, dtype code, shape, raw little-endian bytes)."""
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    offset = 0
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": list(shape),
                        "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
    return raw_safetensors(json.dumps(header).encode("utf-8"),
                           b"".join(t[3] for t in tensors), pad)


def raw_safetensors(header_bytes, data, pad=True):
    if pad:  # the reference writer pads with spaces so the buffer starts 8-byte aligned
        header_bytes += b" " * (-len(header_bytes) % 8)
    return struct.pack("<Q", len(header_bytes)) + header_bytes + data


def le(arr, dtype):
    return np.ascontiguousarray(np.asarray(arr).astype(dtype)).tobytes()


def write(name, data):
    path = os.path.join(OUT, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def make_safetensors(exp):
    f32 = np.array([[1.5, -0.0, np.inf], [1e-45, -3.25, np.nan]], dtype=np.float32)
    f16 = halves(HALF_BITS)
    f16_3d = halves(list(range(0x3C00, 0x3C00 + 12))).reshape(2, 2, 3)
    bf16 = np.array(BF16_BITS, dtype=np.uint16)
    f64 = np.array(F64_VALUES, dtype=np.float64)
    i64 = np.array(I64_VALUES, dtype=np.int64)
    i32 = np.array([0, -7, 2 ** 31 - 1, -2 ** 31, 16777217], dtype=np.int32)
    i16 = np.array([-32768, 32767, 5], dtype=np.int16)
    i8 = np.array([-128, 127, 0], dtype=np.int8)
    u8 = np.array([0, 255, 128], dtype=np.uint8)
    boolean = np.array([True, False, True], dtype=np.bool_)
    scalar = np.float32(2.5)
    empty = np.zeros((0, 4), dtype=np.float32)
    tensors = [
        ("f32", "F32", f32.shape, le(f32, "<f4")),
        ("f16", "F16", f16.shape, le(f16, "<f2")),
        ("f16_3d", "F16", f16_3d.shape, le(f16_3d, "<f2")),
        ("bf16", "BF16", bf16.shape, le(bf16, "<u2")),
        ("f64", "F64", f64.shape, le(f64, "<f8")),
        ("i64", "I64", i64.shape, le(i64, "<i8")),
        ("i32", "I32", i32.shape, le(i32, "<i4")),
        ("i16", "I16", i16.shape, le(i16, "<i2")),
        ("i8", "I8", i8.shape, le(i8, "i1")),
        ("u8", "U8", u8.shape, le(u8, "u1")),
        ("bool", "BOOL", boolean.shape, le(boolean, "?")),
        ("scalar", "F32", (), le(scalar, "<f4")),
        ("empty", "F32", empty.shape, b""),
    ]
    metadata = {"format": "pt", "made_by": "make_weight_fixtures.py"}
    write("dtypes.safetensors", safetensors_bytes(tensors, metadata))
    exp["dtypes.safetensors"] = {"metadata": metadata, "tensors": {
        "f32": expected(f32), "f16": expected(f16), "f16_3d": expected(f16_3d),
        "bf16": expected(bfloat16_to_float32(bf16)), "f64": expected(f64),
        "i64": expected(i64), "i32": expected(i32), "i16": expected(i16), "i8": expected(i8),
        "u8": expected(u8), "bool": expected(boolean), "scalar": expected(scalar),
        "empty": expected(empty)}}

    config = {"model_type": "vit", "hidden_size": 4, "num_hidden_layers": 1,
              "layer_norm_eps": 1e-12, "architectures": ["ViTModel"]}
    small = np.arange(8, dtype=np.float32).reshape(2, 4) / 8
    write("model_dir/model.safetensors",
          safetensors_bytes([("embeddings.cls_token", "F32", small.shape, le(small, "<f4"))]))
    write("model_dir/config.json", (json.dumps(config, indent=2) + "\n").encode())
    exp["model_dir"] = {"tensors": {"embeddings.cls_token": expected(small)}, "config": config}


def make_broken_safetensors():
    good = np.arange(6, dtype=np.float32)
    ok = ("weight", "F32", [2, 3], le(good, "<f4"))
    whole = safetensors_bytes([ok, ("bias", "F32", [3], le(good[:3], "<f4"))])
    write("broken/truncated.safetensors", whole[:-5])
    write("broken/header_too_long.safetensors", struct.pack("<Q", 10 ** 6) + whole[8:])

    def entry(dtype, shape, begin, end):
        return {"dtype": dtype, "shape": shape, "data_offsets": [begin, end]}

    def with_header(header, data=le(good, "<f4")):
        return raw_safetensors(json.dumps(header).encode(), data)

    not_json = b'{"weight": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]},,}'
    write("broken/header_not_json.safetensors", raw_safetensors(not_json, le(good, "<f4")))
    write("broken/offsets_out_of_range.safetensors",
          with_header({"weight": entry("F32", [250], 0, 1000)}))
    write("broken/overlapping_offsets.safetensors", with_header(
        {"weight": entry("F32", [4], 0, 16), "bias": entry("F32", [2], 8, 16)}))
    write("broken/size_mismatch.safetensors",
          with_header({"weight": entry("F32", [2, 3], 0, 20)}))
    write("broken/unknown_dtype.safetensors",
          with_header({"weight": entry("F31", [2, 3], 0, 24)}))
    # a dtype the format defines but this reader does not convert, next to a readable tensor
    write("broken/unsupported_dtype.safetensors", with_header(
        {"weight": entry("F32", [4], 0, 16), "scale": entry("F8_E4M3", [8], 16, 24)}))
    # ... whose byte count is wrong all the same (2 x U32 is 8 bytes, not 4)
    write("broken/unsupported_dtype_size_mismatch.safetensors", with_header(
        {"weight": entry("F32", [5], 0, 20), "scale": entry("U32", [2], 20, 24)}))


# ---- .npy / .npz through numpy ----

def npy_bytes(arr, version=(1, 0)):
    buf = io.BytesIO()
    np.lib.format.write_array(buf, arr, version=version, allow_pickle=False)
    return buf.getvalue()


def zip_bytes(entries):
    """entries: list of (name, bytes, deflate?)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data, deflate in entries:
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
            z.writestr(info, data)
    return buf.getvalue()


def make_npz(exp):
    kernel = (np.arange(12, dtype=np.float32).reshape(3, 4) - 5) / 7
    f4_big = np.array([[1.0, -2.5, 3.25], [np.inf, -0.0, 1e-40]], dtype=">f4")
    f2 = halves(HALF_BITS)
    f2_big = halves(HALF_BITS, ">")
    f8 = np.array(F64_VALUES, dtype="<f8")
    f8_big = np.array(F64_VALUES[:6], dtype=">f8").reshape(2, 3)
    fortran = np.asfortranarray(np.arange(24, dtype=np.float32).reshape(2, 3, 4) * 0.5)
    fortran_f2 = np.asfortranarray(halves(list(range(0x3800, 0x3800 + 15)), ">").reshape(3, 5))
    assert fortran.flags.f_contiguous and not fortran.flags.c_contiguous
    i4 = np.array([[1, -2], [3, 16777217]], dtype="<i4")
    u1 = np.array([0, 200, 255], dtype="u1")
    b1 = np.array([False, True], dtype="?")
    v2 = np.linspace(-1, 1, 5, dtype=np.float32)
    v3 = np.linspace(0, 1, 3, dtype=np.float32)
    arrays = [
        ("Transformer/encoderblock_0/MlpBlock_3/Dense_0/kernel", kernel, True, (1, 0)),
        ("f4_big", f4_big, False, (1, 0)),
        ("f2", f2, False, (1, 0)),
        ("f2_big", f2_big, True, (1, 0)),
        ("f8", f8, True, (1, 0)),
        ("f8_big", f8_big, False, (1, 0)),
        ("fortran", fortran, False, (1, 0)),
        ("fortran_f2", fortran_f2, True, (1, 0)),
        ("i4", i4, False, (1, 0)),
        ("u1", u1, True, (1, 0)),
        ("b1", b1, False, (1, 0)),
        ("version2", v2, False, (2, 0)),
        ("version3", v3, True, (3, 0)),
    ]
    entries = [(n + ".npy", npy_bytes(a, v), d) for n, a, d, v in arrays]
    entries.append(("notes.txt", b"not an array; readers skip it\n", False))
    whole = zip_bytes(entries)
    write("arrays.npz", whole)
    exp["arrays.npz"] = {"tensors": {n: expected(a) for n, a, _, _ in arrays}}

    image = (np.arange(2 * 4 * 4 * 3, dtype=np.float32).reshape(2, 4, 4, 3) / 95) - 0.5
    write("images.npy", npy_bytes(image))
    fortran_f8 = np.asfortranarray(
        (np.arange(12, dtype=np.float64).reshape(3, 4) / 3).astype(">f8"))
    write("fortran_big_f8.npy", npy_bytes(fortran_f8))
    exp["images.npy"] = expected(image)
    assert fortran_f8.dtype.str == ">f8" and fortran_f8.flags.f_contiguous
    exp["fortran_big_f8.npy"] = expected(fortran_f8)

    # broken archives and arrays
    write("broken/truncated.npz", whole[:len(whole) // 2])
    short = npy_bytes(kernel)[:-10]
    write("broken/truncated_entry.npz", zip_bytes([("kernel.npy", short, False)]))
    corrupt = bytearray(zip_bytes([("kernel.npy", npy_bytes(kernel), True)]))
    # the first byte of the deflate stream: BFINAL=1, BTYPE=11 is a reserved block type
    corrupt[30 + len("kernel.npy")] = 0x07
    write("broken/corrupt_deflate.npz", bytes(corrupt))
    write("broken/not_a_zip.npz", b"this is not a zip archive at all\n")
    good_npy = npy_bytes(np.zeros(3, dtype=np.float32))
    bad_header = good_npy.replace(b"False", b"Flase")
    write("broken/bad_header.npy", bad_header)
    write("broken/bad_header_entry.npz", zip_bytes([("ok.npy", good_npy, False),
                                                   ("bad.npy", bad_header, True)]))
    write("broken/complex.npy", npy_bytes(np.array([1 + 2j], dtype="<c8")))
    write("broken/config_not_json.json", b'{\n  "hidden_size": 768,\n  "num_layers" 12\n}\n')


def make_sweeps(exp):
    """CRC-32s of whole-range conversions, so every binary16 value and a wide spread of float32
    values are compared without storing them."""
    all_halves = np.arange(1 << 16, dtype=np.uint32).astype(np.uint16).view(np.float16)
    widened = all_halves.astype(np.float32)
    sweeps = {"f16_to_f32": {"crc32": zlib.crc32(widened.astype("<f4").tobytes())}}
    for name, start, step, count in [("f32_to_f16", 0x33000000, 127, 2800000),
                                     ("f32_to_bf16", 0x00000000, 4099, 1047807)]:
        bits = (np.uint64(start) + np.arange(count, dtype=np.uint64) * np.uint64(step)) \
            % np.uint64(1 << 32)
        f32 = bits.astype(np.uint32).view(np.float32)
        f32 = f32[~np.isnan(f32)]  # NaN narrowing is checked case by case, not in sweeps
        if name == "f32_to_f16":
            narrow = f32.astype(np.float16).view(np.uint16)
        else:
            narrow = float32_to_bfloat16_bits(f32)
            check_bfloat16_with_torch(f32, narrow)
        sweeps[name] = {"start": start, "step": step, "count": count, "kept": int(f32.size),
                        "crc32": zlib.crc32(narrow.astype("<u2").tobytes())}
    ties = np.array([1 + 2 ** -11, 1 + 3 * 2 ** -11, 65519.0, 65520.0, 2.0 ** -25,
                     2.0 ** -25 * 1.5, 2.0 ** -24 * 1.5, 6.1e-5, -0.0, np.inf, np.nan,
                     -np.nan, 1e-8, 70000.0], dtype=np.float32)
    # NaNs with payloads, one of them only in the low bits that binary16 drops
    ties = np.concatenate([ties, np.array([0x7F800001, 0xFF812345, 0x7FC00001],
                                          dtype=np.uint32).view(np.float32)])
    sweeps["f32_to_f16_cases"] = pairs(ties, ties.astype(np.float16).view(np.uint16))
    bf_cases = np.array([1 + 2 ** -8, 1 + 3 * 2 ** -8, 3.4e38, -np.inf, np.nan, -np.nan, 1e-40,
                         -0.0, 3.3961776e38], dtype=np.float32)
    sweeps["f32_to_bf16_cases"] = pairs(bf_cases, float32_to_bfloat16_bits(bf_cases))
    check_bfloat16_with_torch(bf_cases[~np.isnan(bf_cases)],
                              float32_to_bfloat16_bits(bf_cases[~np.isnan(bf_cases)]))
    exp["sweeps"] = sweeps


def pairs(f32, narrowed_bits):
    """[[float32 bits, narrowed bits], ...] for the JSON file."""
    return [[int(a), int(b)] for a, b in zip(f32.view(np.uint32), narrowed_bits)]


def check_bfloat16_with_torch(f32, narrow):
    try:
        import torch
    except ImportError:
        return
    theirs = torch.from_numpy(f32.copy()).to(torch.bfloat16).view(torch.int16).numpy()
    assert (theirs.view(np.uint16) == narrow).all(), "bfloat16 rounding disagrees with PyTorch"


def main():
    exp = {}
    make_safetensors(exp)
    make_broken_safetensors()
    make_npz(exp)
    make_sweeps(exp)
    write("expected.json", (json.dumps(exp, indent=1, sort_keys=True) + "\n").encode())
    total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(OUT) for f in fs)
    print("wrote fixtures to %s (%d bytes)" % (OUT, total))


if __name__ == "__main__":
    main()
