"""Benchmarks of baseline against the peer tools; run them all with ``python -m bench`` (see README.md)."""
