from __future__ import annotations

from tests.testapps.reg_support import record

record(__name__)
