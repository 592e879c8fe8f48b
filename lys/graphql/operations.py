"""Resolver helpers for the common operations, SDL first.

The SDL declares the field; these decorators do what every such field needs: decode
and check global ids, apply the access policy before and after writes, validate
inputs with pydantic, page with keyset cursors, and batch relations.

    @query.field("product")
    @getter("ProductNode")
    def resolve_product(_obj, info, product):
        return product
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import pydantic
from graphql import FieldNode, FragmentSpreadNode, GraphQLResolveInfo, InlineFragmentNode
from pydantic import BaseModel
from sqlalchemy import Select
from sqlalchemy import inspect as sa_inspect

from lys.db.writes import needs_flush
from lys.errors import ImproperlyConfigured, PermissionDeniedError, ValidationError
from lys.graphql.pagination import paginate
from lys.graphql.relay import load_node
from lys.naming import snake_to_camel

Resolver = Callable[..., Any]
ModelT = TypeVar("ModelT", bound=BaseModel)


def getter(node_type: str) -> Callable[[Resolver], Resolver]:
    """``field(id: ID!)``: the resolver receives the visible object, or NOT_FOUND is raised."""

    def decorate(resolver: Resolver) -> Resolver:
        @functools.wraps(resolver)
        def wrapper(obj: Any, info: GraphQLResolveInfo, id: str, **kwargs: Any) -> Any:
            return resolver(obj, info, load_node(info, id, node_type), **kwargs)

        return wrapper

    return decorate


def connection(
    node_type: str,
    *,
    order_by: Mapping[str, str] | None = None,
    default_order: str | None = None,
) -> Callable[[Resolver], Resolver]:
    """A Relay connection over the ``select`` the resolver returns.

    ``order_by`` maps the values of the field's SDL ordering enum to model attributes;
    nothing else can be sorted on. The access policy's row filter, the order (plus the
    id as tie-breaker), the keyset page and ``totalCount`` are the framework's job.
    """
    orders = dict(order_by or {})
    default = default_order or next(iter(orders), None)

    def decorate(resolver: Resolver) -> Resolver:
        @functools.wraps(resolver)
        def wrapper(
            obj: Any,
            info: GraphQLResolveInfo,
            *,
            first: int | None = None,
            after: str | None = None,
            last: int | None = None,
            before: str | None = None,
            order_by: Mapping[str, Any] | None = None,
            **kwargs: Any,
        ) -> dict[str, Any]:
            context = info.context
            model = context.model(context.registry.node_models[node_type])
            stmt = resolver(obj, info, **kwargs)
            if not isinstance(stmt, Select):
                raise TypeError(f"{resolver.__qualname__} must return a select(), not {stmt!r}")
            stmt = context.registry.access_policy.filter_rows(stmt, model, context)
            key, descending = _order_key(order_by, default)
            columns = _order_columns(model, orders, key)
            settings = context.settings
            page = paginate(
                context.session,
                stmt,
                columns,
                first=first,
                after=after,
                last=last,
                before=before,
                descending=descending,
                tag=f"{key or 'ID'}:{'DESC' if descending else 'ASC'}",
                with_total=selects(info, "totalCount"),
                default_size=settings.page_size_default,
                max_page_size=settings.page_size_max,
                model=model,
            )
            context.loaders.groups.register(page.items)
            return page.as_connection()

        return wrapper

    return decorate


def creation(
    node_type: str, *, inputs: type[BaseModel] | None = None, argument: str = "inputs"
) -> Callable[[Resolver], Resolver]:
    """A mutation creating an object: inputs validated, the new object checked by policy."""

    def decorate(resolver: Resolver) -> Resolver:
        @functools.wraps(resolver)
        def wrapper(obj: Any, info: GraphQLResolveInfo, **kwargs: Any) -> Any:
            _validate_inputs(kwargs, inputs, argument)
            created = resolver(obj, info, **kwargs)
            _check_result(info, created, node_type)
            return created

        return wrapper

    return decorate


def edition(
    node_type: str, *, inputs: type[BaseModel] | None = None, argument: str = "inputs"
) -> Callable[[Resolver], Resolver]:
    """``field(id: ID!, ...)`` changing an object; checked before and after the change,
    so a write cannot move a row out of the caller's reach."""

    def decorate(resolver: Resolver) -> Resolver:
        @functools.wraps(resolver)
        def wrapper(obj: Any, info: GraphQLResolveInfo, id: str, **kwargs: Any) -> Any:
            entity = load_node(info, id, node_type)
            _require_write(info, entity)
            _validate_inputs(kwargs, inputs, argument)
            changed = resolver(obj, info, entity, **kwargs)
            _check_result(info, changed, node_type)
            return changed

        return wrapper

    return decorate


