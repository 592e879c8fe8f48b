"""Links sent by email: password reset, email verification, activation; the reset throttle.

Tokens are read where a person would find them: in the queued email (the emailing
row's context).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from litestar.testing import TestClient

from lys import Application
from lys.db.types import utcnow
from lys.fixtures import load_fixtures
from tests.conftest import AppFactory
from tests.integration.prepared_database import (
    DATABASES,
    USERS_APP_SETTINGS,
    PreparedDatabase,
    module_database,
)
from tests.integration.test_users_support import (
    NEW_PASSWORD,
    PASSWORD,
    Actor,
    anonymous,
    can_log_in,
    emails,
    gid,
    is_connected,
    last_token,
    logged_in,
    make_user,
    rows,
    update_rows,
    users_app,
)
from tests.services import REDIS_URL, require

Clients = Callable[[Application], TestClient[Any]]

ADMIN = "admin@example.com"
ALICE = "alice@example.com"
BOB = "bob@example.com"

REQUEST_RESET = """
mutation($email: String!) { requestPasswordReset(inputs: {email: $email}) { success } }"""
RESET = """
mutation($token: String!, $password: String!) {
  resetPassword(inputs: {token: $token, newPassword: $password}) { success }
}"""
VERIFY = "mutation($token: String!) { verifyEmail(inputs: {token: $token}) { success } }"
ACTIVATE = """
mutation($token: String!, $password: String!) {
  activateUser(inputs: {token: $token, newPassword: $password}) { success }
}"""
SEND_VERIFICATION = """
mutation($id: ID!) {
  sendEmailVerification(id: $id) { emailAddress { validatedAt lastValidationRequestAt } }
}"""
CREATE_USER = """
mutation($inputs: CreateUserInput!) { createUser(inputs: $inputs) { id } }"""


@pytest.fixture(scope="module", params=DATABASES)
def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PreparedDatabase]:
    yield from module_database(request, tmp_path_factory, load_fixtures, **USERS_APP_SETTINGS)


@pytest.fixture
def app(database: PreparedDatabase) -> Iterator[Application]:
    """``users_app``'s application, on the module's database put back as prepared."""
    app = database.app()
    yield app
    app.dispose()


def request_reset(actor: Actor, email: str) -> None:
    answer = actor.call(REQUEST_RESET, {"email": email})
    assert answer.body == {"data": {"requestPasswordReset": {"success": True}}}


def reset(actor: Actor, token: str, password: str = NEW_PASSWORD) -> Any:
    return actor.call(RESET, {"token": token, "password": password})


# -- password reset ------------------------------------------------------------------------


def test_password_reset_end_to_end(app: Application, client_for: Clients):
    alice_id = make_user(app, ALICE)
    laptop = logged_in(client_for, app, ALICE)
    phone = logged_in(client_for, app, ALICE)
    visitor = anonymous(client_for, app)

    request_reset(visitor, " Alice@Example.com ")
    (email,) = emails(app, "USER_PASSWORD_RESET", ALICE)
    token = email.context["token"]
    assert email.status_id == "WAITING"
    assert email.context["front_url"] == "http://localhost:3000"
    assert email.context["link"] == f"http://localhost:3000/reset-password?token={token}"
    # Only the token's hash is stored.
    (stored,) = rows(app, "user_one_time_token", user_id=alice_id)
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {stored.token_hash, str(stored.id)}
    assert stored.type_id == "PASSWORD_RESET" and stored.status_id == "PENDING"
    lifetime = stored.expires_at - stored.created_at
    assert timedelta(minutes=29) < lifetime <= timedelta(minutes=30)

    answer = reset(visitor, token)
    assert answer.body == {"data": {"resetPassword": {"success": True}}}
    assert can_log_in(client_for, app, ALICE, NEW_PASSWORD)
    assert not can_log_in(client_for, app, ALICE, PASSWORD)
    # Every session that existed before the reset is over, at once.
    assert not is_connected(laptop)
    assert not is_connected(phone)
    (used,) = rows(app, "user_one_time_token", user_id=alice_id)
    assert used.status_id == "USED" and used.used_at is not None


def test_a_reset_token_works_once(app: Application, client_for: Clients):
    make_user(app, ALICE)
    visitor = anonymous(client_for, app)
    request_reset(visitor, ALICE)
    token = last_token(app, "USER_PASSWORD_RESET", ALICE)
    assert reset(visitor, token).errors == []
    again = reset(visitor, token, "Another-pass-99")
    assert again.code == "INVALID_RESET_TOKEN_ERROR"
    assert again.extensions["status_code"] == 400
    assert can_log_in(client_for, app, ALICE, NEW_PASSWORD)


def test_a_new_request_revokes_the_earlier_links(app: Application, client_for: Clients):
    make_user(app, ALICE)
    visitor = anonymous(client_for, app)
    request_reset(visitor, ALICE)
    first = last_token(app, "USER_PASSWORD_RESET", ALICE)
    request_reset(visitor, ALICE)
    second = last_token(app, "USER_PASSWORD_RESET", ALICE)
    assert first != second
    assert [t.status_id for t in rows(app, "user_one_time_token")] == ["REVOKED", "PENDING"]
    assert reset(visitor, first).code == "INVALID_RESET_TOKEN_ERROR"
    assert reset(visitor, second).errors == []


def test_expired_and_foreign_tokens_are_refused(app: Application, client_for: Clients):
    alice_id = make_user(app, ALICE)
    visitor = anonymous(client_for, app)
    request_reset(visitor, ALICE)
    token = last_token(app, "USER_PASSWORD_RESET", ALICE)
    update_rows(
        app,
        "user_one_time_token",
        {"expires_at": utcnow() - timedelta(seconds=1)},
        user_id=alice_id,
    )
    assert reset(visitor, token).code == "EXPIRED_RESET_TOKEN_ERROR"
    assert reset(visitor, "not-a-token").code == "INVALID_RESET_TOKEN_ERROR"
    assert reset(visitor, "x" * 400).code == "INVALID_RESET_TOKEN_ERROR"
    # A token of another kind (email verification) does not reset a password.
    admin_id = make_user(app, ADMIN, super_user=True)
    admin = logged_in(client_for, app, ADMIN)
    assert admin.call(SEND_VERIFICATION, {"id": gid(alice_id)}).errors == []
    verification = last_token(app, "USER_EMAIL_VERIFICATION", ALICE)
    assert reset(visitor, verification).code == "INVALID_RESET_TOKEN_ERROR"
    assert can_log_in(client_for, app, ALICE, PASSWORD)
    assert admin_id


def test_a_weak_new_password_keeps_the_token(app: Application, client_for: Clients):
    make_user(app, ALICE)
    visitor = anonymous(client_for, app)
    request_reset(visitor, ALICE)
    token = last_token(app, "USER_PASSWORD_RESET", ALICE)
    assert reset(visitor, token, "weak").code == "WEAK_PASSWORD"
    assert reset(visitor, token, "").code == "EMPTY_PASSWORD_ERROR"
    assert reset(visitor, token).errors == []


def test_reset_requests_do_not_tell_which_addresses_exist(app: Application, client_for: Clients):
    make_user(app, ALICE)
    make_user(app, BOB, status="DISABLED")
    visitor = anonymous(client_for, app)
    known = visitor.call(REQUEST_RESET, {"email": ALICE})
    unknown = visitor.call(REQUEST_RESET, {"email": "nobody@example.com"})
    assert known.body == unknown.body == {"data": {"requestPasswordReset": {"success": True}}}
    assert known.status == unknown.status == 200
    # Only an enabled account gets a link.
    request_reset(visitor, BOB)
    assert [e.email_address for e in emails(app, "USER_PASSWORD_RESET")] == [ALICE]


def test_reset_requests_are_throttled_per_client(app: Application, client_for: Clients):
    for name in ("a", "b", "c", "d"):
        make_user(app, f"{name}@example.com")
    visitor = anonymous(client_for, app)
    for name in ("a", "b", "nobody"):
        request_reset(visitor, f"{name}@example.com")
    request_reset(visitor, "d@example.com")  # the 4th request this hour from this client
    sent = sorted(e.email_address for e in emails(app, "USER_PASSWORD_RESET"))
    assert sent == ["a@example.com", "b@example.com"]


def test_reset_requests_are_throttled_per_address_across_processes(
    make_app: AppFactory, client_for: Clients
):
    """Without Redis the per-address count is the database's: another process sees it."""
    app = users_app(make_app)
    make_user(app, ALICE)
    make_user(app, BOB)
    visitor = anonymous(client_for, app)
    for _ in range(3):
        request_reset(visitor, ALICE)
    assert len(emails(app, "USER_PASSWORD_RESET", ALICE)) == 3

    other_process = users_app(make_app, create_tables=False)
    elsewhere = anonymous(client_for, other_process)
    request_reset(elsewhere, ALICE)
    request_reset(elsewhere, BOB)
    assert len(emails(app, "USER_PASSWORD_RESET", ALICE)) == 3
    assert len(emails(app, "USER_PASSWORD_RESET", BOB)) == 1


