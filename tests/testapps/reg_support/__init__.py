"""Helpers shared by the registry tests: an import trace and throwaway app packages.

Not an app itself; ``reg_order_*`` and ``reg_modular`` record each conventional module
they import here, so tests can check the loader's order.
"""

from __future__ import annotations

import sys
import textwrap
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path

#: Module names, in the order the test apps were imported.
TRACE: list[str] = []


def record(module_name: str) -> None:
    """Called at import time by every conventional module of the tracing apps."""
    TRACE.append(module_name)


def forget_modules(prefixes: Iterable[str]) -> None:
    """Drop these packages and their submodules so the next load imports them afresh."""
    wanted = tuple(prefixes)
    for name in list(sys.modules):
        if any(name == prefix or name.startswith(prefix + ".") for prefix in wanted):
            del sys.modules[name]


def unique_name(stem: str) -> str:
    """A package name no other test (or earlier run in this process) uses."""
    return f"reg_tmp_{stem}_{uuid.uuid4().hex[:8]}"


def write_package(root: Path, name: str, files: Mapping[str, str]) -> Path:
    """Write package ``name`` under ``root``: ``files`` maps relative paths to sources.

    Every directory on the way gets an ``__init__.py`` unless ``files`` provides one.
    """
    package = root / name
    package.mkdir(parents=True, exist_ok=True)
    for relative, text in files.items():
        path = package / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    for directory in [package, *(p for p in package.rglob("*") if p.is_dir())]:
        init = directory / "__init__.py"
        if not init.exists() and directory.name != "__pycache__":
            init.write_text("", encoding="utf-8")
    return package
