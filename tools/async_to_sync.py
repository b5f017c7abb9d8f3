#!/usr/bin/env python3
"""Generate the sync twins of prism's async source modules.

Every ``.../_async/<name>.py`` under ``src/prism`` is the source of ``.../<name>.py`` one directory
up.  The rewrite is token-based, so strings and comments stay intact except for class names:

* ``async def`` / ``async with`` / ``async for`` lose ``async``; ``await`` disappears;
* ``AsyncFoo`` becomes ``Foo``; ``foo_async`` becomes ``foo``; ``async_foo`` becomes ``foo``;
* async protocol names map to their sync twins (``__aenter__`` → ``__enter__``,
  ``StopAsyncIteration`` → ``StopIteration``, ``AsyncIterator`` → ``Iterator``, ...);
* module paths drop their ``_async`` component.

``python tools/async_to_sync.py --check`` exits 1 when a generated file is stale (CI runs it).
"""

from __future__ import annotations

import argparse
import io
import keyword
import re
import subprocess
import sys
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE_ROOT = ROOT / "src" / "prism"

SPECIAL = {
    "__aenter__": "__enter__",
    "__aexit__": "__exit__",
    "__aiter__": "__iter__",
    "__anext__": "__next__",
    "StopAsyncIteration": "StopIteration",
    "AsyncIterator": "Iterator",
    "AsyncIterable": "Iterable",
    "AsyncGenerator": "Generator",
    "AsyncExitStack": "ExitStack",
    "asynccontextmanager": "contextmanager",
    "aclose": "close",
    "anext": "next",
    "aiter": "iter",
    "acquire_async": "acquire",
}
KEEP = frozenset({"is_async"})
_QUOTED_NAME = re.compile(r"""^(["'])[A-Za-z_]\w*\1$""")
_ASYNC_CLASS = re.compile(r"\bAsync([A-Z]\w*)")


def rename(name: str) -> str:
    if name in KEEP:
        return name
    if name in SPECIAL:
        return SPECIAL[name]
    if name.startswith("Async") and len(name) > 5 and name[5].isupper():
        return name[5:]
    if name.endswith("_async") and len(name) > 6:
        return name[:-6]
    if name.startswith("async_") and len(name) > 6:
        return name[6:]
    return name


def transform(source: str) -> str:
    lines = source.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))

    def pos(rc: tuple[int, int]) -> int:
        return offsets[rc[0] - 1] + rc[1]

    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    edits: list[tuple[int, int, str]] = []
    for i, tok in enumerate(tokens):
        start, end = pos(tok.start), pos(tok.end)
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if tok.type == tokenize.NAME:
            if tok.string == "await" or (
                tok.string == "async" and nxt is not None and nxt.string in ("def", "with", "for")
            ):
                # drop the keyword and the blank that follows it
                stop = end + 1 if source[end : end + 1] == " " else end
                edits.append((start, stop, ""))
            elif tok.string == "_async" and nxt is not None and nxt.string == ".":
                edits.append((start, pos(nxt.end), ""))
            else:
                new = rename(tok.string)
                if new != tok.string and keyword.iskeyword(new):
                    msg = f"line {tok.start[0]}: renaming {tok.string!r} gives keyword {new!r}"
                    raise ValueError(msg)
                if new != tok.string:
                    edits.append((start, end, new))
        elif tok.type == tokenize.STRING and _QUOTED_NAME.match(tok.string):
            new = tok.string[0] + rename(tok.string[1:-1]) + tok.string[-1]
            if new != tok.string:
                edits.append((start, end, new))
        elif tok.type in (tokenize.STRING, tokenize.COMMENT):
            new = _ASYNC_CLASS.sub(r"\1", tok.string)
            new = re.sub(r"\basync (with|for)\b", r"\1", new)
            new = new.replace("async context manager", "context manager")
            new = new.replace("async iterator", "iterator")
            if new != tok.string:
                edits.append((start, end, new))
    out = source
    for start, stop, text in sorted(edits, reverse=True):
        out = out[:start] + text + out[stop:]
    return out


def targets() -> list[tuple[Path, Path]]:
    pairs = []
    for src in sorted(SOURCE_ROOT.rglob("_async/*.py")):
        if src.name == "__init__.py":
            continue
        pairs.append((src, src.parent.parent / src.name))
    return pairs


def _ruff(args: list[str], text: str, dst: Path) -> str:
    """Pipe ``text`` through ruff (import sorting, formatting) as if it were ``dst``."""
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", *args, "--stdin-filename", str(dst), "-"],
        input=text,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    if proc.returncode not in (0, 1) or not proc.stdout:
        msg = f"ruff {' '.join(args)} failed on {dst}: {proc.stderr.strip()}"
        raise RuntimeError(msg)
    return proc.stdout


def render(src: Path, dst: Path) -> str:
    rel = src.relative_to(ROOT).as_posix()
    header = (
        f"# Generated from {rel} by tools/async_to_sync.py: do not edit.\n"
        "# Edit the async source and run `python tools/async_to_sync.py`.\n"
    )
    text = header + transform(src.read_text(encoding="utf-8"))
    text = _ruff(
        [
            "check",
            "--fix-only",
            "--unsafe-fixes",
            "--select",
            "I,F401,UP028",
            "--quiet",
            "--exit-zero",
        ],
        text,
        dst,
    )
    return _ruff(["format", "--quiet"], text, dst)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if a generated file is stale")
    args = parser.parse_args(argv)
    stale = []
    for src, dst in targets():
        text = render(src, dst)
        current = dst.read_text(encoding="utf-8") if dst.exists() else None
        if current != text:
            stale.append(dst)
            if not args.check:
                dst.write_text(text, encoding="utf-8")
    if args.check and stale:
        for path in stale:
            print(f"stale: {path.relative_to(ROOT)}", file=sys.stderr)
        print("run: python tools/async_to_sync.py", file=sys.stderr)
        return 1
    if not args.check:
        for path in stale:
            print(f"generated {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
