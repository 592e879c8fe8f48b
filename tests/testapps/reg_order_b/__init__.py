"""Tracing test app b: each conventional module records its import."""
