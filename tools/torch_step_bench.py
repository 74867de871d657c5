#!/usr/bin/python3
"""The PyTorch peer of `tfpeft bench --config`: one training step of the same ViT and method.

Builds the ViT tfpeft builds (tfpeft.model.VisionTransformer: patches flattened and embedded by
one Linear, a class token, learned position embeddings, pre-norm blocks with separate q, k, v
and output projections, LayerNorm eps 1e-6, exact GELU, the class token's final state into a
Linear head) and times one optimizer step on random images and labels: the forward pass, the
cross-entropy, the backward pass and AdamW (weight decay 1e-4), no drop path. The method is
`full` (every parameter trains) or `lora` (rank 8, scale 1, on every block's query and value
projections, B zero-initialised; the LoRA matrices and the head train, the backbone is frozen),
as tfpeft's full_finetune and lora. Prints one JSON line per thread count tried.

Usage: /usr/bin/python3 tools/torch_step_bench.py --image 224 --patch 16 --width 768 --depth 12
           --heads 12 --batch 8 --method lora [--threads 1,2] [--steps 5] [--bf16]
"""
import argparse
import ctypes
import json
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class LoraLinear(nn.Module):
    """y = x W + b + scale * (x A) B, A Kaiming-uniform, B zero (tfpeft's LoraSite)."""

    def __init__(self, base, rank, scale):
        super().__init__()
        self.base = base
        self.a = nn.Parameter(torch.empty(base.in_features, rank))
        nn.init.kaiming_uniform_(self.a, a=math.sqrt(5))
        self.b = nn.Parameter(torch.zeros(rank, base.out_features))
        self.scale = scale

    def forward(self, x):
        return self.base(x) + (x @ self.a @ self.b) * self.scale


class Block(nn.Module):
    def __init__(self, width, heads, hidden):
        super().__init__()
        self.heads = heads
        self.ln1 = nn.LayerNorm(width, eps=1e-6)
        self.q = nn.Linear(width, width)
        self.k = nn.Linear(width, width)
        self.v = nn.Linear(width, width)
        self.out = nn.Linear(width, width)
        self.ln2 = nn.LayerNorm(width, eps=1e-6)
        self.fc1 = nn.Linear(width, hidden)
        self.fc2 = nn.Linear(hidden, width)

    def attention(self, x):
        n, l, d = x.shape
        h = self.heads

        def split(t):
            return t.reshape(n, l, h, d // h).transpose(1, 2)

        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        scores = (q @ k.transpose(-1, -2)) * (1.0 / math.sqrt(d // h))
        ctx = scores.softmax(-1) @ v
        return self.out(ctx.transpose(1, 2).reshape(n, l, d))

    def forward(self, x):
        x = x + self.attention(self.ln1(x))
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x))))


class Vit(nn.Module):
    def __init__(self, image, patch, width, depth, heads, classes, mlp_ratio=4):
        super().__init__()
        self.patch = patch
        self.grid = image // patch
        self.embed = nn.Linear(patch * patch * 3, width)
        self.cls = nn.Parameter(torch.zeros(1, 1, width))
        self.pos = nn.Parameter(torch.randn(1, self.grid * self.grid + 1, width) * 0.02)
        self.blocks = nn.ModuleList(Block(width, heads, int(width * mlp_ratio))
                                    for _ in range(depth))
        self.norm = nn.LayerNorm(width, eps=1e-6)
        self.head = nn.Linear(width, classes)

    def forward(self, images):  # NHWC, as tfpeft feeds them
        n, g, p = images.shape[0], self.grid, self.patch
        x = images.reshape(n, g, p, g, p, 3).permute(0, 1, 3, 2, 4, 5).reshape(n, g * g, -1)
        x = self.embed(x)
        x = torch.cat([self.cls.expand(n, -1, -1), x], dim=1) + self.pos
        for b in self.blocks:
            x = b(x)
        return self.head(self.norm(x)[:, 0])


def build(args):
    torch.manual_seed(1)
    model = Vit(args.image, args.patch, args.width, args.depth, args.heads, args.classes)
    if args.method == "lora":
        for p in model.parameters():
            p.requires_grad_(False)
        for b in model.blocks:
            b.q = LoraLinear(b.q, 8, 1.0)
            b.v = LoraLinear(b.v, 8, 1.0)
        for p in model.head.parameters():
            p.requires_grad_(True)
    trainable = [p for p in model.parameters() if p.requires_grad]
    return model, torch.optim.AdamW(trainable, lr=1e-12, weight_decay=1e-4)


def loaded_blas():
    """The BLAS library this process links (Debian's libblas.so.3 alternative: the reference BLAS
    or OpenBLAS, whichever `update-alternatives` selects), and OpenBLAS's thread setter if any."""
    with open("/proc/self/maps") as maps:
        paths = {line.split()[-1] for line in maps if "blas" in line.lower() and "/" in line}
    for path in sorted(paths):
        if "openblas" in path:
            try:
                lib = ctypes.CDLL(path)
                return path, lib.openblas_set_num_threads
            except (OSError, AttributeError):
                return path, None
    return ", ".join(sorted(paths)) or "none", None


def time_steps(args, threads):
    torch.set_num_threads(threads)
    _, set_blas_threads = loaded_blas()
    if set_blas_threads is not None:
        set_blas_threads(threads)  # OpenBLAS's pthreads are its own: match torch's count
    model, opt = build(args)
    images = torch.rand(args.batch, args.image, args.image, 3)
    labels = torch.arange(args.batch) % args.classes

    def step():
        opt.zero_grad(set_to_none=True)
        if args.bf16:
            with torch.autocast("cpu", dtype=torch.bfloat16):
                logits = model(images)
            loss = F.cross_entropy(logits.float(), labels)
        else:
            loss = F.cross_entropy(model(images), labels)
        loss.backward()
        opt.step()

    step()
    step()
    start = time.perf_counter()
    for _ in range(args.steps):
        step()
    seconds = time.perf_counter() - start
    return args.batch * args.steps / seconds


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--image", type=int, required=True)
    ap.add_argument("--patch", type=int, required=True)
    ap.add_argument("--width", type=int, required=True)
    ap.add_argument("--depth", type=int, required=True)
    ap.add_argument("--heads", type=int, required=True)
    ap.add_argument("--classes", type=int, default=6)
    ap.add_argument("--batch", type=int, required=True)
    ap.add_argument("--method", choices=["full", "lora"], required=True)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--bf16", action="store_true", help="torch.autocast(cpu, bfloat16)")
    args = ap.parse_args()
    for t in [int(x) for x in args.threads.split(",")]:
        rate = time_steps(args, t)
        print(json.dumps({"torch": torch.__version__, "threads": t, "method": args.method,
                          "bf16": args.bf16, "batch": args.batch, "blas": loaded_blas()[0],
                          "train_images_per_sec": round(rate, 3)}), flush=True)


if __name__ == "__main__":
    main()
