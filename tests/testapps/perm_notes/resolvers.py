from __future__ import annotations

import uuid
from typing import Any

from ariadne import MutationType, QueryType
from sqlalchemy import func, select

from lys.graphql.operations import connection, edition, getter

query = QueryType()
mutation = MutationType()


@query.field("allNotes")
@connection("NoteNode")
def resolve_all_notes(_obj: Any, info: Any) -> Any:
    return select(info.context.model("note"))


@query.field("note")
@getter("NoteNode")
def resolve_note(_obj: Any, _info: Any, note: Any) -> Any:
    return note


@query.field("allFolders")
@connection("FolderNode")
def resolve_all_folders(_obj: Any, info: Any) -> Any:
    return select(info.context.model("folder"))


@query.field("allLabels")
def resolve_all_labels(_obj: Any, info: Any) -> Any:
    return info.context.session.scalars(select(info.context.model("label"))).all()


@query.field("retiredNotes")
def resolve_retired_notes(_obj: Any, _info: Any) -> list[Any]:
    return []


@query.field("secretCount")
def resolve_secret_count(_obj: Any, info: Any) -> int:
    return info.context.session.scalar(select(func.count()).select_from(info.context.model("note")))


@query.field("welcome")
def resolve_welcome(_obj: Any, _info: Any) -> str:
    return "hello"


@mutation.field("updateNote")
@edition("NoteNode")
def resolve_update_note(
    _obj: Any, _info: Any, note: Any, text: str | None = None, team_id: Any = None
) -> Any:
    if text is not None:
        note.text = text
    if team_id is not None:
        note.team_id = uuid.UUID(str(team_id))
    return note
