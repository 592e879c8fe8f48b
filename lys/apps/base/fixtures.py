"""Reference data of the base app."""

from __future__ import annotations

from pydantic import ConfigDict

from lys import ParametricFixture, ParametricRow
from lys.apps.base.webservices import PUBLIC_TYPES
from lys.permissions import LEVELS_DESCRIPTIONS


class LanguageFixture(ParametricFixture):
    model = "language"
    rows = [{"id": "en", "description": "English"}, {"id": "fr", "description": "Français"}]


class AccessLevelFixture(ParametricFixture):
    """Every level the ``@access`` directive knows; apps that grant one may describe it
    again (rows are shared by code), but none is ever swept while the SDL names it."""

    model = "access_level"
    rows = [{"id": code, "description": text} for code, text in LEVELS_DESCRIPTIONS.items()]


class WebservicePublicTypeFixture(ParametricFixture):
    model = "webservice_public_type"
    rows = [{"id": code, "description": text} for code, text in PUBLIC_TYPES.items()]


class TokenTypeRow(ParametricRow):
    duration: int


class OneTimeTokenTypeFixture(ParametricFixture):
    model = "one_time_token_type"
    row_schema = TokenTypeRow
    rows = [
        {"id": "PASSWORD_RESET", "duration": 30, "description": "Reset a forgotten password"},
        {"id": "EMAIL_VERIFICATION", "duration": 1440, "description": "Confirm an address"},
        {"id": "ACTIVATION", "duration": 10080, "description": "Activate an invited account"},
    ]


class OneTimeTokenStatusFixture(ParametricFixture):
    model = "one_time_token_status"
    rows = [{"id": "PENDING"}, {"id": "USED"}, {"id": "REVOKED"}]


class EmailingStatusFixture(ParametricFixture):
    model = "emailing_status"
    rows = [{"id": "WAITING"}, {"id": "SENT"}, {"id": "ERROR"}]


class EmailingTypeRow(ParametricRow):
    model_config = ConfigDict(extra="forbid")

    subject: str
    template: str


class EmailingTypeFixture(ParametricFixture):
    model = "emailing_type"
    row_schema = EmailingTypeRow
    rows = [
        # ``template`` names templates/emails/<lang>/<template>.html; the subject is the
        # fallback for templates that set none.
        {
            "id": "USER_PASSWORD_RESET",
            "subject": "Reset your password",
            "template": "USER_PASSWORD_RESET",
        },
        {
            "id": "USER_EMAIL_VERIFICATION",
            "subject": "Confirm your email address",
            "template": "USER_EMAIL_VERIFICATION",
        },
        {"id": "USER_INVITATION", "subject": "You are invited", "template": "USER_INVITATION"},
    ]


class JobStatusFixture(ParametricFixture):
    model = "job_status"
    rows = [
        {"id": "RUNNING", "description": "Started, not finished"},
        {"id": "SUCCEEDED", "description": "Finished; its changes are committed"},
        {"id": "FAILED", "description": "Failed and rolled back; will be retried"},
        {"id": "DEAD", "description": "Failed for good (retries exhausted or not retryable)"},
    ]
