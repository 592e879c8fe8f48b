"""What every command shares: the settings module and a lazily built application."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import click

from lys.application import Application
from lys.conf.loader import SETTINGS_MODULE_VARIABLE
from lys.registry.loader import ALL_COMPONENTS

F = TypeVar("F", bound=Callable[..., Any])


class CLIState:
    def __init__(self, settings_module: str | None = None, traceback: bool = False) -> None:
        self.settings_module = settings_module or os.environ.get(SETTINGS_MODULE_VARIABLE)
        self.traceback = traceback
        self._application: Application | None = None

    def application(self, components: Iterable[str] = ALL_COMPONENTS) -> Application:
        """The application, loading the given components (more can be added later)."""
        if self._application is None:
            self._application = Application.from_settings(
                self.settings_module, components=components
            )
        else:
            from lys.registry.loader import populate

            populate(
                self._application.registry,
                self._application.settings.installed_apps,
                components,
            )
        return self._application


def pass_application(function: F) -> F:
    """Give a command the project's application as its first argument."""

    @click.pass_context
    def wrapper(ctx: click.Context, *args: Any, **kwargs: Any) -> Any:
        state = ctx.find_object(CLIState) or CLIState()
        return ctx.invoke(function, state.application(), *args, **kwargs)

    return click.decorators.update_wrapper(wrapper, function)  # type: ignore[return-value]
