"""Tracing test app a: each conventional module records its import."""
