"""Benchmarks: what the platform's work costs, beside the raw floor for the same work."""
