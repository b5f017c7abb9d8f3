"""The backend author's guide runs as written, and it and the example package import only
public names.

Every ```python block of ``docs/writing-a-backend.md`` is executed, in order, as one module
named ``tiny_kv`` (so the plugin's ``"tiny_kv:TinyBackend"`` paths resolve) in a temporary
directory; a ```yaml block preceded by ``<!-- snippet: file NAME -->`` is written there as
``NAME`` first.  A block preceded by ``<!-- snippet: skip -->`` is a fragment and not run.
"""

from __future__ import annotations

import ast
import os
import re
import sys
import types
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import prism.plugins

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "writing-a-backend.md"
EXAMPLE = ROOT / "examples" / "prism-example-backend" / "src"
MODULE = "tiny_kv"
PUBLIC_MODULES = {"prism", "prism.errors", "prism.backends", "prism.testing", "prism.plugins"}

_BLOCK = re.compile(
    r"(?:<!--\s*snippet:\s*(?P<marker>[^>]*?)\s*-->\s*\n)?```(?P<lang>\w+)\n(?P<code>.*?)\n```",
    re.DOTALL,
)


@dataclass(frozen=True)
class Block:
    lang: str
    marker: str
    code: str
    line: int


def blocks(path: Path) -> list[Block]:
    text = path.read_text(encoding="utf-8")
    return [
        Block(m["lang"], m["marker"] or "", m["code"], text.count("\n", 0, m.start("code")) + 1)
        for m in _BLOCK.finditer(text)
    ]


@pytest.fixture
def in_tmp(tmp_path: Path) -> Iterator[Path]:
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(old)


def test_the_guide_runs_as_written(in_tmp: Path) -> None:
    found = blocks(GUIDE)
    python = [b for b in found if b.lang == "python"]
    runnable = [b for b in python if b.marker != "skip"]
    assert len(runnable) >= 6 and len(runnable) >= 0.8 * len(python), "most blocks must run"
    module = types.ModuleType(MODULE)
    module.__file__ = str(in_tmp / f"{MODULE}.py")
    sys.modules[MODULE] = module
    try:
        for block in found:
            if block.marker.startswith("file "):
                (in_tmp / block.marker.removeprefix("file ").strip()).write_text(block.code + "\n")
        for block in runnable:
            code = compile(block.code, f"{GUIDE.name}:{block.line}", "exec")
            exec(code, module.__dict__)  # noqa: S102 (the documentation's own code)
    finally:
        if prism.plugins.get_plugin_manager().get_plugin("tiny-kv-plugin") is not None:
            prism.plugins.unregister(name="tiny-kv-plugin")
        sys.modules.pop(MODULE, None)


def test_the_guide_backend_passes_the_registry_check(in_tmp: Path) -> None:
    """The classes the guide builds match the declaration it writes."""
    from prism.registry.registry import get_registry

    module = types.ModuleType(MODULE)
    module.__file__ = str(in_tmp / f"{MODULE}.py")
    sys.modules[MODULE] = module
    try:
        for block in blocks(GUIDE):
            if block.marker.startswith("file "):
                (in_tmp / block.marker.removeprefix("file ").strip()).write_text(block.code + "\n")
            elif block.lang == "python" and block.marker != "skip":
                exec(compile(block.code, GUIDE.name, "exec"), module.__dict__)  # noqa: S102
        assert get_registry().backend("tiny-kv").check() == []
    finally:
        prism.plugins.unregister(name="tiny-kv-plugin")
        sys.modules.pop(MODULE, None)


def _private_imports(tree: ast.AST) -> list[str]:
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("prism"):
            if node.module not in PUBLIC_MODULES:
                out.append(f"from {node.module} import ...")
            out += [f"{node.module}.{a.name}" for a in node.names if a.name.startswith("_")]
        elif isinstance(node, ast.Import):
            out += [
                a.name
                for a in node.names
                if a.name.startswith("prism") and a.name not in PUBLIC_MODULES
            ]
    return out


def test_the_guide_imports_only_public_names() -> None:
    for block in blocks(GUIDE):
        if block.lang == "python":
            assert _private_imports(ast.parse(block.code)) == [], f"block at line {block.line}"


@pytest.mark.parametrize(
    "path", sorted(EXAMPLE.rglob("*.py")), ids=lambda p: str(p.relative_to(EXAMPLE))
)
def test_the_example_package_imports_only_public_names(path: Path) -> None:
    assert _private_imports(ast.parse(path.read_text(encoding="utf-8"))) == []


def test_public_modules_export_what_they_promise() -> None:
    import prism.backends
    import prism.testing

    for module in (prism.backends, prism.testing):
        assert module.__all__ == sorted(module.__all__, key=str.lower) or module.__all__
        for name in module.__all__:
            assert getattr(module, name) is not None, f"{module.__name__}.{name}"
    assert {"Backend", "AsyncBackend", "Facet", "AsyncFacet", "BackendSettings"} <= set(
        prism.backends.__all__
    )
    assert {"translating", "BackendPlugin", "hookimpl"} <= set(prism.backends.__all__)
    assert {
        "TestServer",
        "ServerProcess",
        "free_port",
        "wait_until",
        "find_binary",
        "env_url",
        "ManualClock",
    } <= set(prism.testing.__all__)
