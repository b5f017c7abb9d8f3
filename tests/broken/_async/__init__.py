"""The async sources of the broken variants; the sync modules one folder up are generated."""
