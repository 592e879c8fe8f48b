"""login over HTTP: answer and cookies, failures, lockout, re-hashing (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from argon2 import PasswordHasher

from lys.auth.passwords import needs_rehash, verify_password
from lys.db.types import utcnow
from lys.fixtures import load_fixtures
from tests.integration.auth_helpers import (
    AUTH_APPS,
    CONNECTED_USER,
    PASSWORD,
    SECRET_KEY,
    call,
    connect,
    create_user,
    logged_in,
    login,
    rows,
    update_rows,
)
from tests.integration.prepared_database import (
    DATABASES,
    module_application_fixtures,
    module_database,
)

EMAIL = "alice@example.com"


@pytest.fixture(scope="module", params=DATABASES)
def database(request, tmp_path_factory):
    """``auth_app``'s tables and reference data, once per module and database."""
    yield from module_database(
        request,
        tmp_path_factory,
        load_fixtures,
        installed_apps=AUTH_APPS,
        secret_key=SECRET_KEY,
        rate_limit_per_minute=0,
    )


@pytest.fixture
def new_app(database):
    """``new_app(**settings)``: what ``auth_app(make_app, **settings)`` builds, a new
    application on the module's database put back as prepared."""
    built = []

    def factory(**settings):
        app = database.app(**settings)
        built.append(app)
        return app

    yield factory
    for app in built:
        app.dispose()


shared_app = module_application_fixtures()[0]


@pytest.fixture
def app(database, shared_app):
    """``auth_app``'s application with Alice: the module's, put back as prepared."""
    database.reset(shared_app)
    create_user(shared_app, EMAIL)
    return shared_app


@pytest.fixture
def client(client_for, app):
    return connect(client_for, app)


def attempts(app, email=EMAIL):
    (address,) = rows(app, "user_email_address", address=email)
    return sorted(
        rows(app, "user_login_attempt", user_id=address.user_id), key=lambda row: row.created_at
    )


def unblock(app, email=EMAIL):
    """Time passes: the current block is over (instead of sleeping)."""
    (address,) = rows(app, "user_email_address", address=email)
    update_rows(
        app,
        "user_login_attempt",
        {"blocked_until": utcnow() - timedelta(seconds=1)},
        user_id=address.user_id,
    )


# -- success -------------------------------------------------------------------------------
def test_login_answers_upstream_fields_and_opens_a_session(app, client):
    before = utcnow()
    answer = login(client, EMAIL)
    assert answer.status == 200
    assert "errors" not in answer.body
    result = answer.data["login"]
    assert result["success"] is True
    assert result["message"]
    # A duration in seconds (upstream sent an absolute epoch).
    assert result["accessTokenExpireIn"] == app.settings.access_token_lifetime == 300
    assert re.fullmatch(r"[0-9a-f]{64}", result["xsrfToken"])
    (user_id,) = [a.user_id for a in rows(app, "user_email_address", address=EMAIL)]
    (session,) = rows(app, "user_session", user_id=user_id)
    assert session.revoked_at is None
    lifetime = timedelta(seconds=app.settings.refresh_token_lifetime)
    assert before + lifetime <= session.expires_at <= utcnow() + lifetime
    (token,) = rows(app, "user_refresh_token", session_id=session.id)
    assert token.used_at is None and len(token.token_hash) == 64
    # The refresh token is stored hashed: the cookie value is nowhere in the table.
    assert token.token_hash != answer.cookies["refresh_token"]["value"]
    assert [a.status_id for a in attempts(app)] == ["SUCCEED"]
    me = call(client, CONNECTED_USER, xsrf=result["xsrfToken"])
    assert me.data["connectedUser"]["email"] == EMAIL
    assert me.data["connectedUser"]["status"] == {"code": "ENABLED"}


@pytest.mark.parametrize(("secure", "samesite"), [(True, "lax"), (False, "lax"), (True, "strict")])
def test_cookie_attributes(new_app, client_for, secure, samesite):
    app = new_app(cookie_secure=secure, cookie_samesite=samesite)
    create_user(app, EMAIL)
    answer = login(connect(client_for, app), EMAIL)
    cookies = answer.cookies
    assert set(cookies) == {"access_token", "refresh_token", "XSRF-TOKEN"}
    for name, cookie in cookies.items():
        assert cookie["path"] == "/", name
        assert cookie["samesite"].lower() == samesite, name
        assert bool(cookie.get("secure")) is secure, name
        assert "domain" not in cookie, name
    assert cookies["access_token"].get("httponly") is True
    assert cookies["refresh_token"].get("httponly") is True
    assert "httponly" not in cookies["XSRF-TOKEN"]  # the front-end reads it
    assert cookies["XSRF-TOKEN"]["value"] == answer.data["login"]["xsrfToken"]
    assert cookies["access_token"]["max-age"] == "300"
    assert cookies["XSRF-TOKEN"]["max-age"] == "300"
    refresh_age = int(cookies["refresh_token"]["max-age"])
    assert (
        app.settings.refresh_token_lifetime - 5
        <= refresh_age
        <= (app.settings.refresh_token_lifetime)
    )
    assert cookies["access_token"]["value"].count(".") == 2  # a JWT


