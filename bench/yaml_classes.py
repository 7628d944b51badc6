#!/usr/bin/env python3
"""Finds YAML that CloudFormation's readers accept and cognitrust rejects, and the reverse.

Every *.yaml, *.yml and *.template file under the given roots is loaded twice:

- with cfn-lint's own loader, `cfnlint.decode.cfn_yaml.loads` (PyYAML's C or pure SafeLoader plus
  the short-form tags `!Ref`, `!GetAtt`, ...), which is how cfn-lint, and near enough how
  CloudFormation, reads a template;
- with cognitrust, `cognitrust scan FILES --format json --fail-on never`, whose JSON `errors`
  list holds each input it could not read, with the parser's message and line; a file listed
  there counts as rejected only if `cognitrust parse FILE` also counts an error (the other
  errors are template checks, such as circular conditions).

cognitrust only parses files that mention `Resources` or `AWSTemplateFormatVersion`; so that its
YAML parser still sees the others, they are copied to a temporary folder with a first line
`# Resources` (a comment: it changes no value, and only moves lines down by one, which the
report corrects). A file whose text starts with `{` and has no .yaml/.yml extension is read
as JSON by cognitrust, as by cfn-lint; those are reported apart.

Then it prints, grouped by cognitrust's message, the files PyYAML loads but cognitrust
rejects (what must be fixed), and more briefly the files cognitrust accepts but PyYAML
rejects. A PyYAML failure only in cfn-lint's construction step (duplicate keys, null keys) still
counts as a load: the YAML itself is valid, and cognitrust reports duplicates as input errors.

With `--mutate`, it checks the classes cognitrust accepts (src/syntax/yaml/lenient) instead:
each template PyYAML loads is rewritten into each class in turn (a tab after every key's `:`,
a comment glued to every quoted value, single-line flow sequences broken over lines left of
their key or at column 0 or after a tab, quoted values broken over a line at column 0, quoted
`'-'` in flow sequences made plain). A rewrite PyYAML reads differently is dropped; for the
others, cognitrust must report the same findings and errors as on the original, on the same
lines where the rewrite keeps lines (the same rules and error count where it adds lines).

Usage (from the repository root, after `cargo build --release`):

    python3 -m venv /tmp/yaml-venv && /tmp/yaml-venv/bin/pip install pyyaml==6.0.2 cfn-lint==1.51.0
    /tmp/yaml-venv/bin/python bench/yaml_classes.py [--cognitrust target/release/cognitrust]
        [--json OUT.json] [--mutate] ROOT...

ROOT defaults to ../shared/corpus; cfn-lint's fixtures (test/fixtures/templates of
aws-cloudformation/cfn-lint) and the yaml-test-suite's in.yaml files are good further roots.
Exit status 1 when some file PyYAML loads is rejected by cognitrust (with `--mutate`: when a
rewrite is rejected or changes what is reported), so the script can guard a CI job.
"""

import argparse
import collections
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

try:
    import yaml
    from cfnlint.decode import cfn_yaml
except ImportError:
    sys.exit("needs pyyaml and cfn-lint: pip install pyyaml==6.0.2 cfn-lint==1.51.0")

EXTENSIONS = (".yaml", ".yml", ".template")
MARKERS = ("Resources", "AWSTemplateFormatVersion")
PROBE = "# Resources\n"
BATCH = 200
REVERSE_GROUPS = 12
SHOWN = 20


def files_under(roots):
    for root in roots:
        if os.path.isfile(root):
            yield os.path.abspath(root)
            continue
        for folder, dirs, names in os.walk(root):
            dirs.sort()
            for name in sorted(names):
                if name.lower().endswith(EXTENSIONS):
                    yield os.path.abspath(os.path.join(folder, name))


def pyyaml_status(text, path):
    """(status, message): 'ok' loaded; 'dup' refused only by cfn-lint's own checks (duplicate or
    null keys), so valid YAML; 'construct' refused by PyYAML's constructors (a bad merge, an
    unknown tag, a second document); 'yaml' not YAML to PyYAML's scanner or parser."""
    try:
        cfn_yaml.loads(text, path)
        return "ok", ""
    except cfn_yaml.CfnParseError as e:
        cause = e.__cause__
        if isinstance(cause, (yaml.scanner.ScannerError, yaml.parser.ParserError)):
            return "yaml", one_line(cause)
        if cause is None and all(m.message.startswith(("Duplicate found", "Null key")) for m in e.matches):
            return "dup", one_line(e)
        return "construct", one_line(e)
    except (yaml.scanner.ScannerError, yaml.parser.ParserError) as e:
        return "yaml", one_line(e)
    except Exception as e:  # cfn-lint's constructors raise plain errors on odd tags
        return "construct", one_line(e)


