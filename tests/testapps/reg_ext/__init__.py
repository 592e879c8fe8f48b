"""Test app: extends the catalog without editing it (model, service, resolver, SDL)."""
