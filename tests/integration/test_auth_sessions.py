"""Sessions over HTTP: XSRF, Bearer, refresh rotation and reuse, logout and revocation,
forged tokens. On SQLite and PostgreSQL; revocation with and without Redis."""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from joserfc import jwt
from joserfc.jwk import OctKey

from lys.apps.user_auth.modules.auth.runtime import runtime_of
from lys.auth.tokens import TokenCodec
from lys.db.types import utcnow
from lys.fixtures import load_fixtures
from tests.integration.auth_helpers import (
    AUTH_APPS,
    CONNECTED_USER,
    LOGOUT,
    LOGOUT_EVERYWHERE,
    MY_SESSIONS,
    REFRESH,
    SECRET_KEY,
    auth_app,
    call,
    cleared,
    connect,
    create_user,
    logged_in,
    rows,
    update_rows,
)
from tests.integration.prepared_database import (
    DATABASES,
    module_application_fixtures,
    module_database,
)
from tests.services import REDIS_URL, require

EMAIL = "alice@example.com"
OTHER = "bob@example.com"
COOKIES = ("access_token", "refresh_token", "XSRF-TOKEN")


@pytest.fixture(params=["database", "redis"])
def revocation(request):
    """Where revocations are looked up: the session rows, or Redis."""
    if request.param == "redis":
        require("Redis", REDIS_URL)
        return {"redis_url": REDIS_URL}
    return {}


def make(make_app, **settings):
    app = auth_app(make_app, **settings)
    create_user(app, EMAIL)
    create_user(app, OTHER)
    return app


@pytest.fixture(scope="module", params=DATABASES)
def database(request, tmp_path_factory):
    """What ``make`` writes, once per module and database."""

    def prepare(app):
        load_fixtures(app)
        create_user(app, EMAIL)
        create_user(app, OTHER)

    yield from module_database(
        request,
        tmp_path_factory,
        prepare,
        installed_apps=AUTH_APPS,
        secret_key=SECRET_KEY,
        rate_limit_per_minute=0,
    )


shared_app, app = module_application_fixtures()


@pytest.fixture
def client(client_for, app):
    return connect(client_for, app)


def bearer(token):
    return {"authorization": f"Bearer {token}"}


def claims_of(app, access_token):
    return runtime_of(app.registry).codec.decode(access_token, "access")


def session_id_of(app, client):
    return uuid.UUID(claims_of(app, client.cookies["access_token"])["sid"])


def me(client, **kwargs):
    return call(client, CONNECTED_USER, **kwargs)


def assert_anonymous(answer):
    assert answer.code == "ACCESS_DENIED_ERROR", answer.body
    assert answer.data == {"connectedUser": None}


# -- XSRF ----------------------------------------------------------------------------------
def test_a_cookie_request_without_the_xsrf_header_is_refused_before_it_runs(app, client):
    xsrf = logged_in(client, EMAIL)
    for header in (None, "", "0" * 64, xsrf.upper(), xsrf[:-1], "x" * 5000):
        answer = call(client, LOGOUT_EVERYWHERE, xsrf=header)
        assert answer.status == 403, header
        assert answer.body == {
            "errors": [
                {
                    "message": "INVALID_XSRF_TOKEN_ERROR",
                    "extensions": {
                        "code": "INVALID_XSRF_TOKEN_ERROR",
                        "status_code": 403,
                        "detail": answer.errors[0]["extensions"]["detail"],
                    },
                }
            ]
        }
    # Nothing ran: the session is still open.
    (session,) = rows(app, "user_session")
    assert session.revoked_at is None
    ok = call(client, LOGOUT_EVERYWHERE, xsrf=xsrf)
    assert ok.status == 200 and ok.data["logoutEverywhere"]["succeed"] is True
    (session,) = rows(app, "user_session")
    assert session.revoked_at is not None