def one_line(error):
    return " ".join(str(error).split())[:200]


def read_as_json(path, text):
    if path.lower().endswith((".yaml", ".yml")):
        return False
    return text.lstrip("\ufeff").lstrip().startswith("{")


def cognitrust_errors(binary, paths):
    """{absolute path: (message, line)} for the files cognitrust could not read."""
    errors = {}
    for i in range(0, len(paths), BATCH):
        batch = paths[i : i + BATCH]
        run = subprocess.run(
            [binary, "scan", *batch, "--format", "json", "--fail-on", "never"],
            capture_output=True,
            text=True,
            cwd="/",
        )
        if run.returncode not in (0, 2):  # 2: some input could not be read
            sys.exit(f"cognitrust failed ({run.returncode}): {run.stderr[:2000]}")
        for error in json.loads(run.stdout).get("errors", []):
            location = error.get("location") or {}
            path = os.path.join("/", location.get("file", ""))
            errors[os.path.normpath(path)] = (error.get("message", ""), location.get("line"))
    # Template checks are input errors too (circular conditions, duplicate keys); keep those
    # files whose text the parser itself refused, as `cognitrust parse` counts them.
    return {path: error for path, error in errors.items() if parse_fails(binary, path)}


def parse_fails(binary, path):
    run = subprocess.run([binary, "parse", path], capture_output=True, text=True, cwd="/")
    return not run.stdout.strip().endswith(" 0 errors")


def main():
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("roots", nargs="*", default=[os.path.join(here, "..", "shared", "corpus")])
    ap.add_argument("--cognitrust", default=os.path.join(here, "target", "release", "cognitrust"))
    ap.add_argument("--json", help="write every file's result here")
    ap.add_argument("--mutate", action="store_true", help="rewrite templates into each accepted class")
    args = ap.parse_args()
    if args.mutate:
        return mutate(args)

    probe_dir = tempfile.mkdtemp(prefix="yaml-classes-")
    try:
        results = examine(args, probe_dir)
    finally:
        shutil.rmtree(probe_dir, ignore_errors=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    return report(results)


def examine(args, probe_dir):
    results = []
    scanned = {}  # path cognitrust reads -> result
    for path in files_under(args.roots):
        with open(path, "rb") as f:
            raw = f.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            results.append({"file": path, "pyyaml": "not utf-8", "cognitrust": "skipped"})
            continue
        status, message = pyyaml_status(text, path)
        result = {"file": path, "pyyaml": status, "pyyaml_error": message, "json": read_as_json(path, text)}
        results.append(result)
        target = path
        if not any(m in text for m in MARKERS):
            target = os.path.join(probe_dir, f"{len(scanned)}{os.path.splitext(path)[1]}")
            with open(target, "w", encoding="utf-8") as f:
                f.write(PROBE + text)
            result["probed"] = True
        scanned[os.path.normpath(target)] = result
    errors = cognitrust_errors(args.cognitrust, list(scanned))
    for target, result in scanned.items():
        error = errors.get(target)
        result["cognitrust"] = "error" if error else "ok"
        if error:
            line = error[1]
            if line is not None and result.get("probed"):
                line -= 1
            result["cognitrust_error"], result["cognitrust_line"] = error[0], line
    return results


def report(results):
    loads = lambda r: r["pyyaml"] in ("ok", "dup")
    missed = [r for r in results if loads(r) and r.get("cognitrust") == "error"]
    extra = [r for r in results if r["pyyaml"] in ("yaml", "construct") and r.get("cognitrust") == "ok"]
    counts = collections.Counter((r["pyyaml"], r.get("cognitrust")) for r in results)
    print(f"{len(results)} files; (PyYAML, cognitrust): " + ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())))

    print(f"\nPyYAML loads, cognitrust rejects: {len(missed)}")
    by_message = collections.defaultdict(list)
    for r in missed:
        kind = "json" if r["json"] else "yaml"
        message = r["cognitrust_error"].split(" at line")[0]
        by_message[(kind, message)].append(r)
    for (kind, message), rs in sorted(by_message.items(), key=lambda kv: -len(kv[1])):
        print(f"  [{kind}] {message}: {len(rs)}")
        for r in rs:
            print(f"      {r['file']}:{r.get('cognitrust_line')}")

    # Briefly: the YAML 1.2 that saphyr reads and PyYAML does not, a second document, tags
    # PyYAML has no constructor for, duplicate anchors.
    print(f"\ncognitrust accepts, PyYAML rejects: {len(extra)}")
    by_message = collections.defaultdict(list)
    for r in extra:
        by_message[r["pyyaml_error"].split(" in \"")[0][:100]].append(r)
    groups = sorted(by_message.items(), key=lambda kv: -len(kv[1]))
    for message, rs in groups[:REVERSE_GROUPS]:
        print(f"  {message}: {len(rs)}  e.g. {rs[0]['file']}")
    if len(groups) > REVERSE_GROUPS:
        print(f"  ... {len(groups) - REVERSE_GROUPS} more messages (--json has every file)")
    return 1 if missed else 0