def test_cookie_domain_setting(new_app, client_for):
    app = new_app(cookie_domain="example.com")
    create_user(app, EMAIL)
    answer = login(connect(client_for, app), EMAIL)
    assert {c.get("domain") for c in answer.cookies.values()} == {"example.com"}


def test_login_is_case_insensitive_and_the_password_is_not_trimmed(new_app, client_for):
    app = new_app()
    create_user(app, "bob@example.com", " spaced-pass 42 ")
    client = connect(client_for, app)
    assert login(client, "bob@example.com", "spaced-pass 42").code == "INVALID_CREDENTIALS_ERROR"
    answer = login(client, "  BoB@Example.COM ", " spaced-pass 42 ")
    assert answer.data["login"]["success"] is True


def test_empty_login_and_empty_password(client):
    empty_login = login(client, "   ", PASSWORD)
    assert empty_login.code == "EMPTY_LOGIN_ERROR"
    assert empty_login.errors[0]["extensions"]["status_code"] == 400
    empty_password = login(client, EMAIL, "")
    assert empty_password.code == "EMPTY_PASSWORD_ERROR"
    assert empty_password.data is None and not empty_password.cookies


# -- failures ------------------------------------------------------------------------------
def test_unknown_user_and_wrong_password_answer_identically(app, client):
    unknown = login(client, "nobody@example.com", PASSWORD)
    wrong = login(client, EMAIL, "Wrong-password-1")
    assert unknown.status == wrong.status == 200
    assert unknown.body == wrong.body
    assert wrong.code == "INVALID_CREDENTIALS_ERROR"
    assert wrong.errors[0]["extensions"]["status_code"] == 401
    assert wrong.data is None
    assert not unknown.cookies and not wrong.cookies
    assert not rows(app, "user_session")
    # The wrong password counts (and stays counted although the operation failed).
    assert [(a.status_id, a.attempt_count) for a in attempts(app)] == [("FAILED", 1)]


def test_unknown_user_costs_a_password_hash(client, monkeypatch):
    import lys.apps.user_auth.modules.auth.services as services

    calls = []
    real = services.verify_password

    def spy(password_hash, password):
        calls.append(password_hash)
        return real(password_hash, password)

    monkeypatch.setattr(services, "verify_password", spy)
    assert login(client, "nobody@example.com", PASSWORD).code == "INVALID_CREDENTIALS_ERROR"
    assert calls == [None]  # the dummy hash was verified


@pytest.mark.parametrize("status", ["DISABLED", "REVOKED", "DELETED"])
def test_a_user_who_is_not_enabled_cannot_log_in(new_app, client_for, status):
    app = new_app()
    create_user(app, "off@example.com", status=status)
    client = connect(client_for, app)
    right = login(client, "off@example.com", PASSWORD)
    unknown = login(client, "nobody@example.com", PASSWORD)
    assert right.body == unknown.body
    assert right.code == "INVALID_CREDENTIALS_ERROR"
    assert not right.cookies and not rows(app, "user_session")


def test_an_account_without_password_cannot_log_in(new_app, client_for):
    app = new_app()
    create_user(app, "sso@example.com", password=None)
    answer = login(connect(client_for, app), "sso@example.com", PASSWORD)
    assert answer.code == "INVALID_CREDENTIALS_ERROR"


def test_login_is_for_callers_who_are_not_connected(client):
    xsrf = logged_in(client, EMAIL)
    again = call(
        client,
        'mutation { login(inputs: {login: "alice@example.com", password: "x"}) { success } }',
        xsrf=xsrf,
    )
    assert again.code == "PERMISSION_DENIED"


