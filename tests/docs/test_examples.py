"""Every example in ``docs/*.md`` runs: Python blocks are compiled and executed (unless
marked ``<!-- not-run: reason -->``; the tutorial's ``<!-- file: PATH -->`` blocks run in
its project, see test_tutorial.py), GraphQL operations are validated against the
reference project's schema, SDL blocks are parsed."""

from __future__ import annotations

import functools

import pytest
from graphql import GraphQLSchema, parse, validate

from tests.docs.markdown import all_blocks

PYTHON = all_blocks("python")
GRAPHQL = all_blocks("graphql")
OPERATION_STARTS = ("query", "mutation", "subscription", "{")


@functools.cache
def reference_schema() -> GraphQLSchema:
    from lys.application import Application

    return Application.from_settings("apps.settings").schema


def not_run(marker: str | None) -> bool:
    return marker is not None and marker.split(":")[0].strip() == "not-run"


def project_file(marker: str | None) -> bool:
    """A file of the tutorial's project: tests/docs/test_tutorial.py runs it there."""
    return marker is not None and marker.startswith("file:")


def test_the_docs_have_examples() -> None:
    assert len(PYTHON) > 20 and len(GRAPHQL) > 5


@pytest.mark.parametrize("block", PYTHON, ids=lambda block: block.where)
def test_python_example_runs(block) -> None:
    code = compile(block.source, block.where, "exec")
    if not_run(block.marker):
        assert ":" in block.marker, f"{block.where}: say why it does not run"
        return
    if project_file(block.marker):
        return
    exec(code, {"__name__": f"docs_example_{block.path.stem}_{block.line}"})


@pytest.mark.parametrize("block", GRAPHQL, ids=lambda block: block.where)
def test_graphql_example_is_valid(block) -> None:
    document = parse(block.source)
    if not block.source.lstrip().startswith(OPERATION_STARTS):
        return  # SDL: parsing is the check
    errors = validate(reference_schema(), document)
    assert errors == [], f"{block.where}: {[error.message for error in errors]}"
