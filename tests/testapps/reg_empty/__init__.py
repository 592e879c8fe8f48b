"""Test app with no conventional file at all: loading it is a no-op."""
