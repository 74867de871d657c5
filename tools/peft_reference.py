#!/usr/bin/python3
"""An independent check of tfpeft's Hugging Face PEFT format, in torch only (PEFT itself is not
installed here): transformers' ViTForImageClassification and CLIPModel vision forward written
out from their module names, with a PEFT LoRA adapter applied by PEFT's documented merge rule

    W' = W + (lora_alpha / r) * lora_B.weight @ lora_A.weight

on each adapted Linear (torch layout, weight [out, in]); modules_to_save's classifier replaces
the base's.

  tools/peft_reference.py fixtures
      writes src/test/resources/fixtures/peft/: a PEFT adapter in PEFT's own layout for the tiny
      Hugging Face ViT (fixtures/models/vit/hf_cls; LoRA on query and value, r 4, lora_alpha 8,
      a new classifier) and one for the tiny CLIPModel (fixtures/models/clip/hf; LoRA on the
      vision tower's q_proj, v_proj and fc2 named by a regular expression, r 2, lora_alpha 3),
      with the logits (ViT) and projected image features (CLIP) this reference computes on
      fixtures/models/images.npy. tfpeft's PeftAdapterTest imports each adapter and must give
      the same numbers, and exports the imported state back to the same tensors.

  tools/peft_reference.py check ADAPTER_DIR IMAGES.npy EXPECTED.npy
      applies an adapter written by `tfpeft export RUN --peft ADAPTER_DIR` to the base its
      adapter_config.json names and prints max |output - EXPECTED| on IMAGES (NHWC, float32,
      preprocessed as tfpeft feeds them).

Seeded: a rerun writes the same bytes. Run with Debian's python3 (torch, numpy).
"""

import json
import math
import os
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "src", "test", "resources", "fixtures")
PREFIX = "base_model.model."


# ---- safetensors, from the format's specification ----

DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64, "BF16": None}


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for key, e in header.items():
        if key == "__metadata__":
            continue
        b, end = e["data_offsets"]
        raw = data[b:end]
        if e["dtype"] == "BF16":
            a = (np.frombuffer(raw, "<u2").astype(np.uint32) << 16).view(np.float32)
        else:
            a = np.frombuffer(raw, np.dtype(DTYPES[e["dtype"]]).newbyteorder("<"))
        out[key] = torch.from_numpy(a.reshape(e["shape"]).astype(
            np.int64 if e["dtype"] == "I64" else np.float32))
    return out


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for key, t in tensors.items():
        raw = t.detach().contiguous().numpy().astype("<f4").tobytes()
        header[key] = {"dtype": "F32", "shape": list(t.shape),
                       "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    header["__metadata__"] = {"format": "pt"}
    text = json.dumps(header).encode("utf-8")
    text += b" " * (-len(text) % 8)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


# ---- PEFT's rule ----

def targeted(module, target_modules):
    """PEFT's matching: a string is a regular expression matched whole; a list entry matches the
    module name or a suffix of it after a dot."""
    import re
    if isinstance(target_modules, str):
        return re.fullmatch(target_modules, module) is not None
    return any(module == t or module.endswith("." + t) for t in target_modules)


def apply_adapter(weights, adapter_dir):
    """The base's weights with the adapter merged: W + (lora_alpha / r) * B @ A for every
    adapted Linear, modules_to_save tensors replacing the base's."""
    with open(os.path.join(adapter_dir, "adapter_config.json")) as f:
        config = json.load(f)
    assert config["peft_type"] == "LORA" and not config.get("use_dora") \
        and not config.get("use_rslora") and not config.get("fan_in_fan_out")
    scaling = config["lora_alpha"] / config["r"]
    tensors = read_safetensors(os.path.join(adapter_dir, "adapter_model.safetensors"))
    merged = dict(weights)
    adapted = set()
    for key, a in tensors.items():
        assert key.startswith(PREFIX), key
        name = key[len(PREFIX):]
        if name.endswith(".lora_A.weight"):
            module = name[:-len(".lora_A.weight")]
            b = tensors[PREFIX + module + ".lora_B.weight"]
            assert targeted(module, config["target_modules"]), module
            merged[module + ".weight"] = weights[module + ".weight"] + scaling * (b @ a)
            adapted.add(module)
        elif not name.endswith(".lora_B.weight"):
            module = name.rsplit(".", 1)[0]
            assert module in (config.get("modules_to_save") or []), name
            merged[name] = a
    return merged, adapted


# ---- transformers' models, by their module names ----

def linear(w, prefix, x):
    return F.linear(x, w[prefix + ".weight"], w.get(prefix + ".bias"))


def attention(w, prefix, x, heads, names):
    """Multi-head self-attention with separate q, k, v Linears; softmax(q k^T / sqrt(d)) v."""
    n, t, d = x.shape
    hd = d // heads
    q, k, v = (linear(w, prefix + p, x).reshape(n, t, heads, hd).transpose(1, 2)
               for p in names[:3])
    a = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(hd), dim=-1) @ v
    return linear(w, prefix + names[3], a.transpose(1, 2).reshape(n, t, d))


