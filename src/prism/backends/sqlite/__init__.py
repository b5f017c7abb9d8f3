"""sqlite: the embedded, durable backend (one SQLite file in WAL mode, or an in-memory database).

Importing this package imports nothing else; the backend classes live in ``backend`` (sync) and
``_async.backend`` (async), the SQL itself in ``_ops``.
"""