def test_reset_requests_are_throttled_in_redis(make_app: AppFactory, client_for: Clients):
    """With Redis, both counters are shared by every process."""
    require("Redis", REDIS_URL)
    secret = f"redis-throttle-{uuid.uuid4().hex}-0123456789abcdef"  # keys of this test only
    app = users_app(make_app, redis_url=REDIS_URL, secret_key=secret)
    make_user(app, ALICE)
    make_user(app, BOB)
    first = anonymous(client_for, app)
    request_reset(first, ALICE)
    request_reset(first, ALICE)

    other_process = users_app(make_app, redis_url=REDIS_URL, secret_key=secret, create_tables=False)
    second = anonymous(client_for, other_process)
    request_reset(second, ALICE)  # 3rd for the address and for the client: still sent
    request_reset(second, BOB)  # 4th from the client: refused, although Bob asked nothing
    assert len(emails(app, "USER_PASSWORD_RESET", ALICE)) == 3
    assert emails(app, "USER_PASSWORD_RESET", BOB) == []


def test_the_reset_throttle_counts_each_address_in_redis(make_app: AppFactory, client_for: Clients):
    require("Redis", REDIS_URL)
    secret = f"redis-throttle-{uuid.uuid4().hex}-0123456789abcdef"
    app = users_app(make_app, redis_url=REDIS_URL, secret_key=secret, password_reset_per_hour=2)
    make_user(app, ALICE)
    service = app.service("user")
    with app.session() as session:
        # Different clients (the per-client counter stays low), one address.
        sent = [
            service.request_password_reset(
                session, app.settings, ALICE, client_ip=f"192.0.2.{index}"
            )
            for index in range(3)
        ]
    assert sent == [True, True, False]


