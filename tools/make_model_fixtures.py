#!/usr/bin/python3
"""Writes the model fixtures under src/test/resources/fixtures/models/.

Tiny models with random weights are run here by independent implementations (torchvision's
VisionTransformer, and a CLIP written below after OpenAI's model.py), and their weights are
written in the layouts that pretrained checkpoints come in. The Java tests import each file, build
tfpeft's own graph from the inferred architecture and compare its outputs with the ones recorded
here.

  images.npy   two NHWC float32 images, the input of every model
  vit/         torchvision ViT without pre-logits: Hugging Face ViTForImageClassification
               (float32, float16, bfloat16) and Google .npz; logits, features, and the
               logits torch computes from the float16- and bfloat16-rounded weights
  vit_pre/     torchvision ViT with a pre-logits layer: Google .npz (ViT-B/16 style) and
               Hugging Face ViTModel (the pre-logits layer is its pooler)
  clip/        the CLIP reference: OpenAI layout and Hugging Face CLIPModel;
               token ids, image and text features, logits
  resample.npz position embeddings resampled by torch.nn.functional.interpolate (bicubic)

Run with Debian's python3, numpy, torch and torchvision. Seeded: a rerun writes the same bytes.

Usage: tools/make_model_fixtures.py [output-dir]
"""

import io
import json
import math
import os
import re
import struct
import sys
import zipfile
from collections import OrderedDict

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torchvision.models.vision_transformer import VisionTransformer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    ROOT, "src", "test", "resources", "fixtures", "models")
ZIP_TIME = (2020, 1, 1, 0, 0, 0)  # fixed so regenerated archives are byte-identical

VIT = dict(image_size=32, patch_size=8, num_layers=2, num_heads=4, hidden_dim=32, mlp_dim=64,
           num_classes=5)
CLIP = dict(image_size=32, patch_size=8, vision_width=32, vision_layers=2, vision_heads=4,
            text_width=32, text_layers=2, text_heads=4, context_length=16, vocab_size=300,
            embed_dim=24)


# ---- writing files ----

def path(name):
    p = os.path.join(OUT, name)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    return p


def to_numpy(t):
    return t.detach().cpu().contiguous().numpy()


def save_npy(name, arr):
    np.save(path(name), np.ascontiguousarray(arr))


def save_json(name, obj):
    with open(path(name), "w") as f:
        f.write(json.dumps(obj, indent=2) + "\n")


def save_npz(name, arrays):
    """Like numpy.savez, but with a fixed entry time so the archive is reproducible."""
    with zipfile.ZipFile(path(name), "w", zipfile.ZIP_STORED) as z:
        for key, arr in arrays.items():
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.ascontiguousarray(arr), allow_pickle=False)
            z.writestr(zipfile.ZipInfo(key + ".npy", date_time=ZIP_TIME), buf.getvalue())


