"""Tickets filed by users for clients: rows reached both by their author (OWNER) and by
the members of their client (ORGANIZATION_ROLE), to show grants adding up (OR)."""
