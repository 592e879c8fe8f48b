"""Authentication primitives: signed tokens, password hashing, the request principal."""

from lys.auth.principal import Principal
from lys.auth.tokens import TokenCodec, TokenError

__all__ = ["Principal", "TokenCodec", "TokenError"]
