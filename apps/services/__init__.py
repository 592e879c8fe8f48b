"""The reference project split in two services (see docs/services.md).

- ``auth_settings``: the auth service (base, user_auth, user_role, organization), which
  signs the users' access tokens and keeps the webservice table.
- ``catalog_settings``: the catalog service (base, catalog), which checks those tokens
  with the auth service's published keys and registers its webservices there.
"""
