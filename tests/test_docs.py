"""The docs stay inside the repository: every relative link resolves to a file here, no page or
docstring cites a file that is not in the repository, and the API reference names every
interface in both forms.  (``mkdocs build --strict``, run by CI and ``nox -s docs``, checks
the rendered site: cross-references, anchors, pages missing from the nav.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from prism.interfaces import CATALOG, MODELS

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])
SOURCES = sorted((ROOT / "src" / "prism").rglob("*.py"))

_FENCE = re.compile(r"^(```|~~~).*?^\1", re.DOTALL | re.MULTILINE)
_CODE_SPAN = re.compile(r"`[^`\n]*`")
_INLINE_LINK = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_REFERENCE_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+\"[^\"]*\")?\s*$", re.MULTILINE)
_HTML_LINK = re.compile(r"""(?:href|src)\s*=\s*["']([^"']+)["']""")
_EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//|#)", re.IGNORECASE)
_MENTIONED_FILE = re.compile(r"(?<![\w/.-])((?:\.{1,2}/)*[\w.-]+(?:/[\w.-]+)*\.md)\b")


def relative_links(text: str) -> list[str]:
    """The link targets of a Markdown text that are paths (not URLs or bare anchors); code blocks
    and code spans are not links."""
    prose = _CODE_SPAN.sub("", _FENCE.sub("", text))
    found = [
        *_INLINE_LINK.findall(prose),
        *_REFERENCE_DEF.findall(prose),
        *_HTML_LINK.findall(prose),
    ]
    return [target for target in found if not _EXTERNAL.match(target)]


def broken(page: Path, target: str) -> str | None:
    """Why ``target`` (a link on ``page``) is wrong, or None."""
    path = target.split("#", 1)[0].split("?", 1)[0]
    if not path:
        return None
    if path.startswith("/"):
        return "an absolute path (it means nothing outside this machine)"
    resolved = (page.parent / path).resolve()
    if not resolved.is_relative_to(ROOT):
        return "it leaves the repository"
    if not resolved.exists():
        return "the file does not exist"
    return None


def test_the_link_finder_finds_links_and_skips_code() -> None:
    text = (
        'See [a](a.md), [b](../b.md#x "title"), [web](https://example.org), [top](#top).\n'
        "[ref]: sub/c.md\n"
        "`[not](a/link.md)`\n"
        "```\n[nor](this.md)\n```\n"
        '<a href="d.md">d</a>\n'
    )
    assert relative_links(text) == ["a.md", "../b.md#x", "sub/c.md", "d.md"]


def test_a_link_that_leaves_the_repository_or_misses_is_reported(tmp_path: Path) -> None:
    page = ROOT / "docs" / "index.md"
    assert broken(page, "../../shared/spec/catalog.md") == "it leaves the repository"
    assert broken(page, "nope.md") == "the file does not exist"
    assert broken(page, "/etc/passwd") is not None
    assert broken(page, "../README.md#quickstart") is None
    assert broken(page, "backends/redis.md") is None


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_stays_in_the_repository_and_resolves(page: Path) -> None:
    problems = [
        f"{target}: {why}"
        for target in relative_links(page.read_text(encoding="utf-8"))
        if (why := broken(page, target)) is not None
    ]
    assert problems == [], f"{page.relative_to(ROOT)}: {problems}"


def _mentions(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return [m for m in _MENTIONED_FILE.findall(text) if not _EXTERNAL.match(m)]


def test_no_page_or_docstring_cites_a_file_that_is_not_in_the_repository() -> None:
    """A mention such as ``docs/backends/sqlite.md`` or ``../README.md`` must name a file of
    this repository (relative to the mentioning file or to the repository root)."""
    missing = []
    for path in [*PAGES, *SOURCES, ROOT / "examples" / "prism-example-backend" / "README.md"]:
        for mention in _mentions(path):
            candidates = (path.parent / mention, ROOT / mention)
            inside = [c.resolve() for c in candidates if c.resolve().is_relative_to(ROOT)]
            if not any(c.exists() for c in inside):
                missing.append(f"{path.relative_to(ROOT)}: {mention}")
    assert missing == []
    for path in [*PAGES, *SOURCES]:
        assert "shared/spec" not in path.read_text(encoding="utf-8"), path


def test_the_api_reference_names_every_interface_in_both_forms() -> None:
    for model in MODELS:
        page = (ROOT / "docs" / "reference" / "interfaces" / f"{model}.md").read_text(
            encoding="utf-8"
        )
        for name, entry in CATALOG.items():
            if entry.model != model:
                continue
            assert f"::: prism.{entry.async_.__name__}\n" in page, entry.async_
            assert f"::: prism.{entry.sync.__name__}\n" in page, entry.sync
            assert f"`{name}`" in page, name


def test_the_site_config_builds_strictly_into_an_ignored_folder() -> None:
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert re.search(r"^strict: true$", config, re.MULTILINE)
    site_dir = re.search(r"^site_dir: (\S+)$", config, re.MULTILINE)
    assert site_dir is not None
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    top = site_dir[1].split("/")[0]
    assert f"/{top}/" in ignored or f"{top}/" in ignored
    for page in re.findall(r":\s*([\w/.-]+\.md)\s*$", config, re.MULTILINE):
        assert page == "readme.md" or (ROOT / "docs" / page).exists(), page
