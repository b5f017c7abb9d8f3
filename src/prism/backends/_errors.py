"""The one error-translation helper every backend uses ("translate what you know, let bugs
through", as httpx's ``map_httpcore_exceptions`` does).

A backend writes one ``translate`` function: it maps each exception of its *driver* (including the
driver's base class, as a last resort to a plain :class:`~prism.errors.PrismError`) to the most
specific prism error, and returns ``None`` for anything else.  Whatever ``translate`` does not
know (a ``TypeError`` or ``KeyError`` from prism's own code, say) propagates unchanged, so
``except PrismError`` never hides a bug.  A ``PrismError`` raised inside the block also passes
through untouched.

Two spellings of the same rule:

* :func:`translating` — a context manager, for code where an extra ``with`` costs nothing::

      with translating("sqlite", "open", translate):
          conn = sqlite3.connect(path)

* :func:`translated` — for hot paths, where a bare ``try``/``except`` is free when nothing is
  raised::

      try:
          return await client.get(key)
      except Exception as exc:
          raise translated(exc, "redis", "get", translate) from exc
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from prism.errors import PrismError

__all__ = ["Translate", "translated", "translating"]

Translate = Callable[[BaseException], PrismError | None]
"""Maps a driver exception to the most specific prism error; ``None`` for anything that is not
the driver's (which then propagates unchanged)."""


def translated(
    exc: BaseException, backend: str, operation: str, translate: Translate
) -> PrismError:
    """The prism error to raise, chained, for driver exception ``exc``.

    Call it inside ``except`` as ``raise translated(exc, backend, operation, translate) from
    exc``.  When ``exc`` is already a :class:`PrismError`, or ``translate`` does not know it
    (returns ``None``), this re-raises ``exc`` itself unchanged instead of returning.  The error
    returned carries ``backend`` and ``operation`` unless ``translate`` set them.
    """
    if isinstance(exc, PrismError):
        raise exc
    err = translate(exc)
    if err is None:
        raise exc
    err.backend = err.backend or backend
    err.operation = err.operation or operation
    return err


@contextmanager
def translating(backend: str, operation: str, translate: Translate) -> Iterator[None]:
    """Run a block, raising driver exceptions as prism errors chained to the original (see
    :func:`translated`); every other exception leaves the block unchanged."""
    try:
        yield
    except Exception as exc:
        raise translated(exc, backend, operation, translate) from exc
