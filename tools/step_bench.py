#!/usr/bin/python3
"""tfpeft's training step against the PyTorch peer (tools/torch_step_bench.py), side by side.

For each shape and method it runs, interleaved in one pass so that all three meet the same
machine load: `tfpeft bench --config` in FP32, the PyTorch peer (each thread count of
--threads, with each OpenBLAS build of --torch-blas, fp32 and, with --torch-bf16, bfloat16
autocast; PyTorch's best of them is its column), and `tfpeft bench --config` in BF16.
Each tfpeft run also measures the machine's matmul ceiling (fp32 and bf16) in its own process.
Prints the load average before each row and a Markdown table at the end; --rounds repeats the
pass and keeps each column's best.

Shapes: quickstart (the shipped vit-small: 32 px, patch 4, width 96, depth 4, batch 64),
small64 (64 px, patch 8, width 192, depth 6, 3 heads, batch 32), vit-s16 (224 px, width 384,
depth 12, 6 heads, batch 8), vit-b16 (224 px, width 768, depth 12, 12 heads, batch 8). PyTorch
steps above --torch-max-gflop (FLOPs of one step) are skipped: where Debian's libblas.so.3
alternative is the reference BLAS, float32 products run at about 1 GFLOP/s (see
docs/benchmarks.md). Debian's python3-torch links libblas.so.3; each --torch-blas build
(libopenblas0-openmp, libopenblas0-pthread) is loaded through LD_LIBRARY_PATH, and the peer
checks that it ran the one asked for.

Usage: tools/step_bench.py [--shapes quickstart,small64,vit-s16,vit-b16] [--methods full,lora]
           [--steps 5] [--rounds 1] [--threads 1,2] [--torch-bf16] [--torch-max-gflop 60]
           [--torch-blas openblas-openmp,openblas-pthread]
"""
import argparse
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# name: (image, patch, width, depth, heads, batch, forward GFLOPs per image (tfpeft's count))
SHAPES = {
    "quickstart": (32, 4, 96, 4, 4, 64),
    "small64": (64, 8, 192, 6, 3, 32),
    "vit-s16": (224, 16, 384, 12, 6, 8),
    "vit-b16": (224, 16, 768, 12, 12, 8),
}


def tfpeft_bench(shape, method, precision, steps):
    image, patch, width, depth, heads, batch = SHAPES[shape]
    sets = ["training.drop_path=0", "training.precision=" + precision,
            "training.batch_size=%d" % batch,
            "method.full_finetune={}" if method == "full" else "method.lora={rank: 8 scale: 1}"]
    if shape != "quickstart":
        sets += ["model.weights.path=",
                 "model.vit={image_size: %d patch_size: %d width: %d depth: %d heads: %d}"
                 % (image, patch, width, depth, heads)]
    cmd = [os.path.join(ROOT, "tools", "tfpeft"), "bench", "--config",
           os.path.join(ROOT, "configs", "quickstart.pbtxt"), "--steps", str(steps)]
    for s in sets:
        cmd += ["--set", s]
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit("tfpeft bench failed: %s\n%s%s" % (" ".join(cmd), out.stdout, out.stderr))
    text = out.stdout
    rate = re.search(r"training step\s+batch\s+\d+\s+([\d.]+) images/s\s+([\d.]+) GFLOPs", text)
    ceiling = re.search(r"fp32 ([\d.]+) GFLOP/s, bf16 ([\d.]+) GFLOP/s", text)
    share = re.search(r"training step\s+(\d+)% of the", text)
    return {"images_per_sec": float(rate.group(1)), "gflops_per_image": float(rate.group(2)),
            "ceiling_fp32": float(ceiling.group(1)), "ceiling_bf16": float(ceiling.group(2)),
            "share": int(share.group(1))}


BLAS_DIR = "/usr/lib/x86_64-linux-gnu"


def blas_variants(names):
    """The OpenBLAS builds of --torch-blas that Debian installed here (each a directory holding
    its own libblas.so.3); "default" is whatever Debian's libblas.so.3 alternative selects."""
    found = []
    for name in names.split(","):
        if name == "default" or os.path.exists(os.path.join(BLAS_DIR, name, "libblas.so.3")):
            found.append(name)
    return found or ["default"]


