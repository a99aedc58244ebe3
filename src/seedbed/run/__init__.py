"""Runs as library functions over a sink: seed, purge, verify, export; plans and digests."""
