#!/usr/bin/env python3
"""The layers of ARCHITECTURE.md, held against every #include of the tree.

The rules are the table between <!-- layering:begin --> and <!-- layering:end --> in
ARCHITECTURE.md: for each folder, the project folders (or files) its sources may include and the
system headers they must not. A file's rule is that of the longest folder prefix that matches it;
files under no rule are not checked. Project includes are followed transitively, so a header that
is itself allowed cannot smuggle in a forbidden one.

Before checking the real tree the test copies it to a scratch folder, plants
`#include "control/compile/snapshot_compiler.hpp"` in dataplane/daemon.cpp there, and fails unless
that violation is reported: a checker that finds nothing can never pass by accident.

usage: layering_test.py --source-dir DIR
Standard library only. Exit 0 when clean, 1 on a violation (each printed as file:line).
"""
import argparse
import os
import re
import shutil
import sys
import tempfile

SOURCE_FOLDERS = ("filters", "control", "dataplane", "tests", "bench")
EXTENSIONS = (".cpp", ".hpp", ".h", ".cc")
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
PLANTED = '#include "control/compile/snapshot_compiler.hpp"  // planted by layering_test\n'


def read_rules(root):
    path = os.path.join(root, "ARCHITECTURE.md")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    match = re.search(r"<!-- layering:begin -->(.*?)<!-- layering:end -->", text, re.S)
    if not match:
        raise SystemExit(f"{path}: no <!-- layering:begin/end --> table")
    rules = {}
    for line in match.group(1).splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not cells[0].startswith("`"):
            continue
        ticks = lambda cell: re.findall(r"`([^`]+)`", cell)
        folder = ticks(cells[0])[0]
        rules[folder] = (ticks(cells[1]), ticks(cells[2]))
    if not rules:
        raise SystemExit(f"{path}: the layering table has no rows")
    return rules


def rule_for(rules, relative):
    best = None
    for folder in rules:
        if relative.startswith(folder) and (best is None or len(folder) > len(best)):
            best = folder
    return best


def includes(root, relative):
    """(line number, kind, target) for every #include of a file."""
    out = []
    with open(os.path.join(root, relative), encoding="utf-8", errors="replace") as f:
        for number, line in enumerate(f, 1):
            m = INCLUDE.match(line)
            if m:
                out.append((number, m.group(1), m.group(2)))
    return out


def check(root):
    rules = read_rules(root)
    files = []
    for top in SOURCE_FOLDERS:
        for base, _, names in os.walk(os.path.join(root, top)):
            for name in names:
                if name.endswith(EXTENSIONS):
                    files.append(os.path.relpath(os.path.join(base, name), root))
    cache = {}

    def direct(relative):
        if relative not in cache:
            cache[relative] = includes(root, relative) if os.path.isfile(os.path.join(root, relative)) else []
        return cache[relative]

    violations = []
    for relative in sorted(files):
        folder = rule_for(rules, relative)
        if folder is None:
            continue
        allowed, forbidden = rules[folder]
        # Walk the project includes transitively; report at the line of the file's own include.
        for number, kind, target in direct(relative):
            if kind == "<":
                bad = [f for f in forbidden if target.startswith(f)]
                if bad:
                    violations.append(f"{relative}:{number}: includes <{target}>, which {folder} must not")
                continue
            seen, stack = set(), [target]
            while stack:
                header = stack.pop()
                if header in seen:
                    continue
                seen.add(header)
                if not any(header == a or (a.endswith("/") and header.startswith(a)) for a in allowed):
                    via = "" if header == target else f" (through {target})"
                    violations.append(f"{relative}:{number}: includes {header}{via}; {folder} may include "
                                      f"only {', '.join(allowed)}")
                    break
                for _, k, t in direct(header):
                    if k == '"':
                        stack.append(t)
                    elif any(t.startswith(f) for f in forbidden):
                        violations.append(f"{relative}:{number}: includes {target}, which brings in <{t}>; "
                                          f"{folder} must not")
    return violations


def self_test(source):
    """The checker must catch a violation planted in a copy of the tree."""
    scratch = tempfile.mkdtemp(prefix="takedown-layering-")
    try:
        for top in SOURCE_FOLDERS:
            shutil.copytree(os.path.join(source, top), os.path.join(scratch, top),
                            ignore=shutil.ignore_patterns("*.txt", "*.pcap", "*.snap", "data", "results"))
        shutil.copy(os.path.join(source, "ARCHITECTURE.md"), scratch)
        target = os.path.join(scratch, "dataplane", "daemon.cpp")
        with open(target, encoding="utf-8") as f:
            lines = f.readlines()
        lines.insert(1, PLANTED)
        with open(target, "w", encoding="utf-8") as f:
            f.writelines(lines)
        found = [v for v in check(scratch) if v.startswith("dataplane/daemon.cpp:2: includes control/compile/")]
        return bool(found)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--source-dir", required=True)
    args = parser.parse_args()
    if not self_test(args.source_dir):
        print("layering_test: the planted include of control/compile/ in dataplane/daemon.cpp was not caught")
        return 1
    print("layering_test: a planted violation (dataplane/daemon.cpp including control/compile/) is caught")
    violations = check(args.source_dir)
    for v in violations:
        print(v)
    rules = read_rules(args.source_dir)
    print(f"layering_test: {len(rules)} rules from ARCHITECTURE.md, {len(violations)} violations")
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
