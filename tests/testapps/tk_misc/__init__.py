"""Toolkit test app with no model: a resolver that fails unexpectedly, a recursive type."""
