# Generated from src/prism/backends/redis/_async/_facet.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""What every redis facet shares: the key prefixes, the clients, error translation, scripts."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from prism.backends._errors import translated
from prism.backends.base import Facet
from prism.backends.redis._errors import NoScriptError, translate
from prism.backends.redis._keys import model_prefix, namespace_tag
from prism.errors import PrismError

if TYPE_CHECKING:
    from prism.backends.redis.backend import RedisBackend

__all__ = ["RedisFacet", "Script", "run_script"]


class RedisFacet(Facet):
    """Base of the redis facets.

    ``_c`` is the main client (``Redis`` or ``RedisCluster``; cluster clients route each
    command by its keys' slot); ``_node()`` is a plain client to the node serving this
    namespace's slot (the main client on a standalone server).  ``_p`` is the prefix of this
    model's keys in this namespace (see ``_keys.py``).  Clients are typed ``Any``: redis-py's
    sync and async clients differ in type, and this source serves both.
    """

    _model: ClassVar[str] = ""

    def __init__(self, backend: RedisBackend, namespace: str) -> None:
        super().__init__(backend, namespace)
        self._b = backend
        self._c: Any = backend.client
        self._name = backend.name
        root = backend.config.key_prefix
        self._tag = namespace_tag(root, namespace)
        self._p = model_prefix(root, namespace, self._model)
        self._plen = len(self._p)
        prefix = self._p.decode()
        self._ps = prefix
        self._sep = "\x00" + prefix

    def _k(self, key: str) -> bytes:
        return self._p + key.encode()

    def _ks(self, keys: Sequence[str]) -> list[bytes]:
        """The Redis keys of several names (at least one) in three C-level steps: names never
        contain NUL (checked before any call reaches here), so join, encode and split is exact."""
        return (self._ps + self._sep.join(keys)).encode().split(b"\x00")

    def _node(self) -> Any:
        return self._b.node_client(self._tag)

    def _fail(self, exc: BaseException, operation: str) -> PrismError:
        """The translated error to raise for ``exc`` (hot paths: ``raise self._fail(exc, op)
        from exc``); re-raises ``exc`` unchanged when it is not redis-py's."""
        return translated(exc, self._name, operation, translate)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._name} namespace={self.namespace!r}>"


@dataclass(frozen=True, slots=True)
class Script:
    """A Lua script, run with EVALSHA (falling back to EVAL once the server lost it)."""

    text: str
    sha: str

    @classmethod
    def of(cls, text: str) -> Script:
        return cls(text, hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest())


def run_script(client: Any, script: Script, keys: Sequence[bytes], args: Sequence[Any]) -> Any:
    """Run ``script`` atomically on the node of ``keys`` (all in one slot)."""
    try:
        return client.evalsha(script.sha, len(keys), *keys, *args)
    except NoScriptError:
        return client.eval(script.text, len(keys), *keys, *args)
