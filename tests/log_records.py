"""Catching a logger's records in tests.

Litestar resets the root logger's handlers when an application starts, which drops
pytest's ``caplog`` handler; a handler on the named logger itself keeps every record.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def log_records(name: str) -> Iterator[list[logging.LogRecord]]:
    """The records the logger ``name`` (and its children) emits inside the block."""
    handler = _Records()
    logger = logging.getLogger(name)
    logger.addHandler(handler)
    try:
        yield handler.records
    finally:
        logger.removeHandler(handler)
