"""Python names to GraphQL names (Ariadne converts the other way)."""

from __future__ import annotations


def snake_to_camel(name: str) -> str:
    """``category_id`` -> ``categoryId``: how a client wrote the field it sent."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)
