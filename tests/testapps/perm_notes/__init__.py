"""Notes in folders, owned by users and shared with teams: exercises the permission
core (chain, partial grants, row scopes with OR semantics) without the organization app.

A note is reached by its owner (OWNER) and by members of its team (a "team" kind of
organization, granted by ``TeamPermission`` from a ``teams`` claim).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lys.application import Application


def _team_claims(application: Application, session: Any, user: Any) -> dict[str, Any]:
    from sqlalchemy import select

    TeamMember = application.model("team_member")
    members = session.scalars(select(TeamMember.team_id).where(TeamMember.user_id == user.id)).all()
    return {"teams": sorted(str(team) for team in members)}


def ready(application: Application) -> None:
    from lys.permissions import disable_webservice, override_webservice
    from tests.testapps.perm_notes.permissions import TeamPermission

    registry = application.registry
    registry.permissions.append(TeamPermission())
    registry.claim_providers.append(lambda session, user: _team_claims(application, session, user))
    override_webservice(registry, "all_folders", app="perm_notes", levels=["OWNER"])
    disable_webservice(registry, "retired_notes", app="perm_notes")
