"""Calling another service of the deployment over GraphQL, as this service.

```python
from lys.client import ServiceClient

with ServiceClient("http://auth:8001/graphql", settings, service="auth") as auth:
    data = auth.query("query { allWebservices(appName: \"catalog\") { totalCount } }")
```

Each attempt carries a new service token for ``service`` (its SERVICE_NAME, the
token's audience). Every attempt has ``SERVICE_CLIENT_TIMEOUT`` seconds. Queries are
tried again (``SERVICE_CLIENT_RETRIES`` times, after 0.2 s, 0.4 s, ...) when the
service cannot be reached; mutations never are, since a mutation that timed out may
have run. Errors come back as ``LysError``: the other service's own code and detail
(``RemoteServiceError``), or SERVICE_UNAVAILABLE (503) when it did not answer.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import httpx

from lys.auth.service_tokens import ServiceTokenIssuer
from lys.conf.settings import Settings
from lys.errors import LysError

BACKOFF = 0.2
MAX_BACKOFF = 2.0
_MUTATION = re.compile(r"^\s*(?:#[^\n]*\n\s*)*mutation\b")


class RemoteServiceUnavailableError(LysError):
    code = "SERVICE_UNAVAILABLE"
    status_code = 503
    default_detail = "Another service of the deployment did not answer; try again shortly."


class RemoteServiceError(LysError):
    """The other service answered with an error: its code, status and detail."""

    def __init__(
        self,
        service: str,
        code: str,
        detail: str,
        status_code: int,
        *,
        errors: list[dict[str, Any]] | None = None,
        data: Any = None,
    ) -> None:
        self.status_code = status_code
        self.service = service
        self.errors = list(errors or [])
        self.data = data
        super().__init__(detail, code=code, extensions={"service": service})


class ServiceClient:
    def __init__(
        self,
        url: str,
        settings: Settings,
        *,
        service: str,
        timeout: float | None = None,
        retries: int | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.url = url
        self.service = service
        self.retries = settings.service_client_retries if retries is None else retries
        self.issuer = ServiceTokenIssuer.from_settings(settings)
        self.sleep = sleep
        self._http = httpx.Client(
            timeout=timeout or settings.service_client_timeout,
            transport=transport,
            follow_redirects=False,
        )

    def query(
        self, document: str, variables: dict[str, Any] | None = None, **options: Any
    ) -> dict[str, Any]:
        """Run a query; retried when the service cannot be reached."""
        if _MUTATION.match(document):
            raise ValueError("use mutate() for mutations: they are never retried")
        return self._execute(document, variables, self.retries, False, **options)

    def mutate(
        self, document: str, variables: dict[str, Any] | None = None, **options: Any
    ) -> dict[str, Any]:
        """Run a mutation, once."""
        return self._execute(document, variables, 0, True, **options)

    def _execute(
        self,
        document: str,
        variables: dict[str, Any] | None,
        retries: int,
        mutation: bool,
        operation_name: str | None = None,
    ) -> dict[str, Any]:
        payload: dict[str, Any] = {"query": document}
        if variables is not None:
            payload["variables"] = variables
        if operation_name is not None:
            payload["operationName"] = operation_name
        attempt = 0
        while True:
            try:
                response = self._http.post(
                    self.url, json=payload, headers=self.issuer.header(self.service)
                )
                break
            except httpx.TransportError as exc:
                if attempt >= retries:
                    detail = f"{self.service} ({self.url}) did not answer: {type(exc).__name__}"
                    if mutation and not isinstance(exc, httpx.ConnectError):
                        detail += "; the mutation may or may not have run"
                    raise RemoteServiceUnavailableError(detail) from None
                self.sleep(min(MAX_BACKOFF, BACKOFF * 2**attempt))
                attempt += 1
        return self._data(response)

    def _data(self, response: httpx.Response) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise RemoteServiceError(
                self.service,
                "BAD_GATEWAY",
                f"{self.service} answered HTTP {response.status_code} without a GraphQL body",
                502,
            )
        errors = body.get("errors")
        if errors:
            first = errors[0] if isinstance(errors[0], dict) else {}
            extensions = first.get("extensions") or {}
            code = str(extensions.get("code") or first.get("message") or "INTERNAL_ERROR")
            detail = str(extensions.get("detail") or first.get("message") or code)
            status = extensions.get("status_code")
            if not isinstance(status, int):
                status = response.status_code if response.status_code >= 400 else 500
            raise RemoteServiceError(
                self.service, code, detail, status, errors=errors, data=body.get("data")
            )
        data = body.get("data")
        return data if isinstance(data, dict) else {}

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ServiceClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
