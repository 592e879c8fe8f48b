"""``runserver``: the project under uvicorn (``--reload`` through watchfiles)."""

from __future__ import annotations

import errno
import os
import socket
from pathlib import Path

import click

from lys.cli.state import CLIState
from lys.conf.loader import SETTINGS_MODULE_VARIABLE
from lys.errors import CommandError
from lys.logging import configure_logging

ASGI_FACTORY = "lys.asgi:application_from_environment"


@click.command()
@click.option("--host", default=None, help="Address to bind (default: SERVER_HOST, 127.0.0.1).")
@click.option("--port", default=None, type=click.IntRange(0, 65535), help="Port (default 8000).")
@click.option("--reload", is_flag=True, help="Restart when Python or GraphQL files change.")
@click.option("--workers", default=1, type=click.IntRange(1, 64), help="Worker processes.")
@click.pass_obj
def runserver(
    state: CLIState, host: str | None, port: int | None, reload: bool, workers: int
) -> None:
    """Serve the project's GraphQL API."""
    import uvicorn

    if reload and workers > 1:
        raise CommandError("--reload and --workers > 1 cannot be combined")
    # Build once here so a broken project fails with one clear line, before forking.
    application = state.application()
    settings = application.settings
    application.asgi()
    host = host or settings.server_host
    port = settings.server_port if port is None else port
    _check_port_free(host, port)
    if state.settings_module:
        os.environ[SETTINGS_MODULE_VARIABLE] = state.settings_module
    configure_logging(settings)
    project_dir = str(Path.cwd())
    click.echo(
        f"Serving on http://{host}:{port}{settings.graphql_path} "
        f"(env {settings.env.value}, {workers} worker{'s' if workers > 1 else ''})",
        err=True,
    )
    uvicorn.run(
        ASGI_FACTORY,
        factory=True,
        host=host,
        port=port,
        reload=reload,
        reload_dirs=[project_dir] if reload else None,
        reload_includes=["*.py", "*.graphql"] if reload else None,
        workers=workers,
        app_dir=project_dir,
        log_level=(settings.log_level or "INFO").lower(),
        server_header=False,
        # TRUSTED_PROXIES is the one source of trust for forwarded headers.
        proxy_headers=False,
    )


def _check_port_free(host: str, port: int) -> None:
    if port == 0:
        return
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise CommandError(
                    f"port {port} on {host} is already in use; stop the other server or "
                    "choose another with --port"
                ) from None
            raise CommandError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
