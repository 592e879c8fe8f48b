"""Test app split into ``modules/alpha`` and ``modules/beta`` (loaded in that order)."""
