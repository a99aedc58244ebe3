"""Runs as library functions: seed, rerun, purge, verify, export; the manifest."""
