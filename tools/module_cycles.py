#!/usr/bin/env python3
"""Fails when the library's modules import each other in a cycle.

The design (docs/design.md) has one direction of flow: spec at the bottom, then registers, cohort,
strata, aggregate, measures, disclosure and outputs. A cycle between two files means an item sits in
the wrong layer. This check builds the graph of which file refers to which through `crate::`,
`super::` and `self::` paths (in `use` lines and in code; comments and `#[cfg(test)]` modules are left
out, since test fixtures may reach across layers), and prints every strongly connected component of
more than one file. Exit 0: no cycle; exit 1: cycles, listed.

Usage: tools/module_cycles.py [SRC_DIR]   (default: src)
"""

import re
import sys
from pathlib import Path


def module_of(path: Path, src: Path) -> tuple[str, ...]:
    """The module path of a source file: src/a/b.rs and src/a/b/mod.rs are both ("a", "b")."""
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] == "mod":
        parts.pop()
    if parts == ["lib"]:
        return ()
    return tuple(parts)


def strip_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    # Line comments, but not `//` inside string literals such as URLs.
    out = []
    for line in text.splitlines():
        in_str = False
        cut = len(line)
        i = 0
        while i < len(line) - 1:
            c = line[i]
            if c == "\\" and in_str:
                i += 2
                continue
            if c == '"':
                in_str = not in_str
            elif not in_str and line[i : i + 2] == "//":
                cut = i
                break
            i += 1
        out.append(line[:cut])
    return "\n".join(out)


def strip_test_modules(text: str) -> str:
    """Removes `#[cfg(test)]` items (a module or function with its braces)."""
    result = []
    i = 0
    for m in re.finditer(r"#\[cfg\(test\)\]", text):
        if m.start() < i:
            continue
        result.append(text[i : m.start()])
        j = m.end()
        brace = text.find("{", j)
        semi = text.find(";", j)
        if brace == -1 or (semi != -1 and semi < brace):
            i = semi + 1  # `#[cfg(test)] mod tests;` or a `use`
            continue
        depth = 0
        k = brace
        while k < len(text):
            if text[k] == "{":
                depth += 1
            elif text[k] == "}":
                depth -= 1
                if depth == 0:
                    break
            k += 1
        i = k + 1
    result.append(text[i:])
    return "".join(result)


def expand_use_groups(text: str) -> list[str]:
    """Every path written in the file, with `use a::{b, c::{d}}` expanded to a::b, a::c::d."""
    paths = []

    def expand(prefix: str, body: str):
        depth = 0
        item = ""
        items = []
        for c in body:
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
            if c == "," and depth == 0:
                items.append(item)
                item = ""
            else:
                item += c
        items.append(item)
        for it in items:
            it = it.strip()
            if not it:
                continue
            m = re.match(r"^([\w:]*?)::\{(.*)\}$", it, flags=re.S)
            if m:
                expand(prefix + m.group(1) + "::", m.group(2))
            else:
                paths.append(prefix + it.split(" as ")[0].strip())

    for m in re.finditer(r"\buse\s+([^;]+);", text):
        stmt = m.group(1).strip()
        g = re.match(r"^([\w:]*?)::\{(.*)\}$", stmt, flags=re.S)
        if g:
            expand(g.group(1) + "::", g.group(2))
        else:
            paths.append(stmt.split(" as ")[0].strip())
    text_no_use = re.sub(r"\buse\s+[^;]+;", "", text)
    paths += re.findall(r"\b(?:crate|super|self)(?:::\w+)+", text_no_use)
    return paths


def resolve(path: str, here: tuple[str, ...], modules: set) -> tuple | None:
    parts = path.split("::")
    # The module a `super`/`self` is relative to: a mod.rs file is its folder's module.
    base = list(here)
    if parts[0] == "crate":
        base = []
        parts = parts[1:]
    else:
        while parts and parts[0] in ("self", "super"):
            if parts[0] == "super":
                base = base[:-1]
            parts = parts[1:]
    full = base + parts
    # The longest prefix that is a module file.
    for n in range(len(full), -1, -1):
        if tuple(full[:n]) in modules:
            return tuple(full[:n])
    return None


