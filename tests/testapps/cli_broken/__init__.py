"""An app whose models module fails to import."""
