"""Fixture test app: a later app adding reference rows to fx_inventory's colours."""
