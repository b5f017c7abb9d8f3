"""Backend and pattern declarations, the application's ``prism.yaml``, and the resolver."""
