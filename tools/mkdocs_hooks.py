"""mkdocs hooks for the documentation site (``mkdocs.yml``: ``hooks``).

The README lives at the repository root, where GitHub shows it, and links into ``docs/``.  The
site serves it as ``readme.md``: its ``docs/...`` links are made relative to the docs folder, and
the docs pages' links to ``../README.md`` point at that page.  Everything else is left to
mkdocs' own link validation (strict mode fails on a broken link).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
_DOCS_LINK = re.compile(r"\]\(docs/")
_README_LINK = re.compile(r"\]\((?P<up>(?:\.\./)+)README\.md(?P<anchor>#[^)]*)?\)")


def readme_for_site() -> str:
    """The README, its ``docs/...`` links relative to the docs folder."""
    return _DOCS_LINK.sub("](", README.read_text(encoding="utf-8"))


def on_files(files: Files, config: Any) -> Files:
    files.append(File.generated(config, "readme.md", content=readme_for_site()))
    return files


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    depth = page.file.src_uri.count("/")

    def to_page(match: re.Match[str]) -> str:
        if len(match["up"]) // 3 != depth + 1:  # not the repository root's README
            return match[0]
        return f"]({'../' * depth}readme.md{match['anchor'] or ''})"

    return _README_LINK.sub(to_page, markdown)