def test_the_xsrf_failure_is_logged_without_the_token(client, caplog):
    xsrf = logged_in(client, EMAIL)
    with caplog.at_level("WARNING", logger="lys.security.xsrf"):
        assert call(client, CONNECTED_USER, xsrf="wrong").status == 403
        assert call(client, CONNECTED_USER).status == 403
    reasons = [r.getMessage() for r in caplog.records if r.name == "lys.security.xsrf"]
    assert len(reasons) == 2
    assert "does not match" in reasons[0] and "missing" in reasons[1]
    assert not any(xsrf in reason for reason in reasons)


def test_the_xsrf_token_of_another_session_is_refused(app, client_for):
    alice, bob = connect(client_for, app), connect(client_for, app)
    logged_in(alice, EMAIL)
    bob_xsrf = logged_in(bob, OTHER)
    assert me(alice, xsrf=bob_xsrf).status == 403


def test_the_xsrf_token_rotates_at_refresh(client):
    first = logged_in(client, EMAIL)
    refreshed = call(client, REFRESH, xsrf=first)
    second = refreshed.data["refreshAccessToken"]["xsrfToken"]
    assert second != first
    assert refreshed.cookies["XSRF-TOKEN"]["value"] == second
    assert me(client, xsrf=first).status == 403
    assert me(client, xsrf=second).data["connectedUser"]["email"] == EMAIL


def test_the_xsrf_check_can_be_turned_off(make_app, client_for):
    app = make(make_app, xsrf_check=False)
    client = connect(client_for, app)
    logged_in(client, EMAIL)
    assert me(client).data["connectedUser"]["email"] == EMAIL


def test_anonymous_requests_need_no_xsrf_header(client):
    answer = call(client, LOGOUT)
    assert answer.status == 200 and answer.data["logout"]["succeed"] is True


# -- Bearer --------------------------------------------------------------------------------
def test_bearer_requests_need_no_xsrf_header(app, client, client_for):
    logged_in(client, EMAIL)
    token = client.cookies["access_token"]
    api = connect(client_for, app)  # no cookies at all
    assert me(api, headers=bearer(token)).data["connectedUser"]["email"] == EMAIL
    done = call(api, LOGOUT_EVERYWHERE, headers=bearer(token))
    assert done.status == 200 and done.data["logoutEverywhere"]["succeed"] is True


def test_a_bearer_header_is_used_instead_of_the_cookie(client):
    xsrf = logged_in(client, EMAIL)
    assert_anonymous(me(client, xsrf=xsrf, headers=bearer("not-a-token")))
    # Another scheme is not ours: the cookie decides.
    basic = me(client, xsrf=xsrf, headers={"authorization": "Basic abc"})
    assert basic.data["connectedUser"]["email"] == EMAIL


# -- refresh -------------------------------------------------------------------------------
def test_refresh_rotates_the_refresh_token_of_the_session(app, client):
    xsrf = logged_in(client, EMAIL)
    first = client.cookies["refresh_token"]
    session_id = session_id_of(app, client)
    answer = call(client, REFRESH, xsrf=xsrf)
    assert answer.status == 200 and "errors" not in answer.body
    result = answer.data["refreshAccessToken"]
    assert result["success"] is True and result["accessTokenExpireIn"] == 300
    assert set(answer.cookies) == set(COOKIES)
    second = answer.cookies["refresh_token"]["value"]
    assert second != first
    assert answer.cookies["refresh_token"]["httponly"] is True
    tokens = rows(app, "user_refresh_token", session_id=session_id)
    assert len(tokens) == 2
    assert sorted(t.used_at is None for t in tokens) == [False, True]
    assert session_id_of(app, client) == session_id  # same session, new access token
    assert me(client, xsrf=result["xsrfToken"]).data["connectedUser"]["email"] == EMAIL
    (session,) = rows(app, "user_session", id=session_id)
    assert session.last_used_at > session.created_at


def test_refresh_without_a_refresh_cookie(client):
    answer = call(client, REFRESH)
    assert answer.code == "MISSING_REFRESH_TOKEN_ERROR"
    assert answer.errors[0]["extensions"]["status_code"] == 401
    assert all(cleared(answer, name) for name in COOKIES)


