"""The SQL of the clickhouse backend: plain functions ``fn(transport, ...)`` shared by both
transports and both flavours."""