def vit_logits(w, config, pixels):
    """ViTForImageClassification: patch conv, class token, position embeddings, pre-norm
    blocks (layernorm_before, attention, layernorm_after, intermediate GELU, output), final
    layernorm, classifier on the class token."""
    eps = config.get("layer_norm_eps", 1e-12)
    heads = config["num_attention_heads"]
    p = config["patch_size"]
    x = F.conv2d(pixels, w["vit.embeddings.patch_embeddings.projection.weight"],
                 w["vit.embeddings.patch_embeddings.projection.bias"], stride=p)
    x = x.flatten(2).transpose(1, 2)
    cls = w["vit.embeddings.cls_token"].expand(x.shape[0], -1, -1)
    x = torch.cat([cls, x], dim=1) + w["vit.embeddings.position_embeddings"]
    d = x.shape[-1]
    for i in range(config["num_hidden_layers"]):
        s = "vit.encoder.layer.%d." % i
        h = F.layer_norm(x, (d,), w[s + "layernorm_before.weight"],
                         w[s + "layernorm_before.bias"], eps)
        x = x + attention(w, s + "attention.", h, heads, ["attention.query", "attention.key",
                                                          "attention.value", "output.dense"])
        h = F.layer_norm(x, (d,), w[s + "layernorm_after.weight"],
                         w[s + "layernorm_after.bias"], eps)
        x = x + linear(w, s + "output.dense", F.gelu(linear(w, s + "intermediate.dense", h)))
    x = F.layer_norm(x, (d,), w["vit.layernorm.weight"], w["vit.layernorm.bias"], eps)
    return linear(w, "classifier", x[:, 0])


def clip_image_features(w, config, pixels):
    """CLIPModel.get_image_features: patch conv without bias, class embedding, position
    embeddings, pre_layrnorm, pre-norm blocks with QuickGELU MLPs, post_layernorm of the class
    token, visual_projection."""
    vc = config["vision_config"]
    eps = vc.get("layer_norm_eps", 1e-5)
    v = "vision_model."
    x = F.conv2d(pixels, w[v + "embeddings.patch_embedding.weight"], stride=vc["patch_size"])
    x = x.flatten(2).transpose(1, 2)
    cls = w[v + "embeddings.class_embedding"].expand(x.shape[0], 1, -1)
    x = torch.cat([cls, x], dim=1) + w[v + "embeddings.position_embedding.weight"]
    d = x.shape[-1]
    x = F.layer_norm(x, (d,), w[v + "pre_layrnorm.weight"], w[v + "pre_layrnorm.bias"], eps)
    for i in range(vc["num_hidden_layers"]):
        s = v + "encoder.layers.%d." % i
        h = F.layer_norm(x, (d,), w[s + "layer_norm1.weight"], w[s + "layer_norm1.bias"], eps)
        x = x + attention(w, s + "self_attn.", h, vc["num_attention_heads"],
                          ["q_proj", "k_proj", "v_proj", "out_proj"])
        h = F.layer_norm(x, (d,), w[s + "layer_norm2.weight"], w[s + "layer_norm2.bias"], eps)
        h = linear(w, s + "mlp.fc1", h)
        x = x + linear(w, s + "mlp.fc2", h * torch.sigmoid(1.702 * h))
    pooled = F.layer_norm(x[:, 0], (d,), w[v + "post_layernorm.weight"],
                          w[v + "post_layernorm.bias"], eps)
    return F.linear(pooled, w["visual_projection.weight"])


def forward(base_dir, weights, pixels_nhwc):
    with open(os.path.join(base_dir, "config.json")) as f:
        config = json.load(f)
    pixels = torch.from_numpy(pixels_nhwc).permute(0, 3, 1, 2)
    with torch.no_grad():
        if config.get("model_type") == "clip":
            return clip_image_features(weights, config, pixels).numpy()
        return vit_logits(weights, config, pixels).numpy()


# ---- the fixtures ----

def save_config(adapter_dir, config):
    os.makedirs(adapter_dir, exist_ok=True)
    with open(os.path.join(adapter_dir, "adapter_config.json"), "w") as f:
        f.write(json.dumps(config, indent=2, sort_keys=True) + "\n")


