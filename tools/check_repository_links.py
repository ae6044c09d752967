#!/usr/bin/env python3
"""Checks that the repository stands on its own: no file points outside it, and every Markdown
link resolves in a fresh clone.

Exit 1, listing each offender as `path:line: what`, when

(a) a text file refers to the sibling folder `shared` beside the repository (dot-dot, slash,
    `shared`) or to its `peer-data`, to an absolute path under the machine's `/work` folder, or
    to a relative path whose dot-dot segments climb out of the repository. A relative path is
    resolved against the folder of the file that holds it, which is how `include_str!` and
    Markdown links read it, so an `include_str!` in a Rust file that climbs to the repository
    root and down into `assets/` is allowed;
(b) a Markdown link or image `[text](target)`, or a reference definition `[label]: target`, in a
    `.md` file points to a relative path that is not in the repository. Links with a URL scheme
    (`https:`, `http:`, `mailto:`, ...) and pure `#anchors` are not checked; a `#fragment` or
    `?query` is stripped first; a target that starts with `/` is taken from the repository root,
    as GitHub does. Fenced code blocks and inline code are not links.

The files are those git tracks and the new ones it would add (`git ls-files --cached --others
--exclude-standard`), so a check before a commit sees the files about to be committed; a path is
"in the repository" when it is one of them or a folder holding one of them. Binary files (a NUL
byte in them) are skipped.

Exit 0 with a one-line summary otherwise. Standard library only.

Usage: tools/check_repository_links.py [--root DIR] [--skip PREFIX ...]
"""

import argparse
import os
import re
import subprocess
import sys
from urllib.parse import unquote

# Built from parts so that this file does not match its own patterns.
DOTDOT = ".."
SHARED_SIBLING = DOTDOT + "/shared"
PEER_DATA = "shared/" + "peer-data"
WORK_ABSOLUTE = "/" + "work/"

# (a) the three kinds of reference to the outside.
OUTSIDE_PATTERNS = [
    (re.compile(re.escape(SHARED_SIBLING) + r"\b"), "refers to the shared folder beside the repository"),
    (re.compile(r"(?<![\w/-])" + re.escape(PEER_DATA)), "refers to the shared peer-data folder outside the repository"),
    (re.compile(r"(?<![\w.~-])" + re.escape(WORK_ABSOLUTE)), "refers to an absolute path outside the repository"),
]
# A relative path that starts with one or more dot-dot segments (not one inside a longer path or
# a URL: the character before it is no path character).
CLIMBING = re.compile(r"(?<![\w.~/$-])((?:\.\./)+[\w.\-/]*)")

# (b) Markdown links.
FENCE = re.compile(r"^\s{0,3}(```|~~~)")
INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1")
INLINE_LINK = re.compile(
    r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?\s*\)"
)
REFERENCE_DEFINITION = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)")
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


def repository_root(start):
    out = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=start,
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"check_repository_links: {start} is not in a git repository: {out.stderr.strip()}")
    return out.stdout.strip()


def repository_files(root):
    """The files git tracks and the new ones it would add, that exist in the working tree."""
    out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                         cwd=root, capture_output=True, check=True)
    names = sorted({n for n in out.stdout.decode("utf-8").split("\0") if n})
    return [n for n in names if os.path.isfile(os.path.join(root, n))]


def folders_of(files):
    folders = set()
    for name in files:
        parent = os.path.dirname(name)
        while parent and parent not in folders:
            folders.add(parent)
            parent = os.path.dirname(parent)
    return folders


def read_text(path):
    """The file's text, or None for a binary file."""
    with open(path, "rb") as f:
        data = f.read()
    if b"\0" in data:
        return None
    return data.decode("utf-8", errors="replace")


def leaves_repository(relative_to_root):
    return relative_to_root == DOTDOT or relative_to_root.startswith(DOTDOT + "/")


