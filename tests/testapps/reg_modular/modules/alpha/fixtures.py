from __future__ import annotations

from lys import BusinessFixture
from tests.testapps.reg_support import record

record(__name__)


class AlphaThingFixture(BusinessFixture):
    model = "reg_alpha_thing"
    natural_key = ("name",)
    rows = [{"name": "first"}]
