from __future__ import annotations

from lys import EntityService
from tests.testapps.reg_order_a.models import OrderThingA
from tests.testapps.reg_support import record

record(__name__)


class OrderThingAService(EntityService[OrderThingA]):
    pass
