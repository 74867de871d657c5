#!/usr/bin/env python3
"""Tables of the mask-tuning evidence (tools/mask_evidence.sh) as Markdown, from the run
directories under checkpoints/evidence-masks: test top-1 (mean and standard deviation over the
seeds), the share of masked weights zeroed at the end (from the last checkpoint's method state),
and for base-to-new the harmonic mean H of the seed-averaged base and new accuracies."""
import glob
import json
import os
import statistics
import sys

ROOT = sys.argv[1] if len(sys.argv) > 1 else "checkpoints/evidence-masks"
FEWSHOT = ["shape", "texture", "count", "position", "orientation", "distance"]
B2N = ["shape", "count", "position", "orientation"]


def report(name):
    path = os.path.join(ROOT, name, "report.json")
    return json.load(open(path)) if os.path.exists(path) else None


def sparsity(name):
    states = sorted(glob.glob(os.path.join(ROOT, name, "checkpoints", "*", "state.json")))
    if not states:
        return None
    state = json.load(open(states[-1]))["method"]["state"]
    last = state["sparsity"][-1]
    return last["zeroed"] / last["masked"]


def seeds(prefix):
    out = []
    for s in (1, 2, 3):
        r = report(f"{prefix}-s{s}")
        if r is not None:
            out.append((r, sparsity(f"{prefix}-s{s}")))
    return out


def pct(values):
    if not values:
        return "-"
    m = 100 * statistics.mean(values)
    if len(values) < 2:
        return f"{m:.1f}"
    return f"{m:.1f} ± {100 * statistics.stdev(values):.1f}"


def harmonic(b, n):
    return 2 * b * n / (b + n) if b + n > 0 else 0.0


def fewshot():
    print("| task | zero-shot | AMT | AMT zeroed | R-AMT | R-AMT zeroed |")
    print("|---|---|---|---|---|---|")
    rows = {"zs": [], "amt": [], "ramt": []}
    for task in FEWSHOT:
        zs = report(f"zs-{task}")
        cells = [task, pct([zs["test"]["top1"]]) if zs else "-"]
        if zs:
            rows["zs"].append(zs["test"]["top1"])
        for m in ("amt", "ramt"):
            runs = seeds(f"{m}-{task}")
            acc = [r["test"]["top1"] for r, _ in runs]
            zeroed = [s for _, s in runs if s is not None]
            rows[m].append(statistics.mean(acc) if acc else None)
            cells += [pct(acc) + (f" ({len(acc)})" if 0 < len(acc) < 3 else ""),
                      f"{100 * statistics.mean(zeroed):.2f}%" if zeroed else "-"]
        print("| " + " | ".join(cells) + " |")
    means = [pct([v for v in rows[k] if v is not None]).split(" ")[0] for k in rows]
    print(f"| **mean** | **{means[0]}** | **{means[1]}** | | **{means[2]}** | |")


def base2new():
    print("| task | method | base | new | H |")
    print("|---|---|---|---|---|")
    for task in B2N:
        zs = report(f"b2n-zs-{task}")
        if zs:
            b, n = zs["base_to_new"]["base"], zs["base_to_new"]["new"]
            print(f"| {task} | zero-shot | {100 * b:.1f} | {100 * n:.1f} | "
                  f"{100 * harmonic(b, n):.1f} |")
        for m, label in (("amt", "AMT"), ("ramt", "R-AMT")):
            runs = seeds(f"b2n-{m}-{task}")
            if not runs:
                continue
            b = [r["base_to_new"]["base"] for r, _ in runs]
            n = [r["base_to_new"]["new"] for r, _ in runs]
            h = harmonic(statistics.mean(b), statistics.mean(n))
            print(f"| {task} | {label} | {pct(b)} | {pct(n)} | {100 * h:.1f} |")


def rates():
    print("| task | learning rate | R-AMT top-1 | zeroed |")
    print("|---|---|---|---|")
    for task in ("count", "orientation"):
        for lr, name in (("1e-4", f"lr1e-4-ramt-{task}-s1"), ("1.5e-4", f"lr1.5e-4-ramt-{task}-s1"),
                         ("2e-4", f"ramt-{task}-s1"), ("3e-4", f"lr3e-4-ramt-{task}-s1")):
            r = report(name)
            if r is not None:
                print(f"| {task} | {lr} | {100 * r['test']['top1']:.1f} | "
                      f"{100 * sparsity(name):.2f}% |")


if __name__ == "__main__":
    print("16 shots per class, test top-1 % (mean ± std over seeds 1-3), share of masked weights"
          " zeroed:\n")
    fewshot()
    print("\nBase-to-new, test top-1 % (H from the seed-averaged accuracies):\n")
    base2new()
    print("\nLearning rate, R-AMT seed 1 (16 shots):\n")
    rates()
