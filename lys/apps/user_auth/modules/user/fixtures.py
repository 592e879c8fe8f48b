"""Reference data of the user_auth app."""

from __future__ import annotations

from lys import ParametricFixture


class UserStatusFixture(ParametricFixture):
    model = "user_status"
    rows = [{"id": "ENABLED"}, {"id": "DISABLED"}, {"id": "REVOKED"}, {"id": "DELETED"}]


class GenderFixture(ParametricFixture):
    model = "gender"
    rows = [{"id": "MALE"}, {"id": "FEMALE"}, {"id": "OTHER"}]


class LoginAttemptStatusFixture(ParametricFixture):
    model = "login_attempt_status"
    rows = [{"id": "FAILED"}, {"id": "SUCCEED"}]


class UserAuditLogTypeFixture(ParametricFixture):
    model = "user_audit_log_type"
    rows = [{"id": "STATUS_CHANGE"}, {"id": "ANONYMIZATION"}, {"id": "OBSERVATION"}]


class UserAccessLevelFixture(ParametricFixture):
    model = "access_level"
    rows = [
        {"id": "CONNECTED", "description": "Any connected user"},
        {"id": "OWNER", "description": "The user the data belongs to"},
    ]
