from __future__ import annotations

from lys import EntityService
from tests.testapps.reg_order_b.models import OrderThingB
from tests.testapps.reg_support import record

record(__name__)


class OrderThingBService(EntityService[OrderThingB]):
    pass