def test_refresh_with_an_unknown_token(client):
    client.cookies.set("refresh_token", "forged-token")
    answer = call(client, REFRESH)
    assert answer.code == "INVALID_REFRESH_TOKEN_ERROR"
    assert answer.errors[0]["extensions"]["status_code"] == 401
    assert all(cleared(answer, name) for name in COOKIES)


def test_reusing_a_refresh_token_ends_the_whole_session(make_app, client_for, revocation):
    app = make(make_app, **revocation)
    client = connect(client_for, app)
    xsrf = logged_in(client, EMAIL)
    stolen = client.cookies["refresh_token"]
    session_id = session_id_of(app, client)
    rotated = call(client, REFRESH, xsrf=xsrf)
    new_xsrf = rotated.data["refreshAccessToken"]["xsrfToken"]
    new_access = client.cookies["access_token"]

    thief = connect(client_for, app)
    thief.cookies.set("refresh_token", stolen)
    replay = call(thief, REFRESH)
    assert replay.code == "INVALID_REFRESH_TOKEN_ERROR"
    assert all(cleared(replay, name) for name in COOKIES)
    (session,) = rows(app, "user_session", id=session_id)
    assert session.revoked_at is not None and session.revoked_reason == "REFRESH_TOKEN_REUSE"

    # The legitimate holder's newer tokens are dead too, the access token at once.
    assert_anonymous(me(client, xsrf=new_xsrf))
    assert_anonymous(me(thief, headers=bearer(new_access)))
    assert call(client, REFRESH).code == "INVALID_REFRESH_TOKEN_ERROR"


def test_refresh_of_a_user_who_is_no_longer_enabled(app, client):
    xsrf = logged_in(client, EMAIL)
    update_rows(app, "user", {"status_id": "DISABLED"}, is_super_user=False)
    answer = call(client, REFRESH, xsrf=xsrf)
    assert answer.code == "BLOCKED_USER_ERROR"
    assert answer.errors[0]["extensions"]["status_code"] == 403
    assert all(cleared(answer, name) for name in COOKIES)


def test_refresh_after_the_session_expired(app, client):
    logged_in(client, EMAIL)
    update_rows(app, "user_session", {"expires_at": utcnow() - timedelta(seconds=1)})
    client.cookies.delete("access_token")
    assert call(client, REFRESH).code == "INVALID_REFRESH_TOKEN_ERROR"


def test_concurrent_refreshes_with_one_token_yield_at_most_one_new_token(app, client):
    logged_in(client, EMAIL)
    token = client.cookies["refresh_token"]
    session_id = session_id_of(app, client)
    client.cookies.clear()
    barrier = threading.Barrier(8)

    def refresh(_index):
        barrier.wait()
        return call(client, REFRESH, headers={"cookie": f"refresh_token={token}"})

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(refresh, range(8)))
    successes = [a for a in answers if a.data and a.data["refreshAccessToken"]]
    assert len(successes) <= 1
    assert {a.code for a in answers if a not in successes} <= {"INVALID_REFRESH_TOKEN_ERROR"}
    tokens = rows(app, "user_refresh_token", session_id=session_id)
    assert len(tokens) == 1 + len(successes)


def test_a_refresh_token_is_consumed_once_even_by_racing_transactions(app, client):
    """The compare-and-set itself: a transaction that read the token unused but lost the
    race learns it from the update, not from its stale read."""
    logged_in(client, EMAIL)
    service = app.service("user_session")
    raw = client.cookies["refresh_token"]
    now = utcnow()
    with app.session() as late:
        token = service.find_refresh_token(late, raw)
        assert token.used_at is None  # read before the other transaction commits
        with app.session() as early:
            assert service.consume_refresh_token(early, token.id, now) is True
        assert service.consume_refresh_token(late, token.id, now) is False


def test_the_loser_of_a_refresh_race_keeps_the_cookies_and_the_session(app, client, monkeypatch):
    import lys.apps.user_auth.modules.auth.services as services

    logged_in(client, EMAIL)
    session_id = session_id_of(app, client)
    monkeypatch.setattr(services.UserSessionService, "consume_refresh_token", lambda *_args: False)
    client.cookies.delete("access_token")
    answer = call(client, REFRESH)
    assert answer.code == "INVALID_REFRESH_TOKEN_ERROR"
    assert not answer.cookies  # the winner's response sets them
    (session,) = rows(app, "user_session", id=session_id)
    assert session.revoked_at is None


