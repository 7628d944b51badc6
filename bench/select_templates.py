#!/usr/bin/env python3
"""Copies the CloudFormation templates of ../shared/corpus (the CloudFormation part of general/
and every template of cognito/) into one folder, so every tool in bench/run.sh reads exactly the
same files. A template is recognised as cognitrust recognises it: a .yaml/.yml/.json/.template
file with AWSTemplateFormatVersion or a top-level Resources map of typed resources.

Usage: select_templates.py CORPUS OUT"""
import json
import os
import re
import shutil
import sys

EXTENSIONS = (".yaml", ".yml", ".json", ".template")


def is_template(path):
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except (UnicodeDecodeError, OSError):
        return False
    if "AWSTemplateFormatVersion" in text:
        return True
    if path.endswith(".json"):
        try:
            doc = json.loads(text)
        except ValueError:
            return False
        res = doc.get("Resources") if isinstance(doc, dict) else None
        return isinstance(res, dict) and bool(res) and all(isinstance(r, dict) and "Type" in r for r in res.values())
    # YAML: a top-level `Resources:` key followed by typed resources.
    return re.search(r"(?m)^Resources:\s*$", text) is not None and re.search(r"(?m)^\s+Type:\s*\S+", text) is not None


def main():
    corpus, out = sys.argv[1], sys.argv[2]
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    count = 0
    for part in ("general", "cognito"):
        for root, _dirs, files in os.walk(os.path.join(corpus, part)):
            for name in sorted(files):
                path = os.path.join(root, name)
                if not name.endswith(EXTENSIONS) or not is_template(path):
                    continue
                # Flat, short, unique names (corpus paths run past the file-name limit).
                ext = os.path.splitext(name)[1]
                shutil.copyfile(path, os.path.join(out, f"{part}-{count:05d}{ext}"))
                count += 1
    print(f"{count} templates copied to {out}")


if __name__ == "__main__":
    main()
