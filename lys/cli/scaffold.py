"""What ``startapp`` and ``startproject`` share: name checks and rendering a template tree.

A template tree mirrors what it creates. In paths, ``__<key>__`` becomes the value of
``key`` and a leading ``dot-`` becomes ``.`` (package data leaves dotfiles out). Files
ending in ``.tmpl`` go through :class:`string.Template` (``$key``; ``$$`` for a literal
dollar) and lose the suffix; other files are copied as they are.
"""

from __future__ import annotations

import importlib.util
import keyword
import shutil
from collections.abc import Mapping
from pathlib import Path
from string import Template

from lys.errors import CommandError

TEMPLATES = Path(__file__).resolve().parent / "templates"
TEMPLATE_SUFFIX = ".tmpl"
DOT_PREFIX = "dot-"


def check_identifier(name: str, kind: str) -> None:
    """Refuse what cannot be a package name: not an identifier, a keyword, upper case."""
    if not name.isidentifier() or keyword.iskeyword(name) or name != name.lower():
        raise CommandError(
            f"{name!r} is not a valid {kind} name; use a lower-case Python identifier"
        )


def check_not_importable(name: str, kind: str) -> None:
    """A top-level package named like an installed module would shadow it (or be shadowed)."""
    if importlib.util.find_spec(name) is not None:
        raise CommandError(
            f"{name!r} conflicts with an importable module; choose another {kind} name"
        )


def render_tree(source: Path, target: Path, values: Mapping[str, str]) -> list[Path]:
    """Create ``target``'s files from the template tree ``source``; returns them, sorted."""
    created = []
    for template in sorted(source.rglob("*")):
        if template.is_dir() or "__pycache__" in template.parts:
            continue
        relative = template.relative_to(source)
        destination = target.joinpath(*(_render_part(part, values) for part in relative.parts))
        destination.parent.mkdir(parents=True, exist_ok=True)
        if template.name.endswith(TEMPLATE_SUFFIX):
            content = Template(template.read_text(encoding="utf-8")).substitute(values)
            destination.write_text(content, encoding="utf-8")
        else:
            shutil.copyfile(template, destination)
        if template.stat().st_mode & 0o111:
            destination.chmod(0o755)
        created.append(destination)
    return created


def _render_part(part: str, values: Mapping[str, str]) -> str:
    part = part.removesuffix(TEMPLATE_SUFFIX)
    if part.startswith(DOT_PREFIX):
        part = "." + part[len(DOT_PREFIX) :]
    for key, value in values.items():
        part = part.replace(f"__{key}__", value)
    return part
