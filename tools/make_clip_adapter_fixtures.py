#!/usr/bin/python3
"""Writes CLIP-Adapter reference fixtures under src/test/resources/fixtures/methods/.

The base is the tiny CLIP of fixtures/models/clip (written by make_model_fixtures.py with an
independent torch CLIP): its recorded projected image features (image_features.npy, the two
images of images.npy) and text features (text_features.npy, the three prompts of
text_ids.npy), and its logit_scale read from openai.safetensors. CLIP-Adapter (Gao et al.,
arXiv 2110.04544, Eq. 1-4) is applied to them in torch with random adapter weights:

  A(x)   = ReLU(ReLU(x W1) W2)                 W1 [E, E/4], W2 [E/4, E], no biases
  f'     = alpha A(f) + (1 - alpha) f           on the image features (before normalization)
  W'     = beta A_t(W) + (1 - beta) W           on the text features (the text-side variant)
  logits = exp(logit_scale) cos(f', W')

  clip_adapter.npz       the image adapter alone, alpha 0.2 (the official code's ratio);
                         peft/clip_adapter/visual/{fc1,fc2} and "logits" [2, 3]
  clip_adapter_both.npz  both adapters, alpha 0.2 and beta 0.6; also
                         peft/clip_adapter/text/{fc1,fc2}

W1 and W2 are stored as tfpeft holds them (x W, the transpose of torch's nn.Linear weight).
Run with Debian's python3, numpy and torch. Seeded: a rerun writes the same values.

Usage: tools/make_clip_adapter_fixtures.py [output-dir]
"""

import io
import json
import os
import struct
import sys
import zipfile

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLIP = os.path.join(ROOT, "src", "test", "resources", "fixtures", "models", "clip")
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


def safetensor(path, name):
    """One float32 tensor of a safetensors file (8-byte header length, JSON header, data)."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        start, end = header[name]["data_offsets"]
        f.seek(8 + n + start)
        assert header[name]["dtype"] == "F32"
        return np.frombuffer(f.read(end - start), dtype=np.float32).reshape(header[name]["shape"])


class Adapter(torch.nn.Module):
    """Linear(E, E/4, bias=False) - ReLU - Linear(E/4, E, bias=False) - ReLU."""

    def __init__(self, e, reduction, gen):
        super().__init__()
        self.fc1 = torch.nn.Linear(e, e // reduction, bias=False).double()
        self.fc2 = torch.nn.Linear(e // reduction, e, bias=False).double()
        with torch.no_grad():
            # wide enough that the ReLUs leave a mix of active and inactive units
            self.fc1.weight.copy_(torch.randn(self.fc1.weight.shape, generator=gen,
                                              dtype=torch.float64) * 0.5)
            self.fc2.weight.copy_(torch.randn(self.fc2.weight.shape, generator=gen,
                                              dtype=torch.float64) * 0.5)

    def forward(self, x):
        return torch.relu(self.fc2(torch.relu(self.fc1(x))))

    def tensors(self, name):
        return {"peft/clip_adapter/%s/fc1" % name: self.fc1.weight.detach().t().numpy(),
                "peft/clip_adapter/%s/fc2" % name: self.fc2.weight.detach().t().numpy()}


def logits(image, text, scale):
    image = image / image.norm(dim=-1, keepdim=True)
    text = text / text.norm(dim=-1, keepdim=True)
    return scale.exp() * image @ text.t()


def main():
    torch.set_num_threads(1)
    image = torch.from_numpy(np.load(os.path.join(CLIP, "image_features.npy"))).double()
    text = torch.from_numpy(np.load(os.path.join(CLIP, "text_features.npy"))).double()
    scale = torch.tensor(float(safetensor(os.path.join(CLIP, "openai.safetensors"),
                                          "logit_scale").reshape(())), dtype=torch.float64)
    e = image.shape[1]
    gen = torch.Generator().manual_seed(22)
    visual = Adapter(e, 4, gen)
    alpha = 0.2
    with torch.no_grad():
        adapted = alpha * visual(image) + (1 - alpha) * image
        save_npz("clip_adapter.npz", {**visual.tensors("visual"),
                                      "logits": logits(adapted, text, scale).numpy()})
        text_adapter = Adapter(e, 4, gen)
        beta = 0.6
        adapted_text = beta * text_adapter(text) + (1 - beta) * text
        save_npz("clip_adapter_both.npz", {**visual.tensors("visual"),
                                           **text_adapter.tensors("text"),
                                           "logits": logits(adapted, adapted_text,
                                                            scale).numpy()})


if __name__ == "__main__":
    main()
