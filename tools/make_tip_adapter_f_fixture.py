#!/usr/bin/python3
"""Writes the Tip-Adapter-F reference fixture src/test/resources/fixtures/methods/tip_adapter_f.npz.

One training step of Tip-Adapter-F as the official main.py (run_tip_adapter_F) takes it, in
torch, on small random tensors: the cache keys K [NK, E] (normalized cached features) are the
weight of a bias-free nn.Linear (adapter.weight = K, so affinity = f K^T), the values V [NK, C]
one-hot labels, and for a batch of normalized features f [N, E] with zero-shot logits
clip [N, C] and labels y:

  logits = clip + alpha exp(-beta (1 - f K^T)) V
  loss   = cross_entropy(logits, y)                  (mean over the batch)

then one torch.optim.AdamW step (lr 0.001, eps 1e-4, weight decay 0.01, torch's default betas).
Recorded: the inputs ("features", "clip_logits", "keys", "values", "labels", "alpha",
"beta"), "logits", "loss", "keys_grad" (dloss/dK) and "keys_after" (K after the step).

Run with Debian's python3, numpy and torch. Seeded: a rerun writes the same values.

Usage: tools/make_tip_adapter_f_fixture.py [output-dir]
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
    ROOT, "src", "test", "resources", "fixtures", "methods")
ZIP_TIME = (2020, 1, 1, 0, 0, 0)


def save_npz(name, arrays):
    """numpy.savez with a fixed entry time, so the archive is reproducible."""
    os.makedirs(OUT, exist_ok=True)
    with zipfile.ZipFile(os.path.join(OUT, name), "w", zipfile.ZIP_STORED) as z:
        for key, arr in arrays.items():
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.ascontiguousarray(arr, dtype=np.float32),
                                      allow_pickle=False)
            z.writestr(zipfile.ZipInfo(key + ".npy", date_time=ZIP_TIME), buf.getvalue())


def main():
    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(23)
    n, e, c, per_class = 5, 8, 3, 2
    nk = c * per_class
    cached = F.normalize(torch.randn(nk, e, generator=gen, dtype=torch.float64), dim=-1)
    cache_labels = torch.arange(c).repeat_interleave(per_class)
    values = F.one_hot(cache_labels, c).double()
    features = F.normalize(torch.randn(n, e, generator=gen, dtype=torch.float64), dim=-1)
    clip = torch.randn(n, c, generator=gen, dtype=torch.float64) * 2
    labels = torch.tensor([0, 1, 2, 1, 0])
    alpha, beta = 1.17, 3.0

    adapter = torch.nn.Linear(e, nk, bias=False).double()
    adapter.weight = torch.nn.Parameter(cached.clone())
    optimizer = torch.optim.AdamW(adapter.parameters(), lr=1e-3, eps=1e-4, weight_decay=0.01)
    affinity = adapter(features)
    logits = clip + alpha * ((-1) * (beta - beta * affinity)).exp() @ values
    loss = F.cross_entropy(logits, labels)
    optimizer.zero_grad()
    loss.backward()
    grad = adapter.weight.grad.detach().clone()
    optimizer.step()
    save_npz("tip_adapter_f.npz", {
        "features": features.numpy(), "clip_logits": clip.numpy(), "keys": cached.numpy(),
        "values": values.numpy(), "labels": labels.double().numpy(),
        "alpha": np.array([alpha]), "beta": np.array([beta]),
        "logits": logits.detach().numpy(), "loss": np.array([loss.item()]),
        "keys_grad": grad.numpy(), "keys_after": adapter.weight.detach().numpy()})


if __name__ == "__main__":
    main()
