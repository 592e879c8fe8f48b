"""Runs GraphQL operations synchronously, with parse and validation cached per query text.

Validation costs about a millisecond even for tiny queries and dominates small
requests; documents are immutable once validated, so caching them is safe. Limits that
depend only on the document (depth, aliases, directives, tokens, mutations) are checked
once with it; the cost, which depends on variables, is checked per request.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any, cast

from ariadne.validation.introspection_disabled import IntrospectionDisabledRule
from graphql import (
    DocumentNode,
    ExecutionResult,
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
    QUERY_TOO_COMPLEX,
    VALIDATION_FAILED,
    format_error,
    request_error,
)
from lys.graphql.execution import LeanExecutionContext
from lys.graphql.limits import QueryLimits, check_static_limits, operation_cost

Prepared = tuple[DocumentNode | None, list[dict[str, Any]]]


def limits_from(settings: Settings) -> QueryLimits:
    return QueryLimits(
        max_depth=settings.graphql_max_depth,
        max_aliases=settings.graphql_max_aliases,
        max_directives=settings.graphql_max_directives,
        max_tokens=settings.graphql_max_tokens,
        max_cost=settings.graphql_max_cost,
        default_field_cost=settings.graphql_default_field_cost,
        max_mutations=settings.graphql_max_mutations,
        default_page_size=settings.page_size_default,
        max_page_size=settings.page_size_max,
    )


class GraphQLExecutor:
    """Validates and executes GraphQL requests against one schema, with the limits
    and error shape of the settings."""

    def __init__(
        self,
        schema: GraphQLSchema,
        settings: Settings,
        extra_rules: Sequence[type[ASTValidationRule]] = (),
    ) -> None:
        self.schema = schema
        self.settings = settings
        self.limits = limits_from(settings)
        self._debug = settings.is_debug
        self._suggestions = bool(settings.graphql_suggestions)
        rules = [*specified_rules, *extra_rules]
        if not settings.introspection:
            rules.append(IntrospectionDisabledRule)
        self._rules = tuple(rules)
        self._costs: dict[tuple[Any, ...], int] = {}
        self._prepare: Callable[[str], Prepared] = lru_cache(
            maxsize=settings.graphql_query_cache_size
        )(self._parse_and_validate)

    def _parse_and_validate(self, query: str) -> Prepared:
        try:
            document = parse(query, max_tokens=self.limits.max_tokens)
        except GraphQLError as error:
            code = QUERY_TOO_COMPLEX if "tokens" in error.message else PARSE_FAILED
            return None, [self._format(error, code)]
        too_complex = check_static_limits(document, self.limits)
        if too_complex:
            return None, [self._format(error, QUERY_TOO_COMPLEX) for error in too_complex]
        errors = validate(
            self.schema, document, self._rules, hide_suggestions=not self._suggestions
        )
        if errors:
            return None, [self._format(error, VALIDATION_FAILED) for error in errors]
        return document, []

    def _cost(
        self,
        query: str,
        document: DocumentNode,
        operation_name: str | None,
        variables: dict[str, Any] | None,
    ) -> int:
        """The operation's cost, memoised: it depends only on integer variables (page sizes)."""
        numbers = tuple(sorted((k, v) for k, v in (variables or {}).items() if type(v) is int))
        key = (query, operation_name, numbers)
        cost = self._costs.get(key)
        if cost is None:
            cost = operation_cost(self.schema, document, operation_name, variables, self.limits)
            if len(self._costs) >= self.settings.graphql_query_cache_size:
                self._costs.clear()
            self._costs[key] = cost
        return cost

    def _format(self, error: GraphQLError, code: str | None = None) -> dict[str, Any]:
        return format_error(error, code=code, debug=self._debug, suggestions=self._suggestions)

    def execute(self, payload: Any, context: RequestContext) -> tuple[int, dict[str, Any]]:
        """Run one request payload; returns the HTTP status and the response body."""
        problem = _payload_problem(payload)
        if problem:
            return 400, {"errors": [request_error("BAD_REQUEST", problem)]}
        document, errors = self._prepare(payload["query"])
        if document is None:
            return 400, {"errors": errors}
        operation_name = payload.get("operationName")
        variables = payload.get("variables")
        cost = self._cost(payload["query"], document, operation_name, variables)
        if cost > self.limits.max_cost:
            error = GraphQLError(
                f"The operation costs {cost}; the limit is {self.limits.max_cost}. Ask for "
                "smaller pages (first/last) or fewer fields."
            )
            return 400, {"errors": [self._format(error, QUERY_TOO_COMPLEX)]}
        operation = get_operation_ast(document, operation_name)
        is_mutation = operation is not None and operation.operation is OperationType.MUTATION
        # Reads need no transaction: no BEGIN/COMMIT round trips for queries.
        context.read_only = not is_mutation
        success = False
        try:
            # is_awaitable=_never_awaitable: execution stays synchronous.
            result = cast(
                ExecutionResult,
                execute(
                    self.schema,
                    document,
                    context_value=context,
                    variable_values=variables,
                    operation_name=operation_name,
                    hide_suggestions=not self._suggestions,
                    is_awaitable=_never_awaitable,
                    execution_context_class=LeanExecutionContext,
                ),
            )
            success = not result.errors
        finally:
            try:
                context.finish(success)
            except Exception as exc:  # the commit itself failed: nothing was saved
                error = GraphQLError("commit failed", original_error=exc)
                return 200, {"data": None, "errors": [self._format(error)]}
        data = result.data
        if not success and is_mutation:
            # Everything was rolled back: fields that ran before the failure would
            # otherwise report writes that no longer exist.
            data = None
        body: dict[str, Any] = {"data": data}
        if result.errors:
            body["errors"] = [self._format(e) for e in result.errors]
        return 200, body


def _never_awaitable(_value: Any) -> bool:
    """Resolvers are synchronous; skipping graphql-core's check on every value is a big
    share of a list's execution time (it probes SQLModel objects for ``__await__``)."""
    return False


def _payload_problem(payload: Any) -> str | None:
    if isinstance(payload, list):
        return "Batched operations (a JSON array) are not accepted; send one per request."
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
