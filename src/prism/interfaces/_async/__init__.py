"""Async interface sources.  The sync modules one level up are generated from these."""
