"""Builds :class:`Settings` from a settings module, a ``.env`` file and the environment.

Precedence, lowest first: the model's defaults, the settings module's upper-case
constants, the ``.env`` file, then ``LYS_*`` environment variables. Every name is
checked, so a typo fails at start instead of being silently ignored.
"""

from __future__ import annotations

import difflib
import importlib
import json
import os
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pydantic
from dotenv import dotenv_values

from lys.conf.settings import Settings
from lys.errors import ImproperlyConfigured

ENV_PREFIX = "LYS_"
SETTINGS_MODULE_VARIABLE = "LYS_SETTINGS_MODULE"
_NOT_SETTINGS = {SETTINGS_MODULE_VARIABLE, "LYS_ENV_FILE"}


def load_settings(
    module: str | types.ModuleType | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    env_file: str | Path | None = ".env",
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Load and validate the settings; raise :class:`ImproperlyConfigured` on any problem.

    ``module`` defaults to ``$LYS_SETTINGS_MODULE``. ``overrides`` (upper-case names) win
    over everything and exist for tests and embedding.
    """
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}

    settings_module = _import_settings_module(module, environ)
    if settings_module is not None:
        constants = {k: v for k, v in vars(settings_module).items() if k.isupper()}
        _merge(values, sources, constants, f"settings module {settings_module.__name__}")

    env_file = environ.get("LYS_ENV_FILE", env_file)
    if env_file and Path(env_file).is_file():
        file_values = {k: v for k, v in dotenv_values(env_file).items() if v is not None}
        _merge(values, sources, _strip_prefix(file_values, str(env_file)), str(env_file), True)

    _merge(values, sources, _strip_prefix(environ, "the environment"), "environment", True)
    if overrides:
        _merge(values, sources, dict(overrides), "overrides")

    try:
        settings = Settings.model_validate(values)
    except pydantic.ValidationError as exc:
        raise ImproperlyConfigured(_describe_validation_error(exc, sources)) from None
    problems = settings.production_problems()
    if problems:
        raise ImproperlyConfigured("refusing to start in prod: " + "; ".join(problems) + ".")
    return settings


def _import_settings_module(
    module: str | types.ModuleType | None, environ: Mapping[str, str]
) -> types.ModuleType | None:
    if isinstance(module, types.ModuleType):
        return module
    name = module or environ.get(SETTINGS_MODULE_VARIABLE)
    if not name:
        return None
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name and name.startswith(exc.name):
            raise ImproperlyConfigured(
                f"settings module {name!r} not found (set {SETTINGS_MODULE_VARIABLE} "
                "to an importable module, e.g. apps.settings)"
            ) from None
        raise ImproperlyConfigured(f"settings module {name!r} failed to import: {exc}") from exc
    except Exception as exc:
        raise ImproperlyConfigured(
            f"settings module {name!r} failed to import: {type(exc).__name__}: {exc}"
        ) from exc


def _strip_prefix(variables: Mapping[str, str], origin: str) -> dict[str, str]:
    return {
        key[len(ENV_PREFIX) :]: value
        for key, value in variables.items()
        if key.startswith(ENV_PREFIX) and key not in _NOT_SETTINGS
    }


def _merge(
    values: dict[str, Any],
    sources: dict[str, str],
    incoming: Mapping[str, Any],
    origin: str,
    from_text: bool = False,
) -> None:
    fields = Settings.model_fields
    for upper_name, value in incoming.items():
        name = upper_name.lower()
        if name not in fields or upper_name != upper_name.upper():
            prefix = ENV_PREFIX if from_text else ""
            raise ImproperlyConfigured(
                f"unknown setting {prefix}{upper_name} in {origin}{_suggest(upper_name, prefix)}"
            )
        values[name] = _parse_text(name, value, origin) if from_text else value
        sources[name] = origin


def _suggest(name: str, prefix: str) -> str:
    known = [field.upper() for field in Settings.model_fields]
    close = difflib.get_close_matches(name.upper(), known, n=1, cutoff=0.6)
    return f"; did you mean {prefix}{close[0]}?" if close else ""


def _parse_text(name: str, value: str, origin: str) -> Any:
    """Environment values are text; lists accept JSON or comma-separated items."""
    annotation = Settings.model_fields[name].annotation
    if typing.get_origin(annotation) is list:
        text = value.strip()
        if text.startswith("["):
            try:
                return json.loads(text)
            except json.JSONDecodeError as exc:
                raise ImproperlyConfigured(
                    f"invalid setting {name.upper()} (from {origin}): invalid JSON list: {exc}"
                ) from None
        return [item.strip() for item in text.split(",") if item.strip()]
    return value


def _describe_validation_error(exc: pydantic.ValidationError, sources: dict[str, str]) -> str:
    lines = []
    for error in exc.errors():
        location = error["loc"]
        name = str(location[0]) if location else ""
        where = f" (from {sources[name]})" if name in sources else ""
        label = name.upper() if name else "settings"
        lines.append(f"invalid setting {label}{where}: {error['msg']}")
    return "; ".join(lines)