# -- email verification --------------------------------------------------------------------


def test_email_verification_of_a_new_user(app: Application, client_for: Clients):
    make_user(app, ADMIN, super_user=True)
    admin = logged_in(client_for, app, ADMIN)
    inputs = {"email": "carol@example.com", "password": PASSWORD}
    assert admin.call(CREATE_USER, {"inputs": inputs}).errors == []
    token = last_token(app, "USER_EMAIL_VERIFICATION", "carol@example.com")
    visitor = anonymous(client_for, app)

    assert visitor.call(VERIFY, {"token": token}).body == {
        "data": {"verifyEmail": {"success": True}}
    }
    (address,) = rows(app, "user_email_address", address="carol@example.com")
    assert address.validated_at is not None
    assert visitor.call(VERIFY, {"token": token}).code == "INVALID_RESET_TOKEN_ERROR"


def test_send_email_verification(app: Application, client_for: Clients):
    alice_id = make_user(app, ALICE)
    make_user(app, BOB)
    alice = logged_in(client_for, app, ALICE)
    bob = logged_in(client_for, app, BOB)

    answer = alice.call(SEND_VERIFICATION, {"id": gid(alice_id)})
    assert answer.errors == []
    assert answer.data["sendEmailVerification"]["emailAddress"]["validatedAt"] is None
    assert answer.data["sendEmailVerification"]["emailAddress"]["lastValidationRequestAt"]
    first = last_token(app, "USER_EMAIL_VERIFICATION", ALICE)
    assert alice.call(SEND_VERIFICATION, {"id": gid(alice_id)}).errors == []
    second = last_token(app, "USER_EMAIL_VERIFICATION", ALICE)

    assert bob.call(SEND_VERIFICATION, {"id": gid(alice_id)}).code == "NOT_FOUND"
    assert anonymous(client_for, app).call(SEND_VERIFICATION, {"id": gid(alice_id)}).code == (
        "ACCESS_DENIED_ERROR"
    )
    assert len(emails(app, "USER_EMAIL_VERIFICATION", ALICE)) == 2

    visitor = anonymous(client_for, app)
    assert visitor.call(VERIFY, {"token": first}).code == "INVALID_RESET_TOKEN_ERROR"
    assert visitor.call(VERIFY, {"token": second}).errors == []
    validated = alice.call(SEND_VERIFICATION, {"id": gid(alice_id)})
    assert validated.code == "EMAIL_ALREADY_VALIDATED_ERROR"
    assert validated.extensions["status_code"] == 400


