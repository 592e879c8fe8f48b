"""Test app whose resolver fails unexpectedly (for the INTERNAL_ERROR shape)."""
