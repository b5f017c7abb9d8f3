"""The SQL of each data model: plain functions ``fn(conn, ...)`` shared by the sync and async
facets (not generated)."""
