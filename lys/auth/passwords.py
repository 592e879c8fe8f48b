"""Password hashing (argon2id) and the password policy.

Passwords are never trimmed: what the user typed is what is hashed. The policy is
upstream's (``WEAK_PASSWORD``: 8 characters or more with a letter and a digit), with an
upper bound that keeps hashing cheap to refuse and the most common passwords refused.
"""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from lys.errors import LysError

MIN_LENGTH = 8
MAX_LENGTH = 256
COMMON_PASSWORDS = 1000

_hasher = PasswordHasher()
#: Verified against when the account does not exist, so both paths cost the same.
_DUMMY_HASH = _hasher.hash("lys-dummy-password-for-timing")


def configure_hasher(time_cost: int, memory_cost: int, parallelism: int) -> None:
    """Set the argon2id cost (settings ``ARGON2_*``); hashes made with other costs still
    verify and are re-hashed at the next login."""
    global _hasher, _DUMMY_HASH
    current = _hasher
    if (current.time_cost, current.memory_cost, current.parallelism) == (
        time_cost,
        memory_cost,
        parallelism,
    ):
        return
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)
    _DUMMY_HASH = _hasher.hash("lys-dummy-password-for-timing")


class WeakPasswordError(LysError):
    code = "WEAK_PASSWORD"
    status_code = 400
    default_detail = (
        f"The password needs {MIN_LENGTH} to {MAX_LENGTH} characters, with at least one "
        "letter and one digit, and must not be a common password."
    )


class EmptyPasswordError(LysError):
    code = "EMPTY_PASSWORD_ERROR"
    status_code = 400
    default_detail = "The password is empty."


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; a missing hash costs a dummy verification."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """The hash was made with older parameters: re-hash it at the next successful login."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def check_password_policy(password: str) -> None:
    if not password:
        raise EmptyPasswordError()
    if (
        not MIN_LENGTH <= len(password) <= MAX_LENGTH
        or not any(c.isascii() and c.isalpha() for c in password)
        or not any(c.isdigit() for c in password)
        or password.lower() in _common_passwords()
    ):
        raise WeakPasswordError()


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"][:COMMON_PASSWORDS])
