#!/usr/bin/python3
"""Writes src/test/resources/fixtures/ssf/reference.npz: SSF on a tiny ViT, computed by torch.

The ViT and the scale/shift placement are written here after the official SSF code
(dongzelian/SSF, models/vision_transformer.py with tuning_mode 'ssf'): y = x * scale + shift after
the patch embedding's projection, the fused qkv projection, the attention's output projection,
fc1 (before the GELU), fc2, both LayerNorms of every block and the final LayerNorm. The folded
model is the paper's re-parameterization (Eq. 2) applied in torch's own layout (a Linear's weight
[out, in]): W' = diag(scale) W, b' = scale * b + shift, a LayerNorm's weight' = scale * weight
and bias' = scale * bias + shift; it runs with no scale or shift.

The archive holds the images (NHWC), every parameter under tfpeft's variable names and layout
(W [in, out]; q, k, v split from the fused qkv, and so is its scale and shift), the logits with
SSF, the folded backbone under "folded/<name>" and the folded model's logits.

Run with Debian's python3 (torch and numpy). Seeded: a rerun writes the same bytes.
"""

import io
import os
import sys
import zipfile

import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    ROOT, "src", "test", "resources", "fixtures", "ssf", "reference.npz")
IMAGE, PATCH, D, HEADS, DEPTH, HIDDEN, CLASSES, EPS = 16, 4, 16, 2, 2, 32, 3, 1e-6
TOKENS = (IMAGE // PATCH) ** 2 + 1

torch.manual_seed(0)
g = torch.float64  # computed in double; stored in float32


def rnd(*shape, std=0.3, mean=0.0):
    return (torch.randn(*shape, dtype=g) * std + mean)


# torch layout: Linear weight [out, in], conv weight [out, in, kh, kw]
p = {"patch.w": rnd(D, 3, PATCH, PATCH), "patch.b": rnd(D), "cls": rnd(1, 1, D),
     "pos": rnd(1, TOKENS, D), "norm.w": rnd(D, mean=1.0), "norm.b": rnd(D),
     "head.w": rnd(CLASSES, D), "head.b": rnd(CLASSES)}
for i in range(DEPTH):
    b = f"b{i}."
    p.update({b + "n1.w": rnd(D, mean=1.0), b + "n1.b": rnd(D), b + "qkv.w": rnd(3 * D, D),
              b + "qkv.b": rnd(3 * D), b + "proj.w": rnd(D, D), b + "proj.b": rnd(D),
              b + "n2.w": rnd(D, mean=1.0), b + "n2.b": rnd(D), b + "fc1.w": rnd(HIDDEN, D),
              b + "fc1.b": rnd(HIDDEN), b + "fc2.w": rnd(D, HIDDEN), b + "fc2.b": rnd(D)})
# scale and shift per operation (wider than the N(1, 0.02) init, so that they matter)
SITES = {"patch": D, "norm": D}
for i in range(DEPTH):
    SITES.update({f"b{i}.n1": D, f"b{i}.qkv": 3 * D, f"b{i}.proj": D, f"b{i}.n2": D,
                  f"b{i}.fc1": HIDDEN, f"b{i}.fc2": D})
ssf = {k: (rnd(w, mean=1.0), rnd(w)) for k, w in SITES.items()}


def ssf_ada(x, site, on):
    if not on:
        return x
    scale, shift = ssf[site]
    return x * scale + shift


def forward(images, p, on):
    x = F.conv2d(images.permute(0, 3, 1, 2), p["patch.w"], p["patch.b"], stride=PATCH)
    x = ssf_ada(x.flatten(2).transpose(1, 2), "patch", on)
    x = torch.cat([p["cls"].expand(x.shape[0], -1, -1), x], dim=1) + p["pos"]
    n, t = x.shape[0], x.shape[1]
    for i in range(DEPTH):
        b = f"b{i}."
        h = ssf_ada(F.layer_norm(x, (D,), p[b + "n1.w"], p[b + "n1.b"], EPS), b + "n1", on)
        qkv = ssf_ada(F.linear(h, p[b + "qkv.w"], p[b + "qkv.b"]), b + "qkv", on)
        q, k, v = qkv.reshape(n, t, 3, HEADS, D // HEADS).permute(2, 0, 3, 1, 4)
        a = ((q @ k.transpose(-2, -1)) * (D // HEADS) ** -0.5).softmax(dim=-1) @ v
        a = F.linear(a.transpose(1, 2).reshape(n, t, D), p[b + "proj.w"], p[b + "proj.b"])
        x = x + ssf_ada(a, b + "proj", on)
        h = ssf_ada(F.layer_norm(x, (D,), p[b + "n2.w"], p[b + "n2.b"], EPS), b + "n2", on)
        h = F.gelu(ssf_ada(F.linear(h, p[b + "fc1.w"], p[b + "fc1.b"]), b + "fc1", on))
        x = x + ssf_ada(F.linear(h, p[b + "fc2.w"], p[b + "fc2.b"]), b + "fc2", on)
    x = ssf_ada(F.layer_norm(x, (D,), p["norm.w"], p["norm.b"], EPS), "norm", on)
    return F.linear(x[:, 0], p["head.w"], p["head.b"])


def folded():
    """Eq. 2: every pair merged into the operation before it."""
    f = dict(p)
    for site, (scale, shift) in ssf.items():
        if site == "patch":
            f["patch.w"] = p["patch.w"] * scale[:, None, None, None]
        else:
            f[site + ".w"] = p[site + ".w"] * (scale[:, None] if p[site + ".w"].dim() == 2
                                               else scale)
        f[site + ".b"] = p[site + ".b"] * scale + shift
    return f


def tfpeft_names(p, ssf_pairs):
    """The parameters as tfpeft names and stores them (Linear W [in, out])."""
    out = {"backbone/patch_embed/weight": p["patch.w"].permute(2, 3, 1, 0).reshape(-1, D),
           "backbone/patch_embed/bias": p["patch.b"], "backbone/cls_token": p["cls"],
           "backbone/pos_embed": p["pos"][0], "backbone/norm/gamma": p["norm.w"],
           "backbone/norm/beta": p["norm.b"], "head/head/weight": p["head.w"].T,
           "head/head/bias": p["head.b"]}
    for i in range(DEPTH):
        b, t = f"b{i}.", f"backbone/block{i}/"
        out.update({t + "ln1/gamma": p[b + "n1.w"], t + "ln1/beta": p[b + "n1.b"],
                    t + "ln2/gamma": p[b + "n2.w"], t + "ln2/beta": p[b + "n2.b"],
                    t + "attn/out/weight": p[b + "proj.w"].T, t + "attn/out/bias": p[b + "proj.b"],
                    t + "mlp/fc1/weight": p[b + "fc1.w"].T, t + "mlp/fc1/bias": p[b + "fc1.b"],
                    t + "mlp/fc2/weight": p[b + "fc2.w"].T, t + "mlp/fc2/bias": p[b + "fc2.b"]})
        for j, name in enumerate("qkv"):
            out[t + f"attn/{name}/weight"] = p[b + "qkv.w"][j * D:(j + 1) * D].T
            out[t + f"attn/{name}/bias"] = p[b + "qkv.b"][j * D:(j + 1) * D]
    if ssf_pairs:
        sites = {"patch": "patch_embed", "norm": "norm"}
        for i in range(DEPTH):
            sites.update({f"b{i}.n1": f"block{i}/ln1", f"b{i}.n2": f"block{i}/ln2",
                          f"b{i}.proj": f"block{i}/attn/out", f"b{i}.fc1": f"block{i}/mlp/fc1",
                          f"b{i}.fc2": f"block{i}/mlp/fc2"})
        for site, (scale, shift) in ssf.items():
            if site.endswith(".qkv"):
                for j, name in enumerate("qkv"):
                    base = f"peft/ssf/{site[:-4].replace('b', 'block')}/attn/{name}/"
                    out[base + "scale"] = scale[j * D:(j + 1) * D]
                    out[base + "shift"] = shift[j * D:(j + 1) * D]
            else:
                out[f"peft/ssf/{sites[site]}/scale"] = scale
                out[f"peft/ssf/{sites[site]}/shift"] = shift
    return out


def save_npz(path, arrays):
    """Like numpy.savez with a fixed entry time, so that a rerun writes the same bytes."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        for key, arr in arrays.items():
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.ascontiguousarray(arr, dtype=np.float32),
                                      allow_pickle=False)
            z.writestr(zipfile.ZipInfo(key + ".npy", date_time=(2020, 1, 1, 0, 0, 0)),
                       buf.getvalue())


images = torch.rand(2, IMAGE, IMAGE, 3, dtype=g)
arrays = {"images": images, "logits": forward(images, p, True),
          "logits_folded": forward(images, folded(), False)}
arrays.update(tfpeft_names(p, True))
arrays.update({"folded/" + k: v for k, v in tfpeft_names(folded(), False).items()
               if k.startswith("backbone/")})
save_npz(OUT, {k: v.detach().numpy() for k, v in arrays.items()})
print("wrote", OUT, "max |logit| %.3f, max |with - folded| %.2e" % (
    arrays["logits"].abs().max(), (arrays["logits"] - arrays["logits_folded"]).abs().max()))
