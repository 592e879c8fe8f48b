"""Runs GraphQL operations synchronously, with parse and validation cached per query text.

Validation costs about a millisecond even for tiny queries and dominates small
requests; documents are immutable once validated, so caching them is safe.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from ariadne.validation.introspection_disabled import IntrospectionDisabledRule
from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    OperationType,
    execute,
    get_operation_ast,
    parse,
    specified_rules,
    validate,
)
from graphql.validation import ASTValidationRule

from lys.conf.settings import Settings
from lys.graphql.context import RequestContext
from lys.graphql.errors import (
    PARSE_FAILED,
    VALIDATION_FAILED,
    format_error,
    request_error,
)

Prepared = tuple[DocumentNode | None, list[dict[str, Any]]]


class GraphQLExecutor:
    def __init__(
        self,
        schema: GraphQLSchema,
        settings: Settings,
        extra_rules: Sequence[type[ASTValidationRule]] = (),
    ) -> None:
        self.schema = schema
        self.settings = settings
        rules = [*specified_rules, *extra_rules]
        if not settings.introspection:
            rules.append(IntrospectionDisabledRule)
        self._rules = tuple(rules)
        self._prepare: Callable[[str], Prepared] = lru_cache(
            maxsize=settings.graphql_query_cache_size
        )(self._parse_and_validate)

    def _parse_and_validate(self, query: str) -> Prepared:
        try:
            document = parse(query)
        except GraphQLError as error:
            return None, [format_error(error, code=PARSE_FAILED)]
        errors = validate(self.schema, document, self._rules)
        if errors:
            return None, [format_error(error, code=VALIDATION_FAILED) for error in errors]
        return document, []

    def execute(self, payload: Any, context: RequestContext) -> tuple[int, dict[str, Any]]:
        """Run one request payload; returns the HTTP status and the response body."""
        problem = _payload_problem(payload)
        if problem:
            return 400, {"errors": [request_error("BAD_REQUEST", problem)]}
        document, errors = self._prepare(payload["query"])
        if document is None:
            return 400, {"errors": errors}
        success = False
        try:
            result = execute(
                self.schema,
                document,
                context_value=context,
                variable_values=payload.get("variables"),
                operation_name=payload.get("operationName"),
            )
            success = not result.errors
        finally:
            try:
                context.finish(success)
            except Exception as exc:  # the commit itself failed: nothing was saved
                error = GraphQLError("commit failed", original_error=exc)
                return 200, {
                    "data": None,
                    "errors": [format_error(error, debug=self.settings.is_debug)],
                }
        data = result.data
        if not success and _is_mutation(document, payload.get("operationName")):
            # Everything was rolled back: fields that ran before the failure would
            # otherwise report writes that no longer exist.
            data = None
        body: dict[str, Any] = {"data": data}
        if result.errors:
            body["errors"] = [format_error(e, debug=self.settings.is_debug) for e in result.errors]
        return 200, body


def _is_mutation(document: DocumentNode, operation_name: str | None) -> bool:
    operation = get_operation_ast(document, operation_name)
    return operation is not None and operation.operation is OperationType.MUTATION


def _payload_problem(payload: Any) -> str | None:
    if not isinstance(payload, dict):
        return "The body must be a JSON object with a 'query' string."
    query = payload.get("query")
    if not isinstance(query, str) or not query.strip():
        return "The body must have a non-empty 'query' string."
    variables = payload.get("variables")
    if variables is not None and not isinstance(variables, dict):
        return "'variables' must be a JSON object."
    name = payload.get("operationName")
    if name is not None and not isinstance(name, str):
        return "'operationName' must be a string."
    return None