def resolve(name, target):
    """`target` as written in the file `name` (both relative to the root), normalised and
    relative to the root; a target starting with `/` is taken from the root."""
    if target.startswith("/"):
        return os.path.normpath(target.lstrip("/")) if target.strip("/") else "."
    return os.path.normpath(os.path.join(os.path.dirname(name), target))


def outside_references(name, text, problems):
    for number, line in enumerate(text.splitlines(), 1):
        flagged = []
        for pattern, what in OUTSIDE_PATTERNS:
            for m in pattern.finditer(line):
                start, end, token = path_around(line, m.start(), m.end())
                if any(start < e and s < end for s, e in flagged):
                    continue
                flagged.append((start, end))
                problems.setdefault((name, number, token.rstrip("/")), f"{what}: {token}")
        for m in CLIMBING.finditer(line):
            token = m.group(1)
            if any(m.start() < e and s < m.end() for s, e in flagged):
                continue
            if leaves_repository(resolve(name, token)):
                problems.setdefault(
                    (name, number, token.rstrip("/")),
                    f"relative path climbs out of the repository: {token}",
                )


PATH_CHARACTER = re.compile(r"[\w.~/-]")


def path_around(line, start, end):
    """The whole path a match lies in: the run of path characters around it."""
    while start > 0 and PATH_CHARACTER.match(line[start - 1]):
        start -= 1
    while end < len(line) and PATH_CHARACTER.match(line[end]):
        end += 1
    return start, end, line[start:end]


def markdown_targets(text):
    """(line number, target) of every link and reference definition outside code."""
    fenced = None
    for number, line in enumerate(text.splitlines(), 1):
        fence = FENCE.match(line)
        if fenced:
            if fence and fence.group(1) == fenced:
                fenced = None
            continue
        if fence:
            fenced = fence.group(1)
            continue
        prose = INLINE_CODE.sub("", line)
        for m in INLINE_LINK.finditer(prose):
            yield number, m.group(1)
        m = REFERENCE_DEFINITION.match(prose)
        if m:
            yield number, m.group(1)


def broken_links(name, text, known, problems):
    checked = 0
    for number, target in markdown_targets(text):
        target = target.strip("<>").strip()
        if not target or target.startswith("#") or SCHEME.match(target):
            continue
        path = unquote(re.split(r"[#?]", target, maxsplit=1)[0])
        if not path:
            continue
        checked += 1
        resolved = resolve(name, path)
        key = (name, number, path.rstrip("/"))
        if leaves_repository(resolved):
            problems.setdefault(key, f"link points outside the repository: {target}")
        elif resolved != "." and resolved not in known:
            problems.setdefault(key, f"link target does not exist in the repository: {target}")
    return checked


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", default=None,
                    help="the repository (default: the one holding this script)")
    ap.add_argument("--skip", action="append", default=[], metavar="PREFIX",
                    help="leave out files whose path starts with PREFIX (e.g. src/); repeatable")
    args = ap.parse_args(argv)
    root = repository_root(args.root or os.path.dirname(os.path.abspath(__file__)))
    files = repository_files(root)
    known = set(files) | folders_of(files)
    problems = {}
    scanned = links = 0
    for name in files:
        if any(name.startswith(prefix) for prefix in args.skip):
            continue
        text = read_text(os.path.join(root, name))
        if text is None:
            continue
        scanned += 1
        outside_references(name, text, problems)
        if name.lower().endswith(".md"):
            links += broken_links(name, text, known, problems)
    if problems:
        for (name, number, _), what in sorted(problems.items()):
            print(f"{name}:{number}: {what}")
        print(f"check_repository_links: {len(problems)} problem(s) in "
              f"{len({k[0] for k in problems})} file(s) ({scanned} text files scanned, "
              f"{links} Markdown links checked)", file=sys.stderr)
        return 1
    print(f"check_repository_links: {scanned} text files scanned, {links} Markdown links checked: "
          "nothing points outside the repository, every link resolves")
    return 0


if __name__ == "__main__":
    sys.exit(main())
