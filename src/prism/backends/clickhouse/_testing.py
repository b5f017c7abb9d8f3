"""The compliance suites' server for clickhouse: the engine in this process (chdb), or a real
server named by ``PRISM_TEST_CLICKHOUSE_URL``.

chdb runs one engine per process, so the whole test run shares one database directory (each
test's namespace has tables of its own); a manual clock drives retention.  With
``PRISM_TEST_CLICKHOUSE_URL=clickhouse://user:password@host:9000/db`` the suites run on that
server instead (with the manual clock too: retention compares timestamps with the backend's
clock, not the server's).
"""

from __future__ import annotations

import uuid
from pathlib import Path

from prism.testing.servers import env_url
from prism.testing.target import TestServer


def clickhouse_server(workdir: Path) -> TestServer:
    from prism.backends.memstore import ManualClock

    clock = ManualClock()
    url = env_url("clickhouse")
    if url is not None:
        return TestServer(
            connection=url,
            options={"clock": clock},
            clock=clock,
            description="ClickHouse server from PRISM_TEST_CLICKHOUSE_URL, with a manual clock",
        )
    path = (workdir / f"chdb-{uuid.uuid4().hex[:8]}").absolute()
    return TestServer(
        connection=f"chdb://{path}",
        options={"clock": clock},
        clock=clock,
        description=f"chdb {path.name} (the ClickHouse engine in-process) with a manual clock",
    )
