"""The catalog example: product categories (reference data) and products."""
