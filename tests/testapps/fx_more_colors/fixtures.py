from __future__ import annotations

from lys import BusinessFixture, ParametricFixture
from tests.testapps.fx_inventory.fixtures import ItemRow


class MoreColorFixture(ParametricFixture):
    model = "fx_color"
    rows = [{"id": "PURPLE", "description": "Purple"}]


class PurpleItemFixture(BusinessFixture):
    model = "fx_item"
    row_schema = ItemRow
    natural_key = ("name",)
    depends_on = ("ColorFixture", "MoreColorFixture")
    rows = [{"name": "Purple pen", "quantity": 1, "color_id": "PURPLE"}]
