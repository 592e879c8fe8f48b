"""Toolkit test app: publishers, authors and their books, for nested batching and cost."""
