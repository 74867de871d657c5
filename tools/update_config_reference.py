#!/usr/bin/env python3
"""Replaces docs/config-reference.md's reference with `tfpeft config reference` (run from the repo root)."""
import subprocess
import sys

BEGIN = "<!-- config-reference:begin -->"
END = "<!-- config-reference:end -->"

reference = subprocess.run(["tools/tfpeft", "config", "reference"], check=True,
                           capture_output=True, text=True).stdout
PAGE = "docs/config-reference.md"
readme = open(PAGE, encoding="utf-8").read()
if BEGIN not in readme or END not in readme:
    sys.exit(PAGE + " has no config-reference markers")
head, rest = readme.split(BEGIN, 1)
_, tail = rest.split(END, 1)
open(PAGE, "w", encoding="utf-8").write(head + BEGIN + "\n" + reference + END + tail)
