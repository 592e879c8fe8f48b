"""A model with a tenant column and no row scopes: a project installing it next to the
organization app must not start (a client's member would reach every client's rows)."""
