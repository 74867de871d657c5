#!/usr/bin/python3
"""Writes reference fixtures of PEFT methods under src/test/resources/fixtures/methods/.

The base is the tiny ViT of fixtures/models/vit/google.npz (written by make_model_fixtures.py,
whose recorded logits this script reproduces first). A pre-norm ViT forward is written below in
a few lines of torch straight from the Google layout, then each method is applied by its
paper's formula with random trained values, and the logits on fixtures/models/images.npy are
recorded beside the method's tensors, named as tfpeft names its variables:

  adapterp.npz      Adapter-P (Pfeiffer et al. 2021): after every block, z + U(ReLU(D z + b_D))
                    + b_U with z the block's output (adapter-transformers' placement on ViT);
                    peft/adapterp/block<i>/mlp/{down,up,down_bias,up_bias} and "logits"
  compacter.npz     Compacter (Mahabadi et al. 2021): h + up(gelu_tanh(down(h) + b_d)) + b_u on
                    every block's attention output and MLP output h (before the residual add,
                    the official code's place), down and up the PHM matrices
                    sum_i kron(A_i, s_i t_i^T) with one A [n, n, n] for all of them;
                    peft/compacter/phm_rule, peft/compacter/block<i>/{attn/out,mlp/fc2}/
                    {down_left,down_right,up_left,up_right,down_bias,up_bias} and "logits"
  vpt_shallow.npz   VPT-shallow (Jia et al. 2022): n prompt tokens inserted after the class
                    token, after the position embedding, before the first block (VPT's
                    incorporate_prompt); peft/vpt/prompts [1, n, D] and "logits"
  fourierft.npz     FourierFT (Gao et al. 2024): the query and value projections get
                    x alpha Re(ifft2(F)) (torch.fft.ifft2, as the official forward), F [D, D]
                    zero but for n coefficients at the positions tfpeft's seeded draw picks
                    (SplitMix64 + partial Fisher-Yates, repeated below); n = 100, alpha = 20,
                    entry seed 2024; peft/fourierft/block<i>/attn/{q,v}/spectrum and "logits"
  mora.npz          MoRA (Jiang et al. 2024), its official forward (_apply_mora) written again:
  mora_sharing.npz  the rotation operator (mora_type 6) and the sharing one (mora_type 1) on
                    the query and value projections, LoRA rank 2 (r_hat 10 and 11, both wrap
                    the 32 inputs); peft/mora/block<i>/attn/{q,v}/m (M, y = chunk M, the
                    transpose of the official nn.Linear weight) and "logits"

Run with Debian's python3, numpy and torch. Seeded: a rerun writes the same values.

Usage: tools/make_method_fixtures.py [output-dir]
"""

import io
import os
import sys
import zipfile

import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = os.path.join(ROOT, "src", "test", "resources", "fixtures", "models")
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    ROOT, "src", "test", "resources", "fixtures", "methods")
ZIP_TIME = (2020, 1, 1, 0, 0, 0)
EPS = 1e-6  # the fixture ViT's LayerNorm epsilon (torchvision's)


def save_npz(name, arrays):
    """numpy.savez with a fixed entry time, so the archive is reproducible."""
    os.makedirs(OUT, exist_ok=True)
    with zipfile.ZipFile(os.path.join(OUT, name), "w", zipfile.ZIP_STORED) as z:
        for key, arr in arrays.items():
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.ascontiguousarray(arr, dtype=np.float32),
                                      allow_pickle=False)
            z.writestr(zipfile.ZipInfo(key + ".npy", date_time=ZIP_TIME), buf.getvalue())


