"""Test app contributing management commands."""
