"""Fixture test app: reference colours, business items and users with hashed passwords."""
