"""Test app whose resolvers.py imports a module that does not exist."""
