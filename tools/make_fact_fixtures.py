#!/usr/bin/python3
"""Writes the FacT fixtures under src/test/resources/fixtures/fact/.

A reference for tfpeft's FacT (Jie and Deng, AAAI 2023), independent of it: the tiny ViT of
fixtures/models/vit/google.npz (torchvision's VisionTransformer, written by
tools/make_model_fixtures.py) run by a few lines of torch, its Linear weights changed by FacT's
factors as the paper and the official code (JieShibo/PETL-ViT, FacT/fact_tt.py, fact_tk.py)
compute them:

  tt.npz, tt_logits.npy      FacT-TT in the official code's path form: q += s V(Sigma_q(U x)),
                             fc1's cores map U x to the 2 output chunks, fc2's take the 2 input
                             chunks through U (here the MLP ratio is 2, not ViT-B/16's 4)
  tk.npz, tk_logits.npy      FacT-TK in the paper's weight form: slice p of the tensorized
                             weights gains s U Sigma_p V with Sigma_p = C x_3 P[:, p]
  tk_official_logits.npy     FacT-TK in the official code's path form, whose MLP cores are
                             FacTc @ FacTp reshaped straight to [r, k r] (fc1) and [k r, r]^T (fc2)

The factors are stored under tfpeft's variable names and layout: peft/fact/u [d, r],
peft/fact/v [r, d], per site peft/fact/<site>/core [rows r, cols r] (TT: x U M, block (i, o) the
core of input chunk i and output chunk o), peft/fact/core [r, r, r] and peft/fact/positions
[r, 16] (TK). Rank 3, scale 0.7; V is random (not zero) so that every increment counts.
The base logits are checked against fixtures/models/vit/logits.npy first.

Run with Debian's python3, numpy and torch. Seeded: a rerun writes the same values.

Usage: tools/make_fact_fixtures.py
"""

import io
import os
import zipfile

import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(ROOT, "src", "test", "resources", "fixtures")
OUT = os.path.join(FIX, "fact")
RANK = 3
SCALE = 0.7
ZIP_TIME = (2020, 1, 1, 0, 0, 0)


def save_npz(name, arrays):
    with zipfile.ZipFile(os.path.join(OUT, name), "w", zipfile.ZIP_STORED) as z:
        for key, arr in arrays.items():
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.ascontiguousarray(arr, dtype=np.float32),
                                      allow_pickle=False)
            z.writestr(zipfile.ZipInfo(key + ".npy", date_time=ZIP_TIME), buf.getvalue())


def load_vit():
    z = np.load(os.path.join(FIX, "models", "vit", "google.npz"))
    p = {k: torch.from_numpy(z[k]).double() for k in z.files}
    d = p["cls"].shape[-1]
    blocks = sorted({int(k.split("/")[1].split("_")[1]) for k in p if "encoderblock_" in k})
    w = {}  # tfpeft's site names -> [in, out] kernels and biases, so FacT can change them
    for i in blocks:
        g = "Transformer/encoderblock_%d/" % i
        a = g + "MultiHeadDotProductAttention_1/"
        for part, site in [("query", "q"), ("key", "k"), ("value", "v")]:
            w["block%d/attn/%s" % (i, site)] = (p[a + part + "/kernel"].reshape(d, d),
                                                 p[a + part + "/bias"].reshape(d))
        w["block%d/attn/out" % i] = (p[a + "out/kernel"].reshape(d, d), p[a + "out/bias"])
        w["block%d/mlp/fc1" % i] = (p[g + "MlpBlock_3/Dense_0/kernel"],
                                    p[g + "MlpBlock_3/Dense_0/bias"])
        w["block%d/mlp/fc2" % i] = (p[g + "MlpBlock_3/Dense_1/kernel"],
                                    p[g + "MlpBlock_3/Dense_1/bias"])
    heads = z["Transformer/encoderblock_0/MultiHeadDotProductAttention_1/query/kernel"].shape[1]
    return p, w, blocks, d, heads


def vit_logits(p, w, blocks, d, heads, images, path=None):
    """Pre-norm ViT (LayerNorm eps 1e-6, exact GELU, class token). path(site, x) adds a FacT
    path to a Linear's output where given."""
    def linear(site, x):
        kernel, bias = w[site]
        y = x @ kernel + bias
        return y + path(site, x) if path else y

    def ln(x, prefix):
        return F.layer_norm(x, (d,), p[prefix + "/scale"], p[prefix + "/bias"], eps=1e-6)

    k = p["embedding/kernel"]
    x = F.conv2d(images.permute(0, 3, 1, 2), k.permute(3, 2, 0, 1), p["embedding/bias"],
                 stride=k.shape[0]).flatten(2).transpose(1, 2)
    n = x.shape[0]
    x = torch.cat([p["cls"].expand(n, -1, -1), x], 1) + p["Transformer/posembed_input/pos_embedding"]
    hd = d // heads
    for i in blocks:
        g = "Transformer/encoderblock_%d/" % i
        h = ln(x, g + "LayerNorm_0")
        q, kk, v = (linear("block%d/attn/%s" % (i, s), h).reshape(n, -1, heads, hd).transpose(1, 2)
                    for s in "qkv")
        a = torch.softmax(q @ kk.transpose(-2, -1) / hd ** 0.5, -1) @ v
        x = x + linear("block%d/attn/out" % i, a.transpose(1, 2).reshape(n, -1, d))
        h = F.gelu(linear("block%d/mlp/fc1" % i, ln(x, g + "LayerNorm_2")))
        x = x + linear("block%d/mlp/fc2" % i, h)
    x = ln(x, "Transformer/encoder_norm")[:, 0]
    return x @ p["head/kernel"] + p["head/bias"]