# -- logout --------------------------------------------------------------------------------
def test_logout_stops_the_access_token_at_once(make_app, client_for, revocation):
    app = make(make_app, **revocation)
    client = connect(client_for, app)
    xsrf = logged_in(client, EMAIL)
    access, refresh = client.cookies["access_token"], client.cookies["refresh_token"]
    session_id = session_id_of(app, client)
    answer = call(client, LOGOUT, xsrf=xsrf)
    assert answer.data["logout"] == {"succeed": True, "message": answer.data["logout"]["message"]}
    assert all(cleared(answer, name) for name in COOKIES)
    (session,) = rows(app, "user_session", id=session_id)
    assert session.revoked_at is not None and session.revoked_reason == "LOGOUT"

    other = connect(client_for, app)
    assert_anonymous(me(other, headers=bearer(access)))  # well before it expires
    other.cookies.set("refresh_token", refresh)
    assert call(other, REFRESH).code == "INVALID_REFRESH_TOKEN_ERROR"
    if revocation:
        redis = runtime_of(app.registry).revocations.redis()
        ttl = redis.ttl(f"lys:auth:revoked-session:{session_id}")
        assert 0 < ttl <= app.settings.access_token_lifetime + 60


def test_logout_with_a_garbage_refresh_cookie_still_succeeds(app, client):
    client.cookies.set("refresh_token", "garbage")
    client.cookies.set("access_token", "garbage.garbage.garbage")
    answer = call(client, LOGOUT)
    assert answer.status == 200
    assert answer.data["logout"]["succeed"] is True
    assert all(cleared(answer, name) for name in COOKIES)


def test_logout_with_no_cookie_at_all(client):
    answer = call(client, LOGOUT)
    assert answer.data["logout"]["succeed"] is True
    assert all(cleared(answer, name) for name in COOKIES)


def test_logout_by_bearer_ends_the_session_of_the_token(app, client, client_for):
    logged_in(client, EMAIL)
    token = client.cookies["access_token"]
    session_id = session_id_of(app, client)
    api = connect(client_for, app)
    assert call(api, LOGOUT, headers=bearer(token)).data["logout"]["succeed"] is True
    (session,) = rows(app, "user_session", id=session_id)
    assert session.revoked_at is not None
    assert_anonymous(me(api, headers=bearer(token)))


def test_logout_everywhere_ends_every_session(make_app, client_for, revocation):
    app = make(make_app, **revocation)
    laptop, phone, bob = (connect(client_for, app) for _ in range(3))
    laptop_xsrf = logged_in(laptop, EMAIL)
    phone_xsrf = logged_in(phone, EMAIL)
    bob_xsrf = logged_in(bob, OTHER)
    answer = call(laptop, LOGOUT_EVERYWHERE, xsrf=laptop_xsrf)
    assert answer.data["logoutEverywhere"]["succeed"] is True
    assert all(cleared(answer, name) for name in COOKIES)
    assert_anonymous(me(phone, xsrf=phone_xsrf))
    phone.cookies.delete("access_token")
    assert call(phone, REFRESH).code == "INVALID_REFRESH_TOKEN_ERROR"
    # Another user's session is untouched.
    assert me(bob, xsrf=bob_xsrf).data["connectedUser"]["email"] == OTHER
    assert_anonymous(call(connect(client_for, app), CONNECTED_USER))
    anonymous = call(connect(client_for, app), LOGOUT_EVERYWHERE)
    assert anonymous.code == "ACCESS_DENIED_ERROR"


