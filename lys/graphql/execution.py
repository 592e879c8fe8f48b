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

Documents are cached by query text, so the same nodes come back with every request of
a query: what follows only from them is worked out once per process. The plan of an
operation (which fields run, and how) is shared by its executions when no directive
takes a variable, and the coerced arguments of fields written with literals only are
kept (see :func:`field_arguments`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    ValueNode,
    VariableNode,
    is_leaf_type,
    located_error,
)
from graphql.execution.collect_fields import collect_fields
from graphql.execution.execute import ExecutionContext, get_field_def
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path, Undefined

Reader = Callable[[Any, Any], Any]

_SLOW, _LEAF, _OBJECT, _OBJECT_LIST = range(4)


class _Step:
    """How to execute one response field of a selection, worked out once per execution."""

    __slots__ = (
        "field_nodes",
        "field_type",
        "inner",
        "items_non_null",
        "kind",
        "name",
        "reader",
        "serialize",
        "sub_steps",
    )

    def __init__(
        self,
        kind: int,
        name: str,
        field_nodes: list[FieldNode],
        reader: Any = None,
        field_type: Any = None,
        inner: Any = None,
        items_non_null: bool = False,
    ) -> None:
        self.kind = kind
        self.name = name
        self.field_nodes = field_nodes
        self.reader = reader
        self.field_type = field_type
        #: The leaf type, the object type, or the list's item type.
        self.inner = inner
        self.serialize = inner.serialize if kind == _LEAF else None
        self.items_non_null = items_non_null
        #: The object type's own steps, once its sub-fields are collected (objects and
        #: lists of objects): the same for every object this step completes.
        self.sub_steps: list[_Step] | None = None


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
        return _Step(_SLOW, name, field_nodes)
    field_type = field_def.type
    type_, _ = _unwrap(field_type)
    if is_leaf_type(type_):
        return _Step(_LEAF, name, field_nodes, reader, field_type, type_)
    if isinstance(type_, GraphQLObjectType) and type_.is_type_of is None:
        return _Step(_OBJECT, name, field_nodes, reader, field_type, type_)
    if isinstance(type_, GraphQLList):
        item, item_non_null = _unwrap(type_.of_type)
        if isinstance(item, GraphQLObjectType) and item.is_type_of is None:
            return _Step(_OBJECT_LIST, name, field_nodes, reader, field_type, item, item_non_null)
    return _Step(_SLOW, name, field_nodes)


_MAX_LITERAL_ARGUMENTS = 1000
#: ``id(field node) -> (field node, field definition, arguments or None)``: the
#: arguments of fields written with literals only (``None``: it uses variables).
_LITERAL_ARGUMENTS: dict[int, tuple[FieldNode, GraphQLField, dict[str, Any] | None]] = {}


def field_arguments(
    field_def: GraphQLField, node: FieldNode, variable_values: dict[str, Any]
) -> dict[str, Any]:
    """``get_argument_values``, remembered for fields whose arguments are literals.

    Documents are cached by query text, so the same field node comes back with every
    request of a query; coercing its literals (an input object, custom scalars) again
    each time is a noticeable share of a small mutation. Literal coercion is a pure
    function of the document (as GraphQL defines it: a scalar's ``parse_literal`` must
    not depend on the moment). Each call gets its own copy of the dicts and lists,
    which resolvers may change; results holding other mutable objects are not kept.
    """
    if not node.arguments and not field_def.args:
        return {}
    cached = _LITERAL_ARGUMENTS.get(id(node))
    if cached is None or cached[0] is not node or cached[1] is not field_def:
        arguments = get_argument_values(field_def, node, variable_values)
        literal = all(_is_literal(argument.value) for argument in node.arguments) and all(
            _is_plain(value) for value in arguments.values()
        )
        if len(_LITERAL_ARGUMENTS) >= _MAX_LITERAL_ARGUMENTS:
            _LITERAL_ARGUMENTS.clear()
        _LITERAL_ARGUMENTS[id(node)] = (node, field_def, arguments if literal else None)
        return _fresh(arguments)
    if cached[2] is None:
        return _fresh(get_argument_values(field_def, node, variable_values))
    return _fresh(cached[2])


