"""SQL shared by the sync and async facets (statements only, no I/O)."""