# -- sessions ------------------------------------------------------------------------------
def test_my_sessions_lists_the_callers_active_sessions(app, client_for):
    laptop, phone, bob = (connect(client_for, app) for _ in range(3))
    laptop.headers["user-agent"] = "Laptop browser"
    phone.headers["user-agent"] = "Phone app"
    laptop_xsrf = logged_in(laptop, EMAIL)
    phone_xsrf = logged_in(phone, EMAIL)
    logged_in(bob, OTHER)
    listed = call(laptop, MY_SESSIONS, xsrf=laptop_xsrf).data["mySessions"]
    assert [s["userAgent"] for s in listed] == ["Phone app", "Laptop browser"]
    assert [s["current"] for s in listed] == [False, True]
    assert listed[1]["id"] == str(session_id_of(app, laptop))
    assert all(s["ipAddress"] for s in listed)
    assert all(s["createdAt"] and s["lastUsedAt"] and s["expiresAt"] for s in listed)

    call(phone, LOGOUT, xsrf=phone_xsrf)
    listed = call(laptop, MY_SESSIONS, xsrf=laptop_xsrf).data["mySessions"]
    assert [s["userAgent"] for s in listed] == ["Laptop browser"]
    assert call(connect(client_for, app), MY_SESSIONS).code == "ACCESS_DENIED_ERROR"


def test_logout_session_ends_one_of_my_other_sessions(app, client_for):
    laptop, phone, bob = (connect(client_for, app) for _ in range(3))
    laptop_xsrf = logged_in(laptop, EMAIL)
    phone_xsrf = logged_in(phone, EMAIL)
    bob_xsrf = logged_in(bob, OTHER)
    end = "mutation End($id: UUID!) { logoutSession(id: $id) { succeed message } }"
    # Not someone else's.
    refused = call(bob, end, {"id": str(session_id_of(app, phone))}, xsrf=bob_xsrf)
    assert refused.data["logoutSession"]["succeed"] is False
    assert me(phone, xsrf=phone_xsrf).data["connectedUser"]["email"] == EMAIL
    done = call(laptop, end, {"id": str(session_id_of(app, phone))}, xsrf=laptop_xsrf)
    assert done.data["logoutSession"]["succeed"] is True
    assert_anonymous(me(phone, xsrf=phone_xsrf))
    assert me(laptop, xsrf=laptop_xsrf).data["connectedUser"]["email"] == EMAIL


# -- the revocation API other modules call --------------------------------------------------
def test_revoke_user_sessions_keeps_the_callers_session(make_app, client_for, revocation):
    """What a password change does: every other session of the user ends at once."""
    app = make(make_app, **revocation)
    laptop, phone = connect(client_for, app), connect(client_for, app)
    laptop_xsrf = logged_in(laptop, EMAIL)
    phone_xsrf = logged_in(phone, EMAIL)
    user_id = uuid.UUID(claims_of(app, laptop.cookies["access_token"])["sub"])
    with app.session() as session:
        ended = app.service("user_session").revoke_user_sessions(
            session, user_id, except_session=session_id_of(app, laptop), reason="PASSWORD_CHANGED"
        )
    assert ended == [session_id_of(app, phone)]
    assert me(laptop, xsrf=laptop_xsrf).data["connectedUser"]["email"] == EMAIL
    assert_anonymous(me(phone, xsrf=phone_xsrf))


def test_disable_user_cuts_the_user_off_at_once(make_app, client_for, revocation):
    app = make(make_app, **revocation)
    client = connect(client_for, app)
    xsrf = logged_in(client, EMAIL)
    user_id = uuid.UUID(claims_of(app, client.cookies["access_token"])["sub"])
    with app.session() as session:
        # The caller changes the status, then calls the hook.
        user = session.get(app.model("user"), user_id)
        user.status_id = "DISABLED"
        app.service("user_session").disable_user(session, user_id)
    assert_anonymous(me(client, xsrf=xsrf))
    client.cookies.delete("access_token")
    assert call(client, REFRESH).code == "INVALID_REFRESH_TOKEN_ERROR"


def test_without_redis_a_disabled_status_alone_refuses_the_token(app, client):
    xsrf = logged_in(client, EMAIL)
    update_rows(app, "user", {"status_id": "DISABLED"}, is_super_user=False)
    assert_anonymous(me(client, xsrf=xsrf))


