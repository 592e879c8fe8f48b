from __future__ import annotations

from lys.apps.user_role.fixtures import RoleFixture


class TicketRoleFixture(RoleFixture):
    requires_apps = ("lys.apps.user_role",)
    rows = [
        {
            "id": "TICKET_ROLE",
            "description": "Handles the tickets of their client",
            "webservices": ["all_tickets", "ticket", "board", "update_ticket"],
        }
    ]
