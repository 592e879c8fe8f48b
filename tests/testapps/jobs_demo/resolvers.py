from __future__ import annotations

from typing import Any

from ariadne import MutationType
from graphql import GraphQLResolveInfo

from lys import ValidationError
from lys.jobs import enqueue

mutation = MutationType()


def _enqueue(info: GraphQLResolveInfo, name: str, *args: Any) -> bool:
    context = info.context
    enqueue(context.session, context.registry, name, *args, caller=context)
    return True


@mutation.field("enqueueNote")
def resolve_enqueue_note(_obj: Any, info: GraphQLResolveInfo, text: str) -> bool:
    return _enqueue(info, "record_note", text)


@mutation.field("enqueueThenFail")
def resolve_enqueue_then_fail(_obj: Any, info: GraphQLResolveInfo, text: str) -> bool:
    _enqueue(info, "record_note", text)
    raise ValidationError("Refused after enqueuing.", extensions={"field": "text"})


@mutation.field("enqueueSlowNote")
def resolve_enqueue_slow_note(_obj: Any, info: GraphQLResolveInfo, text: str, folder: str) -> bool:
    return _enqueue(info, "slow_note", text, folder)


@mutation.field("enqueueFailing")
def resolve_enqueue_failing(_obj: Any, info: GraphQLResolveInfo, text: str) -> bool:
    return _enqueue(info, "always_fails", text)
