"""``manage.py createsuperuser``."""

from __future__ import annotations

import secrets
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from lys.cli import pass_application
from lys.conf.environments import Environment
from lys.errors import CommandError, LysError

DEV_SUPER_USER = "admin@lys.dev"
DEV_PASSWORD_FILE = ".dev-superuser-password"

if TYPE_CHECKING:
    from lys.application import Application


@click.command()
@click.option(
    "--email",
    default=None,
    help="The super user's email address; the password is then read from standard input.",
)
@click.option(
    "--dev",
    is_flag=True,
    help=f"dev only: make sure {DEV_SUPER_USER} exists, its password in {DEV_PASSWORD_FILE}.",
)
@pass_application
def createsuperuser(app: Application, email: str | None, dev: bool) -> None:
    """Create a super user (asks for the email and the password, or reads them)."""
    if dev:
        _ensure_dev_super_user(app)
        return
    if email is None:
        email = click.prompt("Email")
        password = _prompt_password()
    elif sys.stdin.isatty():
        password = _prompt_password()
    else:
        password = _read_password(sys.stdin.readline())
    try:
        with app.session() as session:
            user = app.service("user").create_user(
                session,
                app.settings,
                email=email,
                password=password,
                is_super_user=True,
                notify=False,
            )
            address = user.email_address.address
    except LysError as exc:
        raise CommandError(f"{exc.code}: {exc.detail}") from None
    click.echo(f"Super user {address} created.")


def _ensure_dev_super_user(app: Application) -> None:
    """What ``make run`` calls: a super user to log in with, its password in a local file."""
    if app.settings.env is not Environment.DEV:
        raise CommandError("--dev only works with ENV=dev")
    password_file = Path(DEV_PASSWORD_FILE)
    with app.session() as session:
        users = app.service("user")
        if users.get_by_email(session, DEV_SUPER_USER) is None:
            password = "Dev-" + secrets.token_urlsafe(12) + "1a"
            users.create_user(
                session,
                app.settings,
                email=DEV_SUPER_USER,
                password=password,
                is_super_user=True,
                notify=False,
            )
            password_file.write_text(password + "\n", encoding="utf-8")
            password_file.chmod(0o600)
            click.echo(f"Created the dev super user {DEV_SUPER_USER}.")
    where = (
        f"its password is in {password_file.resolve()}"
        if password_file.exists()
        else "its password file is gone: run `manage.py createsuperuser` for another user"
    )
    click.echo(f"Log in as {DEV_SUPER_USER}; {where}.")


def _prompt_password() -> str:
    return click.prompt("Password", hide_input=True, confirmation_prompt=True, show_default=False)


def _read_password(line: str) -> str:
    """The first line of standard input, without its line break (nothing else is trimmed)."""
    password = line.removesuffix("\n").removesuffix("\r")
    if not password:
        raise CommandError("no password on standard input (give it on the first line)")
    return password


commands = [createsuperuser]
