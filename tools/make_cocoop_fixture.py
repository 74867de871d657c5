#!/usr/bin/python3
"""Writes src/test/resources/fixtures/methods/cocoop.npz: CoCoOp on the tiny CLIP, by torch.

The CLIP is the fixture of tools/make_model_fixtures.py (fixtures/models/clip/openai.safetensors),
run below from its OpenAI-layout tensors in a few lines of torch (pre-norm blocks, QuickGELU,
LayerNorm eps 1e-5, a causal mask in the text tower). CoCoOp is applied as the official
trainers/cocoop.py computes it (KaiyangZhou/CoOp; its PromptLearner and CustomCLIP written again
here, not copied): the image feature is L2-normalized, the meta-net Linear(E, E/r) - ReLU -
Linear(E/r, D) maps it to pi, each context vector is shifted by pi (v_m + pi), and every image's
shifted context replaces slots 1..n of every class prompt, [start] ctx name . [end]; the text
tower encodes each image's C prompts, the features are normalized and
logits[b, c] = exp(logit_scale) <x_b, t_{b,c}>.

Stored under tfpeft's names and layout (a Linear's weight [in, out], the transpose of torch's):
peft/cocoop/ctx [n, D], peft/cocoop/meta_net/linear{1,2}/{weight,bias}; "class_ids" [C, L] the
prompts' token ids (the fixture vocabulary's start 298 and end 299, other ids arbitrary), "pi"
[N, D] the meta-net's output and "logits" [N, C] on fixtures/models/images.npy.

Run with Debian's python3 (torch, numpy). Seeded: a rerun writes the same values.

Usage: tools/make_cocoop_fixture.py [output.npz]
"""

import io
import json
import os
import struct
import sys
import zipfile

import numpy as np
import torch
import torch.nn.functional as F

TOOLS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(TOOLS)
MODELS = os.path.join(ROOT, "src", "test", "resources", "fixtures", "models")
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    ROOT, "src", "test", "resources", "fixtures", "methods", "cocoop.npz")
# the fixture CLIP (make_model_fixtures.CLIP)
HEADS, CONTEXT, VOCAB, EMBED, TEXT_WIDTH = 4, 16, 300, 24, 32
N_CTX, RATIO = 2, 4  # embed_dim 24: a hidden width of 6
ZIP_TIME = (2020, 1, 1, 0, 0, 0)


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    kinds = {"F32": "<f4", "I64": "<i8"}
    out = {}
    for key, v in header.items():
        if key == "__metadata__":
            continue
        start, end = v["data_offsets"]
        out[key] = torch.from_numpy(np.frombuffer(data[start:end], dtype=kinds[v["dtype"]])
                                    .reshape(v["shape"]).copy())
    return out


