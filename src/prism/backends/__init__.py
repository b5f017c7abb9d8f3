"""What a backend author builds on: the public names for writing a prism backend.

Built-in backends live in sub-folders of this package; a third-party backend is an ordinary
package that imports only from here (and from ``prism``, ``prism.errors`` and ``prism.testing``)::

    from prism.backends import AsyncBackend, AsyncFacet, Backend, BackendPlugin, Facet, hookimpl

* :class:`Backend` / :class:`AsyncBackend`: one connection, with ``facet_classes``;
* :class:`Facet` / :class:`AsyncFacet`: a data model bound to one namespace;
* :class:`BackendSettings`: what a backend is given (connection string, ``options:``,
  declaration);
* :func:`translating` (and its :data:`Translate` signature): driver exceptions to prism errors;
* :class:`BackendPlugin` and :data:`hookimpl`: the entry-point hook that registers a backend;
* :class:`WorkerPool` / :class:`LoopThread`: the one bridge for a driver that is sync-only (async
  calls run on a bounded thread pool) or async-only (blocking calls run on one background loop).

Nothing here imports a driver.
"""

from prism.backends._async.base import AsyncBackend, AsyncFacet
from prism.backends._bridge import LoopThread, WorkerPool
from prism.backends._errors import Translate, translating
from prism.backends.base import Backend, Facet
from prism.backends.settings import BackendSettings
from prism.plugins.hookspecs import BackendPlugin, hookimpl

__all__ = [
    "AsyncBackend",
    "AsyncFacet",
    "Backend",
    "BackendPlugin",
    "BackendSettings",
    "Facet",
    "LoopThread",
    "Translate",
    "WorkerPool",
    "hookimpl",
    "translating",
]