def peft_config(base, r, alpha, targets, modules_to_save):
    """The fields PEFT's LoraConfig.save_pretrained writes that matter here."""
    return {"peft_type": "LORA", "task_type": None, "base_model_name_or_path": base,
            "r": r, "lora_alpha": alpha, "lora_dropout": 0.0, "target_modules": targets,
            "bias": "none", "fan_in_fan_out": False, "use_rslora": False, "use_dora": False,
            "modules_to_save": modules_to_save, "init_lora_weights": True,
            "layers_to_transform": None, "layers_pattern": None, "rank_pattern": {},
            "alpha_pattern": {}, "inference_mode": True, "revision": None}


def random_lora(weights, modules, r, generator):
    """lora_A and lora_B for each module, both random (a trained adapter's B is not zero)."""
    out = {}
    for m in modules:
        out_dim, in_dim = weights[m + ".weight"].shape
        out[PREFIX + m + ".lora_A.weight"] = torch.randn(r, in_dim, generator=generator) * 0.3
        out[PREFIX + m + ".lora_B.weight"] = torch.randn(out_dim, r, generator=generator) * 0.3
    return out


def make_fixtures():
    torch.set_num_threads(1)
    images = np.load(os.path.join(FIXTURES, "models", "images.npy"))
    out = os.path.join(FIXTURES, "peft")
    g = torch.Generator().manual_seed(21)

    base = os.path.join(FIXTURES, "models", "vit", "hf_cls")
    w = read_safetensors(os.path.join(base, "model.safetensors"))
    layers = sorted({int(k.split(".")[3]) for k in w if k.startswith("vit.encoder.layer.")})
    modules = ["vit.encoder.layer.%d.attention.attention.%s" % (i, p)
               for i in layers for p in ("query", "value")]
    tensors = random_lora(w, modules, 4, g)
    classes, width = w["classifier.weight"].shape
    tensors[PREFIX + "classifier.weight"] = torch.randn(classes, width, generator=g) * 0.2
    tensors[PREFIX + "classifier.bias"] = torch.randn(classes, generator=g) * 0.1
    adapter = os.path.join(out, "vit", "adapter")
    write_safetensors(os.path.join(adapter, "adapter_model.safetensors"), tensors)
    save_config(adapter, peft_config("models/vit/hf_cls", 4, 8, ["query", "value"],
                                     ["classifier"]))
    # the forward written here must first give what torchvision's ViT gave on the same weights
    same(forward(base, w, images), os.path.join(FIXTURES, "models", "vit", "logits.npy"))
    merged, _ = apply_adapter(w, adapter)
    np.save(os.path.join(out, "vit", "logits.npy"), forward(base, merged, images))

    base = os.path.join(FIXTURES, "models", "clip", "hf")
    w = read_safetensors(os.path.join(base, "model.safetensors"))
    layers = sorted({int(k.split(".")[3]) for k in w
                     if k.startswith("vision_model.encoder.layers.")})
    modules = ["vision_model.encoder.layers.%d.%s" % (i, p)
               for i in layers for p in ("self_attn.q_proj", "self_attn.v_proj", "mlp.fc2")]
    adapter = os.path.join(out, "clip", "adapter")
    write_safetensors(os.path.join(adapter, "adapter_model.safetensors"),
                      random_lora(w, modules, 2, g))
    save_config(adapter, peft_config(
        "models/clip/hf", 2, 3,
        r"vision_model\.encoder\.layers\.\d+\.(self_attn\.(q_proj|v_proj)|mlp\.fc2)", None))
    same(forward(base, w, images), os.path.join(FIXTURES, "models", "clip",
                                                "image_features.npy"))
    merged, _ = apply_adapter(w, adapter)
    np.save(os.path.join(out, "clip", "image_features.npy"), forward(base, merged, images))


def same(got, path):
    want = np.load(path)
    diff = np.abs(got - want).max()
    assert diff < 1e-5, "%s: the reference forward differs by %g" % (path, diff)
    print("base forward vs %s: max |difference| %.2e" % (os.path.relpath(path, ROOT), diff))


def check(adapter_dir, images_path, expected_path):
    torch.set_num_threads(1)
    with open(os.path.join(adapter_dir, "adapter_config.json")) as f:
        base = json.load(f)["base_model_name_or_path"]
    w = read_safetensors(os.path.join(base, "model.safetensors"))
    merged, adapted = apply_adapter(w, adapter_dir)
    got = forward(base, merged, np.load(images_path))
    want = np.load(expected_path)
    print("%s on %s: %d adapted modules; max |output - expected| = %.3e over %s"
          % (adapter_dir, base, len(adapted), np.abs(got - want).max(), want.shape))


if __name__ == "__main__":
    if sys.argv[1:2] == ["fixtures"]:
        make_fixtures()
    elif sys.argv[1:2] == ["check"] and len(sys.argv) == 5:
        check(*sys.argv[2:])
    else:
        sys.exit(__doc__)
