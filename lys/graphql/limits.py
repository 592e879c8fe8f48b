"""Query limits checked before validation and execution: depth, aliases, directives,
mutations per document and cost.

These run as one pass over the document with every fragment measured once, so a
document that spreads a fragment thousands of times (or nests spreads exponentially)
is measured in microseconds instead of being expanded; graphql-core's own rules run
only on documents within the limits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
)
from graphql.type import GraphQLInterfaceType


@dataclass(frozen=True)
class QueryLimits:
    max_depth: int = 10
    max_aliases: int = 15
    max_directives: int = 50
    max_tokens: int = 2000
    max_cost: int = 5000
    default_field_cost: int = 1
    max_mutations: int = 4
    default_page_size: int = 100
    #: Larger pages are refused by the connection itself, with a clearer error.
    max_page_size: int = 100


@dataclass
class _Measure:
    depth: int = 0
    aliases: int = 0
    directives: int = 0


@dataclass
class _Walker:
    fragments: dict[str, FragmentDefinitionNode]
    memo: dict[str, _Measure] = field(default_factory=dict)
    visiting: set[str] = field(default_factory=set)

    def selection_set(self, node: SelectionSetNode | None) -> _Measure:
        total = _Measure()
        if node is None:
            return total
        for selection in node.selections:
            total.directives += len(selection.directives or ())
            if isinstance(selection, FieldNode):
                if selection.name.value.startswith("__"):
                    continue
                child = self.selection_set(selection.selection_set)
                total.aliases += child.aliases + (1 if selection.alias else 0)
                total.directives += child.directives
                nested = child.depth + 1 if selection.selection_set else 0
                total.depth = max(total.depth, nested)
            else:
                child = (
                    self.fragment(selection.name.value)
                    if isinstance(selection, FragmentSpreadNode)
                    # Field nodes were handled above: an inline fragment is left.
                    else self.selection_set(cast(InlineFragmentNode, selection).selection_set)
                )
                total.aliases += child.aliases
                total.directives += child.directives
                total.depth = max(total.depth, child.depth)
        return total

    def fragment(self, name: str) -> _Measure:
        if name in self.memo:
            return self.memo[name]
        definition = self.fragments.get(name)
        if definition is None or name in self.visiting:
            return _Measure()  # unknown or cyclic: graphql-core's rules report it
        self.visiting.add(name)
        measure = self.selection_set(definition.selection_set)
        measure.directives += len(definition.directives or ())
        self.visiting.discard(name)
        self.memo[name] = measure
        return measure


def check_static_limits(document: DocumentNode, limits: QueryLimits) -> list[GraphQLError]:
    """Limits that depend on the document only (cacheable with it)."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    walker = _Walker(fragments)
    errors = []
    for operation in document.definitions:
        if not isinstance(operation, OperationDefinitionNode):
            continue
        label = operation.name.value if operation.name else "anonymous"
        measure = walker.selection_set(operation.selection_set)
        measure.directives += len(operation.directives or ())
        if measure.depth > limits.max_depth:
            errors.append(
                GraphQLError(
                    f"'{label}' is nested {measure.depth} levels deep; the limit is "
                    f"{limits.max_depth}.",
                    operation,
                )
            )
        if measure.aliases > limits.max_aliases:
            errors.append(
                GraphQLError(
                    f"'{label}' uses {measure.aliases} aliases; the limit is {limits.max_aliases}.",
                    operation,
                )
            )
        if measure.directives > limits.max_directives:
            errors.append(
                GraphQLError(
                    f"'{label}' uses {measure.directives} directives; the limit is "
                    f"{limits.max_directives}.",
                    operation,
                )
            )
        if operation.operation is OperationType.MUTATION:
            count = _root_field_count(operation.selection_set, fragments, {}, set())
            if count > limits.max_mutations:
                errors.append(
                    GraphQLError(
                        f"'{label}' runs {count} mutations; the limit is {limits.max_mutations}.",
                        operation,
                    )
                )
    return errors


def _root_field_count(
    node: SelectionSetNode,
    fragments: dict[str, FragmentDefinitionNode],
    memo: dict[str, int],
    visiting: set[str],
) -> int:
    """Root fields, each fragment counted once per spread but walked once (no blow-up)."""
    count = 0
    for selection in node.selections:
        if isinstance(selection, FieldNode):
            count += 0 if selection.name.value.startswith("__") else 1
        elif isinstance(selection, InlineFragmentNode):
            count += _root_field_count(selection.selection_set, fragments, memo, visiting)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name not in fragments or name in visiting:
                continue  # unknown or cyclic: graphql-core's rules report it
            if name not in memo:
                visiting.add(name)
                memo[name] = _root_field_count(
                    fragments[name].selection_set, fragments, memo, visiting
                )
                visiting.discard(name)
            count += memo[name]
    return count


def operation_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    limits: QueryLimits,
) -> int:
    """The cost of the operation that will run: each field costs ``default_field_cost``,
    times the page sizes (``first``/``last``, or the default page size on connections)
    of the lists above it. It depends on variables, so it runs per request.
    """
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    if len(operations) != 1:
        return 0  # graphql-core reports the missing or ambiguous operation
    operation = operations[0]
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 0
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    memo: dict[str, int] = {}
    variables = variables or {}

    def cost(node: SelectionSetNode | None, parent: Any, visiting: frozenset[str]) -> int:
        if node is None:
            return 0
        total = 0
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                name = selection.name.value
                if name.startswith("__"):
                    continue
                field_def = (
                    parent.fields.get(name)
                    if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType)
                    else None
                )
                field_type = _named(field_def.type) if field_def else None
                multiplier = _page_size(selection, field_type, variables, limits)
                total += limits.default_field_cost + multiplier * cost(
                    selection.selection_set, field_type, visiting
                )
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = schema.get_type(condition.name.value) if condition else parent
                total += cost(selection.selection_set, target, visiting)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                definition = fragments.get(name)
                if definition is None or name in visiting:
                    continue
                if name not in memo:
                    target = schema.get_type(definition.type_condition.name.value)
                    memo[name] = cost(definition.selection_set, target, visiting | {name})
                total += memo[name]
        return total

    return cost(operation.selection_set, root, frozenset())


def _named(type_: Any) -> Any:
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        type_ = type_.of_type
    return type_


def _page_size(
    node: FieldNode, field_type: Any, variables: Mapping[str, Any], limits: QueryLimits
) -> int:
    for argument in node.arguments or ():
        if argument.name.value not in ("first", "last"):
            continue
        value = argument.value
        if isinstance(value, IntValueNode):
            return min(max(int(value.value), 1), limits.max_page_size)
        if isinstance(value, VariableNode):
            given = variables.get(value.name.value)
            if isinstance(given, int) and not isinstance(given, bool):
                return min(max(given, 1), limits.max_page_size)
    name = getattr(field_type, "name", "") or ""
    return limits.default_page_size if name.endswith("Connection") else 1
