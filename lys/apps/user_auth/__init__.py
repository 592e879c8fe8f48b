"""Users, sessions (JWT access tokens in cookies or Bearer, rotating refresh tokens),
XSRF, lockout, password reset, email verification and the user operations."""
