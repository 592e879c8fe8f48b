"""``manage.py createsuperuser``."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from lys.cli import pass_application
from lys.errors import CommandError, LysError

if TYPE_CHECKING:
    from lys.application import Application


@click.command()
@click.option(
    "--email",
    default=None,
    help="The super user's email address; the password is then read from standard input.",
)
@pass_application
def createsuperuser(app: Application, email: str | None) -> None:
    """Create a super user (asks for the email and the password, or reads them)."""
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


def _prompt_password() -> str:
    return click.prompt("Password", hide_input=True, confirmation_prompt=True, show_default=False)


def _read_password(line: str) -> str:
    """The first line of standard input, without its line break (nothing else is trimmed)."""
    password = line.removesuffix("\n").removesuffix("\r")
    if not password:
        raise CommandError("no password on standard input (give it on the first line)")
    return password


commands = [createsuperuser]