def _is_literal(value: ValueNode) -> bool:
    if isinstance(value, VariableNode):
        return False
    if isinstance(value, ObjectValueNode):
        return all(_is_literal(field.value) for field in value.fields)
    if isinstance(value, ListValueNode):
        return all(_is_literal(item) for item in value.values)
    return True


#: Values arguments may share between requests: immutable, or copied by ``_fresh``.
_SHARED_TYPES = (str, int, float, bool, type(None), Decimal, UUID, date, time, Enum)


def _is_plain(value: Any) -> bool:
    """Whether a coerced value is made of dicts, lists and immutable scalars only; an
    input type's own class (``out_type``) or a custom scalar's object could be changed
    by a resolver and is coerced anew each time."""
    if type(value) is dict:
        return all(_is_plain(item) for item in value.values())
    if type(value) is list:
        return all(_is_plain(item) for item in value)
    return isinstance(value, _SHARED_TYPES)


def _fresh(value: Any) -> Any:
    """A copy of the containers in coerced arguments; scalars are shared."""
    if type(value) is dict:
        return {key: _fresh(item) for key, item in value.items()}
    if type(value) is list:
        return [_fresh(item) for item in value]
    return value


_MAX_ROOT_PLANS = 1000
#: ``id(operation) -> (operation, schema, root type, steps)``: plans shared by every
#: execution of a cached document; steps fill in their objects' steps as they run.
_ROOT_PLANS: dict[int, tuple[OperationDefinitionNode, Any, GraphQLObjectType, list[_Step]]] = {}


