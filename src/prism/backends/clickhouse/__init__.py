"""The clickhouse backend: timeseries on ClickHouse, over a server (clickhouse-driver, native TCP)
or the engine in-process (chdb).  See ``docs/backends/clickhouse.md``."""