def test_when_redis_does_not_answer_the_database_decides(make_app, client_for):
    app = make(make_app, redis_url="redis://127.0.0.1:9/0")  # nothing listens there
    client = connect(client_for, app)
    xsrf = logged_in(client, EMAIL)
    assert me(client, xsrf=xsrf).data["connectedUser"]["email"] == EMAIL
    access = client.cookies["access_token"]
    assert call(client, LOGOUT, xsrf=xsrf).data["logout"]["succeed"] is True
    assert_anonymous(me(connect(client_for, app), headers=bearer(access)))


def test_when_the_session_cannot_be_checked_the_request_is_refused(app, client, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from lys.apps.user_auth.modules.auth.revocation import Revocations

    xsrf = logged_in(client, EMAIL)

    def database_down(*_args):
        raise OperationalError("SELECT", {}, Exception("connection refused"))

    monkeypatch.setattr(Revocations, "_session_alive", database_down)
    answer = me(client, xsrf=xsrf)
    assert answer.status == 503
    assert answer.code == "SERVICE_UNAVAILABLE"
    assert "data" not in answer.body


# -- forged tokens -------------------------------------------------------------------------
def _b64(data):
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _claims(app, client):
    genuine = claims_of(app, client.cookies["access_token"])
    return {key: genuine[key] for key in ("sub", "sid", "su", "xsrf")}


def forge(kind, app, claims):
    settings = app.settings
    own = runtime_of(app.registry).codec
    other_key = OctKey.import_key(b"another-secret-key-0123456789-abcdefghijklmno")
    now = int(time.time())
    full = {
        **claims,
        "type": "access",
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "exp": now + 300,
        "jti": uuid.uuid4().hex,
    }
    if kind == "alg-none":
        return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(full)}."
    if kind == "other-key":
        return jwt.encode({"alg": "HS256"}, full, other_key)
    if kind == "other-algorithm":  # the right key, an algorithm the settings do not name
        return jwt.encode({"alg": "HS512"}, full, own.key, algorithms=["HS512"])
    if kind == "expired":
        return own.encode(claims, "access", -5)
    if kind == "wrong-audience":
        return TokenCodec(own.key, "HS256", own.issuer, "other-api").encode(claims, "access", 300)
    if kind == "wrong-issuer":
        return TokenCodec(own.key, "HS256", "someone", own.audience).encode(claims, "access", 300)
    if kind == "refresh-type":
        return own.encode(claims, "refresh", 300)
    if kind == "no-session":
        return own.encode({k: v for k, v in claims.items() if k != "sid"}, "access", 300)
    if kind == "unknown-session":
        return own.encode({**claims, "sid": str(uuid.uuid4())}, "access", 300)
    if kind == "tampered":
        header, _payload, signature = own.encode(claims, "access", 300).split(".")
        return f"{header}.{_b64({**full, 'su': True})}.{signature}"
    if kind == "malformed":
        return "a.b"
    raise AssertionError(kind)


FORGERIES = [
    "alg-none",
    "other-key",
    "other-algorithm",
    "expired",
    "wrong-audience",
    "wrong-issuer",
    "refresh-type",
    "no-session",
    "unknown-session",
    "tampered",
    "malformed",
]


def test_a_token_made_like_the_forgeries_but_genuine_is_accepted(app, client, client_for):
    """The control for the forgeries below: only the forged part makes them fail."""
    logged_in(client, EMAIL)
    token = runtime_of(app.registry).codec.encode(_claims(app, client), "access", 300)
    assert me(connect(client_for, app), headers=bearer(token)).data["connectedUser"]


@pytest.mark.parametrize("kind", FORGERIES)
def test_forged_access_tokens_are_anonymous(app, client, client_for, kind):
    logged_in(client, EMAIL)
    token = forge(kind, app, _claims(app, client))
    as_bearer = connect(client_for, app)
    assert_anonymous(me(as_bearer, headers=bearer(token)))
    as_cookie = connect(client_for, app)
    as_cookie.cookies.set("access_token", token)
    answer = me(as_cookie)  # anonymous: no XSRF check either
    assert answer.status == 200
    assert_anonymous(answer)
