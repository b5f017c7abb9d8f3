"""tools/async_to_sync.py: a small async source in, the expected sync twin out."""

from __future__ import annotations

import importlib.util
import io
import sys
import tokenize
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("async_to_sync", ROOT / "tools/async_to_sync.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("async_to_sync", module)
    spec.loader.exec_module(module)
    return module


gen = _load()


def test_code_loses_async_and_names_map_to_their_sync_twins() -> None:
    source = (
        "from prism.backends._async.base import AsyncFacet\n"
        "\n"
        "\n"
        "class AsyncThing(AsyncFacet):\n"
        "    async def get_async(self, key: str) -> bytes:\n"
        "        async with self._lock:\n"
        "            async for item in self._items.__aiter__():\n"
        "                await self.db.run_async(item)\n"
        "        return await self.fetch('acquire_async')\n"
    )
    assert gen.transform(source) == (
        "from prism.backends.base import Facet\n"
        "\n"
        "\n"
        "class Thing(Facet):\n"
        "    def get(self, key: str) -> bytes:\n"
        "        with self._lock:\n"
        "            for item in self._items.__iter__():\n"
        "                self.db.run(item)\n"
        "        return self.fetch('acquire')\n"
    )


def test_is_async_is_a_name_not_a_flavour_suffix() -> None:
    assert gen.transform("is_async = True\n") == "is_async = True\n"


@pytest.mark.parametrize(
    ("async_text", "sync_text"),
    [
        (
            '"""The redis backend class (async flavour)."""',
            '"""The redis backend class (sync flavour)."""',
        ),
        (
            '"""Base classes (async source; the sync twin is generated)."""',
            '"""Base classes (the sync twin, generated from the async source)."""',
        ),
        ('"""As an async context manager it commits."""', '"""As a context manager it commits."""'),
        (
            '"""An active subscription: an async iterator."""',
            '"""An active subscription: an iterator."""',
        ),
        (
            '"""Safe to call from many tasks at once."""',
            '"""Safe to call from many threads at once."""',
        ),
        (
            '"""A close from another thread or task wakes it."""',
            '"""A close from another thread wakes it."""',
        ),
        (
            '"""Which another task or thread makes true."""',
            '"""Which another thread makes true."""',
        ),
        (
            '"""Lets concurrent tasks (threads) interleave."""',
            '"""Lets concurrent threads interleave."""',
        ),
        ('"""Whether an awaited ``value`` equals it."""', '"""Whether a ``value`` equals it."""'),
        ('"""Returns the AsyncTransaction."""', '"""Returns the Transaction."""'),
        ("# the result of await fetch(key)\n", "# the result of fetch(key)\n"),
    ],
)
def test_docstrings_and_comments_get_the_sync_wording(async_text: str, sync_text: str) -> None:
    assert gen.transform(f"{async_text}\n") == f"{sync_text}\n"


def test_code_examples_in_docstrings_become_sync_code() -> None:
    source = '''"""Example::

    async def test_it(self) -> None:
        kv = (await self.open()).keyvalue
        await kv.set("k", b"v")
        async with kv.begin() as tx:
            assert await tx.get("k") == b"v"
"""
'''
    assert (
        gen.transform(source)
        == '''"""Example::

    def test_it(self) -> None:
        kv = (self.open()).keyvalue
        kv.set("k", b"v")
        with kv.begin() as tx:
            assert tx.get("k") == b"v"
"""
'''
    )


def test_words_that_only_look_async_are_kept() -> None:
    text = '"""The async flavour runs on a worker; the sync flavour on the caller\'s thread."""\n'
    assert gen.transform(text) == text  # describes both flavours: right in both twins


ASYNC_ONLY = (
    "(async flavour)",
    "async source; the sync twin",
    "await ",
    "awaited",
    "coroutine",
    "many tasks",
    "task or thread",
    "thread or task",
    "an context manager",
)


def test_no_generated_twin_keeps_async_wording() -> None:
    found = []
    for _source, dst in gen.targets():
        text = dst.read_text(encoding="utf-8")
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type not in (tokenize.STRING, tokenize.COMMENT):
                continue
            found += [
                f"{dst.relative_to(ROOT)}:{tok.start[0]}: {phrase!r}"
                for phrase in ASYNC_ONLY
                if phrase in tok.string
            ]
    assert found == []
