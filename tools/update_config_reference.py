#!/usr/bin/env python3
"""Replaces the generated references in the docs (run from the repo root): docs/config-reference.md
with `tfpeft config reference`, docs/suites.md's suite reference with `tfpeft suite reference`."""
import subprocess
import sys


def replace(page, marker, command):
    begin = "<!-- " + marker + ":begin -->"
    end = "<!-- " + marker + ":end -->"
    reference = subprocess.run(["tools/tfpeft"] + command, check=True,
                               capture_output=True, text=True).stdout
    text = open(page, encoding="utf-8").read()
    if begin not in text or end not in text:
        sys.exit(page + " has no " + marker + " markers")
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    open(page, "w", encoding="utf-8").write(head + begin + "\n" + reference + end + tail)


replace("docs/config-reference.md", "config-reference", ["config", "reference"])
replace("docs/suites.md", "suite-reference", ["suite", "reference"])
