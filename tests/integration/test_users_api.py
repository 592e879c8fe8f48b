"""The user operations over HTTP: each one's success and its error codes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from lys import Application
from lys.fixtures import load_fixtures
from tests.integration.prepared_database import (
    DATABASES,
    USERS_APP_SETTINGS,
    PreparedDatabase,
    module_application_fixtures,
    module_database,
)
from tests.integration.test_users_support import (
    NEW_PASSWORD,
    PASSWORD,
    USER_FIELDS,
    Actor,
    anonymous,
    can_log_in,
    emails,
    gid,
    is_connected,
    logged_in,
    make_user,
    rows,
    update_rows,
)

Clients = Callable[[Application], TestClient[Any]]

ADMIN = "admin@example.com"
ALICE = "alice@example.com"
BOB = "bob@example.com"

CREATE_USER = f"""
mutation Create($inputs: CreateUserInput!) {{ createUser(inputs: $inputs) {{ {USER_FIELDS} }} }}
"""
CREATE_SUPER_USER = """
mutation Create($inputs: CreateSuperUserInput!) {
  createSuperUser(inputs: $inputs) { id email isSuperUser }
}"""
ALL_USERS = """
query Users($search: String, $status: String, $first: Int, $after: String) {
  allUsers(search: $search, statusCode: $status, first: $first, after: $after) {
    edges { node { email } } pageInfo { hasNextPage endCursor } totalCount
  }
}"""
UPDATE_EMAIL = """
mutation Email($id: ID!, $email: String!) {
  updateUserEmail(id: $id, inputs: {newEmail: $email}) {
    email emailAddress { validatedAt lastValidationRequestAt }
  }
}"""
UPDATE_PASSWORD = """
mutation Password($id: ID!, $current: String!, $new: String!) {
  updatePassword(id: $id, inputs: {currentPassword: $current, newPassword: $new}) { id }
}"""
UPDATE_PRIVATE_DATA = """
mutation Private($id: ID!, $inputs: UpdateUserPrivateDataInput!) {
  updateUserPrivateData(id: $id, inputs: $inputs) {
    language { code } privateData { firstName lastName gender { code } }
  }
}"""
UPDATE_STATUS = """
mutation Status($id: ID!, $status: String!, $reason: String!) {
  updateUserStatus(id: $id, inputs: {statusCode: $status, reason: $reason}) {
    status { code }
  }
}"""
ANONYMIZE = """
mutation Anonymize($id: ID!, $reason: String!) {
  anonymizeUser(userId: $id, inputs: {reason: $reason}) { success }
}"""
REASON = "Asked by support ticket 1234"


def prepare(app: Application) -> None:
    """What ``users_app`` loads, and the admin."""
    load_fixtures(app)
    make_user(app, ADMIN, super_user=True)


@pytest.fixture(scope="module", params=DATABASES)
def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PreparedDatabase]:
    yield from module_database(
        request,
        tmp_path_factory,
        prepare,
        **USERS_APP_SETTINGS,
    )


shared_app, app = module_application_fixtures()


@pytest.fixture
def admin(app: Application, client_for: Clients) -> Actor:
    return logged_in(client_for, app, ADMIN)


def user_count(app: Application) -> int:
    return len(rows(app, "user"))


def new_user(**values: Any) -> dict[str, Any]:
    inputs = {
        "email": "  Carol.Smith@Example.COM ",
        "password": PASSWORD,
        "languageCode": "fr",
        "firstName": "Carol",
        "lastName": "Smith-O'Neil",
        "genderCode": "FEMALE",
    }
    inputs.update(values)
    return inputs


# -- createUser / createSuperUser --------------------------------------------------------


def test_create_user(app: Application, admin: Actor, client_for: Clients):
    answer = admin.call(CREATE_USER, {"inputs": new_user()})
    assert answer.errors == []
    user = answer.data["createUser"]
    assert user["email"] == "carol.smith@example.com"
    assert user["isSuperUser"] is False
    assert user["status"] == {"code": "ENABLED"}
    assert user["language"] == {"code": "fr"}
    assert user["privateData"] == {
        "firstName": "Carol",
        "lastName": "Smith-O'Neil",
        "gender": {"code": "FEMALE"},
        "anonymizedAt": None,
    }
    assert user["emailAddress"]["address"] == "carol.smith@example.com"
    assert user["emailAddress"]["validatedAt"] is None
    assert user["emailAddress"]["lastValidationRequestAt"] is not None
    (stored,) = rows(app, "user", is_super_user=False)
    assert stored.password.startswith("$argon2id$")
    # The address must be validated: a verification email is queued for it.
    (email,) = emails(app, "USER_EMAIL_VERIFICATION", "carol.smith@example.com")
    assert email.status_id == "WAITING"
    assert email.language_id == "fr"
    assert email.context["link"].startswith("http://localhost:3000/verify-email?token=")
    assert can_log_in(client_for, app, "carol.smith@example.com", PASSWORD)


def test_create_user_refuses_a_taken_address_in_any_case(app: Application, admin: Actor):
    make_user(app, ALICE)
    answer = admin.call(CREATE_USER, {"inputs": new_user(email="ALICE@example.com")})
    assert answer.code == "USER_ALREADY_EXISTS"
    assert answer.extensions["status_code"] == 409
    assert answer.data is None
    assert user_count(app) == 2


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({"email": "not-an-email"}, "VALIDATION_ERROR"),
        ({"email": "two@@example.com"}, "VALIDATION_ERROR"),
        ({"email": "a@b"}, "VALIDATION_ERROR"),
        ({"password": "short1"}, "WEAK_PASSWORD"),
        ({"password": "no-digits-at-all"}, "WEAK_PASSWORD"),
        ({"password": "password1"}, "WEAK_PASSWORD"),  # a common password
        ({"password": ""}, "EMPTY_PASSWORD_ERROR"),
        ({"firstName": "R2-D2"}, "INVALID_NAME"),
        ({"lastName": "<script>"}, "INVALID_NAME"),
        ({"genderCode": "ROBOT"}, "INVALID_GENDER"),
        ({"languageCode": "english"}, "INVALID_LANGUAGE"),
        ({"languageCode": "de"}, "INVALID_LANGUAGE"),
    ],
)
def test_create_user_refuses_bad_input(
    app: Application, admin: Actor, values: dict[str, Any], code: str
):
    answer = admin.call(CREATE_USER, {"inputs": new_user(**values)})
    assert answer.code == code, answer.body
    assert answer.extensions["status_code"] == 400
    # Nothing is written, not even the verification email.
    assert user_count(app) == 1
    assert rows(app, "emailing") == []


def test_create_user_refuses_a_disabled_language_or_gender(app: Application, admin: Actor):
    update_rows(app, "language", {"enabled": False}, id="fr")
    update_rows(app, "gender", {"enabled": False}, id="OTHER")
    assert admin.call(CREATE_USER, {"inputs": new_user()}).code == "INVALID_LANGUAGE"
    answer = admin.call(CREATE_USER, {"inputs": new_user(languageCode="en", genderCode="OTHER")})
    assert answer.code == "INVALID_GENDER"


def test_create_user_without_password_sends_an_invitation(app: Application, admin: Actor):
    answer = admin.call(CREATE_USER, {"inputs": new_user(password=None)})
    assert answer.errors == []
    (user,) = rows(app, "user", is_super_user=False)
    assert user.password is None
    (invitation,) = emails(app, "USER_INVITATION", "carol.smith@example.com")
    assert invitation.context["link"].startswith("http://localhost:3000/activate?token=")
    assert emails(app, "USER_EMAIL_VERIFICATION") == []


def test_create_super_user(app: Application, admin: Actor, client_for: Clients):
    answer = admin.call(CREATE_SUPER_USER, {"inputs": new_user()})
    assert answer.errors == []
    assert answer.data["createSuperUser"]["isSuperUser"] is True
    assert answer.data["createSuperUser"]["email"] == "carol.smith@example.com"
    carol = logged_in(client_for, app, "carol.smith@example.com")
    assert carol.call(ALL_USERS).data["allUsers"]["totalCount"] == 2


def test_only_super_users_create_users(app: Application, client_for: Clients):
    make_user(app, ALICE)
    alice = logged_in(client_for, app, ALICE)
    for query in (CREATE_USER, CREATE_SUPER_USER):
        answer = alice.call(query, {"inputs": new_user()})
        assert answer.code == "PERMISSION_DENIED"
        answer = anonymous(client_for, app).call(query, {"inputs": new_user()})
        assert answer.code == "ACCESS_DENIED_ERROR"
    assert user_count(app) == 2


# -- allUsers ------------------------------------------------------------------------------


def listed(answer: Any) -> list[str]:
    assert answer.errors == [], answer.body
    return sorted(edge["node"]["email"] for edge in answer.data["allUsers"]["edges"])


def test_all_users_searches_email_and_names(app: Application, admin: Actor):
    make_user(app, ALICE, first_name="Alice", last_name="Martin")
    make_user(app, BOB, first_name="Robert", last_name="Dupont")
    make_user(app, "carol@other.org", first_name="Carol", last_name="Martinez")
    assert listed(admin.call(ALL_USERS)) == sorted([ADMIN, ALICE, BOB, "carol@other.org"])
    assert listed(admin.call(ALL_USERS, {"search": "OTHER.org"})) == ["carol@other.org"]
    assert listed(admin.call(ALL_USERS, {"search": "martin"})) == [ALICE, "carol@other.org"]
    assert listed(admin.call(ALL_USERS, {"search": "Robert"})) == [BOB]
    assert listed(admin.call(ALL_USERS, {"search": "nobody"})) == []


def test_all_users_takes_the_search_literally(app: Application, admin: Actor):
    make_user(app, "under_score@example.com")
    make_user(app, "underscore@example.com")
    assert listed(admin.call(ALL_USERS, {"search": "%"})) == []
    assert listed(admin.call(ALL_USERS, {"search": "under_"})) == ["under_score@example.com"]


def test_all_users_refuses_long_searches(app: Application, admin: Actor):
    assert admin.call(ALL_USERS, {"search": "a" * 200}).errors == []
    answer = admin.call(ALL_USERS, {"search": "a" * 201})
    assert answer.code == "SEARCH_TOO_LONG"
    assert answer.extensions["status_code"] == 400


def test_all_users_filters_on_status_and_pages(app: Application, admin: Actor):
    for index in range(5):
        make_user(app, f"user{index}@example.com", status="DISABLED" if index % 2 else "ENABLED")
    assert listed(admin.call(ALL_USERS, {"status": "DISABLED"})) == [
        "user1@example.com",
        "user3@example.com",
    ]
    first = admin.call(ALL_USERS, {"first": 4}).data["allUsers"]
    assert first["totalCount"] == 6
    assert first["pageInfo"]["hasNextPage"] is True
    after = {"first": 4, "after": first["pageInfo"]["endCursor"]}
    second = admin.call(ALL_USERS, after).data["allUsers"]
    assert second["pageInfo"]["hasNextPage"] is False
    seen = [e["node"]["email"] for e in first["edges"] + second["edges"]]
    assert len(seen) == len(set(seen)) == 6


# -- updateUserEmail -----------------------------------------------------------------------


def test_update_user_email(app: Application, client_for: Clients):
    alice_id = make_user(app, ALICE, validated=True)
    make_user(app, BOB)
    alice = logged_in(client_for, app, ALICE)
    # A reset link sent to the old address must stop working.
    alice.call(
        "mutation($e: String!) { requestPasswordReset(inputs: {email: $e}) { success } }",
        {"e": ALICE},
    )
    (old_reset,) = rows(app, "user_one_time_token", type_id="PASSWORD_RESET")

    answer = alice.call(UPDATE_EMAIL, {"id": gid(alice_id), "email": " Alice.New@Example.com"})
    assert answer.errors == []
    updated = answer.data["updateUserEmail"]
    assert updated["email"] == "alice.new@example.com"
    assert updated["emailAddress"]["validatedAt"] is None
    assert updated["emailAddress"]["lastValidationRequestAt"] is not None
    assert len(emails(app, "USER_EMAIL_VERIFICATION", "alice.new@example.com")) == 1
    (reset,) = rows(app, "user_one_time_token", type_id="PASSWORD_RESET")
    assert reset.id == old_reset.id and reset.status_id == "REVOKED"

    taken = alice.call(UPDATE_EMAIL, {"id": gid(alice_id), "email": "BOB@example.com"})
    assert taken.code == "USER_ALREADY_EXISTS"
    invalid = alice.call(UPDATE_EMAIL, {"id": gid(alice_id), "email": "alice at example"})
    assert invalid.code == "VALIDATION_ERROR"
    (address,) = rows(app, "user_email_address", user_id=alice_id)
    assert address.address == "alice.new@example.com"


# -- updatePassword ------------------------------------------------------------------------


def test_update_password_ends_the_other_sessions(app: Application, client_for: Clients):
    alice_id = make_user(app, ALICE)
    here = logged_in(client_for, app, ALICE)
    elsewhere = logged_in(client_for, app, ALICE)
    assert is_connected(elsewhere)

    answer = here.call(
        UPDATE_PASSWORD, {"id": gid(alice_id), "current": PASSWORD, "new": NEW_PASSWORD}
    )
    assert answer.errors == []
    assert is_connected(here)
    assert not is_connected(elsewhere)
    assert can_log_in(client_for, app, ALICE, NEW_PASSWORD)
    assert not can_log_in(client_for, app, ALICE, PASSWORD)
    ended = [s for s in rows(app, "user_session", user_id=alice_id) if s.revoked_at]
    assert len(ended) == 1


@pytest.mark.parametrize(
    ("current", "new", "code", "status"),
    [
        ("Wrong-password-1", NEW_PASSWORD, "INVALID_CREDENTIALS_ERROR", 401),
        (PASSWORD, "weak", "WEAK_PASSWORD", 400),
        (PASSWORD, "x" * 250 + "1234567", "WEAK_PASSWORD", 400),
        (PASSWORD, "", "EMPTY_PASSWORD_ERROR", 400),
    ],
)
def test_update_password_errors(
    app: Application, client_for: Clients, current: str, new: str, code: str, status: int
):
    alice_id = make_user(app, ALICE)
    alice = logged_in(client_for, app, ALICE)
    elsewhere = logged_in(client_for, app, ALICE)
    answer = alice.call(UPDATE_PASSWORD, {"id": gid(alice_id), "current": current, "new": new})
    assert answer.code == code
    assert answer.extensions["status_code"] == status
    assert can_log_in(client_for, app, ALICE, PASSWORD)
    assert is_connected(elsewhere)


# -- updateUserPrivateData -----------------------------------------------------------------


def test_update_user_private_data(app: Application, client_for: Clients):
    alice_id = make_user(app, ALICE, first_name="Alice", last_name="Martin")
    alice = logged_in(client_for, app, ALICE)
    changes = {"firstName": "Élodie", "genderCode": "FEMALE", "languageCode": "fr"}
    answer = alice.call(UPDATE_PRIVATE_DATA, {"id": gid(alice_id), "inputs": changes})
    assert answer.errors == []
    assert answer.data["updateUserPrivateData"] == {
        "language": {"code": "fr"},
        "privateData": {"firstName": "Élodie", "lastName": "Martin", "gender": {"code": "FEMALE"}},
    }
    cleared = alice.call(
        UPDATE_PRIVATE_DATA, {"id": gid(alice_id), "inputs": {"lastName": None, "genderCode": None}}
    )
    assert cleared.data["updateUserPrivateData"]["privateData"] == {
        "firstName": "Élodie",
        "lastName": None,
        "gender": None,
    }


@pytest.mark.parametrize(
    ("inputs", "code"),
    [
        ({"firstName": "Al1ce"}, "INVALID_NAME"),
        ({"lastName": ""}, "INVALID_NAME"),
        ({"genderCode": "UNKNOWN"}, "INVALID_GENDER"),
        ({"languageCode": "EN"}, "INVALID_LANGUAGE"),
        ({"languageCode": "xx"}, "INVALID_LANGUAGE"),
        ({"nickname": "Al"}, "BAD_USER_INPUT"),
    ],
)
def test_update_user_private_data_errors(
    app: Application, client_for: Clients, inputs: dict[str, Any], code: str
):
    alice_id = make_user(app, ALICE, first_name="Alice")
    alice = logged_in(client_for, app, ALICE)
    answer = alice.call(UPDATE_PRIVATE_DATA, {"id": gid(alice_id), "inputs": inputs})
    assert answer.code == code
    (private,) = rows(app, "user_private_data", user_id=alice_id)
    assert private.first_name == "Alice"


# -- updateUserStatus ----------------------------------------------------------------------


def test_disabling_a_user_cuts_them_off_at_once(
    app: Application, admin: Actor, client_for: Clients
):
    alice_id = make_user(app, ALICE)
    alice = logged_in(client_for, app, ALICE)
    assert is_connected(alice)

    answer = admin.call(
        UPDATE_STATUS, {"id": gid(alice_id), "status": "DISABLED", "reason": REASON}
    )
    assert answer.errors == []
    assert answer.data["updateUserStatus"] == {"status": {"code": "DISABLED"}}
    assert not is_connected(alice)
    assert not can_log_in(client_for, app, ALICE, PASSWORD)
    (log,) = rows(app, "user_audit_log", target_user_id=alice_id)
    assert log.type_id == "STATUS_CHANGE"
    assert log.message == f"ENABLED → DISABLED\n\n{REASON}"
    assert log.author_user_id == admin.user_id

    again = admin.call(UPDATE_STATUS, {"id": gid(alice_id), "status": "ENABLED", "reason": REASON})
    assert again.data["updateUserStatus"] == {"status": {"code": "ENABLED"}}
    assert can_log_in(client_for, app, ALICE, PASSWORD)
    assert [log.message.split("\n")[0] for log in rows(app, "user_audit_log")] == [
        "ENABLED → DISABLED",
        "DISABLED → ENABLED",
    ]


@pytest.mark.parametrize(
    ("status", "reason", "code"),
    [
        ("DELETED", REASON, "INVALID_STATUS_CHANGE"),
        ("SLEEPING", REASON, "INVALID_USER_STATUS"),
        ("DISABLED", "too short", "VALIDATION_ERROR"),
        ("DISABLED", "          padded   ", "VALIDATION_ERROR"),
    ],
)
def test_update_user_status_errors(
    app: Application, admin: Actor, status: str, reason: str, code: str
):
    alice_id = make_user(app, ALICE)
    answer = admin.call(UPDATE_STATUS, {"id": gid(alice_id), "status": status, "reason": reason})
    assert answer.code == code
    assert answer.extensions["status_code"] == 400
    (alice,) = rows(app, "user", id=alice_id)
    assert alice.status_id == "ENABLED"
    assert rows(app, "user_audit_log") == []


# -- anonymizeUser -------------------------------------------------------------------------


def test_anonymize_user(app: Application, admin: Actor, client_for: Clients):
    alice_id = make_user(app, ALICE, first_name="Alice", last_name="Martin")
    update_rows(app, "user_private_data", {"gender_id": "FEMALE"}, user_id=alice_id)
    alice = logged_in(client_for, app, ALICE)

    answer = admin.call(ANONYMIZE, {"id": gid(alice_id), "reason": REASON})
    assert answer.errors == []
    assert answer.data == {"anonymizeUser": {"success": True}}
    (user,) = rows(app, "user", id=alice_id)
    assert user.status_id == "DELETED"
    assert user.password is None
    (private,) = rows(app, "user_private_data", user_id=alice_id)
    assert (private.first_name, private.last_name, private.gender_id) == (None, None, None)
    assert private.anonymized_at is not None
    (address,) = rows(app, "user_email_address", user_id=alice_id)
    assert address.address == ALICE  # kept, as upstream
    (log,) = rows(app, "user_audit_log", target_user_id=alice_id)
    assert (log.type_id, log.message, log.author_user_id) == (
        "ANONYMIZATION",
        REASON,
        admin.user_id,
    )
    assert not is_connected(alice)

    again = admin.call(ANONYMIZE, {"id": gid(alice_id), "reason": REASON})
    assert again.code == "USER_ALREADY_ANONYMIZED"
    assert again.data is None
    assert len(rows(app, "user_audit_log")) == 1
    # Nor can the account come back.
    back = admin.call(UPDATE_STATUS, {"id": gid(alice_id), "status": "ENABLED", "reason": REASON})
    assert back.code == "USER_ALREADY_ANONYMIZED"


@pytest.mark.parametrize("reason", ["short", "x" * 501])
def test_anonymize_user_needs_a_reason_of_10_to_500_characters(
    app: Application, admin: Actor, reason: str
):
    alice_id = make_user(app, ALICE, first_name="Alice")
    answer = admin.call(ANONYMIZE, {"id": gid(alice_id), "reason": reason})
    assert answer.code == "VALIDATION_ERROR"
    assert answer.extensions["fields"][0]["field"] == "inputs.reason"
    (private,) = rows(app, "user_private_data", user_id=alice_id)
    assert private.first_name == "Alice"


def test_anonymize_user_is_for_super_users(app: Application, client_for: Clients):
    alice_id = make_user(app, ALICE)
    alice = logged_in(client_for, app, ALICE)
    assert alice.call(ANONYMIZE, {"id": gid(alice_id), "reason": REASON}).code == (
        "PERMISSION_DENIED"
    )
    anonymous_answer = anonymous(client_for, app).call(
        ANONYMIZE, {"id": gid(alice_id), "reason": REASON}
    )
    assert anonymous_answer.code == "ACCESS_DENIED_ERROR"
    (user,) = rows(app, "user", id=alice_id)
    assert user.status_id == "ENABLED"


# -- reference data ------------------------------------------------------------------------


def test_statuses_and_genders_are_public(app: Application, client_for: Clients):
    actor = anonymous(client_for, app)
    statuses = actor.call("{ allUserStatuses { edges { node { code } } } }")
    assert [e["node"]["code"] for e in statuses.data["allUserStatuses"]["edges"]] == [
        "DELETED",
        "DISABLED",
        "ENABLED",
        "REVOKED",
    ]
    update_rows(app, "gender", {"enabled": False}, id="OTHER")
    genders = actor.call("{ allGenders(enabled: true) { edges { node { code } } totalCount } }")
    assert [e["node"]["code"] for e in genders.data["allGenders"]["edges"]] == ["FEMALE", "MALE"]
    assert genders.data["allGenders"]["totalCount"] == 2


def test_listing_users_costs_the_same_whatever_their_number(
    app: Application, admin: Actor, count_queries: Callable[[Application], Any]
):
    query = f"{{ allUsers(first: 50) {{ edges {{ node {{ {USER_FIELDS} }} }} totalCount }} }}"

    def statements() -> int:
        counter = count_queries(app)
        answer = admin.call(query)
        assert answer.errors == []
        return len(counter)

    make_user(app, ALICE, first_name="Alice")
    update_rows(app, "user_private_data", {"gender_id": "OTHER"})
    few = statements()
    for index in range(8):
        make_user(app, f"user{index}@example.com", first_name="Someone")
    update_rows(app, "user_private_data", {"gender_id": "MALE"})
    assert statements() == few
