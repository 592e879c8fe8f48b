"""``manage.py createsuperuser`` and the SUPER_USER_EMAIL bootstrap."""

from __future__ import annotations

import logging
import os
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from litestar.testing import TestClient

from lys import Application
from lys.apps.user_auth.modules.user.bootstrap import ensure_super_user
from lys.auth.passwords import verify_password
from lys.cli.main import cli
from lys.cli.state import CLIState
from tests.conftest import AppFactory
from tests.integration.test_users_support import (
    APPS,
    NEW_PASSWORD,
    SECRET_KEY,
    anonymous,
    can_log_in,
    emails,
    make_user,
    rows,
    users_app,
)

Clients = Callable[[Application], TestClient[Any]]
SettingsWriter = Callable[[], str]
PASSWORD = "Strong-pass-2024"


@pytest.fixture
def settings_module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> Iterator[SettingsWriter]:
    """A settings module of the auth project on the test's database."""
    for name in list(os.environ):
        if name.startswith("LYS_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    built: list[Application] = []
    original = CLIState.application

    def remember(self: CLIState, *args: Any, **kwargs: Any) -> Application:
        app = original(self, *args, **kwargs)
        if app not in built:
            built.append(app)
        return app

    monkeypatch.setattr(CLIState, "application", remember)
    names: list[str] = []

    def write() -> str:
        name = f"users_settings_{uuid.uuid4().hex}"
        (tmp_path / f"{name}.py").write_text(
            f"ENV = 'dev'\nINSTALLED_APPS = {APPS!r}\nDATABASE_URL = {database_url!r}\n"
            f"SECRET_KEY = {SECRET_KEY!r}\n"
        )
        names.append(name)
        return name

    yield write
    for app in built:
        app.dispose()
    for name in names:
        sys.modules.pop(name, None)


def run_cli(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


@pytest.fixture
def app(make_app: AppFactory) -> Application:
    return users_app(make_app)


def super_users(app: Application) -> list[tuple[str, Any]]:
    found = []
    for user in rows(app, "user", is_super_user=True):
        (address,) = rows(app, "user_email_address", user_id=user.id)
        found.append((address.address, user))
    return found


# -- createsuperuser -----------------------------------------------------------------------


def test_createsuperuser_reads_the_password_from_stdin(
    app: Application, settings_module: SettingsWriter, client_for: Clients
):
    settings = settings_module()
    result = run_cli(
        "--settings",
        settings,
        "createsuperuser",
        "--email",
        "Root@Example.com",
        input=f"{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "Super user root@example.com created." in result.stdout
    assert PASSWORD not in result.output
    ((address, user),) = super_users(app)
    assert address == "root@example.com"
    assert user.status_id == "ENABLED"
    assert verify_password(user.password, PASSWORD)
    assert rows(app, "emailing") == []
    assert can_log_in(client_for, app, "root@example.com", PASSWORD)


def test_createsuperuser_prompts_with_confirmation(
    app: Application, settings_module: SettingsWriter
):
    settings = settings_module()
    typed = f"admin@example.com\n{PASSWORD}\nSomething-else-1\n{PASSWORD}\n{PASSWORD}\n"
    result = run_cli("--settings", settings, "createsuperuser", input=typed)
    assert result.exit_code == 0, result.output
    assert "do not match" in result.output
    ((address, user),) = super_users(app)
    assert address == "admin@example.com"
    assert verify_password(user.password, PASSWORD)


def test_createsuperuser_keeps_the_password_as_typed(
    app: Application, settings_module: SettingsWriter
):
    settings = settings_module()
    spaced = f"  {PASSWORD} "
    result = run_cli(
        "--settings", settings, "createsuperuser", "--email", "a@example.com", input=f"{spaced}\n"
    )
    assert result.exit_code == 0, result.output
    ((_address, user),) = super_users(app)
    assert verify_password(user.password, spaced)
    assert not verify_password(user.password, PASSWORD)


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("a@example.com", "weak", "Error: WEAK_PASSWORD: "),
        ("a@example.com", "password123", "Error: WEAK_PASSWORD: "),
        ("not an email", PASSWORD, "Error: VALIDATION_ERROR: This is not a valid email address."),
        ("a@example.com", "", "Error: no password on standard input"),
    ],
)
def test_createsuperuser_errors_are_one_line(
    app: Application, settings_module: SettingsWriter, email: str, password: str, message: str
):
    settings = settings_module()
    result = run_cli(
        "--settings", settings, "createsuperuser", "--email", email, input=f"{password}\n"
    )
    assert result.exit_code == 1
    assert result.stderr.startswith(message), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert super_users(app) == []


def test_createsuperuser_refuses_a_taken_address(app: Application, settings_module: SettingsWriter):
    make_user(app, "taken@example.com")
    settings = settings_module()
    result = run_cli(
        "--settings",
        settings,
        "createsuperuser",
        "--email",
        "TAKEN@example.com",
        input=f"{PASSWORD}\n",
    )
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "Error: USER_ALREADY_EXISTS: A user with this email address already exists."
    )
    assert super_users(app) == []


# -- SUPER_USER_EMAIL ----------------------------------------------------------------------


def test_super_user_email_creates_a_super_user_once(
    make_app: AppFactory, client_for: Clients, caplog: pytest.LogCaptureFixture
):
    app = users_app(make_app, super_user_email="Root@Example.com")
    with caplog.at_level(logging.WARNING, logger="lys.auth.users"):
        assert ensure_super_user(app) is True
    assert "Created the super user Root@Example.com" in caplog.text
    assert "USER_PASSWORD_RESET" in caplog.text
    ((address, user),) = super_users(app)
    assert address == "root@example.com"
    assert user.password is not None  # random, known to nobody
    (reset,) = emails(app, "USER_PASSWORD_RESET", "root@example.com")

    # Never changed afterwards, and no new email.
    assert ensure_super_user(app) is False
    ((_, again),) = super_users(app)
    assert again.password == user.password
    assert len(emails(app, "USER_PASSWORD_RESET")) == 1

    # The queued email is the way in.
    visitor = anonymous(client_for, app)
    answer = visitor.call(
        "mutation($t: String!, $p: String!) "
        "{ resetPassword(inputs: {token: $t, newPassword: $p}) { success } }",
        {"t": reset.context["token"], "p": NEW_PASSWORD},
    )
    assert answer.errors == []
    assert can_log_in(client_for, app, "root@example.com", NEW_PASSWORD)


def test_super_user_email_never_promotes_an_existing_user(make_app: AppFactory):
    app = users_app(make_app, super_user_email="someone@example.com")
    make_user(app, "someone@example.com")
    assert ensure_super_user(app) is False
    assert super_users(app) == []
    assert rows(app, "emailing") == []


def test_super_user_email_waits_for_the_database(
    make_app: AppFactory, caplog: pytest.LogCaptureFixture
):
    app = make_app(
        APPS, secret_key=SECRET_KEY, super_user_email="root@example.com", create_tables=False
    )
    with caplog.at_level(logging.WARNING, logger="lys.auth.users"):
        assert ensure_super_user(app) is False
    assert "manage.py migrate" in caplog.text


def test_super_user_email_is_applied_at_start(make_app: AppFactory):
    """user_auth's ready() creates the super user when the project starts."""
    prepared = users_app(make_app)
    assert super_users(prepared) == []
    make_app(APPS, secret_key=SECRET_KEY, super_user_email="boot@example.com", create_tables=False)
    assert [address for address, _ in super_users(prepared)] == ["boot@example.com"]
