"""At start, a service registers its webservices with the auth service.

A service that does not own the webservice table (``AUTH_SERVICE_URL`` set) sends its
registry's webservices to the auth service's ``registerWebservices``, under its
service token, so roles there can name them. Each server process does it in a
background thread and serves meanwhile; it tries until the auth service answers,
waiting 1 s, 2 s, 4 s ... up to a minute between attempts (with some jitter, so a
fleet restarting together does not knock in step). An answer that cannot change by
waiting (an invalid webservice, a name another service provides) ends the attempts
with an error in the log. Upserts make the registration of several processes, or of
a restart, harmless.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from typing import Any

from lys.apps.base.webservices import _row_values
from lys.auth.install import auth_service_client
from lys.errors import LysError

logger = logging.getLogger("lys.services.registration")

REGISTER = """
mutation RegisterWebservices($webservices: [WebserviceFixturesInput!]!) {
  registerWebservices(webservices: $webservices) { success registeredCount message }
}"""
FIRST_DELAY = 1.0
MAX_DELAY = 60.0
#: Answers waiting will not change.
FINAL_CODES = frozenset(
    {
        "VALIDATION_ERROR",
        "WEBSERVICE_CONFLICT",
        "BAD_USER_INPUT",
        "GRAPHQL_VALIDATION_FAILED",
        "GRAPHQL_PARSE_FAILED",
    }
)


def registration_payload(registry: Any, service_name: str) -> list[dict[str, Any]]:
    """The registry's webservices as ``WebserviceFixturesInput`` values."""
    payload = []
    for webservice in sorted(registry.webservices.values(), key=lambda w: w.name):
        values = _row_values(webservice, service_name)
        payload.append(
            {
                "id": webservice.name,
                "attributes": {
                    "publicType": values["public_type_id"],
                    "isLicenced": values["is_licenced"],
                    "enabled": values["enabled"],
                    "accessLevels": list(webservice.access_levels),
                    "operationType": values["operation_type"],
                    "description": values["description"],
                },
            }
        )
    return payload


class Registration:
    def __init__(
        self,
        application: Any,
        *,
        client: Callable[[], Any] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        max_attempts: int | None = None,
    ) -> None:
        self.application = application
        settings = application.settings
        self.client = client or (lambda: auth_service_client(settings))
        self.sleep = sleep
        self.max_attempts = max_attempts

    def register_once(self) -> dict[str, Any]:
        application = self.application
        application.schema  # noqa: B018 - reading the schema reads the webservices
        payload = registration_payload(application.registry, application.settings.service_name)
        with self.client() as client:
            data = client.mutate(REGISTER, {"webservices": payload})
        return dict(data["registerWebservices"])

    def run(self) -> bool:
        """Try until the auth service answers; ``True`` once registered."""
        settings = self.application.settings
        delay = FIRST_DELAY
        attempt = 0
        while True:
            attempt += 1
            try:
                answer = self.register_once()
            except Exception as exc:
                error = _as_lys_error(exc)
                if error.code in FINAL_CODES:
                    logger.error(
                        "the auth service refused this service's webservices: %s (%s); "
                        "fix and restart",
                        error.code,
                        error.detail,
                    )
                    return False
                if self.max_attempts is not None and attempt >= self.max_attempts:
                    return False
                logger.warning(
                    "registering webservices with %s failed (%s: %s); next try in %.0f s",
                    settings.auth_service_url,
                    error.code,
                    error.detail,
                    delay,
                )
                self.sleep(delay * random.uniform(0.8, 1.2))
                delay = min(MAX_DELAY, delay * 2)
                continue
            logger.info(
                "registered %s webservices with %s as %s (%s)",
                answer.get("registeredCount"),
                settings.auth_service_url,
                settings.service_name,
                answer.get("message"),
            )
            return True


def _as_lys_error(exc: Exception) -> LysError:
    if isinstance(exc, LysError):
        return exc
    logger.error("registering webservices failed unexpectedly", exc_info=exc)
    return LysError(f"{type(exc).__name__}: {exc}")


def start_registration(application: Any) -> threading.Thread:
    """The ``server_hooks`` entry: register in the background."""
    thread = threading.Thread(
        target=Registration(application).run, name="lys-webservice-registration", daemon=True
    )
    thread.start()
    return thread
