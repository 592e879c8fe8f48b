"""Fails on import, as a half-edited models module would."""

raise RuntimeError("cli_broken models exploded")
