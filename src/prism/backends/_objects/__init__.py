"""The object-store core shared by the ``s3`` (boto3) and ``minio`` (minio SDK) backends.

Written once here: the object layout and key encoding (:mod:`._layout`), the connection settings
(:mod:`._config`), the keyvalue semantics over a handful of object primitives (:mod:`._ops`),
the runner that translates errors and bridges the async flavour onto
:class:`prism.backends.WorkerPool` (:mod:`._store`), and the backend and facet classes
(:mod:`._async`).  Each driver package supplies only an adapter of those primitives
(``_driver.py``), its error translation, its plugin and its declaration.  Nothing here imports a
driver.
"""