# -- lockout -------------------------------------------------------------------------------
def test_lockout_progression(app, client):
    wrong = "Wrong-password-1"
    assert login(client, EMAIL, wrong).code == "INVALID_CREDENTIALS_ERROR"
    assert login(client, EMAIL, wrong).code == "INVALID_CREDENTIALS_ERROR"
    (series,) = attempts(app)
    assert (series.attempt_count, series.blocked_until) == (2, None)

    # The 3rd consecutive failure blocks for 60 s.
    before = utcnow()
    assert login(client, EMAIL, wrong).code == "INVALID_CREDENTIALS_ERROR"
    (series,) = attempts(app)
    assert series.attempt_count == 3
    assert (
        before + timedelta(seconds=60) <= series.blocked_until <= utcnow() + timedelta(seconds=60)
    )

    # While blocked: refused before the password, the counter frozen, even the right one.
    for password in (wrong, PASSWORD):
        blocked = login(client, EMAIL, password)
        assert blocked.code == "RATE_LIMIT_ERROR"
        extensions = blocked.errors[0]["extensions"]
        assert extensions["status_code"] == 429
        assert 55 <= extensions["remaining_seconds"] <= 60
        assert extensions["attempt_count"] == 3
        assert not blocked.cookies
    (series,) = attempts(app)
    assert series.attempt_count == 3
    assert not rows(app, "user_session")

    # After the block, the 4th failure blocks 60 s again, the 5th 900 s.
    unblock(app)
    assert login(client, EMAIL, wrong).code == "INVALID_CREDENTIALS_ERROR"
    assert login(client, EMAIL, wrong).errors[0]["extensions"]["remaining_seconds"] <= 60
    unblock(app)
    assert login(client, EMAIL, wrong).code == "INVALID_CREDENTIALS_ERROR"
    blocked = login(client, EMAIL, PASSWORD)
    assert blocked.code == "RATE_LIMIT_ERROR"
    assert 895 <= blocked.errors[0]["extensions"]["remaining_seconds"] <= 900
    assert blocked.errors[0]["extensions"]["attempt_count"] == 5

    # Once it is over, the right password works and the next failure starts a new series.
    unblock(app)
    assert login(client, EMAIL, PASSWORD).data["login"]["success"] is True
    client.cookies.clear()
    assert login(client, EMAIL, wrong).code == "INVALID_CREDENTIALS_ERROR"
    assert [(a.status_id, a.attempt_count) for a in attempts(app)] == [
        ("FAILED", 5),
        ("SUCCEED", 1),
        ("FAILED", 1),
    ]
    assert attempts(app)[-1].blocked_until is None


def test_lockout_durations_come_from_settings(new_app, client_for):
    app = new_app(login_lockout_durations={1: 30})
    create_user(app, EMAIL)
    client = connect(client_for, app)
    assert login(client, EMAIL, "Wrong-password-1").code == "INVALID_CREDENTIALS_ERROR"
    blocked = login(client, EMAIL, PASSWORD)
    assert blocked.code == "RATE_LIMIT_ERROR"
    assert blocked.errors[0]["extensions"]["remaining_seconds"] <= 30


def test_parallel_wrong_passwords_cannot_outrun_the_lockout(app, client):
    """Guesses sent at once are checked one after the other: only 3 reach the password."""
    barrier = threading.Barrier(8)

    def guess(_index):
        barrier.wait()
        return login(client, EMAIL, "Wrong-password-1").code

    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(guess, range(8)))
    assert sorted(codes) == ["INVALID_CREDENTIALS_ERROR"] * 3 + ["RATE_LIMIT_ERROR"] * 5
    (series,) = attempts(app)
    assert series.attempt_count == 3


# -- hashes and sessions -----------------------------------------------------------------
def test_an_outdated_hash_is_upgraded_at_login(new_app, client_for):
    app = new_app()
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    user_id = create_user(app, EMAIL, password_hash=weak)
    assert needs_rehash(weak)
    assert login(connect(client_for, app), EMAIL).data["login"]["success"] is True
    (user,) = rows(app, "user", id=user_id)
    assert user.password != weak
    assert not needs_rehash(user.password)
    assert verify_password(user.password, PASSWORD)


def test_each_login_opens_its_own_session(app, client_for):
    first, second = connect(client_for, app), connect(client_for, app)
    logged_in(first, EMAIL)
    logged_in(second, EMAIL)
    sessions = rows(app, "user_session")
    assert len(sessions) == 2
    assert all(s.revoked_at is None for s in sessions)


def test_logging_in_again_ends_the_session_this_client_held(app, client):
    logged_in(client, EMAIL)
    (old,) = rows(app, "user_session")
    # The access token expired (dropped here), the refresh cookie is still there.
    client.cookies.delete("access_token")
    logged_in(client, EMAIL)
    sessions = {s.id: s for s in rows(app, "user_session")}
    assert len(sessions) == 2
    assert sessions[old.id].revoked_at is not None
    assert sessions[old.id].revoked_reason == "RELOGIN"