class Vit:
    """A pre-norm ViT read from Google's layout: x = x + attn(ln1(x)); x = x + mlp(ln2(x))."""

    def __init__(self, npz):
        self.w = {k: torch.from_numpy(npz[k]).double() for k in npz.files}
        self.depth = sum(1 for k in npz.files if k.endswith("LayerNorm_0/scale"))

    def ln(self, x, name):
        d = x.shape[-1]
        return F.layer_norm(x, (d,), self.w[name + "/scale"], self.w[name + "/bias"], EPS)

    def attention(self, x, a):
        w = self.w
        q, k, v = (torch.einsum("nld,dhk->nhlk", x, w[a + p + "/kernel"])
                   + w[a + p + "/bias"][None, :, None, :] for p in ("query", "key", "value"))
        att = torch.softmax(q @ k.transpose(-1, -2) / q.shape[-1] ** 0.5, dim=-1)
        return torch.einsum("nhlk,hkd->nld", att @ v, w[a + "out/kernel"]) + w[a + "out/bias"]

    def block(self, x, i, sublayer=None):
        """sublayer(i, "attn" | "mlp", h): what a sublayer's output h becomes before the
        residual addition (Compacter)."""
        g = "Transformer/encoderblock_%d/" % i
        w = self.w
        keep = sublayer or (lambda i, kind, h: h)
        x = x + keep(i, "attn", self.attention(self.ln(x, g + "LayerNorm_0"),
                                               g + "MultiHeadDotProductAttention_1/"))
        h = self.ln(x, g + "LayerNorm_2") @ w[g + "MlpBlock_3/Dense_0/kernel"]
        h = F.gelu(h + w[g + "MlpBlock_3/Dense_0/bias"])  # exact (erf) GELU
        return x + keep(i, "mlp", h @ w[g + "MlpBlock_3/Dense_1/kernel"]
                        + w[g + "MlpBlock_3/Dense_1/bias"])

    def embed(self, images_nhwc):
        w = self.w
        kernel = w["embedding/kernel"]  # [p, p, 3, D]
        x = F.conv2d(images_nhwc.permute(0, 3, 1, 2), kernel.permute(3, 2, 0, 1),
                     w["embedding/bias"], stride=kernel.shape[0])
        x = x.flatten(2).transpose(1, 2)
        x = torch.cat([w["cls"].expand(x.shape[0], -1, -1), x], dim=1)
        return x + w["Transformer/posembed_input/pos_embedding"]

    def logits(self, images, prompts=None, after_block=None, sublayer=None):
        """prompts [n, D]: VPT-shallow's tokens after the class token; after_block(i, z): what
        block i's output becomes (Adapter-P)."""
        x = self.embed(images)
        if prompts is not None:
            x = torch.cat([x[:, :1], prompts.expand(x.shape[0], -1, -1), x[:, 1:]], dim=1)
        for i in range(self.depth):
            x = self.block(x, i, sublayer)
            if after_block is not None:
                x = after_block(i, x)
        x = self.ln(x, "Transformer/encoder_norm")[:, 0]
        return x @ self.w["head/kernel"] + self.w["head/bias"]


class HookedVit(Vit):
    """extra(i, site, x) -> what block i's Linear `site` ("q", "v") adds to its output, or None."""

    def __init__(self, npz, extra):
        super().__init__(npz)
        self.extra = extra

    def attention(self, x, a):
        i = int(a.split("encoderblock_")[1].split("/")[0])
        w = self.w

        def proj(p, site):
            kernel = w[a + p + "/kernel"]  # [D, H, K]
            y = torch.einsum("nld,dhk->nhlk", x, kernel) + w[a + p + "/bias"][None, :, None, :]
            e = self.extra(i, site, x)
            if e is not None:
                n, l, _ = x.shape
                y = y + e.reshape(n, l, kernel.shape[1], kernel.shape[2]).permute(0, 2, 1, 3)
            return y

        q, k, v = proj("query", "q"), proj("key", "k"), proj("value", "v")
        att = torch.softmax(q @ k.transpose(-1, -2) / q.shape[-1] ** 0.5, dim=-1)
        return torch.einsum("nhlk,hkd->nld", att @ v, w[a + "out/kernel"]) + w[a + "out/bias"]


def spectral_entries(seed, cells, n):
    """tfpeft's frequency draw: a SplitMix64 stream drives a partial Fisher-Yates shuffle."""
    mask = (1 << 64) - 1
    perm = list(range(cells))
    state = seed & mask
    for i in range(n):
        state = (state + 0x9E3779B97F4A7C15) & mask
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        z ^= z >> 31
        j = i + z % (cells - i)
        perm[i], perm[j] = perm[j], perm[i]
    return perm[:n]


