from __future__ import annotations

from tests.testapps.reg_broken_resolvers.no_such_helpers import helper

bindables = [helper]
