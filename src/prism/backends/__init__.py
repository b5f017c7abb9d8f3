"""Built-in backends.  Each lives in its own folder; nothing here imports a driver."""
