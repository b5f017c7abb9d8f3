#!/usr/bin/env python3
"""Generate the sync twins of prism's async source modules.

Every ``.../_async/<name>.py`` under ``src/prism`` (and the broken test variants under
``tests/broken/_async``) is the source of ``.../<name>.py`` one directory up.  The rewrite is token-based, so strings and comments stay intact except for class names:

* ``async def`` / ``async with`` / ``async for`` lose ``async``; ``await`` disappears;
* ``AsyncFoo`` becomes ``Foo``; ``foo_async`` becomes ``foo``; ``async_foo`` becomes ``foo``;
* async protocol names map to their sync twins (``__aenter__`` → ``__enter__``,
  ``StopAsyncIteration`` → ``StopIteration``, ``AsyncIterator`` → ``Iterator``, ...);
* module paths drop their ``_async`` component;
* strings and comments (docstrings above all) get the sync wording through the explicit table
  :data:`TEXT_REWRITES`: ``(async flavour)`` → ``(sync flavour)``, ``await`` and ``async def`` drop
  out of code examples, "many tasks" become "many threads", ``AsyncFoo`` → ``Foo``.  Wording the
  table cannot rewrite safely is written in the async source so that it reads right in both twins.

There is no ``if is_async():`` helper: every difference between the flavours is a name the
rename map knows (``run_async`` → ``run``, ``acquire_async`` → ``acquire``), so both twins stay
straight-line code.

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
TEST_SOURCE_ROOT = ROOT / "tests" / "broken"
"""The deliberately broken variants are written once too, as async source."""

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
KEEP = frozenset({"is_async"})  # a parameter name in non-generated code, not a flavour suffix
_QUOTED_NAME = re.compile(r"""^(["'])[A-Za-z_]\w*\1$""")

TEXT_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        # which flavour a module or class is
        (r"\(async flavour\)", "(sync flavour)"),
        (
            r"\(async source; the sync twin is generated\)",
            "(the sync twin, generated from the async source)",
        ),
        # protocol words: "an async context manager" -> "a context manager"
        (r"\ban async context manager\b", "a context manager"),
        (r"\basync (context manager|iterator|iterable|generator)\b", r"\1"),
        # code examples in docstrings
        (r"\basync (def|with|for)\b", r"\1"),
        (r"\bawait ", ""),
        (r"\ban awaited\b", "a"),
        # who runs concurrently: tasks in the async twin, threads in the sync one
        (r"\bmany tasks\b", "many threads"),
        (r"\banother (?:task or thread|thread or task)\b", "another thread"),
        (r"\bconcurrent tasks \(threads\)", "concurrent threads"),
        # class names
        (r"\bAsync([A-Z]\w*)", r"\1"),
    )
)
"""How text in strings and comments is rewritten for the sync twin, in order."""


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


def rewrite_text(text: str) -> str:
    """The sync wording of a string or comment of an async source (see :data:`TEXT_REWRITES`)."""
    for pattern, replacement in TEXT_REWRITES:
        text = pattern.sub(replacement, text)
    return text


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
            new = rewrite_text(tok.string)
            if new != tok.string:
                edits.append((start, end, new))
    out = source
    for start, stop, text in sorted(edits, reverse=True):
        out = out[:start] + text + out[stop:]
    return out


def targets() -> list[tuple[Path, Path]]:
    pairs = []
    sources = [*SOURCE_ROOT.rglob("_async/*.py"), *TEST_SOURCE_ROOT.glob("_async/*.py")]
    for src in sorted(sources):
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
