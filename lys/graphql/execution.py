"""An execution context with a short path for fields that only read their object.

graphql-core resolves every field the same way: it builds a ``GraphQLResolveInfo``,
collects arguments, calls the resolver, then walks ``complete_value`` down the field's
type. For a field that just reads its object (``name``, a global ``id``, ``edges``,
``node``, a batched relation) that machinery costs several times the read itself, and
such fields are nearly all of a list's output.

Resolvers that only read their object say so with a ``lys_plain`` attribute, a
function ``(obj, context) -> value``. Fields without arguments resolved by one are
read directly and completed by type: leaves serialised, objects and lists of objects
completed without the generic dispatch. A read that raises is reported as a resolver
error; a null in a non-null field, a value the scalar refuses and abstract types go
down graphql-core's own path, which reports them exactly as before; errors raised
while completing sub-fields are located and nulled exactly as graphql-core does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import (
    FieldNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    is_leaf_type,
    located_error,
)
from graphql.execution.execute import ExecutionContext, get_field_def
from graphql.pyutils import Path, Undefined

Reader = Callable[[Any, Any], Any]

_SLOW, _LEAF, _OBJECT, _OBJECT_LIST = range(4)

#: ``(kind, response name, reader, field type, inner type, serialize, non-null items, nodes)``
_Step = tuple[int, str, Any, Any, Any, Any, bool, list[FieldNode]]


def plain(reader: Reader) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Mark a resolver as equivalent to ``reader(obj, info.context)``: it takes no
    arguments and needs nothing else from ``info``."""

    def mark(resolver: Callable[..., Any]) -> Callable[..., Any]:
        resolver.lys_plain = reader  # type: ignore[attr-defined]
        return resolver

    return mark


def _unwrap(type_: Any) -> tuple[Any, bool]:
    if isinstance(type_, GraphQLNonNull):
        return type_.of_type, True
    return type_, False


def _step(field_def: Any, name: str, field_nodes: list[FieldNode]) -> _Step:
    reader = getattr(field_def.resolve, "lys_plain", None)
    if reader is None or field_nodes[0].arguments or field_def.args:
        return (_SLOW, name, None, None, None, None, False, field_nodes)
    type_, _ = _unwrap(field_def.type)
    if is_leaf_type(type_):
        return (_LEAF, name, reader, field_def.type, type_, type_.serialize, False, field_nodes)
    if isinstance(type_, GraphQLObjectType) and type_.is_type_of is None:
        return (_OBJECT, name, reader, field_def.type, type_, None, False, field_nodes)
    if isinstance(type_, GraphQLList):
        item, item_non_null = _unwrap(type_.of_type)
        if isinstance(item, GraphQLObjectType) and item.is_type_of is None:
            return (
                _OBJECT_LIST,
                name,
                reader,
                field_def.type,
                item,
                None,
                item_non_null,
                field_nodes,
            )
    return (_SLOW, name, None, None, None, None, False, field_nodes)


class LeanExecutionContext(ExecutionContext):
    """Executes as graphql-core does, with the short path of the module docstring.
    Only for synchronous execution without middleware, which is how Lys runs."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plans: dict[int, tuple[dict[str, list[FieldNode]], list[_Step]]] = {}

    def _plan(
        self, parent_type: GraphQLObjectType, fields: dict[str, list[FieldNode]]
    ) -> list[_Step]:
        # Field maps are cached by graphql-core for the whole execution, so one plan
        # serves every object of a list; the identity check guards against id reuse.
        key = id(fields)
        cached = self._plans.get(key)
        if cached is not None and cached[0] is fields:
            return cached[1]
        steps: list[_Step] = []
        for name, field_nodes in fields.items():
            field_def = (
                get_field_def(self.schema, parent_type, field_nodes[0])
                if self.middleware_manager is None
                else None
            )
            if field_def is None:
                steps.append((_SLOW, name, None, None, None, None, False, field_nodes))
            else:
                steps.append(_step(field_def, name, field_nodes))
        self._plans[key] = (fields, steps)
        return steps

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        fields: dict[str, list[FieldNode]],
    ) -> dict[str, Any]:
        results: dict[str, Any] = {}
        context = self.context_value
        for (
            kind,
            name,
            reader,
            field_type,
            inner,
            serialize,
            items_non_null,
            field_nodes,
        ) in self._plan(parent_type, fields):
            if kind is not _SLOW:
                try:
                    value = reader(source_value, context)
                    if isinstance(value, Exception):
                        raise value  # an error given as the value, as graphql-core does
                except Exception as raw_error:
                    # As a resolver raising: located, then nulled or propagated. Not
                    # read again (a failed read may have changed the session's state).
                    field_path = Path(path, name, parent_type.name)
                    error = located_error(raw_error, field_nodes, field_path.as_list())
                    self.handle_field_error(error, field_type, field_path)
                    results[name] = None
                    continue
                if value is None and not isinstance(field_type, GraphQLNonNull):
                    results[name] = None
                    continue
                if kind is _LEAF:
                    if value is not None:
                        try:
                            serialized = serialize(value)
                        except Exception:  # the scalar's own error, reported below
                            serialized = None
                        if serialized is not None and serialized is not Undefined:
                            results[name] = serialized
                            continue
                elif value is not None:
                    done = self._complete(
                        kind,
                        parent_type,
                        name,
                        field_type,
                        inner,
                        items_non_null,
                        field_nodes,
                        path,
                        value,
                    )
                    if done is not Undefined:
                        results[name] = done
                        continue
            result = self.execute_field(
                parent_type, source_value, field_nodes, Path(path, name, parent_type.name)
            )
            if result is not Undefined:
                results[name] = result
        return results

    def _complete(
        self,
        kind: int,
        parent_type: GraphQLObjectType,
        name: str,
        field_type: GraphQLOutputType,
        inner: GraphQLObjectType,
        items_non_null: bool,
        field_nodes: list[FieldNode],
        path: Path | None,
        value: Any,
    ) -> Any:
        """An object or a list of objects completed as ``complete_value`` would;
        ``Undefined`` when the value needs graphql-core's own path (nothing run yet)."""
        if kind == _OBJECT_LIST and (
            not isinstance(value, list | tuple)
            or any(item is None or isinstance(item, Exception) for item in value)
        ):
            return Undefined
        field_path = Path(path, name, parent_type.name)
        try:
            # complete_object_value without its per-object dispatch: the type has no
            # is_type_of (see _step), and the sub-fields are the same for every item.
            sub_fields = self.collect_subfields(inner, field_nodes)
            if kind == _OBJECT:
                return self.execute_fields(inner, value, field_path, sub_fields)
            completed: list[Any] = []
            for index, item in enumerate(value):
                item_path = field_path.add_key(index, None)
                try:
                    completed.append(self.execute_fields(inner, item, item_path, sub_fields))
                except Exception as raw_error:
                    error = located_error(raw_error, field_nodes, item_path.as_list())
                    item_type = GraphQLNonNull(inner) if items_non_null else inner
                    self.handle_field_error(error, item_type, item_path)
                    completed.append(None)
            return completed
        except Exception as raw_error:
            error = located_error(raw_error, field_nodes, field_path.as_list())
            self.handle_field_error(error, field_type, field_path)
            return None