ITEM = re.compile(r"\bpub(?:\([^)]*\))?\s+(?:struct|enum|fn|const|static|type|trait|mod|use)\s+(\w+)")


def items_of(text: str) -> set[str]:
    """The names a file makes public (enough to follow a glob re-export)."""
    return set(ITEM.findall(text))


def pub_use_paths(text: str) -> list[str]:
    return expand_use_groups(" ".join(re.findall(r"\bpub(?:\([^)]*\))?\s+use\s+[^;]+;", text)))


def reexported(mod: tuple, text: str, modules: set, texts: dict) -> dict[str, tuple]:
    """Name -> the descendant file that defines it, for the `pub use` lines of a module."""
    found = {}
    for p in pub_use_paths(text):
        target = resolve(p if p.startswith(("crate", "super", "self")) else "self::" + p, mod, modules)
        if target is None or target[: len(mod)] != mod or target == mod:
            continue
        name = p.split("::")[-1]
        if name == "*":
            for item in items_of(texts.get(target, "")):
                found[item] = target
        else:
            found[name] = target
    return found


def facade_targets(mod: tuple, text: str, modules: set) -> set[tuple]:
    """The descendants a module names only in `pub use` lines (re-exports, not use)."""
    reexports = set()
    for p in pub_use_paths(text):
        target = resolve(p if p.startswith(("crate", "super", "self")) else "self::" + p, mod, modules)
        if target is not None and target[: len(mod)] == mod and target != mod:
            reexports.add(target)
    # Still a dependency when the module's own code (outside `pub use`) names the file.
    code = re.sub(r"\bpub(?:\([^)]*\))?\s+use\s+[^;]+;", "", text)
    used = set()
    for p in expand_use_groups(code):
        full = p if p.startswith(("crate", "super", "self")) else "self::" + p
        t = resolve(full, mod, modules)
        if t is not None:
            used.add(t)
    for name in re.findall(r"\b(\w+)::", code):
        t = resolve("self::" + name, mod, modules)
        if t is not None and t != mod:
            used.add(t)
    return reexports - used


def main() -> int:
    src = Path(sys.argv[1] if len(sys.argv) > 1 else "src")
    files = {module_of(p, src): p for p in src.rglob("*.rs") if p.name != "main.rs"}
    modules = set(files)
    texts = {
        mod: strip_test_modules(strip_comments(path.read_text(encoding="utf-8")))
        for mod, path in files.items()
    }
    reexports = {mod: reexported(mod, text, modules, texts) for mod, text in texts.items()}
    graph: dict[tuple, set] = {m: set() for m in modules}
    for mod, text in texts.items():
        for p in expand_use_groups(text):
            if not p.startswith(("crate", "super", "self")):
                continue
            target = resolve(p, mod, modules)
            if target is None:
                continue
            # An item a folder's module re-exports from one of its files is that file's item:
            # `crate::disclosure::Threshold` depends on disclosure::threshold, not on the facade.
            rest = p.split("::")
            name = rest[-1] if rest else ""
            target = reexports.get(target, {}).get(name, target)
            if target == mod:
                continue
            graph[mod].add(target)
    # A facade's `pub use` of its own files is not a dependency of its code on them.
    for mod, text in texts.items():
        for child in facade_targets(mod, text, modules):
            graph[mod].discard(child)

    # Tarjan's strongly connected components.
    index = {}
    low = {}
    stack = []
    on_stack = set()
    comps = []
    counter = [0]

    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            comps.append(comp)

    for v in sorted(modules):
        if v not in index:
            visit(v)

    name = lambda m: "::".join(m) or "lib"
    cycles = [sorted(c) for c in comps if len(c) > 1]
    for comp in cycles:
        members = set(comp)
        print(f"import cycle among {len(comp)} modules:")
        for m in comp:
            targets = sorted(name(t) for t in graph[m] if t in members)
            print(f"  {name(m)} -> {', '.join(targets)}")
    if cycles:
        return 1
    print(f"no import cycle among {len(modules)} modules")
    return 0


if __name__ == "__main__":
    sys.exit(main())