def deletion(node_type: str) -> Callable[[Resolver], Resolver]:
    """``field(id: ID!): SuccessNode!`` deleting an object after the resolver's own checks."""

    def decorate(resolver: Resolver) -> Resolver:
        @functools.wraps(resolver)
        def wrapper(obj: Any, info: GraphQLResolveInfo, id: str, **kwargs: Any) -> Any:
            entity = load_node(info, id, node_type)
            _require_write(info, entity)
            resolver(obj, info, entity, **kwargs)
            session = info.context.session
            session.delete(entity)
            session.flush()
            return {"succeed": True, "message": None}

        return wrapper

    return decorate


def selects(info: GraphQLResolveInfo, name: str) -> bool:
    """Whether the current field's selection asks for ``name`` (fragments included)."""
    # Each fragment is walked once: the answer does not depend on where it is spread,
    # and fragments spreading others many times would otherwise be walked exponentially.
    seen: set[str] = set()

    def walk(selection_set: Any) -> bool:
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                if selection.name.value == name:
                    return True
            elif isinstance(selection, InlineFragmentNode):
                if walk(selection.selection_set):
                    return True
            elif isinstance(selection, FragmentSpreadNode):
                fragment = info.fragments.get(selection.name.value)
                if fragment is None or fragment.name.value in seen:
                    continue
                seen.add(fragment.name.value)
                if walk(fragment.selection_set):
                    return True
        return False

    return any(walk(node.selection_set) for node in info.field_nodes)


def _order_key(order_by: Mapping[str, Any] | None, default: str | None) -> tuple[str | None, bool]:
    if not order_by:
        return default, False
    return order_by.get("field") or default, order_by.get("direction") == "DESC"


def _order_columns(model: type, orders: Mapping[str, str], key: str | None) -> list[Any]:
    columns = []
    if key is not None:
        if key not in orders:
            raise ValidationError(f"Cannot order by {key}.", extensions={"field": "orderBy"})
        attribute = getattr(model, orders[key])
        column: Any = sa_inspect(model).columns[attribute.key]
        if column.nullable:
            raise ImproperlyConfigured(
                f"ordering {model.__name__} by {attribute.key}: the column is nullable, "
                "and keyset cursors need a value in every row"
            )
        columns.append(attribute)
    columns.append(model.id)  # type: ignore[attr-defined]
    return columns


def validate_input(model: type[ModelT], value: Any, argument: str = "inputs") -> ModelT:
    """Validate an argument with ``model``; failures name fields as the client wrote them."""
    try:
        return model.model_validate(value)
    except pydantic.ValidationError as exc:
        fields = [
            {
                "field": ".".join([argument, *(snake_to_camel(str(p)) for p in error["loc"])]),
                "message": error["msg"],
            }
            for error in exc.errors()
        ]
        names = ", ".join(f["field"] for f in fields)
        raise ValidationError(f"Invalid input: {names}.", extensions={"fields": fields}) from None


def _validate_inputs(kwargs: dict[str, Any], model: type[BaseModel] | None, argument: str) -> None:
    if model is not None and argument in kwargs:
        kwargs[argument] = validate_input(model, kwargs[argument], argument)


def _require_write(info: GraphQLResolveInfo, entity: Any) -> None:
    if not info.context.registry.access_policy.can_write(entity, info.context):
        raise PermissionDeniedError()


def _check_result(info: GraphQLResolveInfo, entity: Any, node_type: str) -> None:
    context = info.context
    model = context.model(context.registry.node_models[node_type])
    if not isinstance(entity, model):
        raise TypeError(f"expected a {model.__name__} to return as {node_type}, got {entity!r}")
    if needs_flush(entity):
        # Values only the database gives (a generated key) must exist to be checked
        # and answered; otherwise the write waits for the commit (see lys.db.writes).
        context.session.flush()
    policy = context.registry.access_policy
    if not (policy.can_see(entity, context) and policy.can_write(entity, context)):
        raise PermissionDeniedError("The result would be out of your reach.")
