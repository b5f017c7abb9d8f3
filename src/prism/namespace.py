# Generated from src/prism/_async/namespace.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""A namespace: one facet per data model over the connection it was resolved to."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from prism._compat import Call
from prism.errors import UnsupportedError
from prism.interfaces import MODELS

if TYPE_CHECKING:
    from prism.health import Health
    from prism.interfaces import (
        DocumentBasic,
        GraphBasic,
        KeyValueBasic,
        ListBasic,
        PubSubBasic,
        QueueBasic,
        SetBasic,
        SortedSetBasic,
        StreamBasic,
        TimeSeriesBasic,
    )

__all__ = ["Namespace"]


class Namespace:
    """An opened namespace.

    Each data model is an attribute (``keyvalue``, ``pubsub``, ``stream``, ``queue``, ``list``,
    ``set``, ``sortedset``, ``timeseries``, ``graph``, ``document``) whose object implements
    exactly the interfaces the backend declares for that model, so ``isinstance(ns.keyvalue,
    prism.KeyValueTTL)`` answers "can it?".  Using a model the backend lacks raises
    ``UnsupportedError``.  Closing the namespace releases its share of the connection.
    """

    def __init__(
        self,
        name: str,
        backend_name: str,
        facets: dict[str, Any],
        release: Call[None],
        alternatives: Callable[[str], list[str]],
    ) -> None:
        self.name = name
        self.backend_name = backend_name
        self._facets = facets
        self._release: Call[None] | None = release
        self._alternatives = alternatives

    def facet(self, model: str) -> Any:
        """The object for ``model``; ``UnsupportedError`` when the backend has none."""
        found = self._facets.get(model)
        if found is None:
            if model not in MODELS:
                msg = f"{model!r} is not a data model (models: {', '.join(MODELS)})"
                raise UnsupportedError(msg)
            others = self._alternatives(model)
            hint = (
                f"configured backends with {model}: {', '.join(others)}"
                if others
                else f"no configured backend implements {model}"
            )
            msg = (
                f"namespace {self.name!r} is served by {self.backend_name}, which implements "
                f"no {model} interface; {hint}"
            )
            raise UnsupportedError(msg)
        if self._release is None:
            msg = f"namespace {self.name!r} is closed"
            raise UnsupportedError(msg)
        return found

    @property
    def models(self) -> frozenset[str]:
        """The data models this namespace serves."""
        return frozenset(self._facets)

    @property
    def keyvalue(self) -> KeyValueBasic:
        return self.facet("keyvalue")  # type: ignore[no-any-return]

    @property
    def pubsub(self) -> PubSubBasic:
        return self.facet("pubsub")  # type: ignore[no-any-return]

    @property
    def stream(self) -> StreamBasic:
        return self.facet("stream")  # type: ignore[no-any-return]

    @property
    def queue(self) -> QueueBasic:
        return self.facet("queue")  # type: ignore[no-any-return]

    @property
    def list(self) -> ListBasic:
        return self.facet("list")  # type: ignore[no-any-return]

    @property
    def set(self) -> SetBasic:
        return self.facet("set")  # type: ignore[no-any-return]

    @property
    def sortedset(self) -> SortedSetBasic:
        return self.facet("sortedset")  # type: ignore[no-any-return]

    @property
    def timeseries(self) -> TimeSeriesBasic:
        return self.facet("timeseries")  # type: ignore[no-any-return]

    @property
    def graph(self) -> GraphBasic:
        return self.facet("graph")  # type: ignore[no-any-return]

    @property
    def document(self) -> DocumentBasic:
        return self.facet("document")  # type: ignore[no-any-return]

    def health(self, timeout: float | None = 5.0) -> Health:
        """One real round trip to this namespace's backend and its latency (never raises:
        ``Health.ok`` is False and ``Health.error`` says why).  See :mod:`prism.health`."""
        from prism.health import probe

        backend = next((getattr(f, "backend", None) for f in self._facets.values()), None)
        return probe(self.name, self.backend_name, backend, self._facets, timeout)

    @property
    def closed(self) -> bool:
        return self._release is None

    def close(self) -> None:
        """Release this namespace's share of the connection.  Closing twice is harmless."""
        release, self._release = self._release, None
        if release is not None:
            release()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else ", ".join(sorted(self._facets))
        return f"<{type(self).__name__} {self.name!r} on {self.backend_name}: {state}>"