def _directives_use_variables(
    operation: OperationDefinitionNode, fragments: dict[str, FragmentDefinitionNode]
) -> bool:
    """Whether an ``@include``/``@skip`` (or any directive) in the operation or its
    fragments takes a variable: then which fields run depends on each request."""
    pending: list[Any] = [operation.selection_set, *(f.selection_set for f in fragments.values())]
    while pending:
        selection_set = pending.pop()
        if selection_set is None:
            continue
        for selection in selection_set.selections:
            for directive in selection.directives or ():
                if any(not _is_literal(argument.value) for argument in directive.arguments):
                    return True
            pending.append(getattr(selection, "selection_set", None))
    return False


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
                steps.append(_Step(_SLOW, name, field_nodes))
            else:
                steps.append(_step(field_def, name, field_nodes))
        self._plans[key] = (fields, steps)
        return steps

    def execute_operation(self, operation: OperationDefinitionNode, root_value: Any) -> Any:
        """Root fields from the plan shared by every execution of this operation, when
        no directive of the document depends on variables (otherwise planned per
        execution, as graphql-core does)."""
        if self.middleware_manager is not None:
            return super().execute_operation(operation, root_value)
        key = id(operation)
        shared = _ROOT_PLANS.get(key)
        if shared is None or shared[0] is not operation or shared[1] is not self.schema:
            if _directives_use_variables(operation, self.fragments):
                return super().execute_operation(operation, root_value)
            root_type = self.schema.get_root_type(operation.operation)
            if root_type is None:
                return super().execute_operation(operation, root_value)  # its error
            try:
                root_fields = collect_fields(
                    self.schema, self.fragments, {}, root_type, operation.selection_set
                )
            except RecursionError:
                return super().execute_operation(operation, root_value)  # its error
            shared = (operation, self.schema, root_type, self._plan(root_type, root_fields))
            if len(_ROOT_PLANS) >= _MAX_ROOT_PLANS:
                _ROOT_PLANS.clear()
            _ROOT_PLANS[key] = shared
        return self._run(shared[2], root_value, None, shared[3])

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        fields: dict[str, list[FieldNode]],
    ) -> dict[str, Any]:
        return self._run(parent_type, source_value, path, self._plan(parent_type, fields))

    def _run(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        steps: list[_Step],
    ) -> dict[str, Any]:
        results: dict[str, Any] = {}
        context = self.context_value
        for step in steps:
            kind = step.kind
            name = step.name
            if kind is not _SLOW:
                try:
                    value = step.reader(source_value, context)
                    if isinstance(value, Exception):
                        raise value  # an error given as the value, as graphql-core does
                except Exception as raw_error:
                    # As a resolver raising: located, then nulled or propagated. Not
                    # read again (a failed read may have changed the session's state).
                    field_path = Path(path, name, parent_type.name)
                    error = located_error(raw_error, step.field_nodes, field_path.as_list())
                    self.handle_field_error(error, step.field_type, field_path)
                    results[name] = None
                    continue
                if value is None:
                    if not isinstance(step.field_type, GraphQLNonNull):
                        results[name] = None
                        continue
                elif kind is _LEAF:
                    try:
                        serialized = step.serialize(value)  # type: ignore[misc]
                    except Exception:  # the scalar's own error, reported below
                        serialized = None
                    if serialized is not None and serialized is not Undefined:
                        results[name] = serialized
                        continue
                else:
                    done = self._complete(step, parent_type, path, value)
                    if done is not Undefined:
                        results[name] = done
                        continue
            result = self._execute_field(
                parent_type,
                source_value,
                step.field_nodes,
                Path(path, name, parent_type.name),
                step,
            )
            if result is not Undefined:
                results[name] = result
        return results

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_nodes: list[FieldNode],
        path: Path,
    ) -> Any:
        """graphql-core's ``execute_field`` for synchronous resolvers, with arguments
        from :func:`field_arguments`."""
        return self._execute_field(parent_type, source, field_nodes, path, None)

    def _execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_nodes: list[FieldNode],
        path: Path,
        step: _Step | None,
    ) -> Any:
        if self.middleware_manager is not None:
            return super().execute_field(parent_type, source, field_nodes, path)
        field_def = get_field_def(self.schema, parent_type, field_nodes[0])
        if field_def is None:
            return Undefined
        return_type = field_def.type
        resolve = field_def.resolve or self.field_resolver
        info = self.build_resolve_info(field_def, field_nodes, parent_type, path)
        try:
            arguments = field_arguments(field_def, field_nodes[0], self.variable_values)
            result = resolve(source, info, **arguments)
            if result is not None and not isinstance(result, Exception):
                object_type, _ = _unwrap(return_type)
                if isinstance(object_type, GraphQLObjectType) and object_type.is_type_of is None:
                    # complete_object_value without its dispatch (a mutation's payload).
                    sub_steps = step.sub_steps if step is not None else None
                    if sub_steps is None:
                        sub_fields = self.collect_subfields(object_type, field_nodes)
                        sub_steps = self._plan(object_type, sub_fields)
                        if step is not None:
                            step.sub_steps = sub_steps
                    return self._run(object_type, result, path, sub_steps)
            return self.complete_value(return_type, field_nodes, info, path, result)
        except Exception as raw_error:
            error = located_error(raw_error, field_nodes, path.as_list())
            self.handle_field_error(error, return_type, path)
            return None

    def _complete(
        self, step: _Step, parent_type: GraphQLObjectType, path: Path | None, value: Any
    ) -> Any:
        """An object or a list of objects completed as ``complete_value`` would;
        ``Undefined`` when the value needs graphql-core's own path (nothing run yet)."""
        kind = step.kind
        if kind == _OBJECT_LIST and (
            not isinstance(value, list | tuple)
            or any(item is None or isinstance(item, Exception) for item in value)
        ):
            return Undefined
        field_path = Path(path, step.name, parent_type.name)
        inner = step.inner
        try:
            # complete_object_value without its per-object dispatch: the type has no
            # is_type_of (see _step), and the sub-fields are the same for every object.
            sub_steps = step.sub_steps
            if sub_steps is None:
                sub_fields = self.collect_subfields(inner, step.field_nodes)
                sub_steps = step.sub_steps = self._plan(inner, sub_fields)
            if kind == _OBJECT:
                return self._run(inner, value, field_path, sub_steps)
            completed: list[Any] = []
            for index, item in enumerate(value):
                item_path = field_path.add_key(index, None)
                try:
                    completed.append(self._run(inner, item, item_path, sub_steps))
                except Exception as raw_error:
                    error = located_error(raw_error, step.field_nodes, item_path.as_list())
                    item_type = GraphQLNonNull(inner) if step.items_non_null else inner
                    self.handle_field_error(error, item_type, item_path)
                    completed.append(None)
            return completed
        except Exception as raw_error:
            error = located_error(raw_error, step.field_nodes, field_path.as_list())
            self.handle_field_error(error, step.field_type, field_path)
            return None
