#!/usr/bin/env python3
"""Reads bench/results/*.json (hyperfine) and prints each target of issue 8 with its measured
ratio and whether it is met. Times are medians: on a shared virtual machine a few runs are
slowed by neighbours, and the median is what a run is likely to take. Usage: ratios.py
RESULTS_DIR"""
import json
import os
import sys


def medians(path):
    with open(path) as f:
        return {r["command"]: r["median"] for r in json.load(f)["results"]}


def main():
    d = sys.argv[1]
    general = medians(os.path.join(d, "general.json"))
    ours = medians(os.path.join(d, "cfn-cognitrust.json"))
    others = medians(os.path.join(d, "cfn-others.json"))
    small = medians(os.path.join(d, "small.json"))
    mem_kib = int(open(os.path.join(d, "peak-memory-kib.txt")).read().split()[-1])
    rows = [
        ("whole scan of corpus/general vs parse-only floor", general["cognitrust scan"] / general["parse-only floor"], "<= 1.5x",
         general["cognitrust scan"] / general["parse-only floor"] <= 1.5),
        ("scan of the CloudFormation templates vs their floor", ours["cognitrust"] / ours["cognitrust parse-only"],
         "(reported)", True),
        ("cfn-lint time / cognitrust time (same templates)", others["cfn-lint"] / ours["cognitrust"], ">= 50x",
         others["cfn-lint"] / ours["cognitrust"] >= 50),
        ("checkov time / cognitrust time", others["checkov"] / ours["cognitrust"], "(reported)", True),
        ("cfn-guard time / cognitrust time", ours["cfn-guard"] / ours["cognitrust"], "(reported)", True),
        ("one small template, start-up included (ms)", small["cognitrust small"] * 1000, "< 10 ms", small["cognitrust small"] < 0.010),
        ("peak memory on corpus/general (MB)", mem_kib / 1024, "< 200 MB", mem_kib / 1024 < 200),
    ]
    for name, value, target, met in rows:
        print(f"{name:55} {value:10.2f}  target {target:10} {'met' if met else 'NOT MET'}")
    print("\nmedians (s):", json.dumps({**general, **ours, **others, **small}, indent=1))


if __name__ == "__main__":
    main()
