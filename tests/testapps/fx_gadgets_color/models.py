from __future__ import annotations

from sqlmodel import Field

from tests.testapps.fx_gadgets import models as gadgets


class FxGadget(gadgets.FxGadget):
    color: str | None = Field(default=None, max_length=32)
