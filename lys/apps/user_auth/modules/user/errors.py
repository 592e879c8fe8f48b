"""Error codes of the user operations (upstream's, so clients keep working)."""

from __future__ import annotations

from lys.errors import LysError


class UserAlreadyExistsError(LysError):
    code = "USER_ALREADY_EXISTS"
    status_code = 409
    default_detail = "A user with this email address already exists."


class InvalidNameError(LysError):
    code = "INVALID_NAME"
    status_code = 400
    default_detail = "Names may only hold letters, spaces, hyphens and apostrophes."


class InvalidGenderError(LysError):
    code = "INVALID_GENDER"
    status_code = 400
    default_detail = "Unknown gender; see allGenders."


class InvalidLanguageError(LysError):
    code = "INVALID_LANGUAGE"
    status_code = 400
    default_detail = "Unknown or disabled language; see allLanguages."


class InvalidCredentialsError(LysError):
    code = "INVALID_CREDENTIALS_ERROR"
    status_code = 401
    default_detail = "The current password is wrong."


class InvalidResetTokenError(LysError):
    code = "INVALID_RESET_TOKEN_ERROR"
    status_code = 400
    default_detail = "This link is not valid (unknown, already used or replaced by a newer one)."


class ExpiredResetTokenError(LysError):
    code = "EXPIRED_RESET_TOKEN_ERROR"
    status_code = 400
    default_detail = "This link has expired; ask for a new one."


class EmailAlreadyValidatedError(LysError):
    code = "EMAIL_ALREADY_VALIDATED_ERROR"
    status_code = 400
    default_detail = "The email address is already validated."


class InvalidStatusChangeError(LysError):
    code = "INVALID_STATUS_CHANGE"
    status_code = 400
    default_detail = "A user is deleted by anonymizeUser, not by a status change."


class InvalidUserStatusError(LysError):
    code = "INVALID_USER_STATUS"
    status_code = 400
    default_detail = "Unknown user status; see allUserStatuses."


class UserAlreadyAnonymizedError(LysError):
    code = "USER_ALREADY_ANONYMIZED"
    status_code = 400
    default_detail = "This user was anonymized; the account can no longer change."


class SearchTooLongError(LysError):
    code = "SEARCH_TOO_LONG"
    status_code = 400
    default_detail = "The search text is too long."
