"""moto's S3 server with its conditional writes made atomic: what the test harness runs.

``python -m prism.backends.s3._moto_serial -H 127.0.0.1 -p PORT`` serves the application
``moto_server`` serves (moto's domain dispatcher and request handler, one thread per
connection), with one difference: moto's handlers of PutObject and DeleteObject run one at a
time, under one lock.

Why: moto 5's ``PutObject`` handler checks ``If-Match`` / ``If-None-Match`` against the stored
object and stores the new one later, with no lock between the two (``DeleteObject`` likewise
for ``If-Match``).  Under the threaded server two conditional writes carrying the same ETag can
therefore both succeed — a lost update that real S3 and MinIO never allow, seen as 999 instead
of 1,000 in the compare-and-swap suite's concurrent-increment case.  Holding a lock across each
handler makes the check and the store one step, as on a real server.  Only the handler's own
work is under the lock (the request body is read before it, the response written after), and
every other request runs as before.  Nothing here is imported by prism itself.
"""

from __future__ import annotations

import argparse
import functools
import os
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any

__all__ = ["main", "serialize"]


def serialize(cls: Any, names: tuple[str, ...], lock: Any) -> None:
    """Replace each method ``names`` of ``cls`` by one that runs it holding ``lock``."""
    for name in names:
        method: Callable[..., Any] = getattr(cls, name)

        @functools.wraps(method)
        def locked(*args: Any, __method: Callable[..., Any] = method, **kwargs: Any) -> Any:
            with lock:
                return __method(*args, **kwargs)

        setattr(cls, name, locked)


def main(argv: list[str] | None = None) -> None:
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from moto.s3.responses import S3Response
    from werkzeug.serving import run_simple

    parser = argparse.ArgumentParser(prog="python -m prism.backends.s3._moto_serial")
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, required=True)
    args = parser.parse_args(argv)
    os.environ.setdefault("MOTO_PORT", str(args.port))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    serialize(S3Response, ("put_object", "delete_object"), threading.Lock())
    app: Any = DomainDispatcherApplication(create_backend_app)
    app.debug = True  # as moto_server sets it
    run_simple(args.host, args.port, app, threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
