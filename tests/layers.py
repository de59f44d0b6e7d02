#!/usr/bin/env python3
"""The layering of src/ and ui/ (docs/architecture.md), checked.

Each folder is a layer; a file includes only headers of its own layer or
of layers below it, always by their folder ("lib/buf.h", never "buf.h"),
and no two modules (NAME.c with NAME.h) include each other, directly or
round a longer cycle. Prints each breach as FILE:LINE: why, and exits 1
when there is one.
"""
import os
import re
import sys

LAYERS = ["lib", "state", "aws", "transport", "engine", "proc", "ui", "cli"]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def layer_of(path):
    parts = path.split("/")
    if parts[0] == "ui":
        return "ui"
    if parts[0] == "src" and len(parts) == 3 and parts[1] in LAYERS:
        return parts[1]
    return None


def main(root):
    os.chdir(root)
    files = []
    for top in ("src", "ui"):
        for dirpath, _, names in os.walk(top):
            for n in names:
                if n.endswith((".c", ".h")):
                    files.append(os.path.join(dirpath, n))
    breaches = []
    edges = {}
    for f in sorted(files):
        mine = layer_of(f)
        if mine is None:
            breaches.append(f"{f}:1: not in a layer folder "
                            f"(src/{{{','.join(LAYERS[:6])},cli}}/ or ui/)")
            continue
        module = f[:-2]
        with open(f, encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                inc = m.group(1)
                folder = inc.split("/")[0] if "/" in inc else None
                if folder not in LAYERS:
                    breaches.append(f'{f}:{lineno}: "{inc}" does not name '
                                    f"its layer (write \"LAYER/{inc}\")")
                    continue
                if LAYERS.index(folder) > LAYERS.index(mine):
                    breaches.append(f'{f}:{lineno}: {mine}/ includes "{inc}" '
                                    f"from {folder}/, a layer above it")
                target = ("ui/" if folder == "ui" else "src/" + folder + "/") \
                    + os.path.basename(inc)[:-2]
                if target != module:
                    edges.setdefault(module, set()).add(target)
    # Cycles between modules: a depth-first search over the include graph.
    state = {}
    stack = []

    def visit(m):
        state[m] = 1
        stack.append(m)
        for t in sorted(edges.get(m, ())):
            if state.get(t) == 1:
                cycle = stack[stack.index(t):] + [t]
                breaches.append(f"{m}: include cycle: "
                                + " -> ".join(cycle))
            elif t not in state:
                visit(t)
        stack.pop()
        state[m] = 2

    for m in sorted(edges):
        if m not in state:
            visit(m)
    for b in breaches:
        print(b)
    return 1 if breaches else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "."))