class Clip:
    """CLIP from its OpenAI-layout state dict sd."""

    def __init__(self, sd):
        self.sd = sd

    def ln(self, x, name):
        return F.layer_norm(x, x.shape[-1:], self.sd[name + ".weight"], self.sd[name + ".bias"],
                            1e-5)

    def block(self, x, p, mask):  # x: [N, L, D]
        sd, (n, length, d) = self.sd, x.shape
        h = self.ln(x, p + "ln_1")
        q, k, v = (h @ sd[p + "attn.in_proj_weight"].t() + sd[p + "attn.in_proj_bias"]).split(d, -1)
        heads = lambda t: t.reshape(n, length, HEADS, d // HEADS).transpose(1, 2)
        a = heads(q) @ heads(k).transpose(-1, -2) / (d // HEADS) ** 0.5
        if mask is not None:
            a = a + mask
        o = (a.softmax(-1) @ heads(v)).transpose(1, 2).reshape(n, length, d)
        x = x + o @ sd[p + "attn.out_proj.weight"].t() + sd[p + "attn.out_proj.bias"]
        h = self.ln(x, p + "ln_2") @ sd[p + "mlp.c_fc.weight"].t() + sd[p + "mlp.c_fc.bias"]
        h = h * torch.sigmoid(1.702 * h)
        return x + h @ sd[p + "mlp.c_proj.weight"].t() + sd[p + "mlp.c_proj.bias"]

    def tower(self, x, prefix, mask=None):
        i = 0
        while prefix + "%d.ln_1.weight" % i in self.sd:
            x = self.block(x, prefix + "%d." % i, mask)
            i += 1
        return x

    def encode_image(self, images):  # [N, 3, S, S]
        sd = self.sd
        x = F.conv2d(images, sd["visual.conv1.weight"], stride=sd["visual.conv1.weight"].shape[-1])
        x = x.flatten(2).transpose(1, 2)
        cls = sd["visual.class_embedding"].expand(x.shape[0], 1, -1)
        x = torch.cat([cls, x], 1) + sd["visual.positional_embedding"]
        x = self.tower(self.ln(x, "visual.ln_pre"), "visual.transformer.resblocks.")
        return self.ln(x[:, 0], "visual.ln_post") @ sd["visual.proj"]

    def encode_prompts(self, prompts, ids):
        """The official TextEncoder: prompt embeddings + positions, the causal tower, the end
        token's state (the highest id), projected."""
        mask = torch.full((CONTEXT, CONTEXT), float("-inf")).triu(1)
        x = self.tower(prompts + self.sd["positional_embedding"], "transformer.resblocks.", mask)
        x = self.ln(x, "ln_final")
        return x[torch.arange(x.shape[0]), ids.argmax(-1)] @ self.sd["text_projection"]


def class_ids(gen):
    """Three class prompts: start, n context slots, a name of 1-3 tokens, ".", end."""
    sot, eot = VOCAB - 2, VOCAB - 1
    ids = np.zeros((3, CONTEXT), dtype=np.int64)
    for row, name in enumerate([1, 3, 2]):
        tokens = [sot] + [7] * N_CTX + list(gen.integers(1, sot, size=name)) + [269, eot]
        ids[row, :len(tokens)] = tokens
    return torch.from_numpy(ids)


def cocoop_logits(model, images, ids, ctx, w1, b1, w2, b2):
    x = model.encode_image(images)
    x = x / x.norm(dim=-1, keepdim=True)
    pi = torch.relu(x @ w1 + b1) @ w2 + b2           # meta_net(im_features): [N, D]
    shifted = ctx.unsqueeze(0) + pi.unsqueeze(1)      # [N, n, D]
    embedding = model.sd["token_embedding.weight"][ids]  # [C, L, D]
    prefix, suffix = embedding[:, :1, :], embedding[:, 1 + N_CTX:, :]
    logits = []
    for shifted_i, x_i in zip(shifted, x):
        prompts = torch.cat([prefix, shifted_i.unsqueeze(0).expand(ids.shape[0], -1, -1),
                             suffix], dim=1)
        t = model.encode_prompts(prompts, ids)
        t = t / t.norm(dim=-1, keepdim=True)
        logits.append(model.sd["logit_scale"].exp() * x_i @ t.t())
    return pi, torch.stack(logits)


def save_npz(path, arrays):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        for key, arr in arrays.items():
            buf = io.BytesIO()
            np.save(buf, arr)
            z.writestr(zipfile.ZipInfo(key + ".npy", ZIP_TIME), buf.getvalue())


def main():
    torch.set_num_threads(1)
    sd = {k: v.double() for k, v in
          read_safetensors(os.path.join(MODELS, "clip", "openai.safetensors")).items()}
    model = Clip(sd)
    images = torch.from_numpy(np.load(os.path.join(MODELS, "images.npy"))).permute(0, 3, 1, 2)
    gen = np.random.default_rng(21)
    torch.manual_seed(21)
    hidden = EMBED // RATIO
    # computed in double from float32 values; stored in float32
    r = lambda *shape: torch.randn(*shape).float().double()
    ctx = 0.3 * r(N_CTX, TEXT_WIDTH)
    w1, b1 = r(EMBED, hidden) / EMBED ** 0.5, 0.1 * r(hidden)
    w2, b2 = r(hidden, TEXT_WIDTH) / hidden ** 0.5, 0.1 * r(TEXT_WIDTH)
    ids = class_ids(gen)
    with torch.no_grad():
        pi, logits = cocoop_logits(model, images.double(), ids, ctx, w1, b1, w2, b2)
    f = lambda t: t.numpy().astype(np.float32)
    save_npz(OUT, {
        "peft/cocoop/ctx": f(ctx),
        "peft/cocoop/meta_net/linear1/weight": f(w1), "peft/cocoop/meta_net/linear1/bias": f(b1),
        "peft/cocoop/meta_net/linear2/weight": f(w2), "peft/cocoop/meta_net/linear2/bias": f(b2),
        "class_ids": ids.numpy().astype(np.float32), "pi": f(pi), "logits": f(logits)})
    print("wrote", OUT, "logits", f(logits))


if __name__ == "__main__":
    main()