def grid(w, site, d):
    kernel = w[site][0]
    return kernel.shape[0] // d, kernel.shape[1] // d


def main():
    os.makedirs(OUT, exist_ok=True)
    p, w, blocks, d, heads = load_vit()
    images = torch.from_numpy(np.load(os.path.join(FIX, "models", "images.npy"))).double()
    base = vit_logits(p, w, blocks, d, heads, images)
    want = np.load(os.path.join(FIX, "models", "vit", "logits.npy"))
    assert np.abs(base.numpy() - want).max() < 1e-5, "the reference ViT is not torchvision's"

    g = torch.Generator().manual_seed(5)
    r = RANK
    # float32 values, as stored: the reference computes with exactly what tfpeft is given
    rand = lambda *shape: (torch.randn(*shape, generator=g) * 0.3).double()
    u, v = rand(d, r), rand(r, d)
    sites = list(w)

    # FacT-TT, the official code's forward (fact_tt.py) with x U M in place of FacTs(FacTu(x))
    cores = {s: rand(grid(w, s, d)[0] * r, grid(w, s, d)[1] * r) for s in sites}

    def tt_path(site, x):
        rows, cols = grid(w, site, d)
        h = x.reshape(*x.shape[:-1], rows, d) @ u                   # each input chunk through U
        h = h.reshape(*x.shape[:-1], rows * r) @ cores[site]         # the cores
        return (h.reshape(*x.shape[:-1], cols, r) @ v).reshape(*x.shape[:-1], cols * d) * SCALE

    tt = vit_logits(p, w, blocks, d, heads, images, tt_path)
    save_npz("tt.npz", {"peft/fact/u": u, "peft/fact/v": v,
                        **{"peft/fact/%s/core" % s: m for s, m in cores.items()}})
    np.save(os.path.join(OUT, "tt_logits.npy"), tt.float().numpy())

    # FacT-TK, the paper's weight form: W_p += s U (C x_3 P[:, p]) V, positions in build order
    n_pos = sum(grid(w, s, d)[0] * grid(w, s, d)[1] for s in sites)
    c, pos = rand(r, r, r), rand(r, n_pos)
    tucker = {}
    offset = 0
    for s in sites:
        rows, cols = grid(w, s, d)
        delta = torch.zeros(rows * d, cols * d, dtype=torch.float64)
        for i in range(rows):
            for o in range(cols):
                sigma = torch.einsum("abc,c->ab", c, pos[:, offset + i * cols + o])
                delta[i * d:(i + 1) * d, o * d:(o + 1) * d] = SCALE * u @ sigma @ v
        tucker[s] = (w[s][0] + delta, w[s][1])
        offset += rows * cols
    tk = vit_logits(p, tucker, blocks, d, heads, images)
    save_npz("tk.npz", {"peft/fact/u": u, "peft/fact/v": v, "peft/fact/core": c,
                        "peft/fact/positions": pos})
    np.save(os.path.join(OUT, "tk_logits.npy"), tk.float().numpy())

    # FacT-TK as fact_tk.py computes it: FacTc @ FacTp[:, idx:idx+k], reshaped for the MLP
    offsets, offset = {}, 0
    for s in sites:
        offsets[s] = offset
        offset += grid(w, s, d)[0] * grid(w, s, d)[1]

    def tk_official_path(site, x):
        rows, cols = grid(w, site, d)
        k = rows * cols
        t = c @ pos[:, offsets[site]:offsets[site] + k]              # [r, r, k]
        lead = x.shape[:-1]
        if rows == 1:                                                 # q, k, v, proj, fc1
            h = (x @ u) @ t.reshape(r, k * r)
            return (h.reshape(*lead, cols, r) @ v).reshape(*lead, cols * d) * SCALE
        h = (x.reshape(*lead, rows, d) @ u).reshape(*lead, rows * r) @ t.reshape(r, k * r).t()
        return (h @ v) * SCALE                                        # fc2

    official = vit_logits(p, w, blocks, d, heads, images, tk_official_path)
    np.save(os.path.join(OUT, "tk_official_logits.npy"), official.float().numpy())
    for name, x in [("tt", tt), ("tk", tk), ("tk_official", official)]:
        print("%-12s max |logit - base| %.3f" % (name, (x - base).abs().max()))


if __name__ == "__main__":
    main()
