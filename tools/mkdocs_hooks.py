"""mkdocs hooks for the documentation site (``mkdocs.yml``: ``hooks``).

The README lives at the repository root, where GitHub shows it, and links into ``docs/``.  The
site serves it as ``readme.md``: its ``docs/...`` links are made relative to the docs folder, and
the docs pages' links to ``../README.md`` point at that page.  Everything else is left to
mkdocs' own link validation (strict mode fails on a broken link).

Docstrings use Sphinx roles (``:class:`~prism.types.Message```), which mkdocstrings renders as
text; they become cross-references to the API reference where the target is documented there
(``~`` shows the last component only, as in Sphinx), plain code otherwise.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
_DOCS_LINK = re.compile(r"\]\(docs/")
_ROLE = re.compile(
    r":(?:class|func|meth|attr|data|mod|exc|obj):<code>(?P<short>~?)(?P<target>[\w.]+)"
    r"(?P<call>\(\))?</code>"
)
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


def _role_to_reference(match: re.Match[str]) -> str:
    target = match["target"]
    shown = (target.rsplit(".", 1)[-1] if match["short"] else target) + (match["call"] or "")
    return f'<autoref identifier="{target}" optional><code>{shown}</code></autoref>'


def on_page_content(html: str, **_: Any) -> str:
    return _ROLE.sub(_role_to_reference, html)