def fourierft(npz, images, gen, n, scale, seed):
    d = npz["cls"].shape[-1]
    entries = torch.tensor(spectral_entries(seed, d * d, n))
    rows, cols = entries // d, entries % d  # the official split of a position
    t = {}
    depth = sum(1 for k in npz.files if k.endswith("LayerNorm_0/scale"))
    for i in range(depth):
        for site in ("q", "v"):
            c = torch.randn(n, generator=gen, dtype=torch.float64).float().double()
            t["peft/fourierft/block%d/attn/%s/spectrum" % (i, site)] = c

    def extra(i, site, x):
        if site not in ("q", "v"):
            return None
        c = t["peft/fourierft/block%d/attn/%s/spectrum" % (i, site)]
        dense = torch.zeros(d, d, dtype=torch.float64)
        dense[rows, cols] = c
        # the official forward: result += einsum('ijk,kl->ijl', x, ifft2(dense).real * scale)
        return torch.einsum("ijk,kl->ijl", x, torch.fft.ifft2(dense).real * scale)

    out = {k: v.numpy() for k, v in t.items()}
    out["logits"] = HookedVit(npz, extra).logits(images).numpy()
    return out


def apply_mora(x, m, r, out_f, rotation):
    """The official _apply_mora (mora_type 6 or 1) with lora_A(v) = v m."""
    in_f = x.shape[-1]
    chunks = in_f // r
    if in_f % r != 0:
        x = torch.cat([x, x[..., :r - in_f % r]], dim=-1)  # pad by wrapping
        chunks += 1
    if rotation:
        in_x = x.view(*x.shape[:-1], chunks, r)
        inv_freq = 1.0 / (10000 ** (torch.arange(0, r, 2, dtype=torch.float64) / r))
        freqs = torch.outer(torch.arange(chunks, dtype=torch.float64), inv_freq)
        emb = torch.cat((freqs, freqs), dim=-1)
        rh = torch.cat((-in_x[..., r // 2:], in_x[..., :r // 2]), dim=-1)
        out_x = (in_x * emb.cos() + rh * emb.sin()) @ m
        out_x = out_x.reshape(*x.shape[:-1], -1)[..., :out_f]
        if out_x.shape[-1] < out_f:
            repeat = -(-out_f // out_x.shape[-1])
            out_x = torch.cat([out_x] * repeat, dim=-1)[..., :out_f]
        return out_x
    in_x = x.view(*x.shape[:-1], chunks, r).sum(dim=-2)
    out_x = in_x @ m
    repeat = -(-out_f // r)
    return torch.cat([out_x] * repeat, dim=-1)[..., :out_f]


def mora(npz, images, gen, rank, rotation):
    d = npz["cls"].shape[-1]
    r = int(((d + d) * rank) ** 0.5 + 0.5)
    if rotation:
        r = r // 2 * 2
    depth = sum(1 for k in npz.files if k.endswith("LayerNorm_0/scale"))
    t = {}
    for i in range(depth):
        for site in ("q", "v"):
            m = 0.1 * torch.randn(r, r, generator=gen, dtype=torch.float64)
            t["peft/mora/block%d/attn/%s/m" % (i, site)] = m.float().double()

    def extra(i, site, x):
        if site not in ("q", "v"):
            return None
        return apply_mora(x, t["peft/mora/block%d/attn/%s/m" % (i, site)], r, d, rotation)

    out = {k: v.numpy() for k, v in t.items()}
    out["logits"] = HookedVit(npz, extra).logits(images).numpy()
    return out


def adapterp(vit, images, gen, dim):
    d = vit.w["cls"].shape[-1]
    t = {}
    for i in range(vit.depth):
        at = "peft/adapterp/block%d/mlp/" % i
        t[at + "down"] = torch.randn(d, dim, generator=gen, dtype=torch.float64) / d ** 0.5
        t[at + "up"] = torch.randn(dim, d, generator=gen, dtype=torch.float64) / dim ** 0.5
        t[at + "down_bias"] = 0.5 * torch.randn(dim, generator=gen, dtype=torch.float64)
        t[at + "up_bias"] = 0.1 * torch.randn(d, generator=gen, dtype=torch.float64)

    def after_block(i, z):
        at = "peft/adapterp/block%d/mlp/" % i
        # Pfeiffer's adapter: U(ReLU(D(h))) + r with h = r = the block's output
        h = torch.relu(z @ t[at + "down"] + t[at + "down_bias"])
        return z + h @ t[at + "up"] + t[at + "up_bias"]

    t = {k: v.float().double() for k, v in t.items()}  # the float32 values tfpeft assigns
    out = {k: v.numpy() for k, v in t.items()}
    out["logits"] = vit.logits(images, after_block=after_block).numpy()
    return out


def compacter(vit, images, gen, n, dim, rank):
    d = vit.w["cls"].shape[-1]

    def randn(*shape, scale=1.0):
        return scale * torch.randn(*shape, generator=gen, dtype=torch.float64)

    t = {"peft/compacter/phm_rule": randn(n, n, n)}
    sites = {"attn": "attn/out", "mlp": "mlp/fc2"}
    for i in range(vit.depth):
        for site in sites.values():
            at = "peft/compacter/block%d/%s/" % (i, site)
            t[at + "down_left"] = randn(n, d // n, rank, scale=0.5)
            t[at + "down_right"] = randn(n, rank, dim // n, scale=0.5)
            t[at + "up_left"] = randn(n, dim // n, rank, scale=0.5)
            t[at + "up_right"] = randn(n, rank, d // n, scale=0.5)
            t[at + "down_bias"] = randn(dim, scale=0.5)
            t[at + "up_bias"] = randn(d, scale=0.1)
    t = {k: v.float().double() for k, v in t.items()}  # the float32 values tfpeft assigns

    def phm(at, which):
        # Eq. 4: W = sum_i A_i (x) B_i, with B_i = s_i t_i^T (Eq. 5)
        a, left, right = t["peft/compacter/phm_rule"], t[at + which + "_left"], \
            t[at + which + "_right"]
        return sum(torch.kron(a[i], left[i] @ right[i]) for i in range(n))

    def sublayer(i, kind, h):
        at = "peft/compacter/block%d/%s/" % (i, sites[kind])
        z = F.gelu(h @ phm(at, "down") + t[at + "down_bias"], approximate="tanh")
        return h + z @ phm(at, "up") + t[at + "up_bias"]

    out = {k: v.numpy() for k, v in t.items()}
    out["logits"] = vit.logits(images, sublayer=sublayer).numpy()
    return out


def vpt_shallow(vit, images, gen, length):
    d = vit.w["cls"].shape[-1]
    prompts = torch.randn(length, d, generator=gen, dtype=torch.float64).float().double()
    return {"peft/vpt/prompts": prompts[None].numpy(),
            "logits": vit.logits(images, prompts=prompts).numpy()}


def main():
    torch.set_num_threads(1)
    npz = np.load(os.path.join(MODELS, "vit", "google.npz"))
    images = torch.from_numpy(np.load(os.path.join(MODELS, "images.npy"))).double()
    vit = Vit(npz)
    base = vit.logits(images).numpy()
    recorded = np.load(os.path.join(MODELS, "vit", "logits.npy"))
    err = np.abs(base - recorded).max()
    assert err < 1e-4, "the reference ViT does not reproduce vit/logits.npy: %g" % err
    print("base logits against vit/logits.npy: max |difference| %.2g" % err)
    gen = torch.Generator().manual_seed(15)
    save_npz("adapterp.npz", adapterp(vit, images, gen, dim=3))
    save_npz("vpt_shallow.npz", vpt_shallow(vit, images, gen, length=3))
    save_npz("compacter.npz", compacter(vit, images, gen, n=4, dim=8, rank=1))
    # FourierFT's and MoRA's values from a generator of their own, so that each fixture stays
    # what a rerun writes whichever fixtures are added before them
    gen = torch.Generator().manual_seed(16)
    save_npz("fourierft.npz", fourierft(npz, images, gen, n=100, scale=20.0, seed=2024))
    save_npz("mora.npz", mora(npz, images, gen, rank=2, rotation=True))
    save_npz("mora_sharing.npz", mora(npz, images, gen, rank=2, rotation=False))
    print("wrote fixtures to", OUT)


if __name__ == "__main__":
    main()
