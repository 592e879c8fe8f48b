from __future__ import annotations

from lys import BusinessFixture
from tests.testapps.reg_support import record

record(__name__)


class OrderThingAFixture(BusinessFixture):
    model = "reg_order_a_thing"
    natural_key = ("label",)
    rows = [{"label": "a"}]
