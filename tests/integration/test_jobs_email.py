"""Emails delivered for real: a worker job renders them and sends them over SMTP.

An SMTP server on loopback (aiosmtpd) receives what the ``send_email`` job sends; the
links read from the received emails complete the flows (reset, verification, invitation).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from lys import Application
from lys.jobs.email import html_to_text
from tests.conftest import AppFactory
from tests.integration.test_users_support import (
    NEW_PASSWORD,
    anonymous,
    can_log_in,
    logged_in,
    make_user,
    users_app,
)
from tests.jobs_support import (
    FAST_RETRIES,
    SmtpSink,
    executions,
    parts,
    rows,
    smtp_fixture,  # noqa: F401
)

Clients = Callable[[Application], TestClient[Any]]

ALICE = "alice@example.com"
ADMIN = "admin@example.com"
SENDER = "Lys <no-reply@lys.test>"
LINK = re.compile(r"http://localhost:3000/(?P<path>[a-z-]+)\?token=(?P<token>[\w%-]+)")

REQUEST_RESET = """
mutation($email: String!) { requestPasswordReset(inputs: {email: $email}) { success } }"""
RESET = """
mutation($token: String!, $password: String!) {
  resetPassword(inputs: {token: $token, newPassword: $password}) { success }
}"""
VERIFY = "mutation($token: String!) { verifyEmail(inputs: {token: $token}) { success } }"
CREATE_USER = "mutation($inputs: CreateUserInput!) { createUser(inputs: $inputs) { id } }"
ACTIVATE = """
mutation($token: String!, $password: String!) {
  activateUser(inputs: {token: $token, newPassword: $password}) { success }
}"""


def mail_app(make_app: AppFactory, smtp: SmtpSink | None, **settings: Any) -> Application:
    if smtp is not None:
        settings.update(smtp.settings())
    return users_app(
        make_app, job_broker="stub", email_sender=SENDER, **{**FAST_RETRIES, **settings}
    )


def deliver(app: Application) -> None:
    """What a worker process does: run every queued job."""
    with app.jobs.worker(threads=2):
        app.jobs.join()


def link_in(text: str) -> re.Match[str]:
    match = LINK.search(text)
    assert match, text
    return match


def test_password_reset_email_arrives_and_its_link_works(
    make_app: AppFactory, smtp: SmtpSink, client_for: Clients
):
    app = mail_app(make_app, smtp)
    make_user(app, ALICE, first_name="Alice")
    visitor = anonymous(client_for, app)
    assert visitor.call(REQUEST_RESET, {"email": ALICE}).errors == []
    assert smtp.messages == []  # nothing is sent by the request itself
    deliver(app)

    (message,) = smtp.received(1)
    assert message["To"] == ALICE
    assert message["From"] == SENDER
    assert message["Subject"] == "Reset your password"
    assert message["Message-ID"]
    text, html = parts(message)
    assert text.startswith("Hello Alice,")
    link = link_in(text)
    assert link["path"] == "reset-password"
    assert f'href="{link.group(0)}"' in html
    (emailing,) = rows(app, "emailing", type_id="USER_PASSWORD_RESET")
    assert emailing.status_id == "SENT" and emailing.sent_at is not None
    assert emailing.error is None

    # The token read from the email resets the password.
    answer = visitor.call(RESET, {"token": link["token"], "password": NEW_PASSWORD})
    assert answer.body == {"data": {"resetPassword": {"success": True}}}
    assert can_log_in(client_for, app, ALICE, NEW_PASSWORD)


def test_email_verification_arrives_in_the_users_language(
    make_app: AppFactory, smtp: SmtpSink, client_for: Clients
):
    app = mail_app(make_app, smtp)
    make_user(app, ADMIN, super_user=True)
    admin = logged_in(client_for, app, ADMIN)
    inputs = {
        "email": ALICE,
        "password": "Correct-horse-42",
        "languageCode": "fr",
        "firstName": "Zoé",
    }
    assert admin.call(CREATE_USER, {"inputs": inputs}).errors == []
    deliver(app)

    (message,) = smtp.received(1)
    assert message["To"] == ALICE
    assert message["Subject"] == "Confirmez votre adresse email"
    text, html = parts(message)
    assert text.startswith("Bonjour Zoé,")
    assert "<p>Bonjour Zoé,</p>" in html
    link = link_in(text)
    assert link["path"] == "verify-email"
    answer = anonymous(client_for, app).call(VERIFY, {"token": link["token"]})
    assert answer.body == {"data": {"verifyEmail": {"success": True}}}
    (address,) = rows(app, "user_email_address", address=ALICE)
    assert address.validated_at is not None


def test_an_invitation_arrives_and_activates_the_account(
    make_app: AppFactory, smtp: SmtpSink, client_for: Clients
):
    app = mail_app(make_app, smtp)
    make_user(app, ADMIN, super_user=True)
    admin = logged_in(client_for, app, ADMIN)
    assert admin.call(CREATE_USER, {"inputs": {"email": ALICE}}).errors == []
    deliver(app)

    (message,) = smtp.received(1)
    assert message["Subject"] == "You are invited"
    link = link_in(parts(message)[0])
    assert link["path"] == "activate"
    answer = anonymous(client_for, app).call(
        ACTIVATE, {"token": link["token"], "password": NEW_PASSWORD}
    )
    assert answer.body == {"data": {"activateUser": {"success": True}}}
    assert can_log_in(client_for, app, ALICE, NEW_PASSWORD)


def queue_email(app: Application, address: str = ALICE, language: str = "en") -> str:
    with app.session() as session:
        emailing = app.service("emailing").queue(
            session,
            "USER_PASSWORD_RESET",
            address,
            language,
            {"link": "http://localhost:3000/reset-password?token=abc", "first_name": None},
        )
        return str(emailing.id)


def test_smtp_errors_are_retried_and_kept_on_the_record(make_app: AppFactory, smtp: SmtpSink):
    app = mail_app(make_app, smtp)
    smtp.refusals = ["451 4.3.0 Try again later"] * 2
    queue_email(app)
    deliver(app)
    (message,) = smtp.received(1)  # the third attempt went through
    assert message["To"] == ALICE
    runs = executions(app, "send_email")
    assert [run.status_id for run in runs] == ["FAILED", "FAILED", "SUCCEEDED"]
    assert "451" in runs[0].error
    (emailing,) = rows(app, "emailing")
    assert emailing.status_id == "SENT"


def test_an_email_that_keeps_failing_ends_in_error(make_app: AppFactory, smtp: SmtpSink):
    app = mail_app(make_app, smtp)
    smtp.refusals = ["451 4.3.0 Try again later"] * 3
    queue_email(app)
    deliver(app)
    assert smtp.messages == []
    (emailing,) = rows(app, "emailing")
    assert emailing.status_id == "ERROR"
    assert emailing.error.startswith("SMTPDataError: (451")
    assert [run.status_id for run in executions(app, "send_email")] == [
        "FAILED",
        "FAILED",
        "DEAD",
    ]


def test_a_refused_email_is_not_retried(make_app: AppFactory, smtp: SmtpSink):
    app = mail_app(make_app, smtp)
    smtp.refusals = ["550 5.7.1 Rejected"]
    queue_email(app)
    deliver(app)
    (emailing,) = rows(app, "emailing")
    assert emailing.status_id == "ERROR" and "550" in emailing.error
    (run,) = executions(app, "send_email")
    assert run.status_id == "DEAD"


def test_an_unreachable_server_is_an_error_too(make_app: AppFactory):
    app = mail_app(make_app, None, smtp_host="127.0.0.1", smtp_port=1, smtp_starttls=False)
    queue_email(app)
    deliver(app)
    (emailing,) = rows(app, "emailing")
    assert emailing.status_id == "ERROR"
    assert emailing.error.startswith("ConnectionRefusedError")


def test_without_smtp_host_emails_are_logged_and_stay_waiting(
    make_app: AppFactory, caplog: pytest.LogCaptureFixture
):
    app = mail_app(make_app, None)
    with caplog.at_level(logging.INFO, logger="lys.jobs.email"):
        queue_email(app)
        deliver(app)
    (emailing,) = rows(app, "emailing")
    assert emailing.status_id == "WAITING"
    assert "http://localhost:3000/reset-password?token=abc" in caplog.text


def test_project_templates_override_the_apps(make_app: AppFactory, smtp: SmtpSink, tmp_path: Path):
    folder = tmp_path / "emails" / "en"
    folder.mkdir(parents=True)
    (folder / "USER_PASSWORD_RESET.html").write_text(
        '{% set subject = "Your reset link" %}<p>Go to <a href="{{ link }}">reset</a></p>'
    )
    (folder / "USER_PASSWORD_RESET.txt").write_text("Reset here: {{ link }}\n")
    app = mail_app(make_app, smtp, email_template_dirs=[str(tmp_path)])
    queue_email(app, language="fr")  # no French override: the French app template wins
    queue_email(app, address="bob@example.com")
    deliver(app)
    messages = {message["To"]: message for message in smtp.received(2)}
    assert messages[ALICE]["Subject"] == "Réinitialisez votre mot de passe"
    bob = messages["bob@example.com"]
    assert bob["Subject"] == "Your reset link"
    text, html = parts(bob)
    assert text == "Reset here: http://localhost:3000/reset-password?token=abc\n"
    assert "<p>Go to" in html


def test_the_plain_text_part_reads_like_the_html():
    html = (
        "<html><head><title>T</title><style>p{}</style></head><body>"
        "<h1>Hi &amp; welcome</h1><p>Click <a href='https://x/y'>here</a>.</p>"
        "<ul><li>one</li><li>two</li></ul><p><a href='https://x/z'>https://x/z</a></p>"
        "</body></html>"
    )
    assert html_to_text(html) == (
        "Hi & welcome\n\nClick here (https://x/y).\n\n- one\n\n- two\n\nhttps://x/z\n"
    )
