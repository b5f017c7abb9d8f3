"""Per-model state and rules of memstore, shared by both flavours (plain data, guarded by the store lock)."""
