"""The server's ASGI factory: settings from the environment, startup objects frozen."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient

from lys.asgi import application_from_environment


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()  # what the test froze goes back to the collector


def test_server_start_freezes_what_exists(
    unfrozen: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LYS_SETTINGS_MODULE", "bench.settings")
    monkeypatch.setenv("LYS_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    monkeypatch.setenv("LYS_SECRET_KEY", "test-secret-" + "x" * 40)
    app = application_from_environment()
    assert gc.get_freeze_count() == 0
    with TestClient(app) as client:
        assert gc.get_freeze_count() > 10_000  # the application's objects
        assert client.get("/health").json() == {"status": "ok"}