def save_safetensors(name, tensors, dtype="F32"):
    """Writes a safetensors file from the format's specification: an 8-byte little-endian header
    length, a JSON header (padded with spaces to 8 bytes), then the little-endian data. Floating
    tensors are stored as dtype; integer tensors (buffers) as I64."""
    header, blobs, offset = {}, [], 0
    for key, t in tensors.items():
        if t.dtype in (torch.int64, torch.int32):
            code, raw = "I64", to_numpy(t.to(torch.int64)).astype("<i8").tobytes()
        elif dtype == "F32":
            code, raw = "F32", to_numpy(t.float()).astype("<f4").tobytes()
        elif dtype == "F16":
            code, raw = "F16", to_numpy(t.float()).astype("<f2").tobytes()
        else:
            code = "BF16"
            raw = to_numpy(t.float().to(torch.bfloat16).view(torch.int16)).astype("<i2").tobytes()
        header[key] = {"dtype": code, "shape": list(t.shape),
                       "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    header["__metadata__"] = {"format": "pt"}
    text = json.dumps(header).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path(name), "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


# ---- random weights that matter ----

def randomize(model, generator):
    """Moves every parameter away from its initial value: LayerNorm gains around 1, biases,
    class tokens and zero-initialized heads random, so a mapping mistake shows in the outputs."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            noise = torch.randn(p.shape, generator=generator)
            if p.dim() == 1 and re.search(r"(^|\.)ln(_\w+)?\.", name):
                p.copy_((1 + 0.2 * noise) if name.endswith("weight") else 0.1 * noise)
            elif name.endswith("bias"):
                p.copy_(0.1 * noise)
            elif "pos" in name:
                p.copy_(0.5 * noise)
            elif p.dim() == 0:
                p.copy_(torch.tensor(math.log(1 / 0.07)) + 0.3 * noise)
            else:
                fan_in = p.shape[-1] if p.dim() == 2 else max(1, p[0].numel())
                p.copy_(noise / math.sqrt(fan_in) * (2.0 if "head" in name else 1.0))


def round_weights(model, dtype):
    """A copy of the state dict with every float rounded to dtype and widened back."""
    return OrderedDict((k, v.to(dtype).float() if v.is_floating_point() else v)
                       for k, v in model.state_dict().items())


# ---- ViT (torchvision) in the Hugging Face and Google layouts ----

def vit_layers(sd):
    prefix = "encoder.layers.encoder_layer_"
    return sorted({int(k[len(prefix):].split(".")[0]) for k in sd if k.startswith(prefix)})


def hf_vit_layout(sd, with_vit_prefix):
    """torchvision names -> Hugging Face ViT names; the fused in_proj is split into q, k, v."""
    p = "vit." if with_vit_prefix else ""
    d = sd["class_token"].shape[-1]
    out = OrderedDict()
    out[p + "embeddings.cls_token"] = sd["class_token"]
    out[p + "embeddings.position_embeddings"] = sd["encoder.pos_embedding"]
    out[p + "embeddings.patch_embeddings.projection.weight"] = sd["conv_proj.weight"]
    out[p + "embeddings.patch_embeddings.projection.bias"] = sd["conv_proj.bias"]
    for i in vit_layers(sd):
        tv = "encoder.layers.encoder_layer_%d." % i
        hf = p + "encoder.layer.%d." % i
        w, b = sd[tv + "self_attention.in_proj_weight"], sd[tv + "self_attention.in_proj_bias"]
        for j, part in enumerate(["query", "key", "value"]):
            out[hf + "attention.attention.%s.weight" % part] = w[j * d:(j + 1) * d]
            out[hf + "attention.attention.%s.bias" % part] = b[j * d:(j + 1) * d]
        out[hf + "attention.output.dense.weight"] = sd[tv + "self_attention.out_proj.weight"]
        out[hf + "attention.output.dense.bias"] = sd[tv + "self_attention.out_proj.bias"]
        out[hf + "intermediate.dense.weight"] = sd[tv + "mlp.0.weight"]
        out[hf + "intermediate.dense.bias"] = sd[tv + "mlp.0.bias"]
        out[hf + "output.dense.weight"] = sd[tv + "mlp.3.weight"]
        out[hf + "output.dense.bias"] = sd[tv + "mlp.3.bias"]
        out[hf + "layernorm_before.weight"] = sd[tv + "ln_1.weight"]
        out[hf + "layernorm_before.bias"] = sd[tv + "ln_1.bias"]
        out[hf + "layernorm_after.weight"] = sd[tv + "ln_2.weight"]
        out[hf + "layernorm_after.bias"] = sd[tv + "ln_2.bias"]
    out[p + "layernorm.weight"] = sd["encoder.ln.weight"]
    out[p + "layernorm.bias"] = sd["encoder.ln.bias"]
    return out


def hf_vit_config(architecture, id2label=True):
    config = {
        "architectures": [architecture], "model_type": "vit",
        "hidden_size": VIT["hidden_dim"], "num_hidden_layers": VIT["num_layers"],
        "num_attention_heads": VIT["num_heads"], "intermediate_size": VIT["mlp_dim"],
        "hidden_act": "gelu", "hidden_dropout_prob": 0.0, "attention_probs_dropout_prob": 0.0,
        "layer_norm_eps": 1e-6, "image_size": VIT["image_size"],
        "patch_size": VIT["patch_size"], "num_channels": 3, "qkv_bias": True,
    }
    if id2label:
        labels = {str(i): "class_%d" % i for i in range(VIT["num_classes"])}
        config["id2label"] = labels
        config["label2id"] = {v: int(k) for k, v in labels.items()}
    return config


def google_npz_layout(sd, heads):
    """torchvision names -> the names and shapes of Google's ViT .npz (Flax kernels [in, out],
    attention kernels split per head)."""
    d = sd["class_token"].shape[-1]
    hd = d // heads
    t = lambda x: to_numpy(x).astype(np.float32)
    out = OrderedDict()
    out["cls"] = t(sd["class_token"])
    out["embedding/kernel"] = t(sd["conv_proj.weight"].permute(2, 3, 1, 0))  # [p, p, 3, D]
    out["embedding/bias"] = t(sd["conv_proj.bias"])
    out["Transformer/posembed_input/pos_embedding"] = t(sd["encoder.pos_embedding"])
    for i in vit_layers(sd):
        tv = "encoder.layers.encoder_layer_%d." % i
        g = "Transformer/encoderblock_%d/" % i
        att = g + "MultiHeadDotProductAttention_1/"
        w, b = sd[tv + "self_attention.in_proj_weight"], sd[tv + "self_attention.in_proj_bias"]
        for j, part in enumerate(["query", "key", "value"]):
            out[att + part + "/kernel"] = t(w[j * d:(j + 1) * d].t().reshape(d, heads, hd))
            out[att + part + "/bias"] = t(b[j * d:(j + 1) * d].reshape(heads, hd))
        out[att + "out/kernel"] = t(sd[tv + "self_attention.out_proj.weight"].t()
                                    .reshape(heads, hd, d))
        out[att + "out/bias"] = t(sd[tv + "self_attention.out_proj.bias"])
        out[g + "LayerNorm_0/scale"] = t(sd[tv + "ln_1.weight"])
        out[g + "LayerNorm_0/bias"] = t(sd[tv + "ln_1.bias"])
        out[g + "LayerNorm_2/scale"] = t(sd[tv + "ln_2.weight"])
        out[g + "LayerNorm_2/bias"] = t(sd[tv + "ln_2.bias"])
        out[g + "MlpBlock_3/Dense_0/kernel"] = t(sd[tv + "mlp.0.weight"].t())
        out[g + "MlpBlock_3/Dense_0/bias"] = t(sd[tv + "mlp.0.bias"])
        out[g + "MlpBlock_3/Dense_1/kernel"] = t(sd[tv + "mlp.3.weight"].t())
        out[g + "MlpBlock_3/Dense_1/bias"] = t(sd[tv + "mlp.3.bias"])
    out["Transformer/encoder_norm/scale"] = t(sd["encoder.ln.weight"])
    out["Transformer/encoder_norm/bias"] = t(sd["encoder.ln.bias"])
    if "heads.pre_logits.weight" in sd:
        out["pre_logits/kernel"] = t(sd["heads.pre_logits.weight"].t())
        out["pre_logits/bias"] = t(sd["heads.pre_logits.bias"])
    out["head/kernel"] = t(sd["heads.head.weight"].t())
    out["head/bias"] = t(sd["heads.head.bias"])
    return out


def vit_features(model, images_nchw):
    """The input of the classification head: the class token after the final LayerNorm, through
    the pre-logits layer and tanh when the model has one."""
    x = model._process_input(images_nchw)
    x = torch.cat([model.class_token.expand(x.shape[0], -1, -1), x], dim=1)
    x = model.encoder(x)[:, 0]
    if hasattr(model.heads, "pre_logits"):
        x = torch.tanh(model.heads.pre_logits(x))
    return x


def make_vit(images_nhwc):
    images = torch.from_numpy(images_nhwc).permute(0, 3, 1, 2)

    # vit/: no pre-logits layer; a classifier
    torch.manual_seed(1)
    model = VisionTransformer(**VIT).eval()
    randomize(model, torch.Generator().manual_seed(11))
    sd = model.state_dict()
    with torch.no_grad():
        save_npy("vit/logits.npy", to_numpy(model(images)))
        save_npy("vit/features.npy", to_numpy(vit_features(model, images)))
        for dtype, tag in [(torch.float16, "fp16"), (torch.bfloat16, "bf16")]:
            rounded = VisionTransformer(**VIT).eval()
            rounded.load_state_dict(round_weights(model, dtype))
            save_npy("vit/logits_%s_weights.npy" % tag, to_numpy(rounded(images)))
    hf = hf_vit_layout(sd, with_vit_prefix=True)
    hf["classifier.weight"] = sd["heads.head.weight"]
    hf["classifier.bias"] = sd["heads.head.bias"]
    for dtype, directory in [("F32", "hf_cls"), ("F16", "hf_cls_fp16"), ("BF16", "hf_cls_bf16")]:
        save_safetensors("vit/%s/model.safetensors" % directory, hf, dtype)
        save_json("vit/%s/config.json" % directory,
                  hf_vit_config("ViTForImageClassification"))
    save_npz("vit/google.npz", google_npz_layout(sd, VIT["num_heads"]))
    save_resample_fixture(to_numpy(sd["encoder.pos_embedding"])[0])

    # vit_pre/: a pre-logits layer (Linear + tanh), as the ImageNet-21k ViT-B/16 has
    torch.manual_seed(2)
    model = VisionTransformer(**VIT, representation_size=VIT["hidden_dim"]).eval()
    randomize(model, torch.Generator().manual_seed(12))
    sd = model.state_dict()
    with torch.no_grad():
        save_npy("vit_pre/logits.npy", to_numpy(model(images)))
        save_npy("vit_pre/features.npy", to_numpy(vit_features(model, images)))
    save_npz("vit_pre/google.npz", google_npz_layout(sd, VIT["num_heads"]))
    hf = hf_vit_layout(sd, with_vit_prefix=False)
    hf["pooler.dense.weight"] = sd["heads.pre_logits.weight"]
    hf["pooler.dense.bias"] = sd["heads.pre_logits.bias"]
    save_safetensors("vit_pre/hf_model/model.safetensors", hf)
    save_json("vit_pre/hf_model/config.json", hf_vit_config("ViTModel", id2label=False))


# ---- position-embedding resampling ----

def resample_pos_embed(pos, grid):
    """[1 + g*g, D] -> [1 + grid*grid, D]: the class token kept, the g x g grid resized as timm
    does, by bicubic interpolation with align_corners=False."""
    pos = torch.from_numpy(pos)
    d = pos.shape[1]
    g = int(round(math.sqrt(pos.shape[0] - 1)))
    patches = pos[1:].reshape(1, g, g, d).permute(0, 3, 1, 2)
    patches = F.interpolate(patches, size=(grid, grid), mode="bicubic", align_corners=False)
    patches = patches.permute(0, 2, 3, 1).reshape(grid * grid, d)
    return to_numpy(torch.cat([pos[:1], patches]))


def save_resample_fixture(pos):
    arrays = OrderedDict(source=pos.astype(np.float32))
    for grid in [6, 5, 3, 2, 9]:
        arrays["grid_%d" % grid] = resample_pos_embed(pos, grid)
    save_npz("resample.npz", arrays)


# ---- CLIP, after OpenAI's model.py ----

class QuickGELU(nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(1.702 * x)


class ResidualAttentionBlock(nn.Module):
    def __init__(self, width, heads, attn_mask=None):
        super().__init__()
        self.attn = nn.MultiheadAttention(width, heads)
        self.ln_1 = nn.LayerNorm(width)
        self.mlp = nn.Sequential(OrderedDict([
            ("c_fc", nn.Linear(width, width * 4)), ("gelu", QuickGELU()),
            ("c_proj", nn.Linear(width * 4, width))]))
        self.ln_2 = nn.LayerNorm(width)
        self.attn_mask = attn_mask

    def forward(self, x):  # x: [L, N, D]
        h = self.ln_1(x)
        x = x + self.attn(h, h, h, need_weights=False, attn_mask=self.attn_mask)[0]
        return x + self.mlp(self.ln_2(x))


class Transformer(nn.Module):
    def __init__(self, width, layers, heads, attn_mask=None):
        super().__init__()
        self.resblocks = nn.Sequential(
            *[ResidualAttentionBlock(width, heads, attn_mask) for _ in range(layers)])

    def forward(self, x):
        return self.resblocks(x)


class VisualTransformer(nn.Module):
    def __init__(self, image_size, patch_size, width, layers, heads, output_dim):
        super().__init__()
        scale = width ** -0.5
        self.conv1 = nn.Conv2d(3, width, kernel_size=patch_size, stride=patch_size, bias=False)
        self.class_embedding = nn.Parameter(scale * torch.randn(width))
        grid = image_size // patch_size
        self.positional_embedding = nn.Parameter(scale * torch.randn(grid * grid + 1, width))
        self.ln_pre = nn.LayerNorm(width)
        self.transformer = Transformer(width, layers, heads)
        self.ln_post = nn.LayerNorm(width)
        self.proj = nn.Parameter(scale * torch.randn(width, output_dim))

    def forward(self, x):  # x: [N, 3, S, S]
        x = self.conv1(x)
        x = x.reshape(x.shape[0], x.shape[1], -1).permute(0, 2, 1)
        cls = self.class_embedding + torch.zeros(x.shape[0], 1, x.shape[-1])
        x = torch.cat([cls, x], dim=1) + self.positional_embedding
        x = self.ln_pre(x).permute(1, 0, 2)
        x = self.transformer(x).permute(1, 0, 2)
        return self.ln_post(x[:, 0, :]) @ self.proj


class Clip(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.context_length = c["context_length"]
        self.visual = VisualTransformer(c["image_size"], c["patch_size"], c["vision_width"],
                                        c["vision_layers"], c["vision_heads"], c["embed_dim"])
        mask = torch.full((self.context_length, self.context_length), float("-inf")).triu(1)
        self.transformer = Transformer(c["text_width"], c["text_layers"], c["text_heads"], mask)
        self.token_embedding = nn.Embedding(c["vocab_size"], c["text_width"])
        self.positional_embedding = nn.Parameter(
            0.01 * torch.randn(self.context_length, c["text_width"]))
        self.ln_final = nn.LayerNorm(c["text_width"])
        self.text_projection = nn.Parameter(
            c["text_width"] ** -0.5 * torch.randn(c["text_width"], c["embed_dim"]))
        self.logit_scale = nn.Parameter(torch.ones([]) * math.log(1 / 0.07))

    def encode_image(self, images):
        return self.visual(images)

    def encode_text(self, ids):
        x = self.token_embedding(ids) + self.positional_embedding
        x = self.transformer(x.permute(1, 0, 2)).permute(1, 0, 2)
        x = self.ln_final(x)
        # the end-of-text token has the largest id in each row
        return x[torch.arange(x.shape[0]), ids.argmax(dim=-1)] @ self.text_projection

    def forward(self, images, ids):
        image = self.encode_image(images)
        text = self.encode_text(ids)
        image = image / image.norm(dim=1, keepdim=True)
        text = text / text.norm(dim=1, keepdim=True)
        return self.logit_scale.exp() * image @ text.t()


def hf_clip_layout(sd, c):
    """OpenAI names -> Hugging Face CLIPModel names: in_proj split into q/k/v, the projections
    stored [out, in], position_ids buffers included as a real checkpoint has them."""
    out = OrderedDict()
    v = "vision_model."
    out[v + "embeddings.class_embedding"] = sd["visual.class_embedding"]
    out[v + "embeddings.patch_embedding.weight"] = sd["visual.conv1.weight"]
    out[v + "embeddings.position_embedding.weight"] = sd["visual.positional_embedding"]
    tokens = sd["visual.positional_embedding"].shape[0]
    out[v + "embeddings.position_ids"] = torch.arange(tokens).unsqueeze(0)
    out[v + "pre_layrnorm.weight"] = sd["visual.ln_pre.weight"]
    out[v + "pre_layrnorm.bias"] = sd["visual.ln_pre.bias"]
    hf_clip_layers(sd, "visual.transformer.resblocks.", v + "encoder.layers.", out)
    out[v + "post_layernorm.weight"] = sd["visual.ln_post.weight"]
    out[v + "post_layernorm.bias"] = sd["visual.ln_post.bias"]
    t = "text_model."
    out[t + "embeddings.token_embedding.weight"] = sd["token_embedding.weight"]
    out[t + "embeddings.position_embedding.weight"] = sd["positional_embedding"]
    out[t + "embeddings.position_ids"] = torch.arange(c["context_length"]).unsqueeze(0)
    hf_clip_layers(sd, "transformer.resblocks.", t + "encoder.layers.", out)
    out[t + "final_layer_norm.weight"] = sd["ln_final.weight"]
    out[t + "final_layer_norm.bias"] = sd["ln_final.bias"]
    out["visual_projection.weight"] = sd["visual.proj"].t()
    out["text_projection.weight"] = sd["text_projection"].t()
    out["logit_scale"] = sd["logit_scale"]
    return out


def hf_clip_layers(sd, openai, hf, out):
    i = 0
    while openai + "%d.ln_1.weight" % i in sd:
        o, h = openai + "%d." % i, hf + "%d." % i
        w, b = sd[o + "attn.in_proj_weight"], sd[o + "attn.in_proj_bias"]
        d = w.shape[1]
        for j, part in enumerate(["q", "k", "v"]):
            out[h + "self_attn.%s_proj.weight" % part] = w[j * d:(j + 1) * d]
            out[h + "self_attn.%s_proj.bias" % part] = b[j * d:(j + 1) * d]
        out[h + "self_attn.out_proj.weight"] = sd[o + "attn.out_proj.weight"]
        out[h + "self_attn.out_proj.bias"] = sd[o + "attn.out_proj.bias"]
        out[h + "layer_norm1.weight"] = sd[o + "ln_1.weight"]
        out[h + "layer_norm1.bias"] = sd[o + "ln_1.bias"]
        out[h + "mlp.fc1.weight"] = sd[o + "mlp.c_fc.weight"]
        out[h + "mlp.fc1.bias"] = sd[o + "mlp.c_fc.bias"]
        out[h + "mlp.fc2.weight"] = sd[o + "mlp.c_proj.weight"]
        out[h + "mlp.fc2.bias"] = sd[o + "mlp.c_proj.bias"]
        out[h + "layer_norm2.weight"] = sd[o + "ln_2.weight"]
        out[h + "layer_norm2.bias"] = sd[o + "ln_2.bias"]
        i += 1


def hf_clip_config(c):
    return {
        "architectures": ["CLIPModel"], "model_type": "clip",
        "projection_dim": c["embed_dim"], "logit_scale_init_value": 2.6592,
        "text_config": {
            "model_type": "clip_text_model", "hidden_size": c["text_width"],
            "intermediate_size": 4 * c["text_width"], "num_hidden_layers": c["text_layers"],
            "num_attention_heads": c["text_heads"],
            "max_position_embeddings": c["context_length"], "vocab_size": c["vocab_size"],
            "hidden_act": "quick_gelu", "layer_norm_eps": 1e-5,
            "bos_token_id": c["vocab_size"] - 2, "eos_token_id": c["vocab_size"] - 1},
        "vision_config": {
            "model_type": "clip_vision_model", "hidden_size": c["vision_width"],
            "intermediate_size": 4 * c["vision_width"],
            "num_hidden_layers": c["vision_layers"], "num_attention_heads": c["vision_heads"],
            "image_size": c["image_size"], "patch_size": c["patch_size"],
            "hidden_act": "quick_gelu", "layer_norm_eps": 1e-5},
    }


def make_clip(images_nhwc):
    c = CLIP
    torch.manual_seed(3)
    model = Clip(c).eval()
    randomize(model, torch.Generator().manual_seed(13))
    rng = np.random.RandomState(5)
    sot, eot = c["vocab_size"] - 2, c["vocab_size"] - 1
    ids = np.zeros((3, c["context_length"]), dtype=np.int32)
    for row, end in enumerate([5, 11, c["context_length"] - 1]):  # EOT at different places
        ids[row, 0] = sot
        ids[row, 1:end] = rng.randint(1, sot, size=end - 1)
        ids[row, end] = eot
    images = torch.from_numpy(images_nhwc).permute(0, 3, 1, 2)
    with torch.no_grad():
        tids = torch.from_numpy(ids.astype(np.int64))
        save_npy("clip/image_features.npy", to_numpy(model.encode_image(images)))
        save_npy("clip/text_features.npy", to_numpy(model.encode_text(tids)))
        save_npy("clip/logits.npy", to_numpy(model(images, tids)))
    save_npy("clip/text_ids.npy", ids)
    sd = model.state_dict()
    save_safetensors("clip/openai.safetensors", sd)
    save_safetensors("clip/hf/model.safetensors", hf_clip_layout(sd, c))
    save_json("clip/hf/config.json", hf_clip_config(c))
    # stand-ins for a tokenizer beside the model, which import copies
    save_json("clip/hf/vocab.json", {"a</w>": 0, "b</w>": 1, "<|startoftext|>": sot,
                                     "<|endoftext|>": eot})
    with open(path("clip/hf/merges.txt"), "w") as f:
        f.write("#version: 0.2\na b\n")


def main():
    torch.set_num_threads(1)  # one thread: the same summation order on every run
    rng = np.random.RandomState(0)
    images = rng.uniform(-1, 1, size=(2, 32, 32, 3)).astype(np.float32)
    save_npy("images.npy", images)
    make_vit(images)
    make_clip(images)
    print("wrote fixtures to", OUT)


if __name__ == "__main__":
    main()