def test_verifying_an_already_validated_address(app: Application, client_for: Clients):
    alice_id = make_user(app, ALICE)
    alice = logged_in(client_for, app, ALICE)
    assert alice.call(SEND_VERIFICATION, {"id": gid(alice_id)}).errors == []
    token = last_token(app, "USER_EMAIL_VERIFICATION", ALICE)
    update_rows(app, "user_email_address", {"validated_at": utcnow()}, user_id=alice_id)
    answer = anonymous(client_for, app).call(VERIFY, {"token": token})
    assert answer.code == "EMAIL_ALREADY_VALIDATED_ERROR"


def test_an_expired_verification_link(app: Application, client_for: Clients):
    alice_id = make_user(app, ALICE)
    alice = logged_in(client_for, app, ALICE)
    assert alice.call(SEND_VERIFICATION, {"id": gid(alice_id)}).errors == []
    token = last_token(app, "USER_EMAIL_VERIFICATION", ALICE)
    update_rows(
        app,
        "user_one_time_token",
        {"expires_at": utcnow() - timedelta(seconds=1)},
        user_id=alice_id,
    )
    assert anonymous(client_for, app).call(VERIFY, {"token": token}).code == (
        "EXPIRED_RESET_TOKEN_ERROR"
    )
    (address,) = rows(app, "user_email_address", user_id=alice_id)
    assert address.validated_at is None


# -- activation ----------------------------------------------------------------------------


def test_an_invited_user_activates_their_account(app: Application, client_for: Clients):
    make_user(app, ADMIN, super_user=True)
    admin = logged_in(client_for, app, ADMIN)
    answer = admin.call(CREATE_USER, {"inputs": {"email": "dave@example.com"}})
    assert answer.errors == []
    assert not can_log_in(client_for, app, "dave@example.com", PASSWORD)
    (invitation,) = emails(app, "USER_INVITATION", "dave@example.com")
    token = invitation.context["token"]
    assert invitation.context["link"] == f"http://localhost:3000/activate?token={token}"
    visitor = anonymous(client_for, app)

    assert visitor.call(ACTIVATE, {"token": token, "password": "weak"}).code == "WEAK_PASSWORD"
    # Activation tokens do not reset passwords, nor reset tokens activate.
    assert reset(visitor, token).code == "INVALID_RESET_TOKEN_ERROR"
    done = visitor.call(ACTIVATE, {"token": token, "password": NEW_PASSWORD})
    assert done.body == {"data": {"activateUser": {"success": True}}}
    assert can_log_in(client_for, app, "dave@example.com", NEW_PASSWORD)
    (address,) = rows(app, "user_email_address", address="dave@example.com")
    assert address.validated_at is not None
    again = visitor.call(ACTIVATE, {"token": token, "password": "Yet-another-5"})
    assert again.code == "INVALID_RESET_TOKEN_ERROR"
    assert can_log_in(client_for, app, "dave@example.com", NEW_PASSWORD)
