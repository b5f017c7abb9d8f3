"""prism's compliance suites, shipped as a pytest plugin (``pytest --prism-backend=NAME``), and
the helpers a backend's ``test_server`` uses.

A backend author needs nothing but prism installed: the plugin collects its own suites, runs
every suite the backend declares (sync and async), checks that declared interfaces are
implemented and undeclared ones are not, and gets a real server through the backend plugin's
``test_server`` hook, which returns a :class:`TestServer`.  To start one, try in this order:
a URL from :func:`env_url` (``PRISM_TEST_<BACKEND>_URL``); a binary, with
:func:`find_binary` + :func:`free_port` + :class:`ServerProcess` + :func:`wait_until`; then
testcontainers when :func:`docker_available`.  A backend that keeps time in-process hands the
suites a :class:`ManualClock` (``TestServer(clock=...)``) so time-based cases need no waiting.
"""

from prism.backends.memstore._core import ManualClock
from prism.testing.servers import (
    ServerProcess,
    docker_available,
    env_url,
    find_binary,
    free_port,
    wait_until,
)
from prism.testing.target import Target, TestServer

__all__ = [
    "ManualClock",
    "ServerProcess",
    "Target",
    "TestServer",
    "docker_available",
    "env_url",
    "find_binary",
    "free_port",
    "wait_until",
]
