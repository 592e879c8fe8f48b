"""What the loader knows about one installed app."""

from __future__ import annotations

import importlib
import types
from dataclasses import dataclass, field
from pathlib import Path

from lys.errors import ImproperlyConfigured
from lys.registry.discovery import import_optional


@dataclass(frozen=True)
class AppConfig:
    """An installed app: its package and the packages the loader searches in it.

    ``locations`` is the app package itself, or, when the app has a ``modules``
    package declaring ``__submodules__``, each of those submodules in order.
    """

    name: str
    module: types.ModuleType
    locations: tuple[types.ModuleType, ...] = field(default_factory=tuple)

    @property
    def label(self) -> str:
        return self.name.rsplit(".", 1)[-1]

    @property
    def path(self) -> Path:
        return Path(next(iter(self.module.__path__)))

    @classmethod
    def create(cls, name: str, known: list[str] | None = None) -> AppConfig:
        module = _import_app(name, known or [])
        if not hasattr(module, "__path__"):
            raise ImproperlyConfigured(f"installed app {name!r} is a module, not a package")
        modules_pkg = import_optional(f"{name}.modules")
        if modules_pkg is None:
            return cls(name, module, (module,))
        submodules = getattr(modules_pkg, "__submodules__", None)
        if submodules is None:
            raise ImproperlyConfigured(
                f"{modules_pkg.__file__}: an app's modules package must define __submodules__"
            )
        locations = []
        for entry in submodules:
            if isinstance(entry, types.ModuleType):
                locations.append(entry)
                continue
            dotted = entry if "." in entry else f"{name}.modules.{entry}"
            location = import_optional(dotted)
            if location is None:
                raise ImproperlyConfigured(
                    f"{modules_pkg.__file__}: submodule {entry!r} of app {name!r} does not exist"
                )
            locations.append(location)
        return cls(name, module, tuple(locations))


def _import_app(name: str, known: list[str]) -> types.ModuleType:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name and name.startswith(exc.name):
            hint = _did_you_mean(name, known)
            raise ImproperlyConfigured(
                f"installed app {name!r} cannot be imported: no module named {exc.name!r}{hint}"
            ) from None
        raise ImproperlyConfigured(f"installed app {name!r} failed to import: {exc}") from exc
    except Exception as exc:
        raise ImproperlyConfigured(
            f"installed app {name!r} failed to import: {type(exc).__name__}: {exc}"
        ) from exc


def _did_you_mean(name: str, known: list[str]) -> str:
    """A close name among the other installed apps and the packages next to ``name``."""
    import difflib
    import pkgutil

    candidates = set(known)
    parent, _, _ = name.rpartition(".")
    if parent:
        try:
            package = importlib.import_module(parent)
        except Exception:
            package = None
        for info in pkgutil.iter_modules(getattr(package, "__path__", None) or []):
            if info.ispkg:
                candidates.add(f"{parent}.{info.name}")
    candidates.discard(name)
    close = difflib.get_close_matches(name, sorted(candidates), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""
