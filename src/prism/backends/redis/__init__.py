"""The redis backend: standalone Redis and Redis Cluster over redis-py.

Importing this package imports no driver; the backend modules import ``redis`` when a namespace
first opens on it.  See ``docs/backends/redis.md``.
"""
