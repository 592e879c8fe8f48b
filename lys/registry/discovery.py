"""Importing conventional modules: a missing file is fine, a broken one is fatal."""

from __future__ import annotations

import importlib
import importlib.util
import sys
import traceback
import types

from lys.errors import ImproperlyConfigured


def import_optional(dotted: str) -> types.ModuleType | None:
    """Import ``dotted`` if it exists; raise naming the file if it exists but fails."""
    if dotted in sys.modules:
        return sys.modules[dotted]
    parent, _, _ = dotted.rpartition(".")
    try:
        spec = importlib.util.find_spec(dotted)
    except ModuleNotFoundError:
        if parent and importlib.util.find_spec(parent) is None:
            return None
        raise
    if spec is None:
        return None
    try:
        return importlib.import_module(dotted)
    except Exception as exc:
        origin = spec.origin or dotted
        line = _failing_line(exc, origin)
        raise ImproperlyConfigured(
            f"{origin}{line}: failed to import {dotted}: {type(exc).__name__}: {exc}"
        ) from exc


def _failing_line(exc: BaseException, origin: str) -> str:
    if isinstance(exc, SyntaxError) and exc.filename == origin and exc.lineno:
        return f":{exc.lineno}"
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename == origin:
            return f":{frame.lineno}"
    return ""


def import_string(dotted: str) -> object:
    """The object a dotted path ``package.module.Name`` names."""
    module_name, _, attribute = dotted.rpartition(".")
    if not module_name:
        raise ImportError(f"{dotted!r} is not a dotted path")
    module = importlib.import_module(module_name)
    try:
        return getattr(module, attribute)
    except AttributeError:
        raise ImportError(f"module {module_name} has no {attribute!r}") from None