def torch_bench(shape, method, threads, bf16, steps, blas="default"):
    """PyTorch's best over --threads with one BLAS: (images/s, threads, BLAS)."""
    image, patch, width, depth, heads, batch = SHAPES[shape]
    cmd = ["/usr/bin/python3", os.path.join(ROOT, "tools", "torch_step_bench.py"),
           "--image", str(image), "--patch", str(patch), "--width", str(width),
           "--depth", str(depth), "--heads", str(heads), "--batch", str(batch),
           "--method", method, "--threads", threads, "--steps", str(steps)]
    if bf16:
        cmd.append("--bf16")
    env = dict(os.environ)
    if blas != "default":
        # torch links libblas.so.3: the loader finds this build's copy before the alternative's
        env["LD_LIBRARY_PATH"] = os.path.join(BLAS_DIR, blas) + (
            ":" + env["LD_LIBRARY_PATH"] if env.get("LD_LIBRARY_PATH") else "")
    out = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if out.returncode != 0:
        sys.exit("torch peer failed: %s\n%s" % (" ".join(cmd), out.stderr))
    runs = [json.loads(l) for l in out.stdout.splitlines() if l.startswith("{")]
    if blas != "default" and any(blas not in r["blas"] for r in runs):
        sys.exit("torch peer ran %s, not %s" % (runs[0]["blas"], blas))
    best = max(runs, key=lambda r: r["train_images_per_sec"])
    return best["train_images_per_sec"], best["threads"], short_blas(best["blas"])


def short_blas(path):
    """openblas-openmp, openblas-pthread, or the library's path."""
    for part in path.split("/"):
        if part.startswith("openblas"):
            return part
    return "reference BLAS" if "/blas/" in path else path


def torch_best(shape, method, threads, bf16, steps, variants):
    """PyTorch's best over the BLAS builds and thread counts, and every try."""
    tries = [torch_bench(shape, method, threads, bf16, steps, v) for v in variants]
    return max(tries, key=lambda t: t[0]), tries


def load():
    return os.getloadavg()[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shapes", default=",".join(SHAPES))
    ap.add_argument("--methods", default="full,lora")
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--torch-bf16", action="store_true")
    ap.add_argument("--torch-max-gflop", type=float, default=60.0)
    ap.add_argument("--torch-blas", default="openblas-openmp,openblas-pthread",
                    help="the BLAS builds PyTorch is tried with (directories under %s holding"
                    " libblas.so.3; 'default' for the libblas.so.3 alternative)" % BLAS_DIR)
    args = ap.parse_args()
    variants = blas_variants(args.torch_blas)
    print("PyTorch tried with: %s" % ", ".join(variants), flush=True)
    rows = {}
    for r in range(args.rounds):
        for shape in args.shapes.split(","):
            for method in args.methods.split(","):
                key = (shape, method)
                row = rows.setdefault(key, {"load": []})
                row["load"].append(load())
                fp32 = tfpeft_bench(shape, method, "FP32", args.steps)
                step_gflop = fp32["gflops_per_image"] * SHAPES[shape][5]
                torch32 = torch16 = None
                tries32 = tries16 = []
                if step_gflop <= args.torch_max_gflop:
                    torch32, tries32 = torch_best(shape, method, args.threads, False,
                                                  args.steps, variants)
                if args.torch_bf16:
                    torch16, tries16 = torch_best(shape, method, args.threads, True,
                                                  args.steps, variants)
                bf16 = tfpeft_bench(shape, method, "BF16", args.steps)
                for name, value in (("fp32", fp32), ("bf16", bf16)):
                    if name not in row or value["images_per_sec"] > row[name]["images_per_sec"]:
                        row[name] = value
                for name, value in (("torch32", torch32), ("torch16", torch16)):
                    if value and (name not in row or value[0] > row[name][0]):
                        row[name] = value
                print("round %d %s %s: load %.1f, tfpeft fp32 %.1f, bf16 %.1f, torch fp32 %s,"
                      " torch bf16 %s images/s (images/s, threads, BLAS)"
                      % (r + 1, shape, method, row["load"][-1], fp32["images_per_sec"],
                         bf16["images_per_sec"], tries32, tries16), flush=True)
    print()
    print("| shape | method | batch | tfpeft FP32 img/s | tfpeft BF16 img/s | BF16 / FP32 |"
          " PyTorch fp32 img/s (threads, BLAS) | tfpeft FP32 / PyTorch | PyTorch bf16 img/s |"
          " FP32 step / fp32 ceiling | ceiling fp32 / bf16 GFLOP/s | load |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for (shape, method), row in rows.items():
        f, b = row["fp32"], row["bf16"]
        t32, t16 = row.get("torch32"), row.get("torch16")
        print("| %s | %s | %d | %.1f | %.1f | %.2fx | %s | %s | %s | %d%% | %.0f / %.0f | %s |" % (
            shape, method, SHAPES[shape][5], f["images_per_sec"], b["images_per_sec"],
            b["images_per_sec"] / f["images_per_sec"],
            "%.2f (%d, %s)" % t32 if t32 else "skipped",
            "%.2fx" % (f["images_per_sec"] / t32[0]) if t32 else "-",
            "%.1f (%d, %s)" % t16 if t16 else "-", f["share"], f["ceiling_fp32"],
            f["ceiling_bf16"], "-".join("%.1f" % x for x in (min(row["load"]), max(row["load"])))))


if __name__ == "__main__":
    main()
