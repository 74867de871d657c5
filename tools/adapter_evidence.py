#!/usr/bin/env python3
"""Runs adapter configs over several seeds and prints a Markdown table of test accuracy
(mean +- sample std over seeds) and stored adapter size.

  tools/adapter_evidence.py --task orientation --seeds 1,2,3 configs/synthetic/*.pbtxt

Each run is `tools/tfpeft train --config C --set seed=S --set name=<config>-s<S> ...` under
--out (default checkpoints/evidence); a finished run is found complete and not trained again.
The TFPEFT environment variable names another launcher (as tools/mask_evidence.sh reads it).
The stored size comes from `train --dry-run` ("stored: ..., N bytes = ... MB").
Run from the repository root.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys

LAUNCHER = os.environ.get("TFPEFT", "tools/tfpeft")


def run(cmd, log):
    with open(log, "a", encoding="utf-8") as f:
        f.write("$ " + " ".join(cmd) + "\n")
        f.flush()
        return subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT).returncode


def stored_bytes(config, sets):
    out = subprocess.run([LAUNCHER, "train", "--config", config, "--dry-run"] + sets,
                         capture_output=True, text=True).stdout
    m = re.search(r"^stored: .*?([\d,]+) bytes", out, re.M)
    return int(m.group(1).replace(",", "")) if m else None


def main():
    p = argparse.ArgumentParser()
    p.add_argument("configs", nargs="+")
    p.add_argument("--task", required=True)
    p.add_argument("--seeds", default="1,2,3")
    p.add_argument("--out", default="checkpoints/evidence")
    p.add_argument("--set", action="append", default=[], help="extra --set for every run")
    p.add_argument("--table-only", action="store_true", help="aggregate finished runs only")
    a = p.parse_args()
    seeds = [int(s) for s in a.seeds.split(",")]
    os.makedirs(a.out, exist_ok=True)
    rows = []
    for config in a.configs:
        stem = os.path.splitext(os.path.basename(config))[0]
        common = ["--set", "output_dir=" + a.out, "--set", "data.synthetic.task=" + a.task]
        for s in a.set:
            common += ["--set", s]
        accs, minutes = [], []
        for seed in seeds:
            name = f"{a.task}-{stem}-s{seed}"
            report = os.path.join(a.out, name, "report.json")
            if not a.table_only and not os.path.exists(report):
                rc = run([LAUNCHER, "train", "--config", config, "--set", f"seed={seed}",
                          "--set", "name=" + name] + common, os.path.join(a.out, name + ".log"))
                if rc != 0:
                    print(f"{name}: exit {rc}, see {a.out}/{name}.log", file=sys.stderr)
                    continue
            if os.path.exists(report):
                r = json.load(open(report, encoding="utf-8"))
                accs.append(100 * r["test"]["top1"])
                t = r.get("training", {})
                if t.get("seconds"):
                    minutes.append(t["seconds"] / 60)
        nbytes = stored_bytes(config, common)
        rows.append((stem, accs, nbytes, minutes))
        print(f"{stem}: {accs}", file=sys.stderr)
    print(f"| method | test top-1 (%), {len(seeds)} seeds | stored adapters (MB) | runs |")
    print("|---|---|---|---|")
    for stem, accs, nbytes, minutes in rows:
        acc = "n/a" if not accs else (f"{statistics.mean(accs):.2f} ± "
                                      f"{statistics.stdev(accs) if len(accs) > 1 else 0:.2f}")
        mb = "n/a" if nbytes is None else f"{nbytes / 2**20:.4f}"
        print(f"| {stem} | {acc} | {mb} | {len(accs)} |")


if __name__ == "__main__":
    main()
