"""An app contributing the `hello` command to manage.py."""