# --mutate: PyYAML-preserving rewrites of templates into each class cognitrust accepts.

KEY = r"(?m)^(\s*(?:- )*[A-Za-z0-9_]+)"
FLOW = KEY + r": ((?:!\w+ )?)\[([^\n#]*, [^\n#]*)\]$"


def broken_flow(separator, closing):
    def rewrite(text):
        def line(m):
            indent = re.match(r"\s*", m.group(1)).group(0)
            body = m.group(3).replace(", ", "," + separator.replace("INDENT", indent))
            return f"{m.group(1)}: {m.group(2)}[{body}{closing.replace('INDENT', indent)}]"

        return re.sub(FLOW, line, text)

    return rewrite


# name -> (rewrite, whether it keeps every line where it was)
REWRITES = {
    "tab after colon": (lambda t: re.sub(KEY + r":[ ](?=[A-Za-z])", r"\1:\t", t), True),
    "glued comment": (lambda t: re.sub(KEY + r"(: (?:'[^'\n]*'|\"[^\"\n]*\"))$", r"\1\2#c", t), True),
    "plain dash": (lambda t: re.sub(r"(?<=[\[,] )'-'(?=[,\]])|(?<=\[)'-'(?=[,\]])", "-", t), True),
    "flow at key indent": (broken_flow("\nINDENT", "\nINDENT"), False),
    "flow at column 0": (broken_flow("\n", "\n"), False),
    "flow after a tab": (broken_flow("\n\t", "\n"), False),
    "quoted at column 0": (lambda t: re.sub(KEY + r"(: ')([^'\n]*?) ([^'\n]*')$", r"\1\2\3\n\4", t), False),
}


def plain(value):
    """cfn-lint's nodes as plain values, to compare two readings."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


def reported(binary, path):
    run = subprocess.run(
        [binary, "scan", path, "--format", "json", "--fail-on", "never", "--no-config"],
        capture_output=True,
        text=True,
        cwd=os.path.dirname(path),
    )
    out = json.loads(run.stdout)
    findings = sorted((f["rule"], f["location"]["line"]) for f in out["findings"])
    errors = sorted((e["message"], (e.get("location") or {}).get("line")) for e in out["errors"])
    return findings, errors


def mutate(args):
    counts = collections.Counter()
    bad = []
    work = tempfile.mkdtemp(prefix="yaml-mutate-")
    try:
        for path in files_under(args.roots):
            try:
                with open(path, encoding="utf-8") as f:
                    text = f.read()
            except UnicodeDecodeError:
                continue
            if not any(m in text for m in MARKERS) or read_as_json(path, text):
                continue
            try:
                original = plain(cfn_yaml.loads(text, path))
            except Exception:
                continue
            before = None
            for name, (rewrite, keeps_lines) in REWRITES.items():
                changed = rewrite(text)
                if changed == text:
                    continue
                try:
                    same = plain(cfn_yaml.loads(changed, path)) == original
                except Exception:
                    same = False
                if not same:
                    counts[(name, "PyYAML reads it differently: skipped")] += 1
                    continue
                if before is None:
                    before = reported(args.cognitrust, write(work, "original.yaml", text))
                after = reported(args.cognitrust, write(work, "rewritten.yaml", changed))
                if not keeps_lines:
                    strip = lambda r: (sorted(rule for rule, _ in r[0]), len(r[1]))
                    before_, after_ = strip(before), strip(after)
                else:
                    before_, after_ = before, after
                outcome = "same report" if before_ == after_ else "DIFFERENT REPORT"
                counts[(name, outcome)] += 1
                if before_ != after_:
                    bad.append((name, path, before, after))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for (name, outcome), n in sorted(counts.items()):
        print(f"  {name}: {outcome}: {n}")
    for name, path, before, after in bad[:SHOWN]:
        print(f"\n{name}: {path}\n  original:  {before}\n  rewritten: {after}")
    if len(bad) > SHOWN:
        print(f"\n... and {len(bad) - SHOWN} more")
    return 1 if bad else 0


def write(folder, name, text):
    path = os.path.join(folder, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


if __name__ == "__main__":
    sys.exit(main())
