#!/usr/bin/python3
"""Writes fixtures/methods/coop_prompts.npz and kgcoop_loss.npz.

coop_prompts.npz: CoOp's embedded class prompts for each class-token
position, shared and class-specific context, as the official PromptLearner (KaiyangZhou/CoOp,
trainers/coop.py) concatenates them, written again here in a few lines of torch.

The official code tokenizes "X X X name." (n = 3 context words, then the name and "."), takes
the token embeddings of that prompt, keeps [start] as the prefix and everything after the
context as the suffix (name, ".", end, padding), and builds per class
  end:    prefix, ctx, suffix
  middle: prefix, ctx[:n//2], suffix[:name_len], ctx[n//2:], suffix[name_len:]
  front:  prefix, suffix[:name_len], ctx, suffix[name_len:]
with name_len the name's token count. Tokens come from a minimal byte-pair encoder over
checkpoints/pretrained/clip-small (vocab.json + merges.txt) for the plain lower-case words used
here (tools/clip_tokenizer_reference.py is the full one).

Arrays: table [V, D] (random token embeddings), ctx [n, D], ctx_csc [C, n, D], and
<position>[_csc] [C, L, D] for position in end, middle, front. Seeded: a rerun writes the same.

kgcoop_loss.npz: KgCoOp's knowledge-guided term of random learned and hand-crafted class
features [C, E] (not normalized), as the paper writes it, (1 / C) sum_i ||w_i - w_i^clip||^2
of the normalized features ("squared_l2"), and as the official KgCoOp/trainers/kgcoop.py
computes it, 1 - mean(CosineSimilarity(eps=1e-7)) of the normalized features
("one_minus_cos").

Usage: tools/make_coop_fixtures.py [output-dir]
"""

import json
import os
import sys

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VOCAB = os.path.join(ROOT, "checkpoints", "pretrained", "clip-small")
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    ROOT, "src", "test", "resources", "fixtures", "methods")
CLASSES = ["red", "dark_green", "blue sky"]
N_CTX = 3
LENGTH = 12
WIDTH = 5


class Bpe:
    def __init__(self, folder):
        self.vocab = json.load(open(os.path.join(folder, "vocab.json")))
        lines = open(os.path.join(folder, "merges.txt")).read().split("\n")[1:]
        self.ranks = {tuple(l.split()): i for i, l in enumerate(l for l in lines if l)}

    def word(self, w):
        parts = list(w[:-1]) + [w[-1] + "</w>"]
        while len(parts) > 1:
            pairs = [(self.ranks.get((a, b), 1e9), i) for i, (a, b) in
                     enumerate(zip(parts, parts[1:]))]
            rank, i = min(pairs)
            if rank == 1e9:
                break
            parts = parts[:i] + [parts[i] + parts[i + 1]] + parts[i + 2:]
        return [self.vocab[p] for p in parts]

    def encode(self, text):
        out = []
        for w in text.lower().replace(".", " .").split():
            out += self.word(w)
        return out

    def tokenize(self, text):
        ids = [self.vocab["<|startoftext|>"]] + self.encode(text) + [
            self.vocab["<|endoftext|>"]]
        return ids + [0] * (LENGTH - len(ids))


def prompts(table, ctx, tokenized, name_lens, position):
    embedding = table[tokenized]
    prefix, suffix = embedding[:, :1], embedding[:, 1 + N_CTX:]
    if ctx.dim() == 2:
        ctx = ctx.unsqueeze(0).expand(len(name_lens), -1, -1)
    if position == "end":
        return torch.cat([prefix, ctx, suffix], dim=1)
    rows = []
    half = N_CTX // 2
    for i, name_len in enumerate(name_lens):
        name, rest = suffix[i:i + 1, :name_len], suffix[i:i + 1, name_len:]
        if position == "middle":
            parts = [prefix[i:i + 1], ctx[i:i + 1, :half], name, ctx[i:i + 1, half:], rest]
        else:
            parts = [prefix[i:i + 1], name, ctx[i:i + 1], rest]
        rows.append(torch.cat(parts, dim=1))
    return torch.cat(rows, dim=0)


def main():
    bpe = Bpe(VOCAB)
    gen = torch.Generator().manual_seed(16)
    table = torch.randn(len(bpe.vocab), WIDTH, generator=gen, dtype=torch.float64)
    ctx = torch.randn(N_CTX, WIDTH, generator=gen, dtype=torch.float64) * 0.02
    ctx_csc = torch.randn(len(CLASSES), N_CTX, WIDTH, generator=gen, dtype=torch.float64)
    names = [c.replace("_", " ") for c in CLASSES]
    name_lens = [len(bpe.encode(n)) for n in names]
    prefix = " ".join(["X"] * N_CTX)
    tokenized = torch.tensor([bpe.tokenize(prefix + " " + n + ".") for n in names])
    out = {"table": table, "ctx": ctx, "ctx_csc": ctx_csc}
    for position in ["end", "middle", "front"]:
        out[position] = prompts(table, ctx, tokenized, name_lens, position)
        out[position + "_csc"] = prompts(table, ctx_csc, tokenized, name_lens, position)
    os.makedirs(OUT, exist_ok=True)
    np.savez(os.path.join(OUT, "coop_prompts.npz"),
             **{k: v.numpy().astype(np.float32) for k, v in out.items()})
    print("name lengths", name_lens, "prompts", tokenized.tolist())
    kgcoop_loss(gen)


def kgcoop_loss(gen):
    learned = torch.randn(4, 6, generator=gen, dtype=torch.float64)
    hand = learned + 0.5 * torch.randn(4, 6, generator=gen, dtype=torch.float64)
    w = learned / learned.norm(dim=-1, keepdim=True)
    w_clip = hand / hand.norm(dim=-1, keepdim=True)
    squared_l2 = ((w - w_clip) ** 2).sum(dim=1).mean()
    one_minus_cos = 1.0 - torch.mean(torch.nn.CosineSimilarity(dim=1, eps=1e-07)(w, w_clip))
    np.savez(os.path.join(OUT, "kgcoop_loss.npz"), learned=learned.numpy().astype(np.float32),
             hand_crafted=hand.numpy().astype(np.float32),
             squared_l2=np.array([squared_l2.item()], dtype=np.float32),
             one_minus_cos=np.array([one_minus_cos.item()], dtype=np.float32))
    print("kgcoop", squared_l2.item(), one_minus_cos.item())


if __name__ == "__main__":
    main()
