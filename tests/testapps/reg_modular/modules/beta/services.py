from __future__ import annotations

from lys import Service
from tests.testapps.reg_support import record

record(__name__)


class BetaGreeter(Service):
    service_name = "beta_greeter"

    def greet(self) -> str:
        return "hello from beta"
