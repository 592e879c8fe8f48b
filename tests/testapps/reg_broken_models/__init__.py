"""Test app whose models.py raises while importing."""
