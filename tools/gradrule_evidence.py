#!/usr/bin/env python3
"""Prints the rows of tools/gradrule_evidence.sh's runs (checkpoints/evidence-gradrules/): per
row, test top-1 % on count and texture (16 shots) and base, new and H on count base-to-new, as
mean +- standard deviation over the seeds found (H from the seed-averaged base and new), with the
trainable parameters, the share of masked weights zeroed (mask rows) and the mean seconds of
training per run; a column shows how many seeds it
has when fewer than 3 finished.

Usage: tools/gradrule_evidence.py [run-dir]
"""
import json
import os
import statistics
import sys

ROOT = sys.argv[1] if len(sys.argv) > 1 else "checkpoints/evidence-gradrules"
ROWS = ["prograd", "amt", "ramt", "amt-prograd", "amt-agreegrad", "ramt-text", "ramt-both"]


def reports(row, column):
    out = []
    for seed in (1, 2, 3):
        path = os.path.join(ROOT, "%s-%s-s%d" % (row, column, seed), "report.json")
        if os.path.exists(path):
            with open(path) as f:
                out.append(json.load(f))
    return out


def cell(values):
    if not values:
        return "-"
    mean = 100 * statistics.mean(values)
    text = "%.1f" % mean
    if len(values) > 1:
        text += " ± %.1f" % (100 * statistics.stdev(values))
    if len(values) < 3:
        text += " (%d seed%s)" % (len(values), "" if len(values) == 1 else "s")
    return text


print("| method | trainable | count 16-shot | texture 16-shot | count base | count new | count H"
      " | zeroed (count 16-shot) | s / run |")
print("|---|---|---|---|---|---|---|---|---|")
for row in ROWS:
    count, texture, b2n = (reports(row, c) for c in ("count", "texture", "b2n-count"))
    if not (count or texture or b2n):
        continue
    base = [r["base_to_new"]["base"] for r in b2n]
    new = [r["base_to_new"]["new"] for r in b2n]
    h = "-"
    if base and new:
        b, n = statistics.mean(base), statistics.mean(new)
        h = "%.1f" % (100 * 2 * b * n / (b + n))
    everything = count + texture + b2n
    trainable = everything[0]["parameters"]["trainable"]
    seconds = statistics.mean(r["training"]["seconds"] for r in everything)
    zeroed = [r["method_report"]["sparsity"]["total"] for r in count
              if "sparsity" in r.get("method_report", {})]
    zeroed = "%.2f%%" % (100 * statistics.mean(zeroed)) if zeroed else "-"
    print("| %s | %s | %s | %s | %s | %s | %s | %s | %.0f |" % (
        row, format(trainable, ","), cell([r["test"]["top1"] for r in count]),
        cell([r["test"]["top1"] for r in texture]), cell(base), cell(new), h, zeroed, seconds))
