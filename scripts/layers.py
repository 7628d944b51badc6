#!/usr/bin/env python3
"""Checks the module layering ARCHITECTURE.md describes: each top-level module of src/ imports
only the modules of lower layers, and no two modules anywhere in the tree import each other
through a cycle (siblings inside a front end included).

An import is any `crate::…`, `super::…` or `self::…` path outside test code (an inline
`#[cfg(test)] mod … { … }` and the end of the file after it, and files named tests.rs); method
calls are not imports.
Run it from the repository root: `python3 scripts/layers.py`. It prints each violation and
exits 1 if there is one. It is a developer's check, not a CI gate.
"""
import os
import re
import sys

# Bottom first: a module may import the modules of any layer before its own, never its own
# layer's other modules nor a later layer's. (`crate` is lib.rs, which imports what it wires.)
LAYERS = [
    ["escape", "read", "write", "syntax", "discover"],
    ["source"],
    ["model"],
    ["iam"],
    ["frontend"],
    ["load", "link", "fix"],
    ["rules"],
    ["guard"],
    ["selection"],
    ["config"],
    ["options", "suppress"],
    ["report"],
    ["scope", "baseline"],
    ["pipeline"],
    ["crate"],
]
RANK = {m: i for i, layer in enumerate(LAYERS) for m in layer}
PATH = re.compile(r"\b((?:crate|super|self)(?:::\w+)+)(?:::\{([^;]*?)\})?")


def modules():
    """Module path (`frontend::cfn::eval`) → file, for every file of the library."""
    found = {}
    for root, _, files in os.walk("src"):
        for name in files:
            if not name.endswith(".rs") or root.startswith("src/bin") or name == "tests.rs":
                continue
            parts = os.path.join(root, name)[4:-3].split("/")
            if parts[-1] in ("mod", "lib"):
                parts = parts[:-1]
            found["::".join(parts)] = os.path.join(root, name)
    return found


def resolve(known, here, path):
    segs = path.split("::")
    if segs[0] == "crate":
        base, segs = [], segs[1:]
    else:
        base = here.split("::") if here else []
        while segs and segs[0] in ("super", "self"):
            if segs[0] == "super":
                base = base[:-1]
            segs = segs[1:]
    full = base + segs
    for n in range(len(full), -1, -1):
        if "::".join(full[:n]) in known:
            return "::".join(full[:n])
    return None


def edges(known):
    out = {}
    for here, path in known.items():
        text = open(path, encoding="utf-8").read()
        # An inline test module ends the file's code; `#[cfg(test)] mod tests;` only names a file.
        text = re.split(r"#\[cfg\(test\)\]\s*mod \w+\s*\{", text)[0]
        text = re.sub(r"//.*", "", text)
        targets = set()
        for m in PATH.finditer(text):
            targets.add(m.group(1))
            for item in (m.group(2) or "").split(","):
                item = item.split(" as ")[0].strip("{} \n")
                if item:
                    targets.add(m.group(1) + "::" + item.split("::{")[0])
        if here == "":
            # lib.rs names its modules without `crate::`.
            targets |= {"crate::" + w for w in re.findall(r"\b(\w+)::", text) if w in known}
        for t in targets:
            there = resolve(known, here, t)
            if there is not None and there != here and not here.startswith(there + "::"):
                out.setdefault(here, set()).add(there)
    return out


def cycles(graph):
    """The strongly connected components of more than one node (Tarjan)."""
    index, low, stack, on, found, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in list(graph):
        if v not in index:
            visit(v)
    return found


def main():
    sys.setrecursionlimit(10000)
    known = modules()
    graph = edges(known)
    problems = []
    top = lambda m: m.split("::")[0] or "crate"
    for a, targets in sorted(graph.items()):
        for b in sorted(targets):
            ta, tb = top(a), top(b)
            if ta == tb:
                continue
            if ta not in RANK or tb not in RANK:
                problems.append(f"{ta or 'crate'} or {tb} is in no layer of scripts/layers.py")
            elif RANK[tb] >= RANK[ta]:
                problems.append(f"`{a or 'crate'}` imports `{b}`: {tb} is not below {ta}")
    # Cycles between the children of every module (a parent's own items are shared by its
    # children and are not counted).
    parents = {""} | {"::".join(m.split("::")[:k]) for m in known for k in range(1, m.count("::") + 1)}
    for parent in sorted(parents):
        prefix = parent + "::" if parent else ""
        child = lambda m: m[len(prefix):].split("::")[0] if m.startswith(prefix) and m != parent else None
        siblings = {}
        for a, targets in graph.items():
            for b in targets:
                ca, cb = child(a), child(b)
                if ca and cb and ca != cb:
                    siblings.setdefault(ca, set()).add(cb)
        for comp in cycles(siblings):
            problems.append(f"cycle inside `{parent or 'crate'}`: {' <-> '.join(comp)}")
    for p in sorted(set(problems)):
        print(p)
    print(f"{len(known)} modules, {sum(len(t) for t in graph.values())} imports: "
          f"{len(set(problems))} problem(s)", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
