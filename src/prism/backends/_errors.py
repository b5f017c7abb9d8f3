"""The shape every backend's error translation follows (see httpx's map_exceptions)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from prism._redact import redact
from prism.errors import PrismError

__all__ = ["Translate", "translating"]

Translate = Callable[[BaseException], PrismError | None]
"""Maps a driver exception to the most specific prism error, or None for "unexpected"."""


@contextmanager
def translating(backend: str, operation: str, translate: Translate) -> Iterator[None]:
    """Run a block, turning driver exceptions into prism errors chained to the original."""
    try:
        yield
    except PrismError:
        raise
    except Exception as exc:
        err = translate(exc)
        if err is None:
            err = PrismError(f"unexpected {type(exc).__name__}: {redact(str(exc))}")
        err.backend = err.backend or backend
        err.operation = err.operation or operation
        raise err from exc
